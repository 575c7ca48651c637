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
/**
 * What a busy server's allocations do to the young generation, unless it is held small: the
 * smallest of several readings, since one reading swings by up to ~13 MB with the pages a
 * scavenge happens to hold on to, while the capacity V8 grew to stays between readings.
 */
function youngGenerationAfterChurn() {
  const kept = [];
  const readings = [];
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 600_000; i++) {
      kept.push({ i });
      if (kept.length > 200_000) kept.length = 0;
    }
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    if (round > 0) readings.push(space?.space_size ?? 0); // the first round lets it grow
  }
  return Math.round(Math.min(...readings) / 1e6);
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
