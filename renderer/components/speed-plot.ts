import type { SpeedSample } from '../../shared/speed-samples.ts';

export const PLOT_WIDTH = 300;
export const PLOT_HEIGHT = 60;
/**
 * The plot spans at least this much time, so a new download enters from the right at the pace of
 * the clock instead of filling the width with its first two samples.
 */
export const MIN_SPAN_MS = 60_000;
/** The engine sends a sample a second while anything runs; a longer silence means nothing ran. */
const GAP_MS = 2_500;
export const SAMPLE_MS = 1_000;
/** The average line: the mean speed over this much time, silence counted as zero. */
export const AVERAGE_MS = 10_000;

export interface SpeedPlot {
  now: number;
  average: number;
  /** SVG polyline points, oldest first; empty without samples. */
  speedPoints: string;
  averagePoints: string;
}

/**
 * Places samples on a time axis that ends at the newest one. A silence between samples (the
 * engine stops sending while nothing runs) is drawn as zero, so two downloads an hour apart do
 * not look like one. The speeds read out are those at `at` (the host's time now): after the last
 * sample, the silence counts too.
 */
export function plotSpeed(samples: readonly SpeedSample[], at = -Infinity): SpeedPlot {
  const last = samples.at(-1);
  const first = samples[0];
  if (!last || !first) return { now: 0, average: 0, speedPoints: '', averagePoints: '' };
  const silence = Math.max(0, at - last.at);
  const points: SpeedSample[] = [];
  for (const [i, sample] of samples.entries()) {
    const before = samples[i - 1];
    if (before && sample.at - before.at > GAP_MS) {
      if (before.speed > 0) points.push({ at: before.at + SAMPLE_MS, speed: 0 });
      points.push({ at: sample.at - SAMPLE_MS, speed: 0 });
    }
    points.push(sample);
  }
  const averages = movingAverages(samples, points);
  const [average] = movingAverages(samples, [{ at: last.at + silence, speed: 0 }]);
  const span = Math.max(MIN_SPAN_MS, last.at - first.at);
  const peak = Math.max(1, ...samples.map((s) => s.speed));
  const line = (values: readonly number[]) =>
    points
      .map((p, i) => {
        const x = PLOT_WIDTH - ((last.at - p.at) / span) * PLOT_WIDTH;
        // A zero sits one unit above the bottom edge, where its stroke is still seen.
        const y = PLOT_HEIGHT - 1 - (values[i]! / peak) * (PLOT_HEIGHT - 5);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(' ');
  return {
    now: silence > GAP_MS ? 0 : last.speed,
    average: average!,
    speedPoints: line(points.map((p) => p.speed)),
    averagePoints: line(averages),
  };
}

/** For each point: the samples' mean over the AVERAGE_MS before it, seconds without one as zero. */
function movingAverages(samples: readonly SpeedSample[], points: readonly SpeedSample[]): number[] {
  const start = samples[0]!.at;
  let from = 0;
  let to = 0;
  let sum = 0;
  return points.map((p) => {
    while (to < samples.length && samples[to]!.at <= p.at) sum += samples[to++]!.speed;
    while (from < to && samples[from]!.at <= p.at - AVERAGE_MS) sum -= samples[from++]!.speed;
    // Each sample stands for about a second; early on the window is only as long as the history.
    const seconds = Math.min(AVERAGE_MS, p.at - start + SAMPLE_MS) / SAMPLE_MS;
    return sum / Math.max(seconds, to - from, 1);
  });
}
