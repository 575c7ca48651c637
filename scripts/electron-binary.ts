import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ELECTRON_PACKAGE = fileURLToPath(new URL('../node_modules/electron/', import.meta.url));

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
