// Preloaded with --import: at exit, writes to stderr which Node built-ins, npm packages and other
// files the process loaded and the flags it runs with, one per line ("builtin tls",
// "package undici", "file /path/dist/cli/main.js", "flag --max-semi-space-size=1").
import module from 'node:module';
import { fileURLToPath } from 'node:url';

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
process.on('exit', () => {
  const builtins = process.moduleLoadList
    .filter((m) => m.startsWith('NativeModule '))
    .map((m) => m.slice('NativeModule '.length));
  const lines = [
    ...builtins.map((b) => `builtin ${b}`),
    ...[...packages].map((p) => `package ${p}`),
    ...[...files].map((f) => `file ${f}`),
    ...process.execArgv.map((a) => `flag ${a}`),
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
});
