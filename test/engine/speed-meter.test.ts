import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpeedMeter } from '../../electron/engine/speed-meter.ts';

describe('SpeedMeter', () => {
  it('reads its whole window, or only its newest part, from the same counts', () => {
    let now = 100_000;
    const meter = new SpeedMeter(10_000, () => now);
    // 64 KiB at the start, then nothing for 3 s: a burst under a low speed limit.
    meter.add(64 * 1024);
    now += 3000;
    assert.equal(meter.rate(1000), 0, 'the last second saw nothing');
    assert.equal(Math.round(meter.rate()), Math.round((64 * 1024) / 3), 'the window saw the burst');
    meter.add(64 * 1024);
    now += 50;
    // The last second: nine whole buckets and 50 ms of the newest; the window: its 3.05 s of age.
    assert.equal(Math.round(meter.rate(1000)), Math.round((64 * 1024 * 1000) / 950));
    assert.equal(Math.round(meter.rate()), Math.round((128 * 1024 * 1000) / 3050));
  });
});
