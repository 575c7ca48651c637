// Bundles the CLI into dist/cli/ (ESM, split at its dynamic imports so `braid serve` and the
// proxy/TLS transport still load only when used). Starting from one bundle instead of ~150
// TypeScript modules saves about 80 ms and 8 MB per `braid get`. The launcher uses the bundle
// only while no file it was built from has changed since (sources.json lists them).
import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildCli(outDir = `${root}dist/cli`): Promise<void> {
  // Chunk names carry hashes: without a clean start, old chunks would pile up beside new ones.
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [`${root}electron/cli/main.ts`],
    outdir: outDir,
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: ['electron'],
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    // Bundled CommonJS dependencies still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __braidRequire } from 'node:module'; const require = __braidRequire(import.meta.url);",
    },
  });
  const own = Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules/'));
  await writeFile(`${outDir}/sources.json`, JSON.stringify([...own, 'package-lock.json']));
  // Which bundled files carry which packages: the start-up footprint test reads it.
  await writeFile(`${outDir}/meta.json`, JSON.stringify(result.metafile));
}

if (import.meta.main) await buildCli();
