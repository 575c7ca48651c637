import { describe, expect, it } from 'vitest';
import {
  MIN_SPAN_MS,
  PLOT_HEIGHT,
  PLOT_WIDTH,
  plotSpeed,
} from '../../renderer/components/speed-plot.ts';

const points = (text: string) =>
  text.split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
const bottom = PLOT_HEIGHT - 1;

describe('the speed plot', () => {
  it('draws nothing and reads zero before the first sample', () => {
    expect(plotSpeed([])).toEqual({ now: 0, average: 0, speedPoints: '', averagePoints: '' });
  });

  it('lets a new download enter from the right on a time axis of at least a minute', () => {
    const plot = plotSpeed([
      { at: 0, speed: 100 },
      { at: 1000, speed: 200 },
      { at: 2000, speed: 200 },
    ]);
    const xs = points(plot.speedPoints).map(([x]) => x);
    const step = (1000 / MIN_SPAN_MS) * PLOT_WIDTH;
    expect(xs).toEqual(
      [PLOT_WIDTH - 2 * step, PLOT_WIDTH - step, PLOT_WIDTH].map((x) => +x.toFixed(1)),
    );
    expect(plot.now).toBe(200);
  });

  it('draws a silence between two downloads as zero, not as a line joining them', () => {
    const plot = plotSpeed([
      { at: 0, speed: 500 },
      { at: 1000, speed: 0 },
      { at: 30_000, speed: 400 },
    ]);
    const drawn = points(plot.speedPoints);
    // The stop, then a zero just before the next download starts: the line lies flat between.
    expect(drawn).toHaveLength(4);
    expect(drawn[1]![1]).toBe(bottom);
    expect(drawn[2]![1]).toBe(bottom);
    expect(drawn[2]![0]).toBeGreaterThan(drawn[1]![0] + PLOT_WIDTH / 4);
  });

  it('adds a zero after a sample that was cut off by a silence', () => {
    const drawn = points(
      plotSpeed([
        { at: 0, speed: 500 },
        { at: 20_000, speed: 500 },
      ]).speedPoints,
    );
    expect(drawn.map(([, y]) => y)).toEqual([4, bottom, bottom, 4]);
  });

  it('averages over the last ten seconds, counting silence as zero', () => {
    const steady = Array.from({ length: 20 }, (_, i) => ({ at: i * 1000, speed: 100 }));
    expect(plotSpeed(steady).average).toBe(100);
    // The first second: the average is the speed so far, not a tenth of it.
    expect(plotSpeed(steady.slice(0, 1)).average).toBe(100);
    // Stopped for good: a last zero, then 9 of the last 10 seconds still had 100.
    expect(plotSpeed([...steady, { at: 20_000, speed: 0 }]).average).toBe(90);
    // A download that ran one second after a long silence is one tenth of the window.
    expect(plotSpeed([...steady, { at: 60_000, speed: 100 }]).average).toBe(10);
    expect(plotSpeed([...steady, { at: 60_000, speed: 100 }]).now).toBe(100);
  });

  it('reads the speeds at the time asked: a silence after the last sample brings them down', () => {
    const steady = Array.from({ length: 20 }, (_, i) => ({ at: i * 1000, speed: 100 }));
    expect(plotSpeed(steady, 19_000)).toMatchObject({ now: 100, average: 100 });
    // Five of the last ten seconds had 100; no sample for longer than the engine's pace is a stop.
    expect(plotSpeed(steady, 24_000)).toMatchObject({ now: 0, average: 50 });
    expect(plotSpeed(steady, 30_000)).toMatchObject({ now: 0, average: 0 });
    // The line still ends at the newest sample.
    expect(plotSpeed(steady, 30_000).averagePoints).toBe(plotSpeed(steady).averagePoints);
  });
});
