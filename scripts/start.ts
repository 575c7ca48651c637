// `npm start`: the desktop app, fetching the Electron binary on first run; where that cannot be
// done (no network), the same UI in a browser through `braid serve`, with a clear note why.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { electronBinary, installElectron } from './electron-binary.ts';
import { sandboxFlags } from './electron-flags.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const extra = process.argv.slice(2);

async function findOrInstallElectron(): Promise<string | null> {
  const installed = electronBinary();
  // An override names a binary of the user's own: downloading ours would not make it appear.
  if (installed || process.env['ELECTRON_OVERRIDE_DIST_PATH']) return installed;
  console.error('Electron is not installed yet: downloading it once (needs network)…');
  const outcome = await installElectron();
  const binary = outcome.ok ? electronBinary() : null;
  if (!binary) {
    console.error(
      `Could not install Electron (${outcome.ok ? 'the installer left no executable' : outcome.summary}). ` +
        'Starting `braid serve` instead: open the URL below. ' +
        '(To try again: node node_modules/electron/install.js, then npm start.)',
    );
  }
  return binary;
}

const electron = await findOrInstallElectron();
const flags = sandboxFlags(process.platform, process.getuid?.());
if (electron && flags.length > 0) {
  console.error('Running as root: Electron starts without its sandbox, which refuses root.');
}
const child = electron
  ? spawn(electron, [...flags, root, ...extra], { stdio: 'inherit' })
  : spawn(process.execPath, [`${root}bin/braid.js`, 'serve', ...extra], { stdio: 'inherit' });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
