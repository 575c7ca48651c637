import * as z from './zod.ts';
import { TaskIdSchema, TaskProgressSchema, TaskSnapshotSchema } from './task.ts';

/**
 * What the engine tells its consumers. Task state changes arrive at once; byte progress is
 * coalesced into at most ~10 `progress` batches a second, however many connections are open.
 */
export const EngineEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('task-added'), task: TaskSnapshotSchema }),
  z.object({ type: z.literal('task-changed'), task: TaskSnapshotSchema }),
  z.object({ type: z.literal('task-removed'), id: TaskIdSchema }),
  z.object({ type: z.literal('progress'), at: z.number(), tasks: z.array(TaskProgressSchema) }),
  z.object({
    type: z.literal('speed'),
    at: z.number(),
    /** Total bytes per second across all tasks. */
    total: z.number(),
    tasks: z.array(z.object({ id: TaskIdSchema, speed: z.number() })),
  }),
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;
