/** Seconds of speed history kept for the graphs (the engine sends one sample a second). */
export const SPEED_HISTORY = 300;

export interface SpeedSample {
  at: number;
  /** Bytes per second. */
  speed: number;
}

/** `samples` with `sample` appended, the oldest dropped beyond SPEED_HISTORY; a new array. */
export function withSample(samples: readonly SpeedSample[], sample: SpeedSample): SpeedSample[] {
  const next = samples.slice(samples.length >= SPEED_HISTORY ? 1 : 0);
  next.push(sample);
  return next;
}
