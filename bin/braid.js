#!/usr/bin/env node
// Launcher: Braid runs on Node 24 (what Electron embeds), which runs TypeScript natively.
// On an older Node, re-run with the Node 24 that `npm install` put in node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(bundled)) {
    console.error(
      `braid needs Node.js 24 or newer (found v${process.versions.node}); run "npm install" first`,
    );
    process.exit(1);
  }
  const child = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}

// Reuses compiled code across runs: start-up matters for a command run many times in scripts.
module.enableCompileCache?.();
const { main } = await import('../electron/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
