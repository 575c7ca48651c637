import * as z from '../api/zod.ts';
import { ApiEventBatchSchema } from '../api/api-events.ts';
import { API_ERROR_CODES } from '../api/errors.ts';

/** A command result as it crosses a carrier: errors travel as data, never as thrown objects. */
export const ResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.enum(API_ERROR_CODES),
      message: z.string(),
      reason: z.optional(z.string()),
    }),
  }),
]);
export type Result = z.infer<typeof ResultSchema>;

/** Client → server frames on the WebSocket. The command name and input are checked later. */
export const ClientFrameSchema = z.strictObject({
  kind: z.literal('call'),
  id: z.int().check(z.minimum(0)),
  command: z.string().check(z.maxLength(64)),
  input: z.unknown(),
});
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

/** Server → client frames on the WebSocket. */
export const ServerFrameSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('result'), id: z.number(), result: ResultSchema }),
  z.object({ kind: z.literal('events'), events: ApiEventBatchSchema }),
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;
