import { memo, useEffect, useReducer } from 'react';
import { formatSpeed } from '../../shared/format.ts';
import type { SpeedSample } from '../../shared/speed-samples.ts';
import { useApp } from '../app/context.ts';
import { useT } from '../i18n/i18n.ts';
import { AVERAGE_MS, PLOT_HEIGHT, PLOT_WIDTH, plotSpeed, SAMPLE_MS } from './speed-plot.ts';

interface Props {
  samples: readonly SpeedSample[];
  title: string;
}

/** Instant speed and its moving average over the last minutes, as an accessible image. */
export const SpeedGraph = memo(function SpeedGraph({ samples, title }: Props) {
  const t = useT();
  const at = useHostTime(samples.at(-1)?.at);
  const { now, average, speedPoints, averagePoints } = plotSpeed(samples, at);
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
        viewBox={`0 0 ${PLOT_WIDTH} ${PLOT_HEIGHT}`}
        preserveAspectRatio="none"
      >
        <line
          className="baseline"
          x1={0}
          y1={PLOT_HEIGHT - 1}
          x2={PLOT_WIDTH}
          y2={PLOT_HEIGHT - 1}
        />
        <polyline className="line-now" points={speedPoints} />
        <polyline className="line-average" points={averagePoints} />
      </svg>
    </figure>
  );
});

/**
 * The host's time now. No sample comes while nothing runs: read again each second until the
 * average over the silence since `lastAt` has fallen to zero.
 */
function useHostTime(lastAt: number | undefined): number {
  const offset = useApp((s) => s.clockOffset);
  const [, tick] = useReducer((n: number) => n + 1, 0);
  const at = Date.now() - offset;
  const falling = lastAt !== undefined && at - lastAt <= AVERAGE_MS;
  useEffect(() => {
    if (!falling) return;
    const timer = setTimeout(tick, SAMPLE_MS);
    return () => clearTimeout(timer);
  });
  return at;
}
