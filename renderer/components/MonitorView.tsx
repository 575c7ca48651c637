import { useShallow } from 'zustand/react/shallow';
import { formatSpeed } from '../../shared/format.ts';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { useApp } from '../app/context.ts';
import { useT } from '../i18n/i18n.ts';

interface Totals {
  active: number;
  queued: number;
  doneToday: number;
  failedToday: number;
}

interface HostRow {
  host: string;
  connections: number;
  speed: number;
}

/** Totals across all tasks, connections per host and recent errors: what a home server owner checks. */
export function MonitorView({ onClose }: { onClose(): void }) {
  const t = useT();
  const totals = useApp(useShallow((s) => countTotals(Object.values(s.tasks))));
  const hosts = useApp(
    useShallow((s) =>
      hostRows(Object.values(s.tasks)).map((h) => `${h.host}\t${h.connections}\t${h.speed}`),
    ),
  );
  const errors = useApp((s) => s.recentErrors);
  return (
    <section className="monitor" aria-labelledby="monitor-title">
      <div className="monitor-head">
        <h2 id="monitor-title">{t('monitor.title')}</h2>
        <button type="button" onClick={onClose}>
          {t('add.close')}
        </button>
      </div>
      <dl className="totals" aria-label={t('monitor.totals')}>
        {(
          [
            ['monitor.active', totals.active],
            ['monitor.queued', totals.queued],
            ['monitor.doneToday', totals.doneToday],
            ['monitor.failedToday', totals.failedToday],
          ] as const
        ).map(([key, value]) => (
          <div key={key}>
            <dt>{t(key)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>{t('monitor.hosts')}</h3>
      {hosts.length === 0 ? (
        <p className="hint">{t('monitor.noHosts')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('monitor.host')}</th>
              <th scope="col">{t('monitor.connections')}</th>
              <th scope="col">{t('monitor.speed')}</th>
            </tr>
          </thead>
          <tbody>
            {hosts.map((row) => {
              const [host, connections, speed] = row.split('\t');
              return (
                <tr key={host}>
                  <th scope="row">{host}</th>
                  <td>{connections}</td>
                  <td>{formatSpeed(Number(speed))}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <h3 id="monitor-errors">{t('monitor.errors')}</h3>
      {errors.length === 0 ? (
        <p className="hint">{t('monitor.noErrors')}</p>
      ) : (
        // Scrolled by the keyboard too: it takes the focus.
        <ol className="recent-errors" aria-labelledby="monitor-errors" tabIndex={0}>
          {[...errors].reverse().map((e) => (
            <li key={`${e.at}-${e.text}`}>
              <time dateTime={new Date(e.at).toISOString()}>
                {new Date(e.at).toLocaleTimeString()}
              </time>{' '}
              {e.text}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function countTotals(tasks: readonly TaskSnapshot[], now = Date.now()): Totals {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  const today = (t: TaskSnapshot) => (t.completedAt ?? t.createdAt) >= midnight.getTime();
  return {
    active: tasks.filter((t) => t.state === 'downloading').length,
    queued: tasks.filter((t) => t.state === 'queued').length,
    doneToday: tasks.filter((t) => t.state === 'completed' && today(t)).length,
    failedToday: tasks.filter((t) => t.state === 'failed' && today(t)).length,
  };
}

export function hostRows(tasks: readonly TaskSnapshot[]): HostRow[] {
  const rows = new Map<string, HostRow>();
  for (const task of tasks) {
    if (task.state !== 'downloading' || task.connections === 0) continue;
    let host: string;
    try {
      host = new URL(task.url).host;
    } catch {
      continue;
    }
    const row = rows.get(host) ?? { host, connections: 0, speed: 0 };
    row.connections += task.connections;
    row.speed += task.speed;
    rows.set(host, row);
  }
  return [...rows.values()].sort(
    (a, b) => b.connections - a.connections || a.host.localeCompare(b.host),
  );
}
