import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ELECTRON_PACKAGE = fileURLToPath(new URL('../node_modules/electron/', import.meta.url));
/** The electron package's own downloader; since electron 42 nothing runs it at `npm install`. */
export const ELECTRON_INSTALLER = join(ELECTRON_PACKAGE, 'install.js');

/**
 * The Electron executable `npm install electron` would run, or null when it is not on disk (the
 * package fetches it on first run, which fails without network). Never triggers that download.
 */
export function electronBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  const pathFile = join(ELECTRON_PACKAGE, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  const candidate = override
    ? join(override, relative ?? 'electron')
    : relative
      ? join(ELECTRON_PACKAGE, 'dist', relative)
      : null;
  return candidate && existsSync(candidate) ? candidate : null;
}

export interface InstallOutcome {
  ok: boolean;
  /** One line for the terminal: what went wrong, without the installer's stack trace. */
  summary: string;
}

/**
 * Runs the installer (it downloads the binary into node_modules/electron/dist) for at most
 * `timeoutMs`: without network it fails within a second, but a network that drops packets would
 * hold `npm start` for minutes.
 */
export function installElectron({
  installer = ELECTRON_INSTALLER,
  timeoutMs = 90_000,
}: { installer?: string; timeoutMs?: number } = {}): Promise<InstallOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [installer], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-16_384);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, summary: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) {
        resolve({ ok: false, summary: `no answer within ${Math.round(timeoutMs / 1000)} s` });
      } else if (code === 0) {
        resolve({ ok: true, summary: 'installed' });
      } else {
        resolve({
          ok: false,
          summary: installFailure(output) ?? `the installer exited with ${code}`,
        });
      }
    });
  });
}

/** The installer prints an error's stack: its message lines are what say why. */
export function installFailure(output: string): string | null {
  const message = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('at ') && !line.startsWith('Downloading'));
  return message.length ? message.slice(0, 3).join(' ').slice(0, 300) : null;
}
