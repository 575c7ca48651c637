import { memo } from 'react';
import type { SegmentSnapshot } from '../../shared/api/task.ts';

interface Props {
  segments: readonly SegmentSnapshot[];
  size: number | null;
  label: string;
}

/** Which byte ranges each connection holds (outline) and has written (fill); live ones glow. */
export const SegmentMap = memo(function SegmentMap({ segments, size, label }: Props) {
  if (!size || segments.length === 0) return null;
  return (
    <svg
      className="segment-map"
      viewBox="0 0 1000 6"
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      {segments.map((segment) => {
        const x = (segment.start / size) * 1000;
        const end = segment.end ?? size;
        const width = Math.max(((end - segment.start) / size) * 1000, 0.5);
        const done = Math.min((segment.done / Math.max(end - segment.start, 1)) * width, width);
        return (
          <g key={segment.start}>
            <rect x={x} y={0} width={width} height={6} className="segment-range" />
            <rect
              x={x}
              y={0}
              width={done}
              height={6}
              className={segment.active ? 'segment-done active' : 'segment-done'}
            />
          </g>
        );
      })}
    </svg>
  );
});
