// Bundles the CLI into dist/cli/ (ESM, split at its dynamic imports so `braid serve` and the
// proxy/TLS transport still load only when used). Starting from one bundle instead of ~150
// TypeScript modules saves about 80 ms and 8 MB per `braid get`. The launcher uses the bundle
// only while no file it was built from has changed since (sources.json lists them).
import { build, type Plugin } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * zod re-exports all of its ~40 message locales (360 KB, 40 % of what `braid get` loads at
 * start); Braid's own messages are translated in shared/i18n and zod's are English only.
 */
const onlyEnglishZodMessages: Plugin = {
  name: 'only-english-zod-messages',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${sep}node_modules${sep}zod${sep}`)
        ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'zod-en' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

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
    plugins: [onlyEnglishZodMessages],
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
