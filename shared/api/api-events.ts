import * as z from './zod.ts';
import { EngineEventSchema } from './events.ts';
import { LIMITS } from './limits.ts';
import { SettingsSchema } from './settings.ts';
import { TaskIdSchema } from './task.ts';

/**
 * What a UI receives: the engine's events, settings changes, and errors worth telling the user
 * (a task that failed, a command that failed in the background). Delivered in batches, at most
 * one batch per 100 ms tick, so 1000 busy tasks cost the renderer ≤ 10 messages a second.
 */
export const ApiEventSchema = z.union([
  EngineEventSchema,
  z.object({ type: z.literal('settings-changed'), settings: SettingsSchema }),
  /** Links handed to the app from outside (a second launch, `braid://add`): confirm, then add. */
  z.object({
    type: z.literal('add-request'),
    urls: z.array(z.string()).check(z.maxLength(LIMITS.urlsPerAdd)),
  }),
  /** Links to files seen on the clipboard: offered to the user, never added by themselves. */
  z.object({ type: z.literal('link-offer'), urls: z.array(z.string()).check(z.maxLength(100)) }),
  /** The queue finished: `action` runs at `at` unless cancelled; null: the countdown was cancelled. */
  z.object({
    type: z.literal('after-queue'),
    action: z.nullable(z.enum(['quit', 'sleep'])),
    at: z.number(),
  }),
  /** `at`: when the host saw it, so every window, opened now or later, shows the same time. */
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    taskId: z.nullable(TaskIdSchema),
    at: z.number(),
  }),
]);
export type ApiEvent = z.infer<typeof ApiEventSchema>;

export const ApiEventBatchSchema = z.array(ApiEventSchema);
