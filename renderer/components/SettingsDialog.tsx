import { useState } from 'react';
import type { Settings } from '../../shared/api/settings.ts';
import { formatBytes, parseRate } from '../../shared/format.ts';
import { useApi, useApp } from '../app/context.ts';
import { useT } from '../i18n/i18n.ts';
import { Modal } from './Modal.tsx';

export function SettingsDialog({ settings, onClose }: { settings: Settings; onClose(): void }) {
  const t = useT();
  const api = useApi();
  const info = useApp((s) => s.info);
  const notify = useApp((s) => s.notify);
  const [draft, setDraft] = useState(settings);
  const [limit, setLimit] = useState(
    settings.globalLimit ? formatBytes(settings.globalLimit).replace(/\s/g, '') : '',
  );
  const [error, setError] = useState<string | null>(null);
  const patch = (change: Partial<Settings>) => setDraft((d) => ({ ...d, ...change }));

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    let globalLimit: number;
    try {
      globalLimit = limit.trim() ? parseRate(limit) : 0;
    } catch (problem) {
      setError((problem as Error).message);
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
        <div className="field">
          <label htmlFor="settings-dir">{t('settings.downloadDir')}</label>
          <input
            id="settings-dir"
            data-autofocus
            value={draft.downloadDir}
            placeholder={info?.defaultDownloadDir}
            onChange={(e) => patch({ downloadDir: e.target.value })}
            aria-describedby="settings-dir-hint"
          />
          <span className="hint" id="settings-dir-hint">
            {t('settings.downloadDirHint', { dir: info?.defaultDownloadDir ?? '' })}
          </span>
        </div>
        <div className="grid">
          <div className="field">
            <label htmlFor="settings-concurrent">{t('settings.maxConcurrent')}</label>
            <input
              id="settings-concurrent"
              type="number"
              min={1}
              max={32}
              value={draft.maxConcurrent}
              onChange={(e) => patch({ maxConcurrent: Number(e.target.value) })}
            />
          </div>
          <div className="field">
            <label htmlFor="settings-connections">{t('settings.connections')}</label>
            <input
              id="settings-connections"
              type="number"
              min={1}
              max={32}
              value={draft.connections}
              onChange={(e) => patch({ connections: Number(e.target.value) })}
            />
          </div>
          <div className="field">
            <label htmlFor="settings-limit">{t('settings.globalLimit')}</label>
            <input
              id="settings-limit"
              value={limit}
              placeholder="∞"
              onChange={(e) => setLimit(e.target.value)}
              aria-describedby="settings-limit-hint"
            />
            <span className="hint" id="settings-limit-hint">
              {t('add.limitHint')}
            </span>
          </div>
          <div className="field">
            <label htmlFor="settings-theme">{t('settings.theme')}</label>
            <select
              id="settings-theme"
              value={draft.theme}
              onChange={(e) => patch({ theme: e.target.value as Settings['theme'] })}
            >
              <option value="system">{t('settings.theme.system')}</option>
              <option value="light">{t('settings.theme.light')}</option>
              <option value="dark">{t('settings.theme.dark')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="settings-language">{t('settings.language')}</label>
            <select
              id="settings-language"
              value={draft.language}
              onChange={(e) => patch({ language: e.target.value as Settings['language'] })}
            >
              <option value="en">English</option>
              <option value="zh-CN">简体中文</option>
            </select>
          </div>
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.notifications}
            onChange={(e) => patch({ notifications: e.target.checked })}
          />
          {t('settings.notifications')}
        </label>
        {error && (
          <p className="errors" role="alert">
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
