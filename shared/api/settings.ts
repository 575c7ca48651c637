import * as z from './zod.ts';
import { LIMITS } from './limits.ts';
import { ConnectionsSchema, RateSchema } from './task.ts';

export const MIB = 1024 * 1024;

const TimeOfDaySchema = z
  .string()
  .check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour clock)'));

const WINDOW_FIELDS = {
  enabled: z.boolean(),
  days: z.array(z.int().check(z.minimum(0), z.maximum(6))).check(z.maxLength(7)),
  start: TimeOfDaySchema,
  stop: TimeOfDaySchema,
};

/** An enabled window on no day never opens: nothing would ever download, or the limit never apply. */
const SOME_DAY = z.refine<{ enabled: boolean; days: number[] }>(
  (w) => !w.enabled || w.days.length > 0,
  { message: 'an enabled time window needs at least one day', path: ['days'] },
);

/**
 * A daily window on some weekdays (0 = Sunday), in the engine host's local time. stop < start
 * runs past midnight into the next day; start = stop is the whole day.
 */
export const TimeWindowSchema = z.strictObject(WINDOW_FIELDS).check(SOME_DAY);
export type TimeWindow = z.infer<typeof TimeWindowSchema>;

/** A kind of file by extension, and where it goes: `dir`, or a sub-folder named after it. */
export const CategorySchema = z.strictObject({
  name: z.string().check(
    z.minLength(1),
    z.maxLength(64),
    z.regex(/^[^/\\:*?"<>|\0]+$/, 'a folder name cannot contain / \\ : * ? " < > |'),
    z.refine((n) => n !== '.' && n !== '..', 'not a folder name'),
  ),
  extensions: z
    .array(
      z
        .string()
        .check(z.regex(/^[a-z0-9]{1,16}$/, 'extensions are letters and digits, without the dot')),
    )
    .check(z.maxLength(64)),
  /** Empty: `<download folder>/<name>`. */
  dir: z.string().check(z.maxLength(LIMITS.pathLength)),
});
export type Category = z.infer<typeof CategorySchema>;

export const DEFAULT_CATEGORIES: Category[] = [
  {
    name: 'Video',
    extensions: ['mp4', 'mkv', 'avi', 'mov', 'webm', 'wmv', 'flv', 'm4v', 'ts'],
    dir: '',
  },
  {
    name: 'Music',
    extensions: ['mp3', 'flac', 'wav', 'aac', 'ogg', 'm4a', 'opus', 'wma'],
    dir: '',
  },
  {
    name: 'Archives',
    extensions: ['zip', 'rar', '7z', 'tar', 'gz', 'bz2', 'xz', 'zst', 'tgz'],
    dir: '',
  },
  {
    name: 'Documents',
    extensions: ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'txt', 'epub', 'csv'],
    dir: '',
  },
  {
    name: 'Programs',
    extensions: ['exe', 'msi', 'dmg', 'pkg', 'deb', 'rpm', 'appimage', 'apk', 'iso'],
    dir: '',
  },
];

/** Each setting's rule, without a default: a patch must name only what it changes. */
const FIELDS = {
  /** Empty means the platform's Downloads folder, resolved by the host. */
  downloadDir: z.string().check(z.maxLength(LIMITS.pathLength)),
  maxConcurrent: z.int().check(z.minimum(1), z.maximum(LIMITS.maxConcurrent)),
  connections: ConnectionsSchema,
  minSegmentSize: z.int().check(z.minimum(16 * 1024), z.maximum(1024 * MIB)),
  globalLimit: RateSchema,
  /**
   * Downloads of at least this many bytes are written past the OS page cache where the platform
   * and filesystem allow (Linux O_DIRECT): less CPU, and a big file does not push everything else
   * out of memory. 0: never.
   */
  directWriteMinSize: z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
  /** A connection that delivers nothing for this long is closed and its work re-queued. */
  readTimeoutMs: z.int().check(z.minimum(1000), z.maximum(600_000)),
  /** Failed attempts without any progress before a task fails. */
  maxRetries: z.int().check(z.minimum(0), z.maximum(1000)),
  theme: z.enum(['system', 'light', 'dark']),
  language: z.enum(['en', 'zh-CN']),
  notifications: z.boolean(),
  /** Offer links to files that are copied to the clipboard (desktop app; never starts by itself). */
  clipboardWatch: z.boolean(),
  /** What to do once every download has finished, after a countdown the user can cancel. */
  whenDone: z.enum(['nothing', 'quit', 'sleep']),
  /** Sort downloads into category folders (only those added without an explicit folder). */
  useCategories: z.boolean(),
  categories: z.array(CategorySchema).check(z.maxLength(32)),
  /** Downloads run only inside this window (quiet hours outside); off: any time. */
  schedule: TimeWindowSchema,
  /** Inside this window the global limit is at most `limit` (e.g. slower during work hours). */
  limitSchedule: z.strictObject({ ...WINDOW_FIELDS, limit: RateSchema }).check(SOME_DAY),
  /**
   * system: the HTTP(S)_PROXY environment (loopback never proxied), else the OS's proxy for each
   * URL where the host can ask (desktop); custom: proxyUrl.
   */
  proxyMode: z.enum(['system', 'none', 'custom']),
  /**
   * The proxy for the custom mode: http(s)://[user:password@]host:port, or
   * socks5://[user:password@]host[:port] (port 1080 when left out) for a SOCKS5 proxy, which
   * resolves host names itself (curl's socks5h://, also accepted as the same). SOCKS4 is not
   * supported.
   */
  proxyUrl: z.string().check(
    z.maxLength(LIMITS.urlLength),
    z.refine(
      (value) => value === '' || /^(https?|socks5h?):\/\/[^\s/]+/i.test(value),
      'the proxy must be an http://, https:// or socks5:// URL',
    ),
  ),
};

/** Complete settings; missing fields (an older settings file) take their defaults. */
export const SettingsSchema = z.strictObject({
  downloadDir: z._default(FIELDS.downloadDir, ''),
  maxConcurrent: z._default(FIELDS.maxConcurrent, 3),
  connections: z._default(FIELDS.connections, 8),
  minSegmentSize: z._default(FIELDS.minSegmentSize, MIB),
  globalLimit: z._default(FIELDS.globalLimit, 0),
  directWriteMinSize: z._default(FIELDS.directWriteMinSize, 64 * MIB),
  readTimeoutMs: z._default(FIELDS.readTimeoutMs, 15_000),
  maxRetries: z._default(FIELDS.maxRetries, 10),
  theme: z._default(FIELDS.theme, 'system'),
  language: z._default(FIELDS.language, 'en'),
  notifications: z._default(FIELDS.notifications, true),
  clipboardWatch: z._default(FIELDS.clipboardWatch, false),
  whenDone: z._default(FIELDS.whenDone, 'nothing'),
  useCategories: z._default(FIELDS.useCategories, false),
  categories: z._default(FIELDS.categories, DEFAULT_CATEGORIES),
  schedule: z._default(FIELDS.schedule, {
    enabled: false,
    days: [0, 1, 2, 3, 4, 5, 6],
    start: '01:00',
    stop: '07:00',
  }),
  limitSchedule: z._default(FIELDS.limitSchedule, {
    enabled: false,
    days: [1, 2, 3, 4, 5],
    start: '09:00',
    stop: '18:00',
    limit: MIB,
  }),
  proxyMode: z._default(FIELDS.proxyMode, 'system'),
  proxyUrl: z._default(FIELDS.proxyUrl, ''),
});
export type Settings = z.infer<typeof SettingsSchema>;

/**
 * A change to some settings. Built from the fields without defaults on purpose: zod fills defaults
 * into a `partial()` of SettingsSchema, which turned every patch into a reset of the others.
 */
export const SettingsPatchSchema = z.partial(z.strictObject(FIELDS));
export type SettingsPatch = z.input<typeof SettingsPatchSchema>;
