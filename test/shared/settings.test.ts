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
});
