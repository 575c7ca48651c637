import { join } from 'node:path';
import type {
  AfterQueue,
  AppInfo,
  CommandName,
  CommandOutput,
  LogLine,
  ParsedCommandInput,
  SpeedHistory,
} from '../../shared/api/commands.ts';
import { ApiError } from '../../shared/api/errors.ts';
import type { Settings } from '../../shared/api/settings.ts';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import type { RecentError } from '../../shared/recent-errors.ts';
import type { DownloadEngine } from '../engine/download-engine.ts';
import { toDownloadError } from '../engine/retry-policy.ts';
import { exportTasks } from './task-export.ts';

/** What only the host can do: the desktop opens files with the OS; a headless server cannot. */
export interface HostServices {
  openFile(path: string): Promise<void>;
  showInFolder(path: string): Promise<void>;
  /** Quits the app or puts the computer to sleep (only actions listed in AppInfo). */
  afterQueue?(action: 'quit' | 'sleep'): Promise<void>;
}

export interface HandlerContext {
  engine: DownloadEngine;
  info: AppInfo;
  host: HostServices;
  /** Sends this client's pending events, so an answer is never older than what it already saw. */
  flushEvents(): void;
  /** The graphs' recent samples, kept by the host. */
  speedHistory(): SpeedHistory;
  /** The monitor's last failures, kept by the host. */
  recentErrors(): RecentError[];
  /** Recent per-task log lines and the log folder, when the host keeps logs. */
  logs: { lines(taskId: string): LogLine[]; dir: string } | null;
  settingsChanged(): void;
  /** The countdown running now, if any. */
  afterQueue(): AfterQueue | null;
  cancelAfterQueue(): void;
}

export type CommandHandlers = {
  [C in CommandName]: (
    input: ParsedCommandInput<C>,
    ctx: HandlerContext,
  ) => Promise<CommandOutput<C>>;
};

/** One handler per command; inputs arrive already validated against the contract. */
export const COMMAND_HANDLERS: CommandHandlers = {
  'app.state': async (_input, ctx) => {
    ctx.flushEvents();
    return {
      info: ctx.info,
      settings: ctx.engine.settings,
      tasks: ctx.engine.list(),
      speed: ctx.speedHistory(),
      recentErrors: ctx.recentErrors(),
      afterQueue: ctx.afterQueue(),
    };
  },
  'tasks.add': (input, ctx) => ctx.engine.add(input.tasks),
  'tasks.probe': async (input, ctx) => {
    try {
      return await ctx.engine.probe(input.url, input.headers ?? {});
    } catch (error) {
      // The UI says "could not ask the server" itself, in its language, from the reason.
      const { code, message } = toDownloadError(error);
      throw new ApiError('INVALID_INPUT', message, code);
    }
  },
  'tasks.pause': (input, ctx) => ctx.engine.pause(input.id),
  'tasks.resume': (input, ctx) => ctx.engine.resume(input.id),
  'tasks.cancel': (input, ctx) => ctx.engine.cancel(input.id),
  'tasks.retry': (input, ctx) => ctx.engine.retry(input.id),
  'tasks.remove': async (input, ctx) => {
    await ctx.engine.remove(input.id, { deleteFile: input.deleteFile });
    return null;
  },
  'tasks.pauseAll': (_input, ctx) => ctx.engine.pauseAll(),
  'tasks.resumeAll': (_input, ctx) => ctx.engine.resumeAll(),
  'tasks.setPriority': (input, ctx) => ctx.engine.setPriority(input.id, input.priority),
  'tasks.move': (input, ctx) => ctx.engine.move(input.id, input.beforeId),
  'tasks.setUrl': (input, ctx) => ctx.engine.setUrl(input.id, input.url, input.headers),
  'tasks.setChecksum': (input, ctx) => ctx.engine.setChecksum(input.id, input.checksum),
  'tasks.setConnections': (input, ctx) => ctx.engine.setConnections(input.id, input.connections),
  'tasks.setLimit': (input, ctx) => ctx.engine.setTaskLimit(input.id, input.limit),
  'settings.get': async (_input, ctx) => ctx.engine.settings,
  'settings.update': async (input, ctx) => {
    if (input.whenDone) requireAfterQueueAction(ctx.info, input.whenDone);
    const settings = await ctx.engine.updateSettings(input);
    ctx.settingsChanged();
    return settings;
  },
  'tasks.export': async (_input, ctx) => exportTasks(ctx.engine.list()),
  'tasks.log': async (input, ctx) => {
    existing(ctx, input.id);
    return ctx.logs?.lines(input.id) ?? [];
  },
  'app.cancelAfterQueue': async (_input, ctx) => {
    ctx.cancelAfterQueue();
    return null;
  },
  'app.openLogs': async (_input, ctx) => {
    const dir = ctx.logs?.dir;
    if (!dir) throw new ApiError('UNSUPPORTED', 'this Braid keeps no log files');
    await hostCall(ctx, () => ctx.host.showInFolder(dir));
    return null;
  },
  'files.open': async (input, ctx) => {
    const task = existing(ctx, input.id);
    if (task.state !== 'completed' || !task.fileName) {
      throw new ApiError('INVALID_TRANSITION', 'only a completed download can be opened');
    }
    await hostCall(ctx, () => ctx.host.openFile(join(task.dir, task.fileName as string)));
    return null;
  },
  'files.showInFolder': async (input, ctx) => {
    const task = existing(ctx, input.id);
    const target =
      task.state === 'completed' && task.fileName ? join(task.dir, task.fileName) : task.dir;
    await hostCall(ctx, () => ctx.host.showInFolder(target));
    return null;
  },
};

function existing(ctx: HandlerContext, id: string): TaskSnapshot {
  const task = ctx.engine.get(id);
  if (!task) throw new ApiError('NOT_FOUND', `no task with id ${id}`);
  return task;
}

async function hostCall(ctx: HandlerContext, act: () => Promise<void>): Promise<void> {
  if (!ctx.info.canOpenFiles) {
    throw new ApiError('UNSUPPORTED', 'files can only be opened in the desktop app');
  }
  await act();
}

/** An action this host cannot carry out would be accepted and then silently not done. */
function requireAfterQueueAction(info: AppInfo, action: Settings['whenDone']): void {
  const can = ['nothing', ...info.afterQueueActions];
  if (can.includes(action)) return;
  throw new ApiError(
    'INVALID_INPUT',
    `whenDone: this Braid cannot do "${action}" when downloads finish; it can do ${can
      .map((a) => `"${a}"`)
      .join(' or ')}`,
  );
}
