import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sandboxFlags } from '../../scripts/electron-flags.ts';
import { launchProblem } from './electron-launch.ts';

describe('where the Electron suite runs', () => {
  it('skips without a binary, and on Linux without a display', () => {
    assert.equal(launchProblem(null, 'linux', { DISPLAY: ':0' }), 'no Electron binary');
    assert.match(String(launchProblem('/e/electron', 'linux', {})), /^no display/);
    assert.equal(launchProblem('/e/electron', 'linux', { DISPLAY: ':99' }), null);
    assert.equal(launchProblem('/e/electron', 'linux', { WAYLAND_DISPLAY: 'wayland-0' }), null);
    assert.equal(launchProblem('/e/Electron', 'darwin', {}), null);
    assert.equal(launchProblem('/e/electron.exe', 'win32', {}), null);
  });

  it('turns the sandbox off only for root on Linux, where Chromium refuses to sandbox root', () => {
    assert.deepEqual(sandboxFlags('linux', 0), ['--no-sandbox']);
    assert.deepEqual(sandboxFlags('linux', 1000), []);
    assert.deepEqual(sandboxFlags('darwin', 0), []);
    assert.deepEqual(sandboxFlags('win32', undefined), []);
  });
});
