import { useId, useState } from 'react';
import { SettingsPatchSchema, type Settings } from '../../shared/api/settings.ts';
import { LIMITS } from '../../shared/api/limits.ts';
import { formatBytes, parseRate } from '../../shared/format.ts';
import { useApi, useApp } from '../app/context.ts';
import { useT } from '../i18n/i18n.ts';
import { CategoriesEditor } from './CategoriesEditor.tsx';
import { Field, SelectField } from './Field.tsx';
import { Modal } from './Modal.tsx';
import { TimeWindowEditor } from './TimeWindowEditor.tsx';

export function SettingsDialog({ settings, onClose }: { settings: Settings; onClose(): void }) {
  const t = useT();
  const api = useApi();
  const info = useApp((s) => s.info);
  const notify = useApp((s) => s.notify);
  const [draft, setDraft] = useState(settings);
  const [limit, setLimit] = useState(
    settings.globalLimit ? formatBytes(settings.globalLimit).replace(/\s/g, '') : '',
  );
  const [slowLimit, setSlowLimit] = useState(
    formatBytes(settings.limitSchedule.limit).replace(/\s|i?B/g, ''),
  );
  const [error, setError] = useState<string | null>(null);
  /** The count field the error is about, marked for assistive technology. */
  const [badField, setBadField] = useState<CountKey | null>(null);
  const errorId = useId();
  const patch = (change: Partial<Settings>) => setDraft((d) => ({ ...d, ...change }));

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    const bad = COUNT_KEYS.find(
      (key) => !SettingsPatchSchema.safeParse({ [key]: draft[key] }).success,
    );
    setBadField(bad ?? null);
    if (bad) {
      setError(t('settings.errorCount', { label: t(`settings.${bad}`), max: COUNT_MAX[bad] }));
      return;
    }
    let globalLimit: number;
    let scheduledLimit: number;
    try {
      globalLimit = limit.trim() ? parseRate(limit) : 0;
      scheduledLimit = slowLimit.trim() ? parseRate(slowLimit) : 0;
    } catch (problem) {
      setError(t('add.errorLimit', { message: (problem as Error).message }));
      return;
    }
    try {
      await api.call('settings.update', {
        downloadDir: draft.downloadDir.trim(),
        maxConcurrent: draft.maxConcurrent,
        connections: draft.connections,
        globalLimit,
        theme: draft.theme,
        language: draft.language,
        notifications: draft.notifications,
        proxyMode: draft.proxyMode,
        proxyUrl: draft.proxyUrl.trim(),
        whenDone: draft.whenDone,
        clipboardWatch: draft.clipboardWatch,
        schedule: draft.schedule,
        useCategories: draft.useCategories,
        categories: draft.categories,
        limitSchedule: { ...draft.limitSchedule, limit: scheduledLimit },
      });
      notify('info', t('settings.saved'));
      onClose();
    } catch (problem) {
      setError((problem as Error).message);
    }
  };

  return (
    <Modal title={t('settings.title')} onClose={onClose} className="settings-dialog">
      <form onSubmit={save} noValidate>
        <Field
          label={t('settings.downloadDir')}
          hint={t('settings.downloadDirHint', { dir: info?.defaultDownloadDir ?? '' })}
        >
          {(id, hint) => (
            <input
              id={id}
              data-autofocus
              value={draft.downloadDir}
              placeholder={info?.defaultDownloadDir}
              onChange={(e) => patch({ downloadDir: e.target.value })}
              aria-describedby={hint}
            />
          )}
        </Field>
        <div className="grid">
          {COUNT_KEYS.map((key) => (
            <CountField
              key={key}
              label={t(`settings.${key}`)}
              value={draft[key]}
              max={COUNT_MAX[key]}
              errorId={badField === key ? errorId : null}
              onChange={(value) => patch({ [key]: value })}
            />
          ))}
          <Field label={t('settings.globalLimit')} hint={t('add.limitHint')}>
            {(id, hint) => (
              <input
                id={id}
                value={limit}
                placeholder="∞"
                onChange={(e) => setLimit(e.target.value)}
                aria-describedby={hint}
              />
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
              <input
                id={id}
                value={draft.proxyUrl}
                disabled={draft.proxyMode !== 'custom'}
                aria-describedby={hint}
                spellCheck={false}
                onChange={(e) => patch({ proxyUrl: e.target.value })}
              />
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
        <p className="hint">{t('schedule.hint')}</p>
        <TimeWindowEditor
          label={t('schedule.download')}
          value={draft.schedule}
          onChange={(schedule) => patch({ schedule })}
        />
        <TimeWindowEditor
          label={t('schedule.limit')}
          value={draft.limitSchedule}
          onChange={(limitSchedule) =>
            patch({ limitSchedule: { ...limitSchedule, limit: draft.limitSchedule.limit } })
          }
        >
          <input
            aria-label={t('schedule.limitRate')}
            className="rate"
            value={slowLimit}
            disabled={!draft.limitSchedule.enabled}
            onChange={(e) => setSlowLimit(e.target.value)}
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
        {error && (
          <p className="errors" role="alert" id={errorId}>
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button
            type="button"
            className="push-left"
            disabled={!info?.canOpenFiles}
            title={info?.canOpenFiles ? undefined : t('action.desktopOnly')}
            onClick={() =>
              void api.call('app.openLogs', {}).catch((e: Error) => setError(e.message))
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
    </Modal>
  );
}

const COUNT_KEYS = ['maxConcurrent', 'connections'] as const;
type CountKey = (typeof COUNT_KEYS)[number];
const COUNT_MAX: Record<CountKey, number> = {
  maxConcurrent: LIMITS.maxConcurrent,
  connections: LIMITS.maxConnections,
};

function CountField(props: {
  label: string;
  value: number;
  max: number;
  /** The message about this field, when there is one. */
  errorId: string | null;
  onChange(value: number): void;
}) {
  return (
    <Field label={props.label}>
      {(id) => (
        <input
          id={id}
          type="number"
          min={1}
          max={props.max}
          aria-invalid={props.errorId ? true : undefined}
          aria-errormessage={props.errorId ?? undefined}
          value={props.value}
          onChange={(e) => props.onChange(Number(e.target.value))}
        />
      )}
    </Field>
  );
}
