import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createContext, runInContext, type Context } from 'node:vm';
import { buildElectron } from '../../scripts/build-electron.ts';
import type { ApiEvent } from '../../shared/api/api-events.ts';
import { IPC_CALL_CHANNEL, IPC_EVENTS_CHANNEL } from '../../shared/ipc/braid-api.ts';
import type { Result } from '../../shared/ipc/wire.ts';
import { tempDir } from '../support/fixtures.ts';

const run = promisify(execFile);

// Built into a temporary folder so that nothing running from dist/ sees a half-written bundle.
let out: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  out = await tempDir('braid-bundle-');
  await buildElectron(out.path);
});
after(() => out.cleanup());

type Forward = (event: unknown, events: ApiEvent[]) => void;

/** Values made in the page's realm have its prototypes: compare them as plain data. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/**
 * Runs the bundled preload as a sandboxed renderer would: `require` knows only `electron`, and
 * the context bridge is played by a second realm (the page's world) that receives the function
 * `executeInMainWorld` is given as source text, as Electron serializes it. The real bridge is
 * exercised by shell.e2e.test.ts where an Electron binary exists.
 */
async function loadPreload(answer: (command: unknown, input: unknown) => Result) {
  const code = await readFile(`${out.path}/preload.cjs`, 'utf8');
  const page: Context = createContext({});
  const pageGlobalsBefore = runInContext('Object.getOwnPropertyNames(globalThis)', page);
  const calls: unknown[][] = [];
  const listeners = new Set<Forward>();
  const electron = {
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        calls.push(args);
        return answer(args[1], args[2]);
      },
      on: (channel: string, listener: Forward) => {
        assert.equal(channel, IPC_EVENTS_CHANNEL);
        listeners.add(listener);
      },
      removeListener: (_channel: string, listener: Forward) => listeners.delete(listener),
    },
    contextBridge: {
      executeInMainWorld: ({ func, args }: { func: () => void; args: unknown[] }) =>
        runInContext(`(${func.toString()})`, page)(...args),
    },
  };
  const module = { exports: {} };
  const load = new Function('require', 'module', 'exports', code);
  load(
    (name: string) => {
      if (name !== 'electron') throw new Error(`the sandbox has no ${name}`);
      return electron;
    },
    module,
    module.exports,
  );
  const added = (runInContext('Object.getOwnPropertyNames(globalThis)', page) as string[]).filter(
    (name) => !(pageGlobalsBefore as string[]).includes(name),
  );
  return { page, calls, listeners, added };
}

describe('desktop bundles', () => {
  it('builds a sandbox-safe preload that requires nothing but electron', async () => {
    const code = await readFile(`${out.path}/preload.cjs`, 'utf8');
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(required)], ['electron']);
  });

  it('builds a main bundle that parses and imports only electron and Node built-ins', async () => {
    await run(process.execPath, ['--check', `${out.path}/main.mjs`]);
    const code = await readFile(`${out.path}/main.mjs`, 'utf8');
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

describe('window.braid from the bundled preload', () => {
  it('adds only a frozen, read-only window.braid to the page', async () => {
    const { page, added } = await loadPreload(() => ({ ok: true, value: null }));
    assert.deepEqual(plain(added), ['braid']);
    assert.equal(runInContext('braid = 1; Object.isFrozen(braid)', page), true);
    assert.deepEqual(plain(runInContext('Object.keys(braid)', page)), ['call', 'onEvents']);
  });

  it('sends a command and its input over the call channel and resolves with the value', async () => {
    const { page, calls } = await loadPreload((command) => ({ ok: true, value: { command } }));
    const value = await runInContext("braid.call('app.state', {})", page);
    assert.deepEqual(plain(calls), [[IPC_CALL_CHANNEL, 'app.state', {}]]);
    assert.deepEqual(plain(value), { command: 'app.state' });
  });

  it('rejects a failed command with an Error of the page world carrying code and message', async () => {
    const { page } = await loadPreload(() => ({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no task t1' },
    }));
    const error = await runInContext(
      "braid.call('tasks.pause', { id: 't1' }).catch((e) => e)",
      page,
    );
    assert.ok(error instanceof runInContext('Error', page), 'an Error built in the page');
    assert.equal(error.name, 'ApiError');
    assert.equal(error.code, 'NOT_FOUND');
    assert.equal(error.message, 'no task t1');
  });

  it('hands event batches to the page without the IPC event, until unsubscribed', async () => {
    const { page, listeners } = await loadPreload(() => ({ ok: true, value: null }));
    runInContext(
      'globalThis.received = []; globalThis.stop = braid.onEvents((...args) => received.push(args))',
      page,
    );
    const batch: ApiEvent[] = [{ type: 'add-request', urls: ['http://x.test/a.iso'] }];
    for (const listener of listeners) listener({ sender: 'an IpcRendererEvent' }, batch);
    runInContext('stop()', page);
    assert.equal(listeners.size, 0);
    assert.deepEqual(plain(runInContext('received', page)), [[batch]]);
  });
});
