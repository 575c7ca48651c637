// `npm start`: the desktop app when an Electron binary is installed; otherwise the same UI in a
// browser through `braid serve`, with a clear note why.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const electron = electronBinary();
const extra = process.argv.slice(2);

const child = electron
  ? spawn(electron, [root, ...extra], { stdio: 'inherit' })
  : (console.error(
      'No Electron binary is installed here (node_modules/electron has only its types; the binary ' +
        'is fetched on first run, which needs network). Starting `braid serve` instead: open the URL below.',
    ),
    spawn(process.execPath, [`${root}bin/braid.js`, 'serve', ...extra], { stdio: 'inherit' }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
