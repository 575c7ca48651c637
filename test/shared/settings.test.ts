import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SettingsPatchSchema, SettingsSchema } from '../../shared/api/settings.ts';

describe('settings schemas', () => {
  it('a patch carries only the settings it names (no defaults filled in)', () => {
    assert.deepEqual(SettingsPatchSchema.parse({ theme: 'dark' }), { theme: 'dark' });
    assert.deepEqual(SettingsPatchSchema.parse({}), {});
  });

  it('complete settings fill what an older file lacks with defaults', () => {
    const settings = SettingsSchema.parse({ maxConcurrent: 5 });
    assert.equal(settings.maxConcurrent, 5);
    assert.equal(settings.connections, 8);
    assert.equal(settings.theme, 'system');
  });

  it('takes an http://, https:// or socks5:// proxy (socks5h:// alike), and no other', () => {
    const proxy = (proxyUrl: string) => SettingsPatchSchema.safeParse({ proxyUrl }).success;
    for (const url of [
      '',
      'http://proxy.corp:3128',
      'https://u:p@proxy.corp:443',
      'socks5://127.0.0.1:1080',
      'SOCKS5://alice:s3cret@[fd00::1]:1080',
      'socks5h://tor.local:9050',
    ]) {
      assert.ok(proxy(url), url);
    }
    for (const url of ['socks4://h:1080', 'socks://h:1080', 'proxy.corp:3128', 'socks5://']) {
      assert.ok(!proxy(url), url);
    }
    assert.equal(
      SettingsPatchSchema.safeParse({ proxyUrl: 'socks4://h:1080' }).error?.issues[0]?.message,
      'the proxy must be an http://, https:// or socks5:// URL',
    );
  });

  it('refuses an enabled time window on no day (it would never open), not a disabled one', () => {
    const window = { enabled: true, days: [], start: '01:00', stop: '07:00' };
    const refused = SettingsPatchSchema.safeParse({ schedule: window });
    assert.equal(refused.success, false);
    assert.deepEqual(refused.error?.issues[0]?.path, ['schedule', 'days']);
    const limited = SettingsPatchSchema.safeParse({ limitSchedule: { ...window, limit: 1 } });
    assert.deepEqual(limited.error?.issues[0]?.path, ['limitSchedule', 'days']);
    assert.ok(SettingsPatchSchema.safeParse({ schedule: { ...window, enabled: false } }).success);
  });
});
