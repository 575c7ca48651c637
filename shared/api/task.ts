import { z } from 'zod';
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

export const TaskIdSchema = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'invalid task id');

export const HttpUrlSchema = z
  .string()
  .max(LIMITS.urlLength, `URL longer than ${LIMITS.urlLength} characters`)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a valid URL: ${value.slice(0, 200)}` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({
        code: 'custom',
        message: `unsupported URL scheme "${url.protocol}": only http: and https: can be downloaded`,
      });
    }
  });

// RFC 9110 token for names; values may not carry CR, LF or NUL (header injection).
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

export const HeadersSchema = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
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
              : null;
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `header "${name.slice(0, 64)}" ${problem}`,
      });
    }
  }
});
export type Headers = z.infer<typeof HeadersSchema>;

export const CHECKSUM_ALGORITHMS = { sha256: 64, sha1: 40, md5: 32 } as const;
export type ChecksumAlgorithm = keyof typeof CHECKSUM_ALGORITHMS;
export const ChecksumSchema = z
  .strictObject({
    algorithm: z.enum(['sha256', 'sha1', 'md5']),
    expected: z
      .string()
      .regex(/^[0-9a-fA-F]+$/, 'checksum must be hexadecimal')
      .transform((s) => s.toLowerCase()),
  })
  .refine((c) => c.expected.length === CHECKSUM_ALGORITHMS[c.algorithm], {
    message: 'checksum has the wrong length for its algorithm',
  });
export type Checksum = z.infer<typeof ChecksumSchema>;

/** Bytes per second; 0 means unlimited. */
export const RateSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 40);

export const ConnectionsSchema = z.number().int().min(1).max(LIMITS.maxConnections);

export const AddTaskInputSchema = z.strictObject({
  url: HttpUrlSchema,
  dir: z.string().min(1).max(LIMITS.pathLength).optional(),
  fileName: z.string().min(1).max(1024).optional(),
  connections: ConnectionsSchema.optional(),
  limit: RateSchema.optional(),
  headers: HeadersSchema.optional(),
  checksum: ChecksumSchema.optional(),
  priority: PrioritySchema.optional(),
  /** Add paused instead of queued. */
  paused: z.boolean().optional(),
  /** Other URLs of the same file (same size and validator): they feed this download's connections. */
  mirrors: z.array(HttpUrlSchema).max(16).optional(),
  /** Refuse files larger than this many bytes (also when the server does not say the size). */
  maxSize: z
    .number()
    .int()
    .min(1)
    .max(2 ** 53)
    .optional(),
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
  end: z.number().nullable(),
  done: z.number(),
  active: z.boolean(),
});
export type SegmentSnapshot = z.infer<typeof SegmentSnapshotSchema>;

export const TaskProgressSchema = z.object({
  id: TaskIdSchema,
  downloaded: z.number(),
  size: z.number().nullable(),
  /** Bytes per second over the last second. */
  speed: z.number(),
  /** Bytes per second over the time this task has been downloading in this run. */
  averageSpeed: z.number(),
  /** Seconds left at the current speed; null when unknown. */
  eta: z.number().nullable(),
  connections: z.number(),
  segments: z.array(SegmentSnapshotSchema),
});
export type TaskProgress = z.infer<typeof TaskProgressSchema>;

/** Per-task settings fixed when the task is added (the limit can change later). */
export const TaskOptionsSchema = z.object({
  connections: ConnectionsSchema,
  limit: RateSchema,
  headers: HeadersSchema,
  checksum: ChecksumSchema.nullable(),
  /** Bytes; null is unlimited. Records written before this option existed have none. */
  maxSize: z.number().nullable().default(null),
  mirrors: z.array(z.string()).default([]),
});
export type TaskOptions = z.infer<typeof TaskOptionsSchema>;

export const TaskSnapshotSchema = TaskProgressSchema.extend({
  url: z.string(),
  dir: z.string(),
  /** The final file name (decided once the server answered); null before. */
  fileName: z.string().nullable(),
  /** The name the user asked for, if any (the final name may differ to avoid overwriting). */
  requestedName: z.string().nullable(),
  state: TaskStateSchema,
  priority: PrioritySchema,
  /** Position in the queue; lower runs first within a priority. */
  order: z.number(),
  options: TaskOptionsSchema,
  resumable: z.boolean().nullable(),
  error: TaskErrorSchema.nullable(),
  createdAt: z.number(),
  completedAt: z.number().nullable(),
});
export type TaskSnapshot = z.infer<typeof TaskSnapshotSchema>;
