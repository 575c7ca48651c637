import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { ConnectionsSchema, RateSchema } from './task.ts';

export const MIB = 1024 * 1024;

/** Each setting's rule, without a default: a patch must name only what it changes. */
const FIELDS = {
  /** Empty means the platform's Downloads folder, resolved by the host. */
  downloadDir: z.string().max(LIMITS.pathLength),
  maxConcurrent: z.number().int().min(1).max(LIMITS.maxConcurrent),
  connections: ConnectionsSchema,
  minSegmentSize: z
    .number()
    .int()
    .min(16 * 1024)
    .max(1024 * MIB),
  globalLimit: RateSchema,
  /** A connection that delivers nothing for this long is closed and its work re-queued. */
  readTimeoutMs: z.number().int().min(1000).max(600_000),
  /** Failed attempts without any progress before a task fails. */
  maxRetries: z.number().int().min(0).max(1000),
  theme: z.enum(['system', 'light', 'dark']),
  language: z.enum(['en', 'zh-CN']),
  notifications: z.boolean(),
  /** system: the HTTP(S)_PROXY environment (loopback never proxied); custom: proxyUrl. */
  proxyMode: z.enum(['system', 'none', 'custom']),
  /** http(s)://[user:password@]host:port of the proxy for the custom mode. */
  proxyUrl: z
    .string()
    .max(LIMITS.urlLength)
    .refine((value) => value === '' || /^https?:\/\/[^\s/]+/i.test(value), {
      message: 'the proxy must be an http:// or https:// URL',
    }),
};

/** Complete settings; missing fields (an older settings file) take their defaults. */
export const SettingsSchema = z.strictObject({
  downloadDir: FIELDS.downloadDir.default(''),
  maxConcurrent: FIELDS.maxConcurrent.default(3),
  connections: FIELDS.connections.default(8),
  minSegmentSize: FIELDS.minSegmentSize.default(MIB),
  globalLimit: FIELDS.globalLimit.default(0),
  readTimeoutMs: FIELDS.readTimeoutMs.default(15_000),
  maxRetries: FIELDS.maxRetries.default(10),
  theme: FIELDS.theme.default('system'),
  language: FIELDS.language.default('en'),
  notifications: FIELDS.notifications.default(true),
  proxyMode: FIELDS.proxyMode.default('system'),
  proxyUrl: FIELDS.proxyUrl.default(''),
});
export type Settings = z.infer<typeof SettingsSchema>;

/**
 * A change to some settings. Built from the fields without defaults on purpose: zod fills defaults
 * into a `.partial()` of SettingsSchema, which turned every patch into a reset of the others.
 */
export const SettingsPatchSchema = z.strictObject(FIELDS).partial();
export type SettingsPatch = z.input<typeof SettingsPatchSchema>;
