import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { COMMAND_NAMES } from '../../shared/api/commands.ts';
import { withHub } from '../support/hub-harness.ts';

/** Values a hostile or buggy client could send where a command input is expected. */
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, undefined, NaN, Infinity, -Infinity, -1, 0, 2 ** 53 + 1, true, ''),
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,x',
      'ftp://x/y',
      'http://',
      'http://a b',
      '../../etc/passwd',
      'x'.repeat(10_000),
    ),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'url', 'id', 'tasks', 'headers'),
        fc.string({ maxLength: 8 }),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

describe('API boundary under fuzzing', () => {
  it('never throws, answers INVALID_INPUT (or a clear refusal), and changes nothing on rejection', async () => {
    await withHub(async ({ client, hub }) => {
      const c = client();
      const settingsBefore = JSON.stringify(hub.engine.settings);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.constantFrom(...COMMAND_NAMES), fc.string({ maxLength: 20 })),
          hostileValue,
          async (command, input) => {
            const tasksBefore = hub.engine.list().length;
            const result = await c.connection.dispatch(command, input);
            if (result.ok) return; // some random inputs are valid (e.g. settings.get {})
            assert.ok(
              ['INVALID_INPUT', 'NOT_FOUND', 'INVALID_TRANSITION', 'UNSUPPORTED'].includes(
                result.error.code,
              ),
              result.error.code,
            );
            assert.equal(typeof result.error.message, 'string');
            assert.equal(hub.engine.list().length, tasksBefore, 'a rejected command added tasks');
          },
        ),
        { numRuns: 400 },
      );
      // No generated key names a setting, so no fuzzed settings.update may have changed anything.
      assert.equal(JSON.stringify(hub.engine.settings), settingsBefore);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'url'), false);
    });
  });

  it('refuses prototype-pollution keys and extra fields in every command', async () => {
    await withHub(async ({ client, hub }) => {
      const c = client();
      const payloads = [
        JSON.parse('{"tasks":[{"url":"http://127.0.0.1:9/a","__proto__":{"polluted":1}}]}'),
        JSON.parse('{"__proto__":{"polluted":1},"theme":"dark"}'),
        { tasks: [{ url: 'http://127.0.0.1:9/a', constructor: { prototype: { polluted: 1 } } }] },
      ];
      for (const [command, input] of [
        ['tasks.add', payloads[0]],
        ['settings.update', payloads[1]],
        ['tasks.add', payloads[2]],
      ] as const) {
        const result = await c.connection.dispatch(command, input);
        assert.equal(result.ok, false, `${command} accepted ${JSON.stringify(input)}`);
      }
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      assert.deepEqual(hub.engine.list(), []);
      assert.equal(hub.engine.settings.theme, 'system');
    });
  });
});

describe('WebSocket carrier under fuzzing', () => {
  it('survives random frames and keeps serving other clients', async () => {
    const { startServe } = await import('../../electron/serve/serve-command.ts');
    const { tempDir } = await import('../support/fixtures.ts');
    const { mkdir, writeFile } = await import('node:fs/promises');
    const dirs = await tempDir();
    await mkdir(`${dirs.path}/ui`);
    await writeFile(`${dirs.path}/ui/index.html`, 'x');
    const serve = await startServe({
      home: `${dirs.path}/home`,
      host: '127.0.0.1',
      port: 0,
      token: 'fuzz-token-0123456789',
      defaultDownloadDir: dirs.path,
      allowedHosts: [],
      version: 't',
      staticDir: `${dirs.path}/ui/`,
    });
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${serve.server.port}/api`, {
          headers: { authorization: 'Bearer fuzz-token-0123456789' },
        });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    try {
      const frames = fc.sample(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.json().map(String),
          fc
            .record({
              kind: fc.constantFrom('call', 'x'),
              id: fc.anything(),
              command: fc.anything(),
              input: fc.anything(),
            })
            .map((f) => JSON.stringify(f)),
        ),
        200,
      );
      for (const frame of frames) {
        const ws = await open();
        const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
        ws.send(frame);
        ws.send(Buffer.from([0, 1, 2, 3]));
        await closed;
      }
      const ws = await open();
      const reply = new Promise<string>((resolve) =>
        ws.once('message', (data) => resolve(String(data))),
      );
      ws.send(JSON.stringify({ kind: 'call', id: 1, command: 'settings.get', input: {} }));
      assert.match(await reply, /"ok":true/);
      ws.close();
    } finally {
      await serve.close();
      await dirs.cleanup();
    }
  });
});
