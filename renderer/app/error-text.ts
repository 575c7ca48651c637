import { useCallback } from 'react';
import { ApiError } from '../../shared/api/errors.ts';
import type { Settings } from '../../shared/api/settings.ts';
import type { MessageKey } from '../../shared/i18n/en.ts';
import { useT, type Translate } from '../i18n/i18n.ts';
import { useApp } from './context.ts';

/** Whether a command failed for want of a connection to Braid (it drops, and comes back). */
export function isDisconnected(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'ENGINE_CLOSED';
}

/** A failed command's message for the user; a dropped connection is said in the UI's language. */
export function errorText(error: unknown, t: Translate): string {
  return isDisconnected(error) ? t('connection.commandFailed') : (error as Error).message;
}

/** The engine's codes said in the UI's words; HTTP_xxx not listed is said by its status. */
const REASONS: Record<string, MessageKey> = {
  HTTP_404: 'reason.notFound',
  HTTP_410: 'reason.notFound',
  HTTP_401: 'reason.denied',
  HTTP_403: 'reason.denied',
  WEB_PAGE: 'reason.webPage',
  DISK_FULL: 'reason.diskFull',
  CHECKSUM_MISMATCH: 'reason.checksum',
  ENOTFOUND: 'reason.hostNotFound',
  ECONNREFUSED: 'reason.refused',
  ETIMEDOUT: 'reason.timedOut',
  UND_ERR_CONNECT_TIMEOUT: 'reason.timedOut',
  ECONNRESET: 'reason.reset',
  EHOSTUNREACH: 'reason.unreachable',
  ENETUNREACH: 'reason.unreachable',
  FILE_ACCESS: 'reason.fileAccess',
  TLS_CERTIFICATE: 'reason.certificate',
};

/**
 * Why a download (or a probe) failed, from the engine's code and English message. In English the
 * engine's own words stay, with their detail (the link, the hashes); another language says the
 * common codes in its words, and keeps the engine's where it has none.
 */
export function reasonText(
  reason: { code: string; message: string },
  t: Translate,
  language: Settings['language'],
): string {
  if (language === 'en') return reason.message;
  const key = REASONS[reason.code] ?? (/^HTTP_\d{3}$/.test(reason.code) ? 'reason.http' : null);
  return key ? t(key, { status: reason.code.slice('HTTP_'.length) }) : reason.message;
}

/** reasonText in the UI's current language. */
export function useReasonText(): (reason: { code: string; message: string }) => string {
  const t = useT();
  const language = useApp((s) => s.settings?.language ?? 'en');
  return useCallback((reason) => reasonText(reason, t, language), [t, language]);
}
