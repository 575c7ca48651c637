// Preloaded with --import: at exit, writes to stderr which Node built-ins, npm packages and other
// files the process loaded, one per line ("builtin tls", "package undici",
// "file /path/dist/cli/main.js"), and how large V8's young generation grows under a burst of
// short-lived objects that survive a while ("young-generation-mb 2").
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

const packages = new Set();
const files = new Set();
module.registerHooks({
  load(url, context, next) {
    const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (name) packages.add(name);
    else if (url.startsWith('file:')) files.add(fileURLToPath(url));
    return next(url, context);
  },
});
/** What a busy server's allocations do to the young generation, unless it is held small. */
function youngGenerationAfterChurn() {
  const kept = [];
  for (let i = 0; i < 3_000_000; i++) {
    kept.push({ i });
    if (kept.length > 200_000) kept.length = 0;
  }
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return Math.round((space?.space_size ?? 0) / 1e6);
}

process.on('exit', () => {
  const builtins = process.moduleLoadList
    .filter((m) => m.startsWith('NativeModule '))
    .map((m) => m.slice('NativeModule '.length));
  const lines = [
    ...builtins.map((b) => `builtin ${b}`),
    ...[...packages].map((p) => `package ${p}`),
    ...[...files].map((f) => `file ${f}`),
    `young-generation-mb ${youngGenerationAfterChurn()}`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
});
