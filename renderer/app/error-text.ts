import { ApiError } from '../../shared/api/errors.ts';
import type { Translate } from '../i18n/i18n.ts';

/** Whether a command failed for want of a connection to Braid (it drops, and comes back). */
export function isDisconnected(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'ENGINE_CLOSED';
}

/** A failed command's message for the user; a dropped connection is said in the UI's language. */
export function errorText(error: unknown, t: Translate): string {
  return isDisconnected(error) ? t('connection.commandFailed') : (error as Error).message;
}
