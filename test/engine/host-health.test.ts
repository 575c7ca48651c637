import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostHealth } from '../../electron/engine/host-health.ts';

describe('host health', () => {
  it('calls a host down once a download gave up on it, until it answers again', () => {
    const health = new HostHealth();
    health.failed('a:80');
    assert.equal(health.isDown('a:80'), false, 'failing is not down');
    health.gaveUp('a:80');
    assert.equal(health.isDown('a:80'), true);
    assert.equal(health.isDown('b:80'), false, 'per host');
    health.answered('a:80');
    assert.equal(health.isDown('a:80'), false);
  });

  it('does not call a host down for a give-up that came after it answered', () => {
    const health = new HostHealth();
    health.failed('a:80');
    health.answered('a:80');
    health.gaveUp('a:80');
    assert.equal(health.isDown('a:80'), false);
  });
});
