import { useEffect, useId, useRef, useState } from 'react';
import type { ProbeResult } from '../../shared/api/commands.ts';
import { LIMITS } from '../../shared/api/limits.ts';
import { AddTaskInputSchema, ConnectionsSchema, type AddTaskInput } from '../../shared/api/task.ts';
import { formatBytes, parseRate } from '../../shared/format.ts';
import { expandUrlPatterns, UrlPatternError } from '../../shared/url-patterns.ts';
import { useShallow } from 'zustand/react/shallow';
import { useApi, useApp } from '../app/context.ts';
import { errorText, useReasonText } from '../app/error-text.ts';
import { displayName } from '../store/app-store.ts';
import { useT, type Translate } from '../i18n/i18n.ts';
import { Field } from './Field.tsx';
import { Modal } from './Modal.tsx';
import { shortcutHint } from '../app/shortcut-hint.ts';
import { parseHeaderLines } from '../input/header-lines.ts';
import { linkProblem } from '../input/link-problem.ts';
import { addParts } from '../app/add-in-parts.ts';
import { linksFromFiles, MAX_LIST_FILE_BYTES } from '../input/link-text.ts';
import type { ImportedOptions } from '../input/task-list-file.ts';

const PROBE_DELAY_MS = 400;

interface Props {
  /** Every link handed to the dialog: those handed over while it is open join its box. */
  urls: readonly string[];
  onClose(): void;
}

type Algorithm = '' | 'sha256' | 'sha1' | 'md5';

export function AddDialog({ urls: handed, onClose }: Props) {
  const t = useT();
  const api = useApi();
  const settings = useApp((s) => s.settings);
  const info = useApp((s) => s.info);
  const [text, setText] = useState(handed.join('\n'));
  // A drop or paste on the open dialog adds to what is typed there, nothing else changing.
  const taken = useRef(handed.length);
  useEffect(() => {
    const more = handed.slice(taken.current);
    taken.current = handed.length;
    if (more.length) setText((current) => withLines(current, more.join('\n')));
  }, [handed]);
  const [dir, setDir] = useState('');
  const [fileName, setFileName] = useState('');
  const [connections, setConnections] = useState(String(settings?.connections ?? 8));
  const [limit, setLimit] = useState('');
  const [algorithm, setAlgorithm] = useState<Algorithm>('');
  const [checksum, setChecksum] = useState('');
  const [headers, setHeaders] = useState('');
  const [mirrors, setMirrors] = useState('');
  // What the links of an imported Braid export keep (folder, name, headers, …), by link.
  const [imported, setImported] = useState<ReadonlyMap<string, ImportedOptions>>(new Map());
  const [errors, setErrors] = useState<FormError[]>([]);
  /** Marks the control a message is about, and points it at the messages. */
  const invalid = (field: FormField) =>
    errors.some((e) => e.field === field)
      ? { 'aria-invalid': true, 'aria-errormessage': ids.errors }
      : {};
  const [busy, setBusy] = useState(false);
  const [probe, setProbe] = useState<
    | { state: 'idle' | 'busy' }
    | { state: 'done'; result: ProbeResult }
    | { state: 'failed'; message: string }
  >({ state: 'idle' });
  const reasonText = useReasonText();
  const ids = { url: useId(), hint: useId(), errors: useId() };

  let listed: string[] = [];
  let patternError: string | null = null;
  try {
    listed = expandUrlPatterns(text);
  } catch (error) {
    patternError = error instanceof UrlPatternError ? patternText(error, t) : String(error);
  }
  // A link given twice (pasted again, in two ranges) is one download, not a.bin and a (1).bin.
  const urls = [...new Set(listed)];
  const repeated = listed.length - urls.length;
  const importedCount = urls.filter((url) => imported.has(url)).length;
  // One link is asked about before adding; for several, a first one's name and size would read
  // as if they were all of them.
  const single = urls.length === 1 ? urls[0] : undefined;
  // Links already in the list (a second copy is allowed, but should not come as a surprise).
  const known = useApp(
    useShallow((s) => {
      const wanted = new Set(urls);
      return Object.values(s.tasks)
        .filter((task) => wanted.has(task.url))
        .map(displayName);
    }),
  );

  useEffect(() => {
    if (!single || !AddTaskInputSchema.shape.url.safeParse(single).success) {
      setProbe({ state: 'idle' });
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      setProbe({ state: 'busy' });
      api
        .call('tasks.probe', { url: single })
        .then((result) => current && setProbe({ state: 'done', result }))
        .catch((error: Error & { reason?: string }) => {
          // The engine's code, where the host gave one, says it in the UI's language.
          const message = reasonText({ code: error.reason ?? '', message: error.message });
          if (current) setProbe({ state: 'failed', message });
        });
    }, PROBE_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [single, api, reasonText]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const built = buildInputs(
      {
        urls,
        patternError,
        dir,
        fileName,
        connections,
        limit,
        algorithm,
        checksum,
        headers,
        mirrors,
        imported,
      },
      t,
    );
    if ('errors' in built) {
      setErrors(built.errors);
      return;
    }
    setErrors([]);
    setBusy(true);
    let added = 0;
    try {
      for (const part of addParts(built.tasks)) {
        await api.call('tasks.add', { tasks: part });
        added += part.length;
      }
      onClose();
    } catch (error) {
      const message = errorText(error, t);
      if (added === 0) {
        setErrors([{ field: 'url', message }]);
      } else {
        // What was added stays added: the box keeps only the rest, so adding again repeats none.
        setText(
          built.tasks
            .slice(added)
            .map((task) => task.url)
            .join('\n'),
        );
        const total = built.tasks.length;
        setErrors([{ field: 'url', message: t('add.errorPartly', { added, total, message }) }]);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t('add.title')} onClose={onClose} className="add-dialog">
      <form
        onSubmit={submit}
        noValidate
        onKeyDown={(e) => {
          // Enter in the links box starts a new line; Ctrl+Enter (⌘+Enter) adds, as in chat apps.
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            e.currentTarget.requestSubmit();
          }
        }}
      >
        <label htmlFor={ids.url}>{t('add.url')}</label>
        <textarea
          id={ids.url}
          data-autofocus
          rows={Math.min(6, Math.max(2, text.split('\n').length))}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-describedby={ids.hint}
          {...invalid('url')}
          spellCheck={false}
        />
        <label className="import-file">
          {t('add.import')}
          <input
            type="file"
            accept=".txt,.lst,.list,.json,text/plain,application/json"
            onChange={async (e) => {
              const input = e.target;
              const file = input.files?.[0];
              if (!file) return;
              const found = await linksFromFiles([file]);
              input.value = '';
              if (found.links.length)
                setText((current) => withLines(current, found.links.join('\n')));
              setImported((current) => new Map([...current, ...found.imported]));
              const names = found.refused.join(', ');
              const max = formatBytes(MAX_LIST_FILE_BYTES);
              setErrors(
                names ? [{ field: 'url', message: t('drop.notList', { names, max }) }] : [],
              );
            }}
          />
        </label>
        <p className="hint" id={ids.hint}>
          {repeated > 0
            ? t('add.repeated', { count: urls.length, repeated })
            : urls.length > 1
              ? t('add.count', { count: urls.length })
              : t('add.urlHint')}
        </p>
        {importedCount > 0 && (
          <p className="hint" role="status">
            {t('add.imported', { count: importedCount })}
          </p>
        )}
        {known.length > 0 && (
          <p className="hint known" role="status">
            {t('add.known', {
              names: known.slice(0, 3).join(', ') + (known.length > 3 ? ', …' : ''),
            })}
          </p>
        )}
        <p className="probe" aria-live="polite">
          {probe.state === 'busy' && t('add.probing')}
          {probe.state === 'done' &&
            t('add.probed', {
              name: probe.result.fileName,
              size:
                probe.result.size === null ? t('task.sizeUnknown') : formatBytes(probe.result.size),
            })}
          {probe.state === 'failed' && t('add.probeFailed', { message: probe.message })}
        </p>
        <div className="grid">
          <Field label={t('add.dir')}>
            {(id) => (
              <input
                id={id}
                value={dir}
                {...invalid('dir')}
                placeholder={settings?.downloadDir || info?.defaultDownloadDir}
                onChange={(e) => setDir(e.target.value)}
              />
            )}
          </Field>
          <Field label={t('add.fileName')} hint={t('add.fileNameHint')}>
            {(id, hint) => (
              <input
                id={id}
                value={fileName}
                aria-describedby={hint}
                {...invalid('fileName')}
                placeholder={probe.state === 'done' ? probe.result.fileName : ''}
                disabled={urls.length > 1}
                onChange={(e) => setFileName(e.target.value)}
              />
            )}
          </Field>
          <Field label={t('add.connections')}>
            {(id) => (
              <input
                id={id}
                type="number"
                min={1}
                max={32}
                value={connections}
                {...invalid('connections')}
                onChange={(e) => setConnections(e.target.value)}
              />
            )}
          </Field>
          <Field label={t('add.limit')} hint={t('add.limitHint')}>
            {(id, hint) => (
              <input
                id={id}
                value={limit}
                aria-describedby={hint}
                {...invalid('limit')}
                onChange={(e) => setLimit(e.target.value)}
              />
            )}
          </Field>
        </div>
        <details>
          <summary>{t('add.more')}</summary>
          <div className="grid">
            <Field label={t('add.checksumAlgorithm')}>
              {(id) => (
                <select
                  id={id}
                  value={algorithm}
                  onChange={(e) => setAlgorithm(e.target.value as Algorithm)}
                >
                  <option value="">{t('add.none')}</option>
                  <option value="sha256">SHA-256</option>
                  <option value="sha1">SHA-1</option>
                  <option value="md5">MD5</option>
                </select>
              )}
            </Field>
            <Field label={t('add.checksum')}>
              {(id) => (
                <input
                  id={id}
                  value={checksum}
                  disabled={!algorithm}
                  {...invalid('checksum')}
                  spellCheck={false}
                  onChange={(e) => setChecksum(e.target.value)}
                />
              )}
            </Field>
          </div>
          <Field label={t('add.headers')} hint={t('add.headersHint')}>
            {(id, hint) => (
              <textarea
                id={id}
                rows={3}
                value={headers}
                aria-describedby={hint}
                {...invalid('headers')}
                spellCheck={false}
                onChange={(e) => setHeaders(e.target.value)}
              />
            )}
          </Field>
          <Field label={t('add.mirrors')} hint={t('add.mirrorsHint')}>
            {(id, hint) => (
              <textarea
                id={id}
                rows={2}
                value={mirrors}
                aria-describedby={hint}
                {...invalid('mirrors')}
                disabled={urls.length > 1}
                spellCheck={false}
                onChange={(e) => setMirrors(e.target.value)}
              />
            )}
          </Field>
        </details>
        {errors.length > 0 && (
          // The alert wraps the list: a role on the <ul> itself would take away its list semantics.
          <div className="errors" role="alert" id={ids.errors}>
            <ul>
              {errors.map((error) => (
                <li key={error.message}>{error.message}</li>
              ))}
            </ul>
          </div>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>
            {t('add.close')}
          </button>
          <button
            type="submit"
            className="primary"
            disabled={busy}
            aria-keyshortcuts="Control+Enter Meta+Enter"
            title={shortcutHint(t('add.submit'), 'Ctrl+Enter')}
          >
            {t('add.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The patterns' problem in the UI's words. */
function patternText({ problem }: UrlPatternError, t: Translate): string {
  return problem.kind === 'backwards'
    ? t('add.errorBackwards', { range: problem.range })
    : t('add.errorTooMany', { max: problem.max });
}

/** The links box with more lines after its own. */
function withLines(text: string, more: string): string {
  return [text.trim(), more.trim()].filter(Boolean).join('\n');
}

export interface AddForm {
  urls: string[];
  patternError: string | null;
  dir: string;
  fileName: string;
  connections: string;
  limit: string;
  algorithm: Algorithm;
  checksum: string;
  headers: string;
  /** Other URLs of the same file, one per line (single download only). */
  mirrors: string;
  /** What links imported from a Braid export keep where the form leaves a field empty. */
  imported?: ReadonlyMap<string, ImportedOptions>;
}

const FIELDS = [
  'url',
  'dir',
  'fileName',
  'connections',
  'limit',
  'checksum',
  'headers',
  'mirrors',
] as const;
type FormField = (typeof FIELDS)[number];
/** A message and the control it is about. */
export interface FormError {
  field: FormField;
  message: string;
}

/** The form as `tasks.add` inputs, validated with the same schemas the engine applies. */
export function buildInputs(
  form: AddForm,
  t: Translate,
): { tasks: AddTaskInput[] } | { errors: FormError[] } {
  const errors: FormError[] = [];
  const error = (field: FormField, message: string) => {
    if (!errors.some((e) => e.message === message)) errors.push({ field, message });
  };
  if (form.patternError) return { errors: [{ field: 'url', message: form.patternError }] };
  if (form.urls.length === 0) return { errors: [{ field: 'url', message: t('add.errorUrl') }] };
  const { headers, badLines } = parseHeaderLines(form.headers);
  for (const line of badLines) error('headers', t('add.errorHeader', { line }));
  let limit: number | undefined;
  if (form.limit.trim()) {
    try {
      limit = parseRate(form.limit);
    } catch {
      // In the UI's words, as the settings say it (parseRate's own are English, for the CLI).
      error('limit', t('settings.errorLimit', { label: t('add.limit') }));
    }
  }
  const count = Number(form.connections);
  const badCount = form.connections.trim() !== '' && !ConnectionsSchema.safeParse(count).success;
  if (badCount) error('connections', t('add.errorConnections', { max: LIMITS.maxConnections }));
  const mirrorList = form.mirrors
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const mirrorProblems = (form.urls.length === 1 ? mirrorList : []).flatMap((mirror) => {
    const problem = linkProblem(mirror, t);
    if (!problem) return [];
    const message = `${mirror.slice(0, 120)} — ${problem}`;
    return [t('add.errorField', { label: t('add.mirrors'), message })];
  });
  for (const problem of mirrorProblems) error('mirrors', problem);
  const mirrors = form.urls.length === 1 && mirrorProblems.length === 0 ? mirrorList : [];
  const tasks: AddTaskInput[] = [];
  for (const url of form.urls) {
    const problem = linkProblem(url, t);
    if (problem) {
      error('url', `${url.slice(0, 120)} — ${problem}`);
      if (errors.length >= 10) break;
      continue;
    }
    // An imported link keeps its own options; what the form says overrides them.
    const own = form.imported?.get(url) ?? {};
    const allHeaders = { ...own.headers, ...headers };
    const input = {
      ...own,
      url,
      ...(form.dir.trim() ? { dir: form.dir.trim() } : {}),
      ...(form.fileName.trim() && form.urls.length === 1 ? { fileName: form.fileName.trim() } : {}),
      ...(form.connections.trim() && !badCount ? { connections: count } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(Object.keys(allHeaders).length ? { headers: allHeaders } : {}),
      ...(mirrors.length ? { mirrors } : {}),
      ...(form.algorithm
        ? { checksum: { algorithm: form.algorithm, expected: form.checksum.trim() } }
        : {}),
    };
    const parsed = AddTaskInputSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = FIELDS.find((f) => f === issue.path[0]) ?? 'url';
        // A field's problem is the form's, said once with its label; a link's names the link.
        error(
          field,
          field === 'url'
            ? `${url.slice(0, 120)} — ${issue.message}`
            : t('add.errorField', { label: t(`add.${field}`), message: issue.message }),
        );
      }
    } else {
      tasks.push(input);
    }
    if (errors.length >= 10) break;
  }
  return errors.length ? { errors } : { tasks };
}
