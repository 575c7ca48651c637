// Bundles the Electron main process (ESM) and the sandboxed preload (one CJS file that may
// require only `electron`) into dist/electron/, or into another folder for tests.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildElectron(outDir = `${root}dist/electron`): Promise<void> {
  await Promise.all([
    build({
      entryPoints: [`${root}electron/main/main.ts`],
      outfile: `${outDir}/main.mjs`,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      external: ['electron'],
      sourcemap: true,
      logLevel: 'warning',
      // Bundled CommonJS dependencies still call require() for Node built-ins.
      banner: {
        js: "import { createRequire as __braidRequire } from 'node:module'; const require = __braidRequire(import.meta.url);",
      },
    }),
    build({
      entryPoints: [`${root}electron/preload/preload.ts`],
      outfile: `${outDir}/preload.cjs`,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node24',
      external: ['electron'],
      logLevel: 'warning',
    }),
  ]);
}

if (import.meta.main) await buildElectron();
