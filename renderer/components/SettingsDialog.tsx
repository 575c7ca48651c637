import { useEffect, useId, useRef, useState } from 'react';
import type { Settings } from '../../shared/api/settings.ts';
import type { MessageKey } from '../../shared/i18n/en.ts';
import { useApi, useApp } from '../app/context.ts';
import { errorText } from '../app/error-text.ts';
import { translator, useT } from '../i18n/i18n.ts';
import { CategoriesEditor } from './CategoriesEditor.tsx';
import { Field, SelectField } from './Field.tsx';
import {
  FieldError,
  FieldProblemContext,
  invalidProps,
  useInvalid,
  type FieldProblem,
} from './FieldProblem.tsx';
import { clockTime, clocksDiffer, hostClock, useNow } from './host-clock.ts';
import { Modal } from './Modal.tsx';
import { rebaseForm, settingsForm, type FormField } from './settings-form.ts';
import { COUNT_KEYS, COUNT_MAX, settingsPatch } from './settings-patch.ts';
import { TimeWindowEditor } from './TimeWindowEditor.tsx';

export function SettingsDialog({ settings, onClose }: { settings: Settings; onClose(): void }) {
  const t = useT();
  const api = useApi();
  const info = useApp((s) => s.info);
  const notify = useApp((s) => s.notify);
  // The host's settings as last seen: what the form's untouched fields show, and what a save
  // compares with to send only the user's changes.
  const [base, setBase] = useState(settings);
  const [form, setForm] = useState(() => settingsForm(settings));
  const [clashes, setClashes] = useState<FormField[]>([]);
  const [saving, setSaving] = useState(false);
  if (settings !== base) {
    // Changed elsewhere (another window) while open. While this dialog's own save is under way
    // the host's normalised values (~ expanded) are not someone else's.
    const rebased = rebaseForm(form, base, settings);
    setBase(settings);
    setForm(rebased.form);
    if (!saving && rebased.clashes.length > 0) {
      setClashes((known) => [...new Set([...known, ...rebased.clashes])]);
    }
  }
  const draft = form.settings;
  const [problem, setProblem] = useState<FieldProblem | null>(null);
  const errorId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const patch = (change: Partial<Settings>) =>
    setForm((f) => ({ ...f, settings: { ...f.settings, ...change } }));
  const setLimit = (globalLimit: string) => setForm((f) => ({ ...f, globalLimit }));
  const setSlowLimit = (scheduledLimit: string) => setForm((f) => ({ ...f, scheduledLimit }));
  // The keyboard goes to the field a refused save is about.
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [problem]);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    const built = settingsPatch(form, base, t);
    if ('problem' in built) {
      setProblem(built.problem);
      return;
    }
    setProblem(null);
    setSaving(true);
    try {
      await api.call('settings.update', built.patch);
      notify('info', translator(draft.language)('settings.saved'));
      onClose();
    } catch (failure) {
      setProblem({ field: '', message: errorText(failure, t) });
    } finally {
      setSaving(false);
    }
  };

  const invalid = (field: string) => invalidProps(problem, errorId, field);
  return (
    <Modal title={t('settings.title')} onClose={onClose} className="settings-dialog">
      <FieldProblemContext.Provider value={{ problem, id: errorId }}>
        <form ref={formRef} onSubmit={save} noValidate>
          {clashes.length > 0 && (
            <p className="hint" role="status">
              {t('settings.changedElsewhere', {
                fields: clashes.map((f) => t(FIELD_LABELS[f])).join(t('schedule.daySeparator')),
              })}
            </p>
          )}
          <Field
            label={t('settings.downloadDir')}
            hint={t('settings.downloadDirHint', { dir: info?.defaultDownloadDir ?? '' })}
          >
            {(id, hint) => (
              <>
                <input
                  id={id}
                  data-autofocus
                  value={draft.downloadDir}
                  placeholder={info?.defaultDownloadDir}
                  onChange={(e) => patch({ downloadDir: e.target.value })}
                  aria-describedby={hint}
                  {...invalid('downloadDir')}
                />
                <FieldError under="downloadDir" />
              </>
            )}
          </Field>
          <div className="grid">
            {COUNT_KEYS.map((key) => (
              <CountField
                key={key}
                label={t(`settings.${key}`)}
                value={draft[key]}
                max={COUNT_MAX[key]}
                field={key}
                onChange={(value) => patch({ [key]: value })}
              />
            ))}
            <Field label={t('settings.globalLimit')} hint={t('add.limitHint')}>
              {(id, hint) => (
                <>
                  <input
                    id={id}
                    value={form.globalLimit}
                    placeholder="∞"
                    onChange={(e) => setLimit(e.target.value)}
                    aria-describedby={hint}
                    {...invalid('globalLimit')}
                  />
                  <FieldError under="globalLimit" />
                </>
              )}
            </Field>
            <SelectField
              label={t('settings.theme')}
              value={draft.theme}
              options={(['system', 'light', 'dark'] as const).map(
                (v) => [v, t(`settings.theme.${v}`)] as const,
              )}
              onChange={(theme) => patch({ theme })}
            />
            <SelectField
              label={t('settings.language')}
              value={draft.language}
              options={[
                ['en', 'English'],
                ['zh-CN', '简体中文'],
              ]}
              onChange={(language) => patch({ language })}
            />
            <SelectField
              label={t('whenDone.label')}
              value={draft.whenDone}
              options={[
                ['nothing', t('whenDone.nothing')],
                ...(info?.afterQueueActions ?? []).map((a) => [a, t(`whenDone.${a}`)] as const),
              ]}
              onChange={(whenDone) => patch({ whenDone })}
            />
            <SelectField
              label={t('settings.proxy')}
              value={draft.proxyMode}
              options={(['system', 'none', 'custom'] as const).map(
                (v) => [v, t(`settings.proxy.${v}`)] as const,
              )}
              onChange={(proxyMode) => patch({ proxyMode })}
            />
            <Field label={t('settings.proxyUrl')} hint={t('settings.proxyUrlHint')}>
              {(id, hint) => (
                <>
                  <input
                    id={id}
                    value={draft.proxyUrl}
                    disabled={draft.proxyMode !== 'custom'}
                    aria-describedby={hint}
                    spellCheck={false}
                    onChange={(e) => patch({ proxyUrl: e.target.value })}
                    {...invalid('proxyUrl')}
                  />
                  <FieldError under="proxyUrl" />
                </>
              )}
            </Field>
          </div>
          {info?.shell === 'electron' && (
            <label className="check">
              <input
                type="checkbox"
                checked={draft.clipboardWatch}
                onChange={(e) => patch({ clipboardWatch: e.target.checked })}
              />
              {t('clipboard.setting')}
            </label>
          )}
          <h3>{t('categories.title')}</h3>
          <CategoriesEditor
            enabled={draft.useCategories}
            categories={draft.categories}
            onChange={patch}
          />
          <h3>{t('schedule.title')}</h3>
          <ScheduleHint />
          <TimeWindowEditor
            name="schedule"
            label={t('schedule.download')}
            value={draft.schedule}
            onChange={(schedule) => patch({ schedule })}
          />
          <TimeWindowEditor
            name="limitSchedule"
            label={t('schedule.limit')}
            value={draft.limitSchedule}
            onChange={(limitSchedule) =>
              patch({ limitSchedule: { ...limitSchedule, limit: draft.limitSchedule.limit } })
            }
          >
            <input
              aria-label={t('schedule.limitRate')}
              className="rate"
              value={form.scheduledLimit}
              disabled={!draft.limitSchedule.enabled}
              onChange={(e) => setSlowLimit(e.target.value)}
              {...invalid('limitSchedule.limit')}
            />
          </TimeWindowEditor>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.notifications}
              onChange={(e) => patch({ notifications: e.target.checked })}
            />
            {t('settings.notifications')}
          </label>
          <FieldError under="" />
          <div className="modal-actions">
            <button
              type="button"
              className="push-left"
              disabled={!info?.canOpenFiles}
              title={info?.canOpenFiles ? undefined : t('action.desktopOnly')}
              onClick={() =>
                void api
                  .call('app.openLogs', {})
                  .catch((e: Error) => setProblem({ field: '', message: errorText(e, t) }))
              }
            >
              {t('settings.openLogs')}
            </button>
            <button type="button" onClick={onClose}>
              {t('settings.close')}
            </button>
            <button type="submit" className="primary">
              {t('settings.save')}
            </button>
          </div>
        </form>
      </FieldProblemContext.Provider>
    </Modal>
  );
}

/** Schedules run on the host's clock: where the browser's differs, says the host's zone and time. */
function ScheduleHint() {
  const t = useT();
  const zone = useApp((s) => s.info?.timeZone);
  const now = useNow(true);
  const host = hostClock(now, zone);
  return (
    <p className="hint">
      {clocksDiffer(now, host)
        ? t('schedule.hintHost', { zone: zone ?? '', time: clockTime(host) })
        : t('schedule.hint')}
    </p>
  );
}

/** Each field's name as the dialog labels it. */
const FIELD_LABELS = {
  downloadDir: 'settings.downloadDir',
  maxConcurrent: 'settings.maxConcurrent',
  connections: 'settings.connections',
  globalLimit: 'settings.globalLimit',
  theme: 'settings.theme',
  language: 'settings.language',
  whenDone: 'whenDone.label',
  proxyMode: 'settings.proxy',
  proxyUrl: 'settings.proxyUrl',
  clipboardWatch: 'clipboard.setting',
  useCategories: 'categories.use',
  categories: 'categories.title',
  schedule: 'schedule.download',
  limitSchedule: 'schedule.limit',
  'limitSchedule.limit': 'schedule.limitRate',
  notifications: 'settings.notifications',
} as const satisfies Record<FormField, MessageKey>;

function CountField(props: {
  label: string;
  value: number;
  max: number;
  field: string;
  onChange(value: number): void;
}) {
  const invalid = useInvalid();
  return (
    <Field label={props.label}>
      {(id) => (
        <>
          <input
            id={id}
            type="number"
            min={1}
            max={props.max}
            value={props.value}
            onChange={(e) => props.onChange(Number(e.target.value))}
            {...invalid(props.field)}
          />
          <FieldError under={props.field} />
        </>
      )}
    </Field>
  );
}
