import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiEvent } from '../../shared/api/api-events.ts';
import type { AfterQueue, AppInfo, AppState } from '../../shared/api/commands.ts';
import type { Settings } from '../../shared/api/settings.ts';
import type { TaskSnapshot, TaskState } from '../../shared/api/task.ts';
import type { Connection } from '../../shared/ipc/braid-api.ts';
import { withError, type RecentError } from '../../shared/recent-errors.ts';
import { withSample, type SpeedSample } from '../../shared/speed-samples.ts';
import { byQueueOrder } from './queue-order.ts';

const MAX_NOTICES = 5;

export type Filter = 'all' | 'active' | 'completed' | 'failed' | 'canceled';

/**
 * Each state under one filter besides All. A download the user canceled is their choice, not a
 * failure: it has a filter of its own (to find it again and retry it), not a place among Failed.
 */
const FILTER_STATES: Record<Filter, readonly TaskState[] | null> = {
  all: null,
  active: ['queued', 'downloading', 'paused'],
  completed: ['completed'],
  failed: ['failed'],
  canceled: ['canceled'],
};

/** The filter bar's choices, in order. */
export const FILTERS = Object.keys(FILTER_STATES) as Filter[];

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
  /** About the connection being down: it goes once the connection is back. */
  untilConnected?: boolean;
}

export interface StoreState {
  info: AppInfo | null;
  settings: Settings | null;
  /** Task ids in list order (sortIds); changes only when tasks come, go or change places. */
  ids: string[];
  tasks: Record<string, TaskSnapshot>;
  appSpeed: SpeedSample[];
  taskSpeed: Record<string, SpeedSample[]>;
  /**
   * Our clock minus the host's, as of the last speed sample heard (a remote braid serve's clock
   * may differ); 0 before one is, as on the one machine.
   */
  clockOffset: number;
  filter: Filter;
  search: string;
  /** The focused task (detail panel, keyboard position); selected too, unless Ctrl moved it. */
  selectedId: string | null;
  /** Every selected task (click, Ctrl+click, Shift+click, Shift+arrows, Ctrl+Space, Ctrl+A). */
  selectedIds: string[];
  /** Where a Shift range starts: the task last clicked or toggled. */
  anchorId: string | null;
  /** Tasks waiting for the remove confirmation. */
  removing: string[] | null;
  notices: Notice[];
  /** Failures the host reported, newest last, for the monitor view. */
  recentErrors: RecentError[];
  /** Links copied elsewhere that the desktop shell offers to download. */
  linkOffer: string[] | null;
  /** A running "when the queue finishes" countdown. */
  afterQueue: AfterQueue | null;
  /**
   * The add dialog, open, with every link handed to it (dropped, pasted, or handed over by the
   * desktop shell); links handed over while it is open are added to its box.
   */
  pendingAdd: { urls: string[] } | null;
  /** The carrier's state, where it can drop (`braid serve` in a browser). */
  connection: Connection;
}

export interface StoreActions {
  load(state: AppState): void;
  applyEvents(events: readonly ApiEvent[]): void;
  setFilter(filter: Filter): void;
  setSearch(search: string): void;
  select(id: string | null): void;
  toggleSelected(id: string): void;
  /** Selects the shown tasks from the anchor to `id`, and focuses `id`. */
  selectRange(shown: string[], id: string): void;
  /** Moves the focus alone, the selection staying as it is (Ctrl+arrows). */
  focus(id: string): void;
  selectAll(ids: string[]): void;
  askRemove(ids: string[]): void;
  cancelRemove(): void;
  notify(kind: Notice['kind'], text: string, options?: { untilConnected?: boolean }): void;
  dismiss(id: number): void;
  requestAdd(urls: string[]): void;
  clearAddRequest(): void;
  dismissLinkOffer(): void;
  setConnection(state: Connection): void;
}

export type AppStore = StoreApi<StoreState & StoreActions>;

let noticeSeq = 0;

export function createAppStore(): AppStore {
  return createStore<StoreState & StoreActions>()((set) => ({
    info: null,
    settings: null,
    ids: [],
    tasks: {},
    appSpeed: [],
    taskSpeed: {},
    clockOffset: 0,
    filter: 'all',
    search: '',
    selectedId: null,
    selectedIds: [],
    anchorId: null,
    removing: null,
    notices: [],
    recentErrors: [],
    afterQueue: null,
    linkOffer: null,
    pendingAdd: null,
    connection: 'connected',

    load: (state) =>
      set((s) => {
        const tasks = Object.fromEntries(state.tasks.map((t) => [t.id, t]));
        return {
          info: state.info,
          settings: state.settings,
          tasks,
          ids: sortIds(state.tasks),
          // The host kept the graphs' and the monitor's history while no window was open (or
          // before a reload, or while the connection was down).
          appSpeed: state.speed.app,
          taskSpeed: state.speed.tasks,
          recentErrors: state.recentErrors,
          // The host's word replaces ours: a countdown that began while no window listened shows,
          // and one that ended (cancelled, or the host restarted) goes.
          afterQueue: state.afterQueue,
          // Loaded again after a reconnect: tasks removed meanwhile leave the selection.
          selectedId: s.selectedId !== null && tasks[s.selectedId] ? s.selectedId : null,
          selectedIds: s.selectedIds.filter((id) => tasks[id]),
        };
      }),

    applyEvents: (events) => set((s) => reduce(s, events)),
    setFilter: (filter) => set((s) => keepVisibleSelection({ ...s, filter })),
    setSearch: (search) => set((s) => keepVisibleSelection({ ...s, search })),
    select: (selectedId) =>
      set({ selectedId, selectedIds: selectedId ? [selectedId] : [], anchorId: selectedId }),
    // The toggled task keeps the focus, selected or not: the keyboard goes on from there.
    toggleSelected: (id) =>
      set((s) => ({
        selectedIds: s.selectedIds.includes(id)
          ? s.selectedIds.filter((x) => x !== id)
          : [...s.selectedIds, id],
        selectedId: id,
        anchorId: id,
      })),
    selectRange: (shown, id) =>
      set((s) => {
        const to = shown.indexOf(id);
        const from = s.anchorId === null ? -1 : shown.indexOf(s.anchorId);
        if (from === -1) return { selectedId: id, selectedIds: [id], anchorId: id };
        const range = shown.slice(Math.min(from, to), Math.max(from, to) + 1);
        return { selectedId: id, selectedIds: range };
      }),
    focus: (selectedId) => set({ selectedId }),
    selectAll: (ids) =>
      set((s) => ({ selectedIds: [...ids], selectedId: s.selectedId ?? ids[0] ?? null })),
    askRemove: (ids) => set({ removing: ids.length ? ids : null }),
    cancelRemove: () => set({ removing: null }),
    notify: (kind, text, options) =>
      set((s) => ({
        notices: [...s.notices, { id: ++noticeSeq, kind, text, ...options }].slice(-MAX_NOTICES),
      })),
    dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
    requestAdd: (urls) => set((s) => ({ pendingAdd: withLinks(s.pendingAdd, urls) })),
    clearAddRequest: () => set({ pendingAdd: null }),
    dismissLinkOffer: () => set({ linkOffer: null }),
    setConnection: (connection) =>
      set((s) => ({
        connection,
        notices:
          connection === 'connected' ? s.notices.filter((n) => !n.untilConnected) : s.notices,
      })),
  }));
}

/** The add dialog opened with `urls`, or, already open, given them besides its own. */
function withLinks(open: StoreState['pendingAdd'], urls: string[]): StoreState['pendingAdd'] {
  return { urls: open ? [...open.urls, ...urls] : urls };
}

/** One batch → one new state; objects of tasks the batch does not mention keep their identity. */
function reduce(s: StoreState, events: readonly ApiEvent[]): StoreState {
  // A shallow copy: fields the batch does not touch keep their identity.
  const n: StoreState = { ...s };
  let idsChanged = false;
  const writable = () => {
    if (n.tasks === s.tasks) n.tasks = { ...s.tasks };
    return n.tasks;
  };
  for (const event of events) {
    switch (event.type) {
      case 'task-added':
      case 'task-changed': {
        const before = n.tasks[event.task.id];
        if (!before || !sameListPlace(before, event.task)) idsChanged = true;
        writable()[event.task.id] = event.task;
        break;
      }
      case 'task-removed':
        if (n.tasks[event.id]) {
          delete writable()[event.id];
          idsChanged = true;
          if (n.selectedId === event.id) n.selectedId = null;
          n.selectedIds = n.selectedIds.filter((x) => x !== event.id);
        }
        break;
      case 'progress':
        for (const progress of event.tasks) {
          const task = n.tasks[progress.id];
          if (task) writable()[progress.id] = { ...task, ...progress };
        }
        break;
      case 'speed': {
        n.appSpeed = withSample(n.appSpeed, { at: event.at, speed: event.total });
        n.clockOffset = Date.now() - event.at;
        const next: Record<string, SpeedSample[]> = {};
        for (const { id, speed } of event.tasks) {
          next[id] = withSample(n.taskSpeed[id] ?? [], { at: event.at, speed });
        }
        // Tasks that stopped keep their history (the graph of a paused task stays readable).
        n.taskSpeed = { ...n.taskSpeed, ...next };
        break;
      }
      case 'settings-changed':
        n.settings = event.settings;
        break;
      case 'error':
        n.recentErrors = withError(n.recentErrors, {
          at: event.at,
          taskId: event.taskId,
          text: event.message,
        });
        n.notices = [
          ...n.notices,
          { id: ++noticeSeq, kind: 'error' as const, text: event.message },
        ].slice(-MAX_NOTICES);
        break;
      case 'after-queue':
        n.afterQueue = event.action ? { action: event.action, at: event.at } : null;
        break;
      case 'link-offer':
        n.linkOffer = event.urls;
        break;
      case 'add-request':
        n.pendingAdd = withLinks(n.pendingAdd, event.urls);
        break;
    }
  }
  if (n.taskSpeed !== s.taskSpeed) {
    for (const id of Object.keys(n.taskSpeed)) if (!n.tasks[id]) delete n.taskSpeed[id];
  }
  if (idsChanged) n.ids = sortIds(Object.values(n.tasks));
  return n;
}

/** Where each state is listed: running downloads, then waiting ones, then finished ones. */
const [RUNNING, WAITING, FINISHED] = [0, 1, 2];
const LIST_GROUP: Record<TaskState, number> = {
  downloading: RUNNING,
  queued: WAITING,
  paused: WAITING,
  completed: FINISHED,
  failed: FINISHED,
  canceled: FINISHED,
};

/**
 * Running downloads first, then the waiting ones in the order they will start (the engine's queue
 * order), so a task moved in the queue moves in the list; then finished ones, newest first, a
 * batch added at once in the order its links were given.
 */
function sortIds(tasks: readonly TaskSnapshot[]): string[] {
  return [...tasks].sort(byListOrder).map((t) => t.id);
}

function byListOrder(a: TaskSnapshot, b: TaskSnapshot): number {
  const group = LIST_GROUP[a.state] - LIST_GROUP[b.state];
  if (group !== 0) return group;
  if (LIST_GROUP[a.state] !== FINISHED) return byQueueOrder(a, b);
  return b.createdAt - a.createdAt || a.order - b.order;
}

function sameListPlace(a: TaskSnapshot, b: TaskSnapshot): boolean {
  return (
    LIST_GROUP[a.state] === LIST_GROUP[b.state] && a.priority === b.priority && a.order === b.order
  );
}

export function displayName(task: TaskSnapshot): string {
  if (task.fileName) return task.fileName;
  if (task.requestedName) return task.requestedName;
  try {
    const url = new URL(task.url);
    const last = url.pathname.split('/').filter(Boolean).at(-1);
    return last ? decodeURIComponent(last) : url.hostname;
  } catch {
    return task.url;
  }
}

/** Rows a filter or search hides leave the selection: no shortcut acts on what is not shown. */
function keepVisibleSelection(s: StoreState): Partial<StoreState> {
  const visible = new Set(visibleIds(s));
  const selectedIds = s.selectedIds.filter((id) => visible.has(id));
  const selectedId = s.selectedId !== null && visible.has(s.selectedId) ? s.selectedId : null;
  return { filter: s.filter, search: s.search, selectedIds, selectedId };
}

/** Ids the list shows for the current filter and search, in list order. */
export function visibleIds(s: StoreState): string[] {
  const states = FILTER_STATES[s.filter];
  const needle = s.search.trim().toLocaleLowerCase();
  if (!states && !needle) return s.ids;
  return s.ids.filter((id) => {
    const task = s.tasks[id];
    if (!task) return false;
    if (states && !states.includes(task.state)) return false;
    return !needle || displayName(task).toLocaleLowerCase().includes(needle);
  });
}
