#!/usr/bin/env node
// Launcher: Braid runs on Node 24 (what Electron embeds), which runs TypeScript natively.
// On an older Node, re-run with the Node 24 that `npm install` put in node_modules.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import module from 'node:module';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
const args = process.argv.slice(2);
if (major < 24) {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(bundled)) {
    console.error(
      `braid needs Node.js 24 or newer (found v${process.versions.node}); run "npm install" first`,
    );
    process.exit(1);
  }
  const self = fileURLToPath(import.meta.url);
  const child = spawn(bundled, [self, ...args], { stdio: 'inherit' });
  // A stop sent to this process alone (kill, a supervisor) must reach the one downloading, or it
  // runs on, orphaned, holding the lock. Ctrl-C already reaches both (one process group): this
  // one waits for the child to stop, as a second SIGINT sent on would force it.
  const forward = (signal) => () => child.kill(signal);
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGHUP', forward('SIGHUP'));
  process.on('SIGINT', () => {});
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
} else {
  await run();
}

/**
 * The bundle `npm run build` makes (dist/cli), while no file it was built from changed since;
 * otherwise the TypeScript sources, which Node 24 runs directly. BRAID_FROM_SOURCE=1 forces them.
 */
function cliEntry() {
  const source = '../electron/cli/main.ts';
  if (process.env.BRAID_FROM_SOURCE === '1') return source;
  const bundle = new URL('../dist/cli/main.js', import.meta.url);
  try {
    const built = statSync(bundle).mtimeMs;
    const sources = JSON.parse(readFileSync(new URL('../dist/cli/sources.json', import.meta.url)));
    const root = new URL('../', import.meta.url);
    for (const file of sources) if (statSync(new URL(file, root)).mtimeMs > built) return source;
    return bundle.href;
  } catch {
    return source; // not built, or a source file was removed since
  }
}

async function run() {
  // Reuses compiled code across runs: start-up matters for a command run many times in scripts.
  module.enableCompileCache?.();
  const { main } = await import(cliEntry());
  if (args.includes('get')) {
    // `braid get` allocates little while it downloads, yet V8 grows its young generation as for a
    // busy server (up to 16 MB semi-spaces, a tenth of the process's memory). Downloads keep it
    // where loading the CLI left it (a 4 MB new space): V8 reads the growth factor whenever it
    // would grow, so setting it at run time is in time and costs no second process start, as a
    // flag would. Set before loading, it kept the space at 2 MB and start-up took ~15 ms longer,
    // scavenging again and again while the modules load.
    v8.setFlagsFromString('--semi-space-growth-factor=1');
  }
  process.exitCode = await main(process.argv.slice(2));
}
