/** What nativeTheme says (a subset, so the choice can be tested without Electron). */
export interface ThemeReading {
  shouldUseDarkColors: boolean;
  shouldUseDarkColorsForSystemIntegratedUI: boolean;
}

/**
 * The tray icon for this OS and theme, a file in build/ (resources/icons when packaged): white
 * strands for a dark taskbar or panel, black ones for a light one (a white icon vanished on
 * Windows 11's and KDE's light taskbars). macOS recolours a template image itself. Windows'
 * taskbar follows its own setting, not the apps' light/dark mode; GNOME's top bar is dark
 * whatever the theme (its Classic session's is light).
 */
export function trayIconFile(
  platform: NodeJS.Platform,
  theme: ThemeReading,
  env: NodeJS.ProcessEnv,
): string {
  if (platform === 'darwin') return 'trayTemplate.png';
  const desktops = (env['XDG_CURRENT_DESKTOP'] ?? '').split(':');
  const darkBar =
    platform === 'win32'
      ? theme.shouldUseDarkColorsForSystemIntegratedUI
      : theme.shouldUseDarkColors ||
        (desktops.includes('GNOME') && !desktops.includes('GNOME-Classic'));
  return darkBar ? 'tray-white.png' : 'tray-black.png';
}
