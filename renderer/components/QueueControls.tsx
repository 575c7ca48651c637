import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../app/context.ts';
import { useQueueMove } from '../app/use-queue-move.ts';
import { useT } from '../i18n/i18n.ts';
import { QUEUE_MOVES, queuePlace, type QueueMove } from '../store/queue-order.ts';
import { shortcutHint } from '../app/shortcut-hint.ts';

/** With Alt, on the list: the keys that move the selected download in the queue. */
export const QUEUE_KEYS: Readonly<Record<string, QueueMove>> = {
  Home: 'top',
  ArrowUp: 'up',
  ArrowDown: 'down',
  End: 'bottom',
};
const KEY_OF = Object.fromEntries(Object.entries(QUEUE_KEYS).map(([key, move]) => [move, key]));
const KEY_LABEL: Record<string, string> = { ArrowUp: '↑', ArrowDown: '↓' };

/**
 * Moves a waiting download in the queue, beside its priority. A move that is not possible stays
 * focusable (aria-disabled): after "Move to top" the focus stays on the button instead of falling
 * to the page.
 */
export function QueueControls({ id }: { id: string }) {
  const t = useT();
  const move = useQueueMove();
  const place = useApp(useShallow((s) => queuePlace(s.tasks, id)));
  const priority = useApp((s) => s.tasks[id]?.priority);
  const labelId = useId();
  const placeId = useId();
  if (!place || !priority) return null;
  const first = place.index === 0;
  const last = place.index === place.count - 1;
  const possible: Record<QueueMove, boolean> = {
    top: !first,
    up: !first,
    down: !last,
    bottom: !last,
  };
  return (
    <div className="queue-place" role="group" aria-labelledby={labelId} aria-describedby={placeId}>
      <span id={labelId}>{t('queue.label')}</span>
      <span id={placeId}>
        {t('queue.place', {
          place: place.index + 1,
          count: place.count,
          priority: t(`priority.${priority}`),
        })}
      </span>
      {QUEUE_MOVES.map((m) => (
        <button
          key={m}
          type="button"
          aria-disabled={!possible[m]}
          aria-keyshortcuts={`Alt+${KEY_OF[m]}`}
          title={shortcutHint(t(`queue.${m}`), `Alt+${KEY_LABEL[KEY_OF[m]!] ?? KEY_OF[m]}`)}
          onClick={() => move(id, m)}
        >
          {t(`queue.${m}`)}
        </button>
      ))}
    </div>
  );
}
