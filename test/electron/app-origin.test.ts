import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { externalUrl, isAppUrl, permissionAllowed } from '../../electron/main/app-origin.ts';

describe('the app origin', () => {
  it('trusts IPC only from our app:// pages', () => {
    assert.equal(isAppUrl('app://braid/index.html'), true);
    assert.equal(isAppUrl('app://braid/'), true);
    for (const url of [
      'app://evil/index.html',
      'https://braid/index.html',
      'file:///work/dist/renderer/index.html',
      'http://127.0.0.1:8421/',
      'about:blank',
      '',
      null,
      undefined,
    ]) {
      assert.equal(isAppUrl(url), false, String(url));
    }
  });

  it('lets only plain http(s) links out to the system browser', () => {
    assert.equal(externalUrl('https://example.test/help'), 'https://example.test/help');
    assert.equal(externalUrl('file:///etc/passwd'), null);
    assert.equal(externalUrl('smb://host/share'), null);
    assert.equal(externalUrl('javascript:alert(1)'), null);
    assert.equal(externalUrl('https://user:pass@example.test/'), null);
    assert.equal(externalUrl('not a url'), null);
  });

  it('lets our own pages write to the clipboard (Copy link), and grants nothing else', () => {
    // The check handler is given the origin, the request handler the page's URL.
    assert.equal(permissionAllowed('clipboard-sanitized-write', 'app://braid'), true);
    assert.equal(permissionAllowed('clipboard-sanitized-write', 'app://braid/index.html'), true);
    for (const url of ['https://example.test', 'app://evil', 'data:text/html,x', '', null]) {
      assert.equal(permissionAllowed('clipboard-sanitized-write', url), false, String(url));
    }
    for (const permission of ['clipboard-read', 'notifications', 'media', 'openExternal']) {
      assert.equal(permissionAllowed(permission, 'app://braid'), false, permission);
    }
  });
});
