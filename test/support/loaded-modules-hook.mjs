// Preloaded with --import: at exit, writes to stderr which Node built-ins and which npm packages
// the process loaded and the flags it runs with, one per line ("builtin tls", "package undici",
// "flag --max-semi-space-size=1").
import module from 'node:module';

const packages = new Set();
module.registerHooks({
  load(url, context, next) {
    const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (name) packages.add(name);
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
    ...process.execArgv.map((a) => `flag ${a}`),
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
});
