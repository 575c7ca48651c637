import type { ApiEvent } from '../../shared/api/api-events.ts';
import type { CommandInput, CommandName, CommandOutput } from '../../shared/api/commands.ts';
import { unwrapResult } from '../../shared/ipc/result.ts';
import { ApiHub, type ApiConnection } from '../../electron/api/api-hub.ts';
import { TEST_SETTINGS } from './engine-harness.ts';
import { FaultServer } from './fault-server.ts';
import { tempDir } from './fixtures.ts';

/** A client of the hub as a renderer would be: typed calls, and every batch it received. */
export interface TestClient {
  connection: ApiConnection;
  batches: ApiEvent[][];
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>>;
  /** Resolves with the first event (across batches, past and future) matching `test`. */
  waitFor(test: (event: ApiEvent) => boolean, timeoutMs?: number): Promise<ApiEvent>;
}

export interface HubHarness {
  hub: ApiHub;
  server: FaultServer;
  dir: string;
  opened: string[];
  client(): TestClient;
}

export async function withHub(fn: (h: HubHarness) => Promise<void>): Promise<void> {
  const server = await FaultServer.start();
  const dirs = await tempDir();
  const dir = `${dirs.path}/downloads`;
  const opened: string[] = [];
  const hub = await ApiHub.open({
    home: `${dirs.path}/home`,
    defaultDownloadDir: dir,
    settings: TEST_SETTINGS,
    afterQueueDelayMs: 300,
    info: {
      version: 'test',
      shell: 'electron',
      defaultDownloadDir: dir,
      canOpenFiles: true,
      afterQueueActions: ['quit', 'sleep'],
    },
    host: {
      openFile: async (path) => void opened.push(`open ${path}`),
      showInFolder: async (path) => void opened.push(`show ${path}`),
      afterQueue: async (action) => void opened.push(`after-queue ${action}`),
    },
  });
  const clients: ApiConnection[] = [];
  try {
    await fn({
      hub,
      server,
      dir,
      opened,
      client() {
        const batches: ApiEvent[][] = [];
        const waiters = new Set<() => void>();
        const connection = hub.connect((events) => {
          batches.push(events);
          for (const wake of waiters) wake();
        });
        clients.push(connection);
        return {
          connection,
          batches,
          call: async (command, input) => unwrapResult(await connection.dispatch(command, input)),
          waitFor(test, timeoutMs = 20_000) {
            return new Promise((resolve, reject) => {
              const check = () => {
                const found = batches.flat().find(test);
                if (!found) return;
                waiters.delete(check);
                clearTimeout(timer);
                resolve(found);
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                reject(new Error('timed out waiting for an event'));
              }, timeoutMs);
              waiters.add(check);
              check();
            });
          },
        };
      },
    });
  } finally {
    for (const c of clients) c.close();
    await hub.close();
    await server.close();
    await dirs.cleanup();
  }
}
