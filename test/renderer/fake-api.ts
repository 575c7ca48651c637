import type { ApiEvent } from '../../shared/api/api-events.ts';
import type { AppState, CommandName } from '../../shared/api/commands.ts';
import { ApiError } from '../../shared/api/errors.ts';
import { SettingsSchema } from '../../shared/api/settings.ts';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import type { BraidApi, Connection } from '../../shared/ipc/braid-api.ts';

/** A recording stand-in for `window.braid`: component tests check what the UI sends. */
export class FakeApi implements BraidApi {
  calls: Array<{ command: CommandName; input: unknown }> = [];
  answers: Partial<Record<CommandName, (input: unknown) => unknown>> = {};
  #listeners = new Set<(events: ApiEvent[]) => void>();

  call: BraidApi['call'] = async (command, input) => {
    this.calls.push({ command, input });
    const answer = this.answers[command];
    if (!answer) return null as never;
    return answer(input) as never;
  };

  onEvents(listener: (events: ApiEvent[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(events: ApiEvent[]): void {
    for (const listener of this.#listeners) listener(events);
  }

  #connection = new Set<(state: Connection) => void>();

  onConnection(listener: (state: Connection) => void): () => void {
    this.#connection.add(listener);
    return () => this.#connection.delete(listener);
  }

  /** The carrier dropping, coming back, or being refused, as a WebSocket would report it. */
  connection(state: Connection): void {
    for (const listener of this.#connection) listener(state);
  }

  commands(name: CommandName): unknown[] {
    return this.calls.filter((c) => c.command === name).map((c) => c.input);
  }

  fail(command: CommandName, message: string): void {
    this.answers[command] = () => {
      throw new ApiError('INVALID_INPUT', message);
    };
  }
}

export function task(overrides: Partial<TaskSnapshot> & { id: string }): TaskSnapshot {
  return {
    downloaded: 0,
    size: 1000,
    speed: 0,
    averageSpeed: 0,
    eta: null,
    connections: 0,
    segments: [],
    retry: null,
    verifying: null,
    url: `http://example.test/${overrides.id}.bin`,
    dir: '/downloads',
    fileName: `${overrides.id}.bin`,
    requestedName: null,
    state: 'queued',
    priority: 'normal',
    order: 0,
    options: { connections: 8, limit: 0, headers: {}, checksum: null, maxSize: null, mirrors: [] },
    resumable: null,
    error: null,
    createdAt: 1,
    completedAt: null,
    ...overrides,
  };
}

export function appState(tasks: TaskSnapshot[] = []): AppState {
  return {
    info: {
      version: 'test',
      shell: 'browser',
      defaultDownloadDir: '/downloads',
      canOpenFiles: false,
      afterQueueActions: [],
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    },
    settings: SettingsSchema.parse({}),
    tasks,
    speed: { app: [], tasks: {} },
    recentErrors: [],
    afterQueue: null,
  };
}
