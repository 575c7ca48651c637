import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostLimiter } from '../../electron/engine/host-limiter.ts';

function setup(ceiling = 16) {
  const clock = { now: 0 };
  const hosts = new HostLimiter({ ceiling, increaseEveryMs: 1000, now: () => clock.now });
  const open = (host: string, n: number) => {
    for (let i = 0; i < n; i++) assert.ok(hosts.tryAcquire(host), `connection ${i + 1} to ${host}`);
  };
  const close = (host: string, n: number) => {
    for (let i = 0; i < n; i++) hosts.release(host);
  };
  return { clock, hosts, open, close };
}

describe('HostLimiter', () => {
  it('gives a host that never complained the ceiling (64 by default)', () => {
    assert.equal(new HostLimiter().limit('example.com'), 64);
    const { hosts } = setup(16);
    assert.equal(hosts.limit('example.com'), 16);
    assert.equal(hosts.active('example.com'), 0);
  });

  it('counts connections: acquire up to the limit, release frees a slot', () => {
    const { hosts, open } = setup(4);
    open('a', 4);
    assert.equal(hosts.active('a'), 4);
    assert.equal(hosts.tryAcquire('a'), false, 'no fifth connection');
    assert.equal(hosts.active('a'), 4, 'a refused acquire is not counted');
    hosts.release('a');
    assert.equal(hosts.active('a'), 3);
    assert.equal(hosts.tryAcquire('a'), true);
    assert.equal(hosts.active('b'), 0, 'hosts are counted separately');
    assert.equal(hosts.tryAcquire('b'), true);
  });

  it('ignores a release for a host without connections', () => {
    const { hosts, open } = setup(4);
    hosts.release('a');
    open('a', 1);
    hosts.release('a');
    hosts.release('a');
    assert.equal(hosts.active('a'), 0);
    open('a', 4);
  });

  it('halves the connections actually open, not the ceiling', () => {
    const { hosts, open } = setup(16);
    open('h', 6);
    hosts.overload('h');
    assert.equal(hosts.limit('h'), 3);
    assert.equal(hosts.tryAcquire('h'), false, 'no new connection until enough have closed');
  });

  it('halves only once for a burst of complaints within one increase period', () => {
    const { clock, hosts, open } = setup(16);
    open('h', 8);
    hosts.overload('h');
    clock.now += 300;
    hosts.overload('h');
    clock.now += 699;
    hosts.overload('h');
    assert.equal(hosts.limit('h'), 4);
    clock.now += 1;
    hosts.overload('h');
    assert.equal(hosts.limit('h'), 2, 'a complaint one period after the halving halves again');
  });

  it('never goes below one connection', () => {
    const { clock, hosts, open, close } = setup(16);
    open('h', 2);
    for (let i = 0; i < 5; i++) {
      hosts.overload('h');
      clock.now += 1000;
    }
    assert.equal(hosts.limit('h'), 1);
    close('h', 2);
    hosts.overload('h');
    assert.equal(hosts.limit('h'), 1, 'not even with no connection open');
    assert.equal(hosts.tryAcquire('h'), true);
  });

  it('grows back by one per quiet increase period while requests succeed, up to the ceiling', () => {
    const { clock, hosts, open } = setup(4);
    open('h', 4);
    hosts.overload('h');
    assert.equal(hosts.limit('h'), 2);
    clock.now += 999;
    hosts.success('h');
    assert.equal(hosts.limit('h'), 2, 'not before a full quiet period');
    clock.now += 1;
    hosts.success('h');
    hosts.success('h');
    assert.equal(hosts.limit('h'), 3, 'one step per period, however many successes');
    clock.now += 1000;
    hosts.success('h');
    clock.now += 1000;
    hosts.success('h');
    assert.equal(hosts.limit('h'), 4, 'never above the ceiling');
  });

  it('waits a full quiet period after the latest complaint before growing', () => {
    const { clock, hosts, open } = setup(16);
    open('h', 8);
    hosts.overload('h'); // 8 → 4
    clock.now += 800;
    hosts.overload('h'); // same burst: no halving, but the server is still unhappy
    clock.now += 500;
    hosts.success('h');
    assert.equal(hosts.limit('h'), 4);
    clock.now += 500;
    hosts.success('h');
    assert.equal(hosts.limit('h'), 5);
  });

  it('halves right after a growth step when the server complains again', () => {
    const { clock, hosts, open } = setup(16);
    open('h', 8);
    hosts.overload('h'); // 8 → 4
    clock.now += 1000;
    hosts.success('h'); // 4 → 5
    clock.now += 10;
    hosts.overload('h');
    assert.equal(hosts.limit('h'), 2, 'half of min(limit 5, 8 open)');
  });

  it('does not grow a host that never complained', () => {
    const { clock, hosts, open } = setup(16);
    open('h', 3);
    clock.now += 5000;
    hosts.success('h');
    assert.equal(hosts.limit('h'), 16);
  });

  it('keeps each host’s limit to itself', () => {
    const { hosts, open } = setup(16);
    open('slow.example', 8);
    hosts.overload('slow.example');
    assert.equal(hosts.limit('slow.example'), 4);
    assert.equal(hosts.limit('fast.example'), 16);
    open('fast.example', 16);
  });

  it('refuses a ceiling below one', () => {
    assert.throws(() => new HostLimiter({ ceiling: 0 }), RangeError);
  });
});
