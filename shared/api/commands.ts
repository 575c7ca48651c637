import * as z from './zod.ts';
import { RECENT_ERRORS } from '../recent-errors.ts';
import { LIMITS } from './limits.ts';
import { SettingsPatchSchema, SettingsSchema } from './settings.ts';
import {
  AddTaskInputSchema,
  ChecksumSchema,
  ConnectionsSchema,
  HeadersSchema,
  HttpUrlSchema,
  PrioritySchema,
  RateSchema,
  TaskIdSchema,
  TaskSnapshotSchema,
} from './task.ts';

const ById = z.strictObject({ id: TaskIdSchema });
const Nothing = z.strictObject({});

export const ProbeResultSchema = z.object({
  /** Where the bytes come from after redirects. */
  url: z.string(),
  fileName: z.string(),
  size: z.nullable(z.number()),
  resumable: z.boolean(),
  contentType: z.nullable(z.string()),
});
export type ProbeResult = z.infer<typeof ProbeResultSchema>;

export const LogLineSchema = z.object({
  time: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  event: z.string(),
  text: z.string(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

export const AppInfoSchema = z.object({
  version: z.string(),
  /** Which host runs the UI: the desktop app or `braid serve` in a browser. */
  shell: z.enum(['electron', 'browser']),
  /** The folder downloads go to when neither the task nor the settings name one. */
  defaultDownloadDir: z.string(),
  /** Whether Open / Show in folder act on this machine's desktop. */
  canOpenFiles: z.boolean(),
  /** "When the queue finishes" actions this host can carry out. */
  afterQueueActions: z.array(z.enum(['quit', 'sleep'])),
  /** The engine host's IANA time zone (Asia/Shanghai): schedules run on its local time. */
  timeZone: z.string().check(z.maxLength(64), z.regex(/^[A-Za-z0-9_+\-/]+$/)),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

const SpeedSampleSchema = z.object({ at: z.number(), speed: z.number() });

/** The last minutes of speed samples, for the graphs of a window that opens now. */
export const SpeedHistorySchema = z.object({
  app: z.array(SpeedSampleSchema),
  tasks: z.record(TaskIdSchema, z.array(SpeedSampleSchema)),
});
export type SpeedHistory = z.infer<typeof SpeedHistorySchema>;

/** The last failures, oldest first, for the monitor of a window that opens now. */
export const RecentErrorsSchema = z
  .array(z.object({ at: z.number(), taskId: z.nullable(TaskIdSchema), text: z.string() }))
  .check(z.maxLength(RECENT_ERRORS));

/** The "when the queue finishes" countdown running: the action, and when (host clock) it runs. */
export const AfterQueueSchema = z.strictObject({
  action: z.enum(['quit', 'sleep']),
  at: z.number(),
});
export type AfterQueue = z.infer<typeof AfterQueueSchema>;

export const AppStateSchema = z.object({
  info: AppInfoSchema,
  settings: SettingsSchema,
  tasks: z.array(TaskSnapshotSchema),
  speed: SpeedHistorySchema,
  recentErrors: RecentErrorsSchema,
  /** A window that opens (or reconnects) during the countdown shows it too. */
  afterQueue: z.nullable(AfterQueueSchema),
});
export type AppState = z.infer<typeof AppStateSchema>;

/**
 * Every command the UI (or any client) can send: name → input schema → output schema. Inputs are
 * parsed at each trust boundary; outputs come from our own host and are trusted.
 */
export const COMMANDS = {
  /** Everything a fresh window needs; pending events are flushed before the answer. */
  'app.state': { input: Nothing, output: AppStateSchema },
  'tasks.add': {
    input: z.strictObject({
      tasks: z.array(AddTaskInputSchema).check(z.minLength(1), z.maxLength(LIMITS.urlsPerAdd)),
    }),
    output: z.array(TaskSnapshotSchema),
  },
  /** Asks the server for name and size without starting anything (for the add dialog). */
  'tasks.probe': {
    input: z.strictObject({ url: HttpUrlSchema, headers: z.optional(HeadersSchema) }),
    output: ProbeResultSchema,
  },
  'tasks.pause': { input: ById, output: TaskSnapshotSchema },
  'tasks.resume': { input: ById, output: TaskSnapshotSchema },
  'tasks.cancel': { input: ById, output: TaskSnapshotSchema },
  'tasks.retry': { input: ById, output: TaskSnapshotSchema },
  'tasks.remove': {
    input: z.strictObject({ id: TaskIdSchema, deleteFile: z._default(z.boolean(), false) }),
    output: z.null(),
  },
  /** Pause or resume every task that can; answers how many changed. */
  'tasks.pauseAll': { input: Nothing, output: z.number() },
  'tasks.resumeAll': { input: Nothing, output: z.number() },
  'tasks.setPriority': {
    input: z.strictObject({ id: TaskIdSchema, priority: PrioritySchema }),
    output: TaskSnapshotSchema,
  },
  /** Moves a task before another in the queue, or to the end with `beforeId: null`. */
  'tasks.move': {
    input: z.strictObject({ id: TaskIdSchema, beforeId: z.nullable(TaskIdSchema) }),
    output: TaskSnapshotSchema,
  },
  /**
   * A new link for the same file (the old one expired or moved), or the same link with other
   * headers; not while it downloads. `headers`, where given, replace the download's own.
   */
  'tasks.setUrl': {
    input: z.strictObject({
      id: TaskIdSchema,
      url: HttpUrlSchema,
      headers: z.optional(HeadersSchema),
    }),
    output: TaskSnapshotSchema,
  },
  /**
   * A corrected expected checksum, or none (`null`: the file is taken as downloaded), for a
   * download not yet completed. After a mismatch the retry checks the kept data against it.
   */
  'tasks.setChecksum': {
    input: z.strictObject({ id: TaskIdSchema, checksum: z.nullable(ChecksumSchema) }),
    output: TaskSnapshotSchema,
  },
  /** Connections the download may open; a running one opens or closes connections at once. */
  'tasks.setConnections': {
    input: z.strictObject({ id: TaskIdSchema, connections: ConnectionsSchema }),
    output: TaskSnapshotSchema,
  },
  'tasks.setLimit': {
    input: z.strictObject({ id: TaskIdSchema, limit: RateSchema }),
    output: TaskSnapshotSchema,
  },
  'settings.get': { input: Nothing, output: SettingsSchema },
  'settings.update': { input: SettingsPatchSchema, output: SettingsSchema },
  /** The task list as JSON for backup or another machine, with every credential removed. */
  'tasks.export': { input: Nothing, output: z.string() },
  /** The task's recent log lines, oldest first (credentials already stripped). */
  'tasks.log': { input: ById, output: z.array(LogLineSchema) },
  /** Stops the countdown to the "when the queue finishes" action. */
  'app.cancelAfterQueue': { input: Nothing, output: z.null() },
  /** Shows the folder of the log files (desktop only). */
  'app.openLogs': { input: Nothing, output: z.null() },
  'files.open': { input: ById, output: z.null() },
  'files.showInFolder': { input: ById, output: z.null() },
} as const;

export type CommandName = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];
export type CommandInput<C extends CommandName> = z.input<(typeof COMMANDS)[C]['input']>;
export type ParsedCommandInput<C extends CommandName> = z.output<(typeof COMMANDS)[C]['input']>;
export type CommandOutput<C extends CommandName> = z.output<(typeof COMMANDS)[C]['output']>;

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(COMMANDS, value);
}
