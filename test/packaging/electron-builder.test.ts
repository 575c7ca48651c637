import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { extractFile, listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { build, Platform, type Configuration } from 'electron-builder';
import { parse } from 'yaml';
import { tempDir } from '../support/fixtures.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
/** Marks the fuse wire in an Electron binary (see @electron/fuses). */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

async function loadConfig(): Promise<Configuration> {
  return parse(await readFile(join(ROOT, 'electron-builder.yml'), 'utf8')) as Configuration;
}

/**
 * Without network there is no Electron to package; a stand-in executable carrying a fuse wire in
 * Electron's format (all fuses at their defaults) is enough to produce the unpacked app, its
 * asar, and the flipped fuses. Returns the folder to give as `electronDist`.
 */
async function standInElectron(dir: string): Promise<string> {
  const electronDist = join(dir, 'electron');
  await mkdir(electronDist);
  await writeFile(
    join(electronDist, 'electron'),
    Buffer.concat([
      Buffer.from('#!/bin/sh\n# '),
      Buffer.from(SENTINEL),
      Buffer.from([1, 8]),
      Buffer.from('10110001'),
      Buffer.from('\n'),
    ]),
  );
  await chmod(join(electronDist, 'electron'), 0o755);
  return electronDist;
}

describe('desktop packaging (electron-builder.yml)', () => {
  it('targets AppImage and deb, NSIS and dmg, with the app id, icon, braid:// protocol and desktopName', async () => {
    const config = await loadConfig();
    assert.equal(config.appId, 'app.braid.desktop');
    assert.equal(config.productName, 'Braid');
    assert.equal(config.asar, true);
    assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
    assert.deepEqual(config.win?.target, ['nsis']);
    assert.deepEqual(config.mac?.target, ['dmg']);
    assert.deepEqual(config.protocols, [{ name: 'Braid link', schemes: ['braid'] }]);
    const icon = await readFile(join(ROOT, String(config.icon)));
    assert.equal(icon.readUInt32BE(16), 1024, 'a 1024 px PNG icon');
    assert.deepEqual(config.electronFuses, {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(pkg['main'], 'dist/electron/main.mjs');
    assert.ok(pkg['homepage'], 'deb needs a homepage');
    // Electron names its Linux windows after desktopName: the entry must carry that name.
    assert.equal(pkg['desktopName'], `${config.linux?.executableName}.desktop`);
    assert.equal(config.linux?.syncDesktopName, true);
    assert.equal(config.linux?.desktop?.entry?.['StartupWMClass'], undefined, 'derived, not typed');
    assert.match(String((pkg['scripts'] as Record<string, string>)['dist']), /electron-builder/);
  });

  it('packs the bundles, the UI and package.json (with desktopName) into app.asar, and no sources, tests or source maps', async () => {
    const dirs = await tempDir('braid-pack-');
    try {
      const electronDist = await standInElectron(dirs.path);
      const config = await loadConfig();
      await build({
        projectDir: ROOT,
        targets: Platform.LINUX.createTarget('dir'),
        publish: 'never',
        config: {
          ...config,
          electronDist,
          electronVersion: '45.3.4',
          directories: { ...config.directories, output: join(dirs.path, 'release') },
        },
      });
      const files = listPackage(join(dirs.path, 'release/linux-unpacked/resources/app.asar'), {
        isPack: false,
      }).map((f) => f.replaceAll('\\', '/'));
      const packed = JSON.parse(
        extractFile(
          join(dirs.path, 'release/linux-unpacked/resources/app.asar'),
          'package.json',
        ).toString('utf8'),
      ) as Record<string, unknown>;
      assert.equal(packed['desktopName'], 'braid.desktop', 'Electron reads it from the package');
      for (const wanted of [
        '/package.json',
        '/dist/electron/main.mjs',
        '/dist/electron/preload.cjs',
        '/dist/renderer/index.html',
      ]) {
        assert.ok(files.includes(wanted), `${wanted} is packed`);
      }
      const fuses = await getCurrentFuseWire(join(dirs.path, 'release/linux-unpacked/braid'));
      const state = (option: FuseV1Options) => String.fromCharCode(fuses[option] as number);
      assert.deepEqual(
        [
          FuseV1Options.RunAsNode,
          FuseV1Options.EnableCookieEncryption,
          FuseV1Options.EnableNodeOptionsEnvironmentVariable,
          FuseV1Options.EnableNodeCliInspectArguments,
          FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
          FuseV1Options.OnlyLoadAppFromAsar,
        ].map(state),
        ['0', '1', '0', '0', '1', '1'],
      );
      const stray = files.filter((f) =>
        /\.map$|^\/(electron|renderer|shared|test|bench|scripts|node_modules)\/|\.ts$/.test(f),
      );
      assert.deepEqual(stray, []);
    } finally {
      await dirs.cleanup();
    }
  });

  it("installs the deb's desktop entry as braid.desktop with StartupWMClass=braid and braid:// once, keeping electron-builder's dependencies", async () => {
    const config = await loadConfig();
    // Listing some replaced the defaults (libgtk-3-0, libxss1, xdg-utils, libsecret-1-0…).
    assert.equal(config.deb?.depends, undefined);
    const dirs = await tempDir('braid-deb-');
    try {
      let desktopEntry = '';
      let fpmArgs: string[] = [];
      await build({
        projectDir: ROOT,
        targets: Platform.LINUX.createTarget('deb'),
        publish: 'never',
        // Called with fpm's arguments and the desktop entry just before fpm would run; true
        // stops there (fpm is not installed here).
        effectiveOptionComputed: async (options: unknown) => {
          const [args, desktopFile] = options as [string[], string];
          fpmArgs = args;
          desktopEntry = await readFile(desktopFile, 'utf8');
          return true;
        },
        // electron-builder reads electron-builder.yml itself and adds these (given in full, its
        // protocols would be merged with the file's: two objects, listed twice).
        config: {
          electronDist: await standInElectron(dirs.path),
          electronVersion: '45.3.4',
          directories: { output: join(dirs.path, 'release') },
        },
      });
      const mime = desktopEntry.split('\n').find((line) => line.startsWith('MimeType='));
      assert.equal(mime, 'MimeType=x-scheme-handler/braid;');
      // Matched to the windows Electron names after desktopName (braid.desktop → braid).
      assert.ok(desktopEntry.split('\n').includes('StartupWMClass=braid'), desktopEntry);
      assert.ok(
        fpmArgs.some((arg) => arg.endsWith('=/usr/share/applications/braid.desktop')),
        fpmArgs.join(' '),
      );
    } finally {
      await dirs.cleanup();
    }
  });

  it('names the AppImage desktop entry after desktopName, with the window class Electron uses', async () => {
    const dirs = await tempDir('braid-appimage-');
    try {
      let entry: { desktop: string; desktopFileName: string } | null = null;
      await build({
        projectDir: ROOT,
        targets: Platform.LINUX.createTarget('AppImage'),
        publish: 'never',
        // Called with the desktop entry just before the AppImage would be made; true stops there.
        effectiveOptionComputed: async (options: unknown) => {
          entry = options as { desktop: string; desktopFileName: string };
          return true;
        },
        config: {
          electronDist: await standInElectron(dirs.path),
          electronVersion: '45.3.4',
          directories: { output: join(dirs.path, 'release') },
        },
      });
      const { desktop, desktopFileName } = entry ?? { desktop: '', desktopFileName: '' };
      assert.equal(desktopFileName, 'braid.desktop');
      assert.ok(desktop.split('\n').includes('StartupWMClass=braid'), desktop);
    } finally {
      await dirs.cleanup();
    }
  });
});
