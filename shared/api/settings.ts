import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { ConnectionsSchema, RateSchema } from './task.ts';

export const MIB = 1024 * 1024;

export const SettingsSchema = z.strictObject({
  /** Empty means the platform's Downloads folder, resolved by the host. */
  downloadDir: z.string().max(LIMITS.pathLength).default(''),
  maxConcurrent: z.number().int().min(1).max(LIMITS.maxConcurrent).default(3),
  connections: ConnectionsSchema.default(8),
  minSegmentSize: z
    .number()
    .int()
    .min(16 * 1024)
    .max(1024 * MIB)
    .default(MIB),
  globalLimit: RateSchema.default(0),
  /** A connection that delivers nothing for this long is closed and its work re-queued. */
  readTimeoutMs: z.number().int().min(1000).max(600_000).default(15_000),
  /** Failed attempts without any progress before a task fails. */
  maxRetries: z.number().int().min(0).max(1000).default(10),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  language: z.enum(['en', 'zh-CN']).default('en'),
  notifications: z.boolean().default(true),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const SettingsPatchSchema = SettingsSchema.partial();
export type SettingsPatch = z.input<typeof SettingsPatchSchema>;
