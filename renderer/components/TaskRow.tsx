import { memo, useId, useLayoutEffect, useRef } from 'react';
import type { TaskError, TaskSnapshot, TaskState, TaskVerifying } from '../../shared/api/task.ts';
import type { MessageKey } from '../../shared/i18n/en.ts';
import { formatBytes, formatEta, formatSpeed } from '../../shared/format.ts';
import { useApp } from '../app/context.ts';
import { useCommand } from '../app/use-command.ts';
import { useReasonText } from '../app/error-text.ts';
import { useT, type Translate } from '../i18n/i18n.ts';
import { displayName } from '../store/app-store.ts';
import { SegmentMap } from './SegmentMap.tsx';

/** A click alone selects the row; with Ctrl it toggles it, with Shift it selects up to it. */
export type SelectHow = 'one' | 'toggle' | 'range';

interface Props {
  id: string;
  selected: boolean;
  /** The row keyboard focus sits on (one per list). */
  focused: boolean;
  onSelect(id: string, how: SelectHow): void;
  onRemove(id: string): void;
  style: React.CSSProperties;
  index: number;
}

/** One download; subscribes to its own task only, so progress elsewhere does not re-render it. */
export const TaskRow = memo(function TaskRow(props: Props) {
  const task = useApp((s) => s.tasks[props.id]);
  if (!task) return null;
  return <Row {...props} task={task} />;
});

function Row({
  task,
  selected,
  focused,
  onSelect,
  onRemove,
  style,
  index,
}: Props & { task: TaskSnapshot }) {
  const t = useT();
  const name = displayName(task);
  // While its file is checked against its checksum, the bar shows how far that is.
  const verifying = task.state === 'downloading' ? task.verifying : null;
  const percent = verifying
    ? verifiedPercent(verifying)
    : task.state === 'completed'
      ? 100
      : task.size
        ? Math.min(100, Math.floor((task.downloaded / task.size) * 100))
        : null;
  // A bar that moves says bytes are coming: only while they do (not while waiting to retry), when
  // the size is unknown.
  const busy = percent === null && task.state === 'downloading' && !task.retry;
  const text = details(task, t, useReasonText());
  const detailsId = useId();
  const rowRef = useRef<HTMLDivElement>(null);
  const keepFocus = useKeepFocus(rowRef);
  return (
    <div
      ref={rowRef}
      className={`task state-${task.state}${selected ? ' selected' : ''}`}
      style={style}
      role="row"
      aria-rowindex={index + 1}
      aria-selected={selected}
      aria-current={focused ? 'true' : undefined}
      aria-describedby={detailsId}
      tabIndex={focused ? 0 : -1}
      data-id={task.id}
      onClick={(e) =>
        onSelect(task.id, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'one')
      }
      onFocus={(e) => {
        keepFocus.onFocus(e);
        if (e.target === e.currentTarget && !focused) onSelect(task.id, 'one');
      }}
      onBlur={keepFocus.onBlur}
      onKeyDown={(e) => {
        if (e.key === 'Delete' && e.target === e.currentTarget) {
          e.preventDefault();
          onRemove(task.id);
        }
      }}
    >
      <div className="task-cell" role="gridcell">
        <div className="task-head">
          <span className="task-name" title={`${name}\n${task.url}`}>
            {name}
          </span>
          <span className={`task-state badge-${task.state}`}>
            {verifying ? t('task.verifyingState') : t(`state.${task.state}`)}
          </span>
        </div>
        <div
          className="progress"
          role="progressbar"
          aria-label={name}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent ?? undefined}
          aria-valuetext={
            verifying
              ? t('task.verifying', { algorithm: verifying.algorithm, percent: percent ?? 0 })
              : percent === null
                ? formatBytes(task.downloaded)
                : `${percent}%`
          }
        >
          <div
            className={busy ? 'progress-fill indeterminate' : 'progress-fill'}
            style={{ width: busy ? undefined : `${percent ?? 0}%` }}
          />
        </div>
        <SegmentMap
          segments={task.segments}
          size={task.size}
          label={t('task.segments', { name })}
        />
        <div className="task-foot">
          <span className="task-details" id={detailsId} title={text}>
            {text}
          </span>
          <Actions task={task} onRemove={onRemove} inTabOrder={focused} />
        </div>
      </div>
    </div>
  );
}

function details(task: TaskSnapshot, t: Translate, reason: (error: TaskError) => string): string {
  // Its data is gone with the cancel (and with it the size): "0 B of size unknown" said nothing.
  // An error says what it kept (a finished file it was fetching again after an OS crash).
  if (task.state === 'canceled') return task.error ? reason(task.error) : t('task.canceled');
  // Nothing known yet of a download that has not started: say that, not "0 B of size unknown".
  if (task.downloaded === 0 && task.size === null) {
    if (task.state === 'queued') return t('task.waiting');
    if (task.state === 'failed' && task.error) return reason(task.error);
  }
  const size = task.size === null ? t('task.sizeUnknown') : formatBytes(task.size);
  if (task.state === 'downloading' && task.verifying) {
    const { algorithm } = task.verifying;
    return [
      size,
      t('task.verifying', { algorithm, percent: verifiedPercent(task.verifying) }),
    ].join(' · ');
  }
  const parts = [
    task.state === 'completed'
      ? size
      : t('task.of', { done: formatBytes(task.downloaded), total: size }),
  ];
  if (task.state === 'downloading' && task.retry) {
    const { attempt, maxAttempts, at, message } = task.retry;
    const seconds = Math.max(0, Math.ceil((at - Date.now()) / 1000));
    parts.push(t('task.retrying', { attempt, max: maxAttempts, seconds }), message);
  } else if (task.state === 'downloading') {
    parts.push(formatSpeed(task.speed));
    if (task.eta !== null) parts.push(t('task.eta', { eta: formatEta(task.eta) }));
    if (task.connections > 0) parts.push(t('task.connections', { count: task.connections }));
  }
  if (task.error && (task.state === 'failed' || task.state === 'paused'))
    parts.push(reason(task.error));
  return parts.join(' · ');
}

function verifiedPercent({ hashed, total }: TaskVerifying): number {
  return total > 0 ? Math.min(100, Math.floor((hashed / total) * 100)) : 100;
}

/**
 * A button of the row that had the focus went (Cancel once canceled; Pause once completed): the
 * focus goes to the button in its place, or to the row, never to the page body.
 */
function useKeepFocus(rowRef: React.RefObject<HTMLDivElement | null>) {
  const had = useRef<Element | null>(null);
  useLayoutEffect(() => {
    const gone = had.current;
    const active = document.activeElement;
    if (!gone || gone.isConnected || (active && active !== document.body)) return;
    had.current = null;
    const row = rowRef.current;
    (row?.querySelector<HTMLElement>('[data-primary]') ?? row)?.focus();
  });
  return {
    onFocus: (e: React.FocusEvent) => void (had.current = e.target),
    onBlur: (e: React.FocusEvent) => {
      // Left for somewhere else, not lost with the element.
      if (e.relatedTarget && !rowRef.current?.contains(e.relatedTarget)) had.current = null;
    },
  };
}

/** The row's first button: what its state lets the user do next. */
const PRIMARY: Partial<
  Record<TaskState, { label: MessageKey; command: 'tasks.pause' | 'tasks.resume' | 'tasks.retry' }>
> = {
  queued: { label: 'action.pause', command: 'tasks.pause' },
  downloading: { label: 'action.pause', command: 'tasks.pause' },
  paused: { label: 'action.resume', command: 'tasks.resume' },
  failed: { label: 'action.retry', command: 'tasks.retry' },
  canceled: { label: 'action.retry', command: 'tasks.retry' },
};

/**
 * Only the focused row's buttons are in the Tab order: Tab leaves a list of hundreds in a few
 * steps, and the arrow keys move between rows.
 */
function Actions({
  task,
  onRemove,
  inTabOrder,
}: {
  task: TaskSnapshot;
  onRemove(id: string): void;
  inTabOrder: boolean;
}) {
  const t = useT();
  const run = useCommand();
  const canOpen = useApp((s) => s.info?.canOpenFiles ?? false);
  const notify = useApp((s) => s.notify);
  const id = task.id;
  const state = task.state;
  const button = (label: string, onClick: () => void, primary?: boolean) => (
    <button
      type="button"
      tabIndex={inTabOrder ? undefined : -1}
      data-primary={primary || undefined}
      onClick={(e) => (e.stopPropagation(), onClick())}
    >
      {label}
    </button>
  );
  const primary = PRIMARY[state];
  // In a browser, the file is on the machine braid serve runs on: it is taken home instead.
  const inBrowser = useApp((s) => s.info?.shell === 'browser');
  return (
    <div className="task-actions" role="group" aria-label={displayName(task)}>
      {/* One place for Pause, Resume and Retry: the button pressed stays, focused, as the next. */}
      {primary && button(t(primary.label), () => run(primary.command, { id }), true)}
      {(state === 'queued' || state === 'downloading' || state === 'paused') &&
        button(t('action.cancel'), () => run('tasks.cancel', { id }))}
      {state === 'completed' &&
        canOpen &&
        button(t('action.open'), () => run('files.open', { id }))}
      {state === 'completed' &&
        canOpen &&
        button(t('action.showInFolder'), () => run('files.showInFolder', { id }))}
      {state === 'completed' && inBrowser && (
        <a
          className="button"
          href={`/files/${encodeURIComponent(id)}`}
          download={task.fileName ?? true}
          tabIndex={inTabOrder ? undefined : -1}
          onClick={(e) => e.stopPropagation()}
        >
          {t('action.save')}
        </a>
      )}
      {button(t('action.copyLink'), () => {
        navigator.clipboard
          ?.writeText(task.url)
          .then(() => notify('info', t('action.copied')))
          .catch((error: Error) => notify('error', error.message));
      })}
      {button(t('action.remove'), () => onRemove(id))}
    </div>
  );
}
