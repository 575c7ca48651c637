import { memo } from 'react';
import { formatSpeed } from '../../shared/format.ts';
import type { SpeedSample } from '../store/app-store.ts';
import { useT } from '../i18n/i18n.ts';

const WIDTH = 300;
const HEIGHT = 60;
/** Samples (seconds) in the moving average line. */
const AVERAGE_WINDOW = 10;

interface Props {
  samples: readonly SpeedSample[];
  title: string;
}

/** Instant speed and its moving average over the last few minutes, as an accessible image. */
export const SpeedGraph = memo(function SpeedGraph({ samples, title }: Props) {
  const t = useT();
  const now = samples.at(-1)?.speed ?? 0;
  const averages = samples.map((_, i) => {
    const window = samples.slice(Math.max(0, i - AVERAGE_WINDOW + 1), i + 1);
    return window.reduce((sum, s) => sum + s.speed, 0) / window.length;
  });
  const average = averages.at(-1) ?? 0;
  const peak = Math.max(1, ...samples.map((s) => s.speed));
  const points = (values: number[]) =>
    values
      .map((v, i) => {
        const x = values.length < 2 ? WIDTH : (i / (values.length - 1)) * WIDTH;
        return `${x.toFixed(1)},${(HEIGHT - (v / peak) * (HEIGHT - 4)).toFixed(1)}`;
      })
      .join(' ');
  const label = t('speed.label', { now: formatSpeed(now), average: formatSpeed(average) });
  return (
    <figure className="speed-graph">
      <figcaption>
        <span className="speed-title">{title}</span>
        <span className="speed-now">
          {t('speed.now')} <strong>{formatSpeed(now)}</strong>
        </span>
        <span className="speed-average">
          {t('speed.average')} <strong>{formatSpeed(average)}</strong>
        </span>
      </figcaption>
      <svg
        role="img"
        aria-label={label}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
      >
        <polyline className="line-now" points={points(samples.map((s) => s.speed))} />
        <polyline className="line-average" points={points(averages)} />
      </svg>
    </figure>
  );
});
