import { useEffect, useId, useState } from 'react';
import type { Priority } from '../../shared/api/task.ts';
import { formatBytes, parseRate } from '../../shared/format.ts';
import { useApi, useApp } from '../app/context.ts';
import type { LogLine } from '../../shared/api/commands.ts';
import { useCommand } from '../app/use-command.ts';
import { useT } from '../i18n/i18n.ts';
import { displayName } from '../store/app-store.ts';
import { QueueControls } from './QueueControls.tsx';

const PRIORITIES: Priority[] = ['high', 'normal', 'low'];

/** Per-task controls for the selected download: priority, place in the queue, own speed limit. */
export function TaskDetails({ id }: { id: string }) {
  const t = useT();
  const run = useCommand();
  const notify = useApp((s) => s.notify);
  const priority = useApp((s) => s.tasks[id]?.priority);
  const limit = useApp((s) => s.tasks[id]?.options.limit ?? 0);
  const name = useApp((s) => {
    const task = s.tasks[id];
    return task ? displayName(task) : '';
  });
  const [draft, setDraft] = useState('');
  const ids = { priority: useId(), limit: useId() };
  useEffect(() => setDraft(limit ? formatBytes(limit).replace(/\s|i?B/g, '') : ''), [limit]);
  if (!priority) return null;

  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    try {
      void run('tasks.setLimit', { id, limit: draft.trim() ? parseRate(draft) : 0 });
    } catch (error) {
      notify('error', (error as Error).message);
    }
  };

  return (
    <form
      className="task-details-panel"
      aria-label={`${t('details.label')}: ${name}`}
      onSubmit={apply}
    >
      <label htmlFor={ids.priority}>{t('details.priority')}</label>
      <select
        id={ids.priority}
        value={priority}
        onChange={(e) =>
          void run('tasks.setPriority', { id, priority: e.target.value as Priority })
        }
      >
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {t(`priority.${p}`)}
          </option>
        ))}
      </select>
      <QueueControls id={id} />
      <label htmlFor={ids.limit}>{t('details.limit')}</label>
      <input
        id={ids.limit}
        value={draft}
        placeholder="∞"
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit">{t('details.apply')}</button>
      <TaskLog id={id} />
    </form>
  );
}

const LOG_REFRESH_MS = 2000;

/** The task's recent log lines, refreshed while shown. */
function TaskLog({ id }: { id: string }) {
  const t = useT();
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [lines, setLines] = useState<LogLine[]>([]);
  useEffect(() => {
    if (!open) return;
    let live = true;
    const load = () =>
      api
        .call('tasks.log', { id })
        .then((next) => live && setLines(next))
        .catch(() => {});
    void load();
    const timer = setInterval(load, LOG_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, id, open]);
  return (
    <details className="task-log" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('details.log')}</summary>
      {lines.length === 0 ? (
        <p className="hint">{t('details.logEmpty')}</p>
      ) : (
        <ol>
          {lines.slice(-30).map((line, i) => (
            <li key={`${line.time}-${i}`} className={`log-${line.level}`}>
              <time dateTime={new Date(line.time).toISOString()}>
                {new Date(line.time).toLocaleTimeString()}
              </time>{' '}
              <strong>{line.event}</strong> {line.text}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
