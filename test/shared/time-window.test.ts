import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TimeWindow } from '../../shared/api/settings.ts';
import { inWindow, nextOpening } from '../../shared/time-window.ts';

// 2026-11-23 is a Monday (day 1).
const at = (day: number, hhmm: string) => new Date(`2026-11-${22 + day}T${hhmm}:00`);
const window = (start: string, stop: string, days = [0, 1, 2, 3, 4, 5, 6]): TimeWindow => ({
  enabled: true,
  days,
  start,
  stop,
});

describe('time windows', () => {
  it('holds from start (inclusive) to stop (exclusive) on a listed day', () => {
    const w = window('09:00', '18:00', [1, 2, 3, 4, 5]);
    assert.equal(inWindow(w, at(1, '08:59')), false);
    assert.equal(inWindow(w, at(1, '09:00')), true);
    assert.equal(inWindow(w, at(1, '17:59')), true);
    assert.equal(inWindow(w, at(1, '18:00')), false);
    assert.equal(inWindow(w, at(6, '12:00')), false, 'Saturday is not listed');
  });

  it('runs past midnight into the next day, counted as the day it started', () => {
    const w = window('22:00', '07:00', [5]); // Friday night
    assert.equal(inWindow(w, at(5, '23:30')), true);
    assert.equal(inWindow(w, at(6, '06:59')), true, 'early Saturday belongs to Friday night');
    assert.equal(inWindow(w, at(6, '07:00')), false);
    assert.equal(inWindow(w, at(6, '23:00')), false, 'Saturday night is not listed');
    assert.equal(inWindow(w, at(5, '06:00')), false, 'early Friday belongs to Thursday night');
  });

  it('covers whole days when start equals stop, and never holds when disabled', () => {
    assert.equal(inWindow(window('00:00', '00:00', [0]), at(0, '15:00')), true);
    assert.equal(inWindow({ ...window('00:00', '00:00'), enabled: false }, at(0, '15:00')), false);
  });

  it('says when a window next opens: later today, on the next ticked day, or never', () => {
    const weekdays = window('09:00', '18:00', [1, 2, 3, 4, 5]);
    assert.deepEqual(nextOpening(weekdays, at(1, '08:00')), at(1, '09:00'));
    assert.deepEqual(nextOpening(weekdays, at(1, '18:00')), at(2, '09:00'));
    assert.deepEqual(
      nextOpening(weekdays, at(5, '19:00')),
      at(8, '09:00'),
      'Friday evening: Monday',
    );
    assert.deepEqual(nextOpening(window('01:00', '07:00', [1]), at(1, '08:00')), at(8, '01:00'));
    // A whole-day window opens at midnight of its day.
    assert.deepEqual(nextOpening(window('00:00', '00:00', [3]), at(1, '12:00')), at(3, '00:00'));
    assert.equal(nextOpening(window('09:00', '18:00', []), at(1, '08:00')), null);
    assert.equal(nextOpening({ ...weekdays, enabled: false }, at(1, '08:00')), null);
  });
});
