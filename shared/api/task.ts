import * as z from './zod.ts';
import { LIMITS } from './limits.ts';

export const TASK_STATES = [
  'queued',
  'downloading',
  'paused',
  'completed',
  'failed',
  'canceled',
] as const;
export const TaskStateSchema = z.enum(TASK_STATES);
export type TaskState = z.infer<typeof TaskStateSchema>;

export const PRIORITIES = ['high', 'normal', 'low'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

export const TaskIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{6,64}$/, 'invalid task id'));

export const HttpUrlSchema = z.string().check(
  z.maxLength(LIMITS.urlLength, `URL longer than ${LIMITS.urlLength} characters`),
  z.superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      // Said beside the link by every caller, so not repeated here; a link typed without its
      // scheme (as curl and wget take them) gets the likely one suggested.
      ctx.addIssue({ code: 'custom', message: `not a valid URL${schemeHint(value)}` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({
        code: 'custom',
        message: `unsupported URL scheme "${url.protocol}": only http: and https: can be downloaded`,
      });
    }
  }),
);

/** "; did you mean https://example.com/a.iso?" for a host and path without a scheme, else "". */
function schemeHint(value: string): string {
  const guess = likelyLink(value);
  return guess ? `; did you mean ${guess}?` : '';
}

/** The link meant by a host and path typed without a scheme (at most 200 characters), or null. */
export function likelyLink(value: string): string | null {
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(\/|$)/i.test(value)) return null;
  const guess = `https://${value}`;
  return URL.canParse(guess) ? guess.slice(0, 200) : null;
}

// RFC 9110 token for names; values are visible ASCII, space, tab or Latin-1 (obs-text): no CR,
// LF or NUL (header injection), no other control, nothing a Latin-1 head would garble.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Headers the engine owns: letting callers set them would break ranges, framing or resume.
export const RESERVED_HEADERS = new Set([
  'host',
  'range',
  'if-range',
  'accept-encoding',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);

export const HeadersSchema = z.record(z.string(), z.string()).check(
  z.superRefine((headers, ctx) => {
    const entries = Object.entries(headers);
    if (entries.length > LIMITS.headerCount) {
      ctx.addIssue({ code: 'custom', message: `at most ${LIMITS.headerCount} headers` });
    }
    for (const [name, value] of entries) {
      const problem =
        name.length > LIMITS.headerNameLength || !HEADER_NAME.test(name)
          ? 'is not a valid header name'
          : RESERVED_HEADERS.has(name.toLowerCase())
            ? 'is managed by Braid and cannot be set'
            : value.length > LIMITS.headerValueLength
              ? `has a value longer than ${LIMITS.headerValueLength} characters`
              : /[\r\n\0]/.test(value)
                ? 'has a value with CR, LF or NUL (header injection)'
                : /[^\t\x20-\x7e\x80-\xff]/.test(value)
                  ? 'has a value with a control character or one beyond Latin-1, which a header cannot carry (percent-encode it)'
                  : null;
      if (problem) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `header "${name.slice(0, 64)}" ${problem}`,
        });
      }
    }
  }),
);
export type Headers = z.infer<typeof HeadersSchema>;

export const CHECKSUM_ALGORITHMS = { sha256: 64, sha1: 40, md5: 32 } as const;
export type ChecksumAlgorithm = keyof typeof CHECKSUM_ALGORITHMS;
const ChecksumAlgorithmSchema = z.enum(['sha256', 'sha1', 'md5']);
export const ChecksumSchema = z
  .strictObject({
    algorithm: ChecksumAlgorithmSchema,
    expected: z
      .string()
      .check(z.regex(/^[0-9a-fA-F]+$/, 'checksum must be hexadecimal'), z.toLowerCase()),
  })
  .check(
    z.refine(
      (c) => c.expected.length === CHECKSUM_ALGORITHMS[c.algorithm],
      'checksum has the wrong length for its algorithm',
    ),
  );
export type Checksum = z.infer<typeof ChecksumSchema>;

/** Whether two expected checksums (or none) are the same; the hex compares without case. */
export function sameChecksum(a: Checksum | null, b: Checksum | null): boolean {
  return a?.algorithm === b?.algorithm && a?.expected.toLowerCase() === b?.expected.toLowerCase();
}

/** Whether two sets of headers say the same: names compare without case, values exactly. */
export function sameHeaders(a: Readonly<Headers>, b: Readonly<Headers>): boolean {
  const lower = (h: Readonly<Headers>) =>
    new Map(Object.entries(h).map(([name, value]) => [name.toLowerCase(), value]));
  const [x, y] = [lower(a), lower(b)];
  return x.size === y.size && [...x].every(([name, value]) => y.get(name) === value);
}

/** Bytes per second; 0 means unlimited. */
export const RateSchema = z.int().check(z.minimum(0), z.maximum(2 ** 40));

export const ConnectionsSchema = z.int().check(z.minimum(1), z.maximum(LIMITS.maxConnections));

export const AddTaskInputSchema = z.strictObject({
  url: HttpUrlSchema,
  dir: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.pathLength))),
  fileName: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  connections: z.optional(ConnectionsSchema),
  limit: z.optional(RateSchema),
  headers: z.optional(HeadersSchema),
  checksum: z.optional(ChecksumSchema),
  priority: z.optional(PrioritySchema),
  /** Add paused instead of queued. */
  paused: z.optional(z.boolean()),
  /** Other URLs of the same file (same size and validator): they feed this download's connections. */
  mirrors: z.optional(z.array(HttpUrlSchema).check(z.maxLength(16))),
  /** Refuse files larger than this many bytes (also when the server does not say the size). */
  maxSize: z.optional(z.int().check(z.minimum(1), z.maximum(2 ** 53))),
});
export type AddTaskInput = z.input<typeof AddTaskInputSchema>;

export const TaskErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
});
export type TaskError = z.infer<typeof TaskErrorSchema>;

/** One contiguous byte range of the file; `end` is exclusive, `done` counts bytes on disk. */
export const SegmentSnapshotSchema = z.object({
  start: z.number(),
  end: z.nullable(z.number()),
  done: z.number(),
  active: z.boolean(),
});
export type SegmentSnapshot = z.infer<typeof SegmentSnapshotSchema>;

/** A task waiting to try again after failed requests; gone once a byte arrives. */
export const TaskRetrySchema = z.object({
  /** Failed requests since the last byte, and how many requests it may make in all. */
  attempt: z.number(),
  maxAttempts: z.number(),
  /** When the next request goes out (ms since the epoch). */
  at: z.number(),
  /** Why the last one failed. */
  message: z.string(),
});
export type TaskRetry = z.infer<typeof TaskRetrySchema>;

/** A task checking its finished file against its checksum; gone once the check is done. */
export const TaskVerifyingSchema = z.object({
  algorithm: ChecksumAlgorithmSchema,
  /** Bytes of the file hashed so far, of `total`. */
  hashed: z.number(),
  total: z.number(),
});
export type TaskVerifying = z.infer<typeof TaskVerifyingSchema>;

export const TaskProgressSchema = z.object({
  id: TaskIdSchema,
  downloaded: z.number(),
  size: z.nullable(z.number()),
  /** Bytes per second over the last second. */
  speed: z.number(),
  /** Bytes per second over the time this task has been downloading in this run. */
  averageSpeed: z.number(),
  /** Seconds left at the current speed; null when unknown. */
  eta: z.nullable(z.number()),
  connections: z.number(),
  segments: z.array(SegmentSnapshotSchema),
  retry: z.nullable(TaskRetrySchema),
  verifying: z.nullable(TaskVerifyingSchema),
});
export type TaskProgress = z.infer<typeof TaskProgressSchema>;

/** Per-task settings fixed when the task is added (the limit can change later). */
export const TaskOptionsSchema = z.object({
  connections: ConnectionsSchema,
  limit: RateSchema,
  headers: HeadersSchema,
  checksum: z.nullable(ChecksumSchema),
  /** Bytes; null is unlimited. Records written before this option existed have none. */
  maxSize: z._default(z.nullable(z.number()), null),
  mirrors: z._default(z.array(z.string()), []),
});
export type TaskOptions = z.infer<typeof TaskOptionsSchema>;

export const TaskSnapshotSchema = z.extend(TaskProgressSchema, {
  url: z.string(),
  dir: z.string(),
  /** The final file name (decided once the server answered); null before. */
  fileName: z.nullable(z.string()),
  /** The name the user asked for, if any (the final name may differ to avoid overwriting). */
  requestedName: z.nullable(z.string()),
  state: TaskStateSchema,
  priority: PrioritySchema,
  /** Position in the queue; lower runs first within a priority. */
  order: z.number(),
  options: TaskOptionsSchema,
  resumable: z.nullable(z.boolean()),
  error: z.nullable(TaskErrorSchema),
  createdAt: z.number(),
  completedAt: z.nullable(z.number()),
});
export type TaskSnapshot = z.infer<typeof TaskSnapshotSchema>;
