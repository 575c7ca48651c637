import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { HeadersSchema, HttpUrlSchema, type Priority } from '../../shared/api/task.ts';
import { LIMITS } from '../../shared/api/limits.ts';
import { formatRate, parseRate } from '../../shared/format.ts';
import { useApi, useApp } from '../app/context.ts';
import type { LogLine } from '../../shared/api/commands.ts';
import { useCommand } from '../app/use-command.ts';
import { useT } from '../i18n/i18n.ts';
import { LINK_CHANGEABLE } from '../../shared/task-transitions.ts';
import { displayName } from '../store/app-store.ts';
import { headerLines, parseHeaderLines } from '../input/header-lines.ts';
import { linkProblem } from '../input/link-problem.ts';
import { parseChecksumText } from '../input/checksum-text.ts';
import { QueueControls } from './QueueControls.tsx';

const PRIORITIES: Priority[] = ['high', 'normal', 'low'];
const CONNECTION_CHOICES = Array.from({ length: LIMITS.maxConnections }, (_, i) => i + 1);

/**
 * Per-task controls for the selected download: priority, connections, place in the queue, own
 * speed limit.
 */
export function TaskDetails({ id }: { id: string }) {
  const t = useT();
  const run = useCommand();
  const notify = useApp((s) => s.notify);
  const priority = useApp((s) => s.tasks[id]?.priority);
  const limit = useApp((s) => s.tasks[id]?.options.limit ?? 0);
  const connections = useApp((s) => s.tasks[id]?.options.connections ?? 1);
  const name = useApp((s) => {
    const task = s.tasks[id];
    return task ? displayName(task) : '';
  });
  const [draft, setDraft] = useState('');
  const ids = { priority: useId(), connections: useId(), limit: useId() };
  useEffect(() => setDraft(limit ? formatRate(limit) : ''), [limit]);
  if (!priority) return null;

  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    try {
      void run('tasks.setLimit', { id, limit: draft.trim() ? parseRate(draft) : 0 });
    } catch {
      notify('error', t('settings.errorLimit', { label: t('details.limit') }));
    }
  };

  return (
    <>
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
        <label htmlFor={ids.connections}>{t('details.connections')}</label>
        <select
          id={ids.connections}
          value={connections}
          onChange={(e) =>
            void run('tasks.setConnections', { id, connections: Number(e.target.value) })
          }
        >
          {CONNECTION_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n}
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
      <LinkForm key={id} id={id} name={name} />
    </>
  );
}

/**
 * The download's link, and a new one for the same file where the old expired or moved: a failed
 * download is retried with it and goes on from the bytes it kept (the engine checks they fit).
 * Its headers too, for a link that wants a new cookie or token, and its expected checksum, for one
 * that failed its check against a wrong value: the retry checks the kept data, not fetching it
 * again. Keyed by the download: what is typed for one is never shown, nor used, for another.
 */
function LinkForm({ id, name }: { id: string; name: string }) {
  const t = useT();
  const run = useCommand();
  const url = useApp((s) => s.tasks[id]?.url ?? '');
  const headers = useApp(useShallow((s) => s.tasks[id]?.options.headers ?? {}));
  const state = useApp((s) => s.tasks[id]?.state);
  const shownChecksum = useApp((s) => s.tasks[id]?.options.checksum?.expected ?? '');
  const shownHeaders = headerLines(headers);
  const [draft, setDraft] = useState(url);
  const [headerDraft, setHeaderDraft] = useState(shownHeaders);
  const [checksumDraft, setChecksumDraft] = useState(shownChecksum);
  // What is wrong with what was typed, and in which field.
  const [problem, setProblem] = useState<{ field: Field; message: string } | null>(null);
  const ids = {
    link: useId(),
    headers: useId(),
    checksum: useId(),
    hint: useId(),
    headersHint: useId(),
    checksumHint: useId(),
    problem: useId(),
  };
  const changeable = !!state && LINK_CHANGEABLE.includes(state);
  // A download that starts running shows the link it runs with, not one typed before it started.
  useEffect(() => {
    setDraft(url);
    setHeaderDraft(shownHeaders);
    setChecksumDraft(shownChecksum);
    setProblem(null);
  }, [url, shownHeaders, shownChecksum, changeable]);
  if (!state) return null;

  const headersEdited = headerDraft.trim() !== shownHeaders;
  const checksumEdited = checksumDraft.trim().toLowerCase() !== shownChecksum;
  const edited = draft.trim() !== url || headersEdited || checksumEdited;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!changeable || !edited) return;
    const link = draft.trim();
    const parsed = HttpUrlSchema.safeParse(link);
    if (!parsed.success) {
      // In the UI's words where the add dialog has them (the schema's are English).
      const message = linkProblem(link, t) ?? parsed.error.issues[0]?.message;
      setProblem({ field: 'link', message: message ?? t('details.linkInvalid') });
      return;
    }
    const typed = parseHeaderLines(headerDraft);
    if (typed.badLines.length) {
      setProblem({ field: 'headers', message: t('add.errorHeader', { line: typed.badLines[0]! }) });
      return;
    }
    const given = HeadersSchema.safeParse(typed.headers);
    if (!given.success) {
      setProblem({ field: 'headers', message: given.error.issues[0]?.message ?? '' });
      return;
    }
    const checksum = parseChecksumText(checksumDraft);
    if (checksum === undefined) {
      setProblem({ field: 'checksum', message: t('details.checksumInvalid') });
      return;
    }
    setProblem(null);
    const relinked = parsed.data !== url || headersEdited;
    if (!relinked && !checksumEdited) return;
    let changed = state;
    if (checksumEdited) {
      // Before the retry below: it keeps the data of a failed check only for a new checksum.
      const answer = await run('tasks.setChecksum', { id, checksum });
      if (!answer) return;
      changed = answer.state;
    }
    if (relinked) {
      // Headers left as they were are not sent: the engine then keeps them, or drops the
      // credentials among them when the new link is on another server.
      const answer = await run('tasks.setUrl', {
        id,
        url: parsed.data,
        ...(headersEdited ? { headers: given.data } : {}),
      });
      if (!answer) return;
      changed = answer.state;
    }
    if (changed === 'failed') await run('tasks.retry', { id });
  };

  const describedBy = (field: Field) =>
    [
      changeable ? null : ids.hint,
      changeable && field === 'headers' ? ids.headersHint : null,
      changeable && field === 'checksum' ? ids.checksumHint : null,
      problem?.field === field ? ids.problem : null,
    ]
      .filter(Boolean)
      .join(' ') || undefined;
  return (
    <form
      className="task-link"
      aria-label={`${t('details.link')}: ${name}`}
      // Checked here, in the UI's words (and with its "did you mean https://…?"), not the browser's.
      noValidate
      onSubmit={(e) => void submit(e)}
    >
      <label htmlFor={ids.link}>{t('details.link')}</label>
      <input
        id={ids.link}
        type="url"
        value={draft}
        readOnly={!changeable}
        spellCheck={false}
        aria-invalid={problem?.field === 'link' ? true : undefined}
        aria-describedby={describedBy('link')}
        onChange={(e) => setDraft(e.target.value)}
      />
      <label htmlFor={ids.headers}>{t('details.headers')}</label>
      <textarea
        id={ids.headers}
        rows={2}
        value={headerDraft}
        readOnly={!changeable}
        spellCheck={false}
        aria-invalid={problem?.field === 'headers' ? true : undefined}
        aria-describedby={describedBy('headers')}
        onChange={(e) => setHeaderDraft(e.target.value)}
      />
      <label htmlFor={ids.checksum}>{t('details.checksum')}</label>
      <input
        id={ids.checksum}
        value={checksumDraft}
        readOnly={!changeable}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={problem?.field === 'checksum' ? true : undefined}
        aria-describedby={describedBy('checksum')}
        onChange={(e) => setChecksumDraft(e.target.value)}
      />
      {/* Not `disabled`: the button pressed becomes unusable, and Chromium would drop its focus. */}
      <button type="submit" aria-disabled={!changeable || !edited}>
        {t('details.useLink')}
      </button>
      {changeable && (
        <span id={ids.headersHint} className="task-link-hint">
          {t('details.headersHint')}
        </span>
      )}
      {changeable && (
        <span id={ids.checksumHint} className="task-link-hint">
          {t('details.checksumHint')}
        </span>
      )}
      {!changeable && (
        <span id={ids.hint} className="task-link-hint">
          {t(state === 'completed' ? 'details.linkDone' : 'details.linkPause')}
        </span>
      )}
      {problem && (
        <span id={ids.problem} className="task-link-problem" role="alert">
          {problem.message}
        </span>
      )}
    </form>
  );
}

type Field = 'link' | 'headers' | 'checksum';

const LOG_REFRESH_MS = 2000;

/** The task's recent log lines, refreshed while shown. */
function TaskLog({ id }: { id: string }) {
  const t = useT();
  const api = useApi();
  const language = useApp((s) => s.settings?.language ?? 'en');
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
        // Scrolled by the keyboard too: it takes the focus, with a name to say what it is.
        <ol tabIndex={0} aria-label={t('details.log')}>
          {lines.slice(-30).map((line, i) => (
            <li key={`${line.time}-${i}`} className={`log-${line.level}`}>
              <time dateTime={new Date(line.time).toISOString()}>
                {new Date(line.time).toLocaleTimeString(language)}
              </time>{' '}
              <strong>{line.event}</strong> {line.text}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
