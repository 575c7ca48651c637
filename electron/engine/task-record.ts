import { z } from 'zod';
import {
  PrioritySchema,
  TaskErrorSchema,
  TaskIdSchema,
  TaskOptionsSchema,
  TaskStateSchema,
} from '../../shared/api/task.ts';

/**
 * What the engine keeps on disk for a task: enough to list it after a restart and to resume it
 * without trusting anything that was not durably written. Parsed with a schema on load because a
 * journal is input like any other (hand-edited, truncated by a crash of an older version, …).
 */
export const TaskRecordSchema = z.object({
  v: z.literal(1),
  id: TaskIdSchema,
  /** The URL the user gave; redirects are followed again from it on every start. */
  url: z.string(),
  dir: z.string(),
  /** No folder was given: the download folder, refined by category once the name is known. */
  autoDir: z.boolean().default(false),
  /** A name the user asked for, if any. */
  requestedName: z.string().nullable(),
  fileName: z.string().nullable(),
  state: TaskStateSchema,
  priority: PrioritySchema,
  order: z.number(),
  options: TaskOptionsSchema,
  size: z.number().int().min(0).nullable(),
  resumable: z.boolean().nullable(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  /** [start, end, written] triples; bytes claimed written were fsynced before this was saved. */
  segments: z.array(z.tuple([z.number(), z.number(), z.number()])).nullable(),
  /** Set just before the `.part` file is renamed to its final name. */
  finalizing: z.boolean(),
  error: TaskErrorSchema.nullable(),
  createdAt: z.number(),
  completedAt: z.number().nullable(),
});
export type TaskRecord = z.infer<typeof TaskRecordSchema>;
