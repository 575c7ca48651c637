import type { Translate } from '../../shared/i18n/translate.ts';

/** Where the hint was shown once (in Electron's userData folder), so it is never shown again. */
export const TRAY_HINT_MARK = 'tray-hint-shown';

/**
 * The notification for the first time closing the window leaves Braid running, or null: only on
 * Linux, where stock GNOME shows no tray and Braid would seem to have quit while it downloads.
 */
export function trayHint(
  platform: NodeJS.Platform,
  t: Translate,
  shownBefore: boolean,
): { title: string; body: string } | null {
  if (platform !== 'linux' || shownBefore) return null;
  return { title: t('desktop.keepsRunningTitle'), body: t('desktop.keepsRunningBody') };
}
