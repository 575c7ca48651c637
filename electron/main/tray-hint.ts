import type { Settings } from '../../shared/api/settings.ts';

/** Where the hint was shown once (in Electron's userData folder), so it is never shown again. */
export const TRAY_HINT_MARK = 'tray-hint-shown';

// TODO(i18n): these belong in shared/i18n as desktop.keepsRunningTitle/Body.
const HINTS: Record<Settings['language'], { title: string; body: string }> = {
  en: {
    title: 'Braid keeps downloading',
    body: 'Braid is still running in the background. Launch Braid again, or click its tray icon where there is one, to bring the window back.',
  },
  'zh-CN': {
    title: 'Braid 仍在下载',
    body: 'Braid 仍在后台运行。再次启动 Braid，或点击托盘图标（如有），即可重新打开窗口。',
  },
};

/**
 * The notification for the first time closing the window leaves Braid running, or null: only on
 * Linux, where stock GNOME shows no tray and Braid would seem to have quit while it downloads.
 */
export function trayHint(
  platform: NodeJS.Platform,
  language: Settings['language'],
  shownBefore: boolean,
): { title: string; body: string } | null {
  if (platform !== 'linux' || shownBefore) return null;
  return HINTS[language];
}
