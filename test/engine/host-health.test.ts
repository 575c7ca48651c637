import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostHealth } from '../../electron/engine/host-health.ts';

describe('host health', () => {
  it('calls a host down once a download gave up on it, until it answers again', () => {
    const health = new HostHealth();
    assert.equal(health.failed('a:80', { code: 'ECONNREFUSED' }), true);
    assert.equal(health.isDown('a:80'), false, 'failing is not down');
    health.gaveUp('a:80');
    assert.equal(health.isDown('a:80'), true);
    assert.equal(health.isDown('b:80'), false, 'per host');
    assert.equal(health.failed('a:80', { code: 'HTTP_ERROR', status: 404 }), false);
    assert.equal(health.isDown('a:80'), false, 'an error status is an answer');
  });

  it('does not call a host down for a give-up that came after it answered', () => {
    const health = new HostHealth();
    health.failed('a:80', { code: 'ECONNREFUSED' });
    health.answered('a:80');
    health.gaveUp('a:80');
    assert.equal(health.isDown('a:80'), false);
  });
});
