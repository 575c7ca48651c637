import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp, useAppStore } from '../app/context.ts';
import { useQueueMove } from '../app/use-queue-move.ts';
import { useT } from '../i18n/i18n.ts';
import { visibleIds } from '../store/app-store.ts';
import { QUEUE_KEYS } from './QueueControls.tsx';
import { RemoveDialog } from './RemoveDialog.tsx';
import { TaskRow, type SelectHow } from './TaskRow.tsx';

export const ROW_HEIGHT = 104;
/**
 * Below this width (a phone's browser on `braid serve`) a row's buttons leave no room for its
 * details: they take a line of their own, and the row grows by one.
 */
const NARROW_WIDTH = 560;
const NARROW_ROW_HEIGHT = 128;

/** Whether the element is narrower than NARROW_WIDTH, followed as it resizes. */
function useNarrow(ref: React.RefObject<HTMLElement | null>): boolean {
  const [narrow, setNarrow] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setNarrow(element.clientWidth < NARROW_WIDTH));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return narrow;
}

/**
 * The download list: virtualised (only rows in view exist), a grid of one column whose rows are
 * selected as in a file manager: arrow keys move the selection, with Shift they extend it, with
 * Ctrl they move the focus alone (Ctrl+Space then toggles a row), and with Alt they move the
 * selected download in the queue. Click, Ctrl+click and Shift+click do the same with the mouse.
 */
export function TaskList() {
  const t = useT();
  const store = useAppStore();
  const ids = useApp(useShallow(visibleIds));
  const total = useApp((s) => s.ids.length);
  const selectedId = useApp((s) => s.selectedId);
  const selectedIds = useApp((s) => s.selectedIds);
  const select = useApp((s) => s.select);
  const toggleSelected = useApp((s) => s.toggleSelected);
  const selectRange = useApp((s) => s.selectRange);
  const focusRow = useApp((s) => s.focus);
  const askRemove = useApp((s) => s.askRemove);
  const moveInQueue = useQueueMove();
  const scrollRef = useRef<HTMLDivElement>(null);
  const focusAfterScroll = useRef<string | null>(null);
  const narrow = useNarrow(scrollRef);
  const rowHeight = narrow ? NARROW_ROW_HEIGHT : ROW_HEIGHT;
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 6,
    initialRect: { width: 800, height: 600 },
  });

  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);

  const rowOf = (id: string) =>
    scrollRef.current?.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
  useEffect(() => {
    const id = focusAfterScroll.current;
    if (!id) return;
    const row = rowOf(id);
    if (row) {
      focusAfterScroll.current = null;
      row.focus();
    }
  });

  // The selected task changed places: in the queue (a move, a new priority), and the list
  // follows it; or in the list (it started, completed), and the list follows it when it had the
  // focus, which it keeps even when its row left the rows rendered.
  const place = useApp(
    useShallow((s) => {
      const task = s.selectedId ? s.tasks[s.selectedId] : undefined;
      return task ? { id: task.id, priority: task.priority, order: task.order } : null;
    }),
  );
  const lastPlace = useRef({ place, index: -1 });
  const placeIndex = place ? ids.indexOf(place.id) : -1;
  useEffect(() => {
    const before = lastPlace.current;
    lastPlace.current = { place, index: placeIndex };
    if (!place || before.place?.id !== place.id || placeIndex === -1) return;
    const active = document.activeElement;
    const rowHadFocus = active === document.body || active === rowOf(place.id);
    const queueMoved = before.place !== place;
    if (!queueMoved && !(before.index !== placeIndex && rowHadFocus)) return;
    virtualizer.scrollToIndex(placeIndex);
    if (active !== document.body) return;
    const row = rowOf(place.id);
    if (row) row.focus();
    else focusAfterScroll.current = place.id;
  }, [place, placeIndex, virtualizer]);

  // The selected row was removed (from its dialog, which returned the focus onto nothing): the row
  // that took its place is selected and focused, so the keyboard goes on from there.
  const lastSelected = useRef<{ id: string; index: number } | null>(null);
  const selectedIndex = selectedId ? ids.indexOf(selectedId) : -1;
  if (selectedId && selectedIndex !== -1)
    lastSelected.current = { id: selectedId, index: selectedIndex };
  useEffect(() => {
    const last = lastSelected.current;
    if (selectedId !== null || !last || store.getState().tasks[last.id]) return;
    lastSelected.current = null;
    const next = ids[Math.min(last.index, ids.length - 1)];
    if (!next || document.activeElement !== document.body) return;
    select(next);
    focusAfterScroll.current = next;
  }, [ids, selectedId, select, store]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.altKey) {
      const move = QUEUE_KEYS[e.key];
      if (!move || !selectedId) return;
      e.preventDefault();
      moveInQueue(selectedId, move);
      return;
    }
    const moves: Record<string, (i: number) => number> = {
      ArrowDown: (i) => i + 1,
      ArrowUp: (i) => i - 1,
      Home: () => 0,
      End: () => ids.length - 1,
    };
    const mod = e.ctrlKey || e.metaKey;
    // On a row, not on one of its buttons, where Space presses the button.
    const onRow = (e.target as HTMLElement).getAttribute('role') === 'row';
    if (e.key === ' ' && mod && selectedId && onRow) {
      e.preventDefault();
      toggleSelected(selectedId);
      return;
    }
    const move = moves[e.key];
    if (!move || ids.length === 0) return;
    e.preventDefault();
    const current = selectedId ? ids.indexOf(selectedId) : -1;
    const next = Math.max(0, Math.min(ids.length - 1, move(current)));
    const id = ids[next] as string;
    if (e.shiftKey) selectRange(ids, id);
    else if (mod) focusRow(id);
    else select(id);
    focusAfterScroll.current = id;
    virtualizer.scrollToIndex(next);
  };

  const onRemove = useCallback(
    (id: string) => {
      const { selectedIds: chosen } = store.getState();
      askRemove(chosen.length > 1 && chosen.includes(id) ? chosen : [id]);
    },
    [askRemove, store],
  );
  const onSelect = useCallback(
    (id: string, how: SelectHow) => {
      if (how === 'range') selectRange(visibleIds(store.getState()), id);
      else if (how === 'toggle') toggleSelected(id);
      else select(id);
    },
    [select, selectRange, store, toggleSelected],
  );
  return (
    <div className="list-scroller" ref={scrollRef}>
      {ids.length === 0 && (
        <p className="list-empty">{total === 0 ? t('list.empty') : t('list.noMatch')}</p>
      )}
      <div
        role="grid"
        aria-multiselectable="true"
        aria-rowcount={ids.length}
        aria-label={t('list.label')}
        className={narrow ? 'task-list narrow' : 'task-list'}
        style={{ height: virtualizer.getTotalSize() }}
        onKeyDown={onKeyDown}
        tabIndex={selectedIndex === -1 && ids.length > 0 ? 0 : -1}
        onFocus={(e) => {
          if (e.target === e.currentTarget && ids[0]) {
            select(ids[0]);
            focusAfterScroll.current = ids[0];
          }
        }}
      >
        {virtualizer.getVirtualItems().map((item) => {
          const id = ids[item.index] as string;
          return (
            <TaskRow
              key={id}
              id={id}
              index={item.index}
              selected={selectedIds.includes(id)}
              focused={id === selectedId}
              onSelect={onSelect}
              onRemove={onRemove}
              style={{ transform: `translateY(${item.start}px)`, height: rowHeight }}
            />
          );
        })}
      </div>
      <RemoveDialog />
    </div>
  );
}
