import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { trayHint } from '../../electron/main/tray-hint.ts';
import { translator } from '../../shared/i18n/translate.ts';
import { trayIconFile, type ThemeReading } from '../../electron/main/tray-icon.ts';

const theme = (apps: boolean, taskbar: boolean): ThemeReading => ({
  shouldUseDarkColors: apps,
  shouldUseDarkColorsForSystemIntegratedUI: taskbar,
});

describe('the tray icon', () => {
  it("follows Windows' taskbar colour, not the apps' mode", () => {
    assert.equal(trayIconFile('win32', theme(true, false), {}), 'tray-black.png');
    assert.equal(trayIconFile('win32', theme(false, true), {}), 'tray-white.png');
  });

  it("follows the theme on Linux, where GNOME's top bar is dark whatever it is", () => {
    assert.equal(
      trayIconFile('linux', theme(false, false), { XDG_CURRENT_DESKTOP: 'KDE' }),
      'tray-black.png',
    );
    assert.equal(
      trayIconFile('linux', theme(true, false), { XDG_CURRENT_DESKTOP: 'XFCE' }),
      'tray-white.png',
    );
    assert.equal(
      trayIconFile('linux', theme(false, false), { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }),
      'tray-white.png',
    );
    assert.equal(
      trayIconFile('linux', theme(false, false), { XDG_CURRENT_DESKTOP: 'GNOME-Classic:GNOME' }),
      'tray-black.png',
    );
    assert.equal(trayIconFile('linux', theme(false, false), {}), 'tray-black.png');
  });

  it('is a template on macOS, which colours it for the menu bar', () => {
    assert.equal(trayIconFile('darwin', theme(true, true), {}), 'trayTemplate.png');
  });

  it('exists in build/ in every variant', () => {
    for (const name of ['tray-white.png', 'tray-black.png', 'trayTemplate.png']) {
      assert.ok(existsSync(new URL(`../../build/${name}`, import.meta.url)), name);
    }
  });
});

describe('closing the window to the tray', () => {
  it('says once, on Linux, that Braid keeps downloading and how to get it back', () => {
    const hint = trayHint('linux', translator('en'), false);
    assert.match(String(hint?.body), /Launch Braid again/);
    assert.match(String(trayHint('linux', translator('zh-CN'), false)?.title), /Braid/);
    assert.equal(trayHint('linux', translator('en'), true), null, 'not a second time');
    assert.equal(trayHint('win32', translator('en'), false), null, 'Windows always has its tray');
    assert.equal(trayHint('darwin', translator('en'), false), null);
  });
});
