import { useEffect, useMemo, useState } from 'react';
import type { Settings } from '../../shared/api/settings.ts';
import type { BraidApi } from '../../shared/ipc/braid-api.ts';
import { ConnectionBanner } from '../components/ConnectionBanner.tsx';
import { AddDialog } from '../components/AddDialog.tsx';
import { AfterQueueCountdown } from '../components/AfterQueueCountdown.tsx';
import { LinkOffer } from '../components/LinkOffer.tsx';
import { MonitorView } from '../components/MonitorView.tsx';
import { Notices } from '../components/Notices.tsx';
import { ScheduleBadge } from '../components/ScheduleBadge.tsx';
import { SettingsDialog } from '../components/SettingsDialog.tsx';
import { SpeedGraph } from '../components/SpeedGraph.tsx';
import { TaskDetails } from '../components/TaskDetails.tsx';
import { TaskList } from '../components/TaskList.tsx';
import { I18nContext, translator, useT } from '../i18n/i18n.ts';
import { formatBytes } from '../../shared/format.ts';
import { linksFromFiles, linksFromTransfer, MAX_LIST_FILE_BYTES } from '../input/link-text.ts';
import { displayName, FILTERS, visibleIds, type AppStore } from '../store/app-store.ts';
import { ApiContext, StoreContext, useApi, useApp, useAppStore } from './context.ts';
import { errorText } from './error-text.ts';
import { shortcutHint } from './shortcut-hint.ts';
import { useCommand } from './use-command.ts';

export function App({ api, store }: { api: BraidApi; store: AppStore }) {
  return (
    <ApiContext.Provider value={api}>
      <StoreContext.Provider value={store}>
        <Localized />
      </StoreContext.Provider>
    </ApiContext.Provider>
  );
}

function Localized() {
  const language = useApp((s) => s.settings?.language ?? 'en');
  const theme = useApp((s) => s.settings?.theme ?? 'system');
  const t = useMemo(() => translator(language), [language]);
  useTheme(theme);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  return (
    <I18nContext.Provider value={t}>
      <Shell />
    </I18nContext.Provider>
  );
}

/** `system` follows the OS setting live, without a reload. */
function useTheme(theme: Settings['theme']) {
  useEffect(() => {
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    const apply = () => {
      const dark = theme === 'dark' || (theme === 'system' && media?.matches === true);
      document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
    };
    apply();
    media?.addEventListener?.('change', apply);
    return () => media?.removeEventListener?.('change', apply);
  }, [theme]);
}

function Shell() {
  const t = useT();
  const run = useCommand();
  const settings = useApp((s) => s.settings);
  const pendingAdd = useApp((s) => s.pendingAdd);
  const requestAdd = useApp((s) => s.requestAdd);
  const clearAddRequest = useApp((s) => s.clearAddRequest);
  const store = useAppStore();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [monitorOpen, setMonitorOpen] = useState(false);

  useEffect(() => {
    const isEditable = (target: EventTarget | null) =>
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    // Without preventDefault on dragover a dropped link would navigate the window away.
    const onDragOver = (e: DragEvent) => {
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    // Links go to the add dialog, open or not; under another dialog they would open one out of
    // sight, which would take the keyboard.
    const underOtherDialog = () =>
      [...document.querySelectorAll('[role="dialog"]')].some(
        (dialog) => !dialog.classList.contains('add-dialog'),
      );
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      if (!e.dataTransfer || underOtherDialog()) return;
      const links = linksFromTransfer(e.dataTransfer);
      if (links.length) requestAdd(links);
      else if (e.dataTransfer.files.length) void takeFiles([...e.dataTransfer.files]);
    };
    // A file of links is read; anything else dropped is said, not ignored.
    const takeFiles = async (files: File[]) => {
      const { links, refused } = await linksFromFiles(files);
      if (links.length) requestAdd(links);
      if (refused.length) {
        const max = formatBytes(MAX_LIST_FILE_BYTES);
        store.getState().notify('error', t('drop.notList', { names: refused.join(', '), max }));
      }
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isEditable(e.target) || !e.clipboardData || underOtherDialog()) return;
      const links = linksFromTransfer(e.clipboardData);
      if (links.length) {
        e.preventDefault();
        requestAdd(links);
      }
    };
    // Shortcuts act on the app, not inside a text field (except the ones with a modifier).
    const onKeyDown = (e: KeyboardEvent) => {
      if (document.querySelector('[role="dialog"]')) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      const state = store.getState();
      if ((mod && !e.shiftKey && key === 'n') || (key === 'insert' && !isEditable(e.target))) {
        e.preventDefault();
        requestAdd([]);
      } else if (mod && e.shiftKey && key === 'p') {
        e.preventDefault();
        void run('tasks.pauseAll', {});
      } else if (mod && e.shiftKey && key === 'r') {
        e.preventDefault();
        void run('tasks.resumeAll', {});
      } else if (mod && key === 'a' && !isEditable(e.target)) {
        e.preventDefault();
        state.selectAll(visibleIds(state));
      } else if (key === 'delete' && !isEditable(e.target)) {
        // Only rows on screen: one that left the filter since (it completed) stays.
        const shown = new Set(visibleIds(state));
        const ids = state.selectedIds.filter((id) => shown.has(id));
        if (ids.length === 0) return;
        e.preventDefault();
        state.askRemove(ids);
      }
    };
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
      document.removeEventListener('paste', onPaste);
    };
  }, [requestAdd, run, store, t]);

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="brand">{t('app.title')}</h1>
        <div
          className="toolbar"
          role="toolbar"
          aria-label={t('toolbar.label')}
          aria-description={t('shortcuts.label')}
        >
          <button
            type="button"
            className="primary"
            onClick={() => requestAdd([])}
            aria-keyshortcuts="Control+N Meta+N Insert"
            title={shortcutHint(t('toolbar.new'), 'Ctrl+N')}
          >
            {t('toolbar.new')}
          </button>
          <button
            type="button"
            onClick={() => run('tasks.pauseAll', {})}
            aria-keyshortcuts="Control+Shift+P Meta+Shift+P"
            title={shortcutHint(t('toolbar.pauseAll'), 'Ctrl+Shift+P')}
          >
            {t('toolbar.pauseAll')}
          </button>
          <button
            type="button"
            onClick={() => run('tasks.resumeAll', {})}
            aria-keyshortcuts="Control+Shift+R Meta+Shift+R"
            title={shortcutHint(t('toolbar.resumeAll'), 'Ctrl+Shift+R')}
          >
            {t('toolbar.resumeAll')}
          </button>
          <ExportButton />
          <button
            type="button"
            aria-pressed={monitorOpen}
            onClick={() => setMonitorOpen((open) => !open)}
          >
            {t('toolbar.monitor')}
          </button>
          <button type="button" onClick={() => setSettingsOpen(true)} disabled={!settings}>
            {t('toolbar.settings')}
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <div className="controls" role="search" aria-label={t('controls.label')}>
        <FilterBar />
        <ScheduleBadge />
        <SearchBox />
      </div>
      <Graphs />
      {monitorOpen && <MonitorView onClose={() => setMonitorOpen(false)} />}
      <main className="content">
        <TaskList />
      </main>
      <Notices />
      <AfterQueueCountdown />
      <LinkOffer />
      {pendingAdd && <AddDialog urls={pendingAdd.urls} onClose={clearAddRequest} />}
      {settingsOpen && settings && (
        <SettingsDialog settings={settings} onClose={() => setSettingsOpen(false)} />
      )}
    </div>
  );
}

/** Saves the task list (credentials stripped by the host) as a JSON file. */
function ExportButton() {
  const t = useT();
  const api = useApi();
  const notify = useApp((s) => s.notify);
  const save = async () => {
    try {
      const json = await api.call('tasks.export', {});
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      link.download = `braid-tasks-${new Date().toISOString().slice(0, 10)}.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      notify('info', t('toolbar.exported'));
    } catch (error) {
      notify('error', errorText(error, t));
    }
  };
  return (
    <button type="button" onClick={() => void save()}>
      {t('toolbar.export')}
    </button>
  );
}

function FilterBar() {
  const t = useT();
  const filter = useApp((s) => s.filter);
  const setFilter = useApp((s) => s.setFilter);
  return (
    <fieldset className="filters">
      <legend className="visually-hidden">{t('filters.label')}</legend>
      {FILTERS.map((f) => (
        <label key={f} className={filter === f ? 'checked' : undefined}>
          <input
            type="radio"
            name="filter"
            value={f}
            checked={filter === f}
            onChange={() => setFilter(f)}
          />
          {t(`filters.${f}`)}
        </label>
      ))}
    </fieldset>
  );
}

function SearchBox() {
  const t = useT();
  const search = useApp((s) => s.search);
  const setSearch = useApp((s) => s.setSearch);
  return (
    <input
      type="search"
      className="search"
      aria-label={t('search.label')}
      placeholder={t('search.placeholder')}
      value={search}
      onChange={(e) => setSearch(e.target.value)}
    />
  );
}

function Graphs() {
  const t = useT();
  const appSpeed = useApp((s) => s.appSpeed);
  const selectedId = useApp((s) => s.selectedId);
  const selectedName = useApp((s) => {
    const task = s.selectedId ? s.tasks[s.selectedId] : undefined;
    return task ? displayName(task) : null;
  });
  const taskSpeed = useApp((s) => (s.selectedId ? s.taskSpeed[s.selectedId] : undefined));
  return (
    <section className="graphs" aria-label={t('graphs.label')}>
      <SpeedGraph samples={appSpeed} title={t('speed.app')} />
      {selectedId !== null && selectedName !== null && (
        <div className="selected-task">
          <SpeedGraph samples={taskSpeed ?? []} title={t('speed.task', { name: selectedName })} />
          <TaskDetails id={selectedId} />
        </div>
      )}
    </section>
  );
}
