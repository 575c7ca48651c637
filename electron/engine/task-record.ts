import * as z from '../../shared/api/zod.ts';
import {
  PrioritySchema,
  TaskErrorSchema,
  TaskIdSchema,
  TaskOptionsSchema,
  TaskStateSchema,
} from '../../shared/api/task.ts';

/** [start, end, written] triples: each piece's bytes from start to written are written. */
const SavedSegmentsSchema = z.array(z.tuple([z.number(), z.number(), z.number()]));

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
  /**
   * No folder was given, and none is decided yet: the file goes to the download folder of when
   * it is made, or its category's there (by the file's name).
   */
  autoDir: z._default(z.boolean(), false),
  /** A name the user asked for, if any. */
  requestedName: z.nullable(z.string()),
  fileName: z.nullable(z.string()),
  state: TaskStateSchema,
  priority: PrioritySchema,
  order: z.number(),
  options: TaskOptionsSchema,
  size: z.nullable(z.int().check(z.minimum(0))),
  resumable: z.nullable(z.boolean()),
  etag: z.nullable(z.string()),
  lastModified: z.nullable(z.string()),
  /**
   * The media type the first response gave (see web-page.ts): a page answered later for a file
   * that was not one is an expired link or a login, not a new version of the file.
   */
  contentType: z._default(z.nullable(z.string()), null),
  /** Bytes written so far; fsynced before saving unless `unflushed` says otherwise. */
  segments: z.nullable(SavedSegmentsSchema),
  /** Set just before the `.part` file is renamed to its final name. */
  finalizing: z.boolean(),
  /**
   * While finalizing, once its name was taken and the `.part` moves to a fresh one (`fileName`,
   * publish-file.ts): the name it moves from, for a run stopped before the move to finish it.
   */
  movingFrom: z._default(z.nullable(z.string()), null),
  /**
   * Saved in OS boot `boot` without waiting for the disk (see flush-confirmer.ts): only the bytes
   * in these `segments` were fsynced. Cleared once the file is flushed; found after another boot
   * (the OS went down first), the rest is downloaded again.
   */
  unflushed: z._default(
    z.nullable(z.object({ boot: z.string(), segments: SavedSegmentsSchema })),
    null,
  ),
  /**
   * A finished file found after an OS crash that may have cost it bytes (flush-confirmer.ts): kept
   * under `fileName` while the download fetches it again beside it, and replaced by the new copy
   * only if that is the same version (`size`, `etag`, `lastModified`) and the name still holds
   * this file (`dev`, `ino`, in decimal). `segments` were on the disk before the crash: the copy
   * starts from them.
   */
  kept: z._default(
    z.nullable(
      z.object({
        dev: z.string().check(z.regex(/^\d+$/)),
        ino: z.string().check(z.regex(/^\d+$/)),
        size: z.int().check(z.minimum(0)),
        etag: z.nullable(z.string()),
        lastModified: z.nullable(z.string()),
        segments: SavedSegmentsSchema,
      }),
    ),
    null,
  ),
  error: z.nullable(TaskErrorSchema),
  createdAt: z.number(),
  completedAt: z.nullable(z.number()),
});
export type TaskRecord = z.infer<typeof TaskRecordSchema>;
