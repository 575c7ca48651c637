import {
  BrowserWindow,
  Notification,
  powerSaveBlocker,
  Tray,
  Menu,
  nativeImage,
  nativeTheme,
} from 'electron';
import type { ApiEvent } from '../../shared/api/api-events.ts';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import type { ApiHub } from '../api/api-hub.ts';
import { translator, type Translate } from '../../shared/i18n/translate.ts';
import { summarize, tooltip } from './progress-summary.ts';

const STATUS_INTERVAL_MS = 1000;

export interface StatusActions {
  show(): void;
  quit(): void;
}

/**
 * Everything the desktop shows outside the window: tray (menu + tooltip), taskbar/dock progress,
 * notifications when a download ends, and a power-save blocker while anything downloads.
 */
export class DesktopStatus {
  readonly #hub: ApiHub;
  // Held for the app's lifetime: a Tray or Notification that is garbage-collected disappears.
  readonly #tray: Tray;
  readonly #notifications = new Set<Notification>();
  readonly #states = new Map<string, TaskSnapshot['state']>();
  #blocker: number | null = null;
  #timer: NodeJS.Timeout;
  readonly #buildMenu: () => void;
  readonly #recolour: () => void;
  #language: string;

  /** `icon` names the tray icon for the theme of the moment: it is asked again when that changes. */
  constructor(hub: ApiHub, icon: () => string, actions: StatusActions) {
    this.#hub = hub;
    this.#language = hub.engine.settings.language;
    for (const task of hub.engine.list()) this.#states.set(task.id, task.state);
    this.#tray = new Tray(nativeImage.createFromPath(icon()));
    this.#recolour = () => this.#tray.setImage(nativeImage.createFromPath(icon()));
    nativeTheme.on('updated', this.#recolour);
    this.#tray.setToolTip('Braid');
    this.#tray.on('click', actions.show);
    const call = (command: 'tasks.pauseAll' | 'tasks.resumeAll') => {
      const connection = hub.connect(() => {});
      void connection.dispatch(command, {}).finally(() => connection.close());
    };
    this.#buildMenu = () => {
      const t = this.#t();
      this.#tray.setContextMenu(
        Menu.buildFromTemplate([
          { label: t('desktop.show'), click: actions.show },
          { type: 'separator' },
          { label: t('toolbar.pauseAll'), click: () => call('tasks.pauseAll') },
          { label: t('toolbar.resumeAll'), click: () => call('tasks.resumeAll') },
          { type: 'separator' },
          { label: t('desktop.quit'), click: actions.quit },
        ]),
      );
    };
    this.#buildMenu();
    hub.connect((events) => this.#onEvents(events));
    this.#timer = setInterval(() => this.#refresh(), STATUS_INTERVAL_MS);
    this.#refresh();
  }

  dispose(): void {
    clearInterval(this.#timer);
    nativeTheme.off('updated', this.#recolour);
    if (this.#blocker !== null) powerSaveBlocker.stop(this.#blocker);
    this.#tray.destroy();
  }

  #refresh(): void {
    const summary = summarize(this.#hub.engine.list());
    this.#tray.setToolTip(tooltip(summary, this.#t()));
    // setContextMenu again when the language changes: menus are built once, not bound.
    if (this.#language !== this.#hub.engine.settings.language) {
      this.#language = this.#hub.engine.settings.language;
      this.#buildMenu();
    }
    for (const win of BrowserWindow.getAllWindows()) win.setProgressBar(summary.fraction ?? -1);
    const busy = summary.downloading > 0;
    if (busy && this.#blocker === null) {
      this.#blocker = powerSaveBlocker.start('prevent-app-suspension');
    } else if (!busy && this.#blocker !== null) {
      powerSaveBlocker.stop(this.#blocker);
      this.#blocker = null;
    }
  }

  #onEvents(events: ApiEvent[]): void {
    for (const event of events) {
      if (event.type !== 'task-changed' && event.type !== 'task-added') continue;
      const before = this.#states.get(event.task.id);
      this.#states.set(event.task.id, event.task.state);
      if (before === event.task.state) continue;
      if (event.task.state === 'completed' || event.task.state === 'failed')
        this.#notify(event.task);
    }
  }

  #t(): Translate {
    return translator(this.#hub.engine.settings.language);
  }

  #notify(task: TaskSnapshot): void {
    if (!this.#hub.engine.settings.notifications || !Notification.isSupported()) return;
    const name = task.fileName ?? task.requestedName ?? task.url;
    const t = this.#t();
    const notification = new Notification({
      title: t(task.state === 'completed' ? 'desktop.completed' : 'desktop.failed'),
      body: task.state === 'completed' ? name : `${name}: ${task.error?.message ?? 'failed'}`,
      silent: task.state === 'completed',
    });
    this.#notifications.add(notification);
    const release = () => this.#notifications.delete(notification);
    notification.on('close', release);
    notification.on('click', release);
    notification.show();
  }
}
