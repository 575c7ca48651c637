import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

describe('desktop bundles', () => {
  before(async () => {
    await run(process.execPath, [`${ROOT}scripts/build-electron.ts`]);
  });

  it('builds a sandbox-safe preload that requires nothing but electron', async () => {
    const code = await readFile(`${ROOT}dist/electron/preload.cjs`, 'utf8');
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.match(code, /exposeInMainWorld\("braid"/);
    assert.doesNotMatch(code, /exposeInMainWorld\("ipcRenderer"/);
  });

  it('builds a main bundle that parses and imports only electron and Node built-ins', async () => {
    await run(process.execPath, ['--check', `${ROOT}dist/electron/main.mjs`]);
    const code = await readFile(`${ROOT}dist/electron/main.mjs`, 'utf8');
    const imported = new Set(
      [...code.matchAll(/(?:^|\n)import\s[^'"]*?["']([^"']+)["']/g)].map((m) => m[1] as string),
    );
    for (const name of imported) {
      const builtin = builtinModules.includes(name.replace(/^node:/, ''));
      assert.ok(name === 'electron' || builtin, `unexpected import ${name}`);
    }
    assert.ok(imported.has('electron'));
  });
});
