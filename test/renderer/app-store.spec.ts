import { describe, expect, it } from 'vitest';
import { createAppStore, FILTERS, visibleIds } from '../../renderer/store/app-store.ts';
import { TASK_STATES } from '../../shared/api/task.ts';
import { SPEED_HISTORY } from '../../shared/speed-samples.ts';
import { appState, task } from './fake-api.ts';

function loaded() {
  const store = createAppStore();
  store
    .getState()
    .load(
      appState([
        task({ id: 'aaaaaa', createdAt: 1, state: 'downloading', fileName: 'movie.mkv' }),
        task({ id: 'bbbbbb', createdAt: 2, state: 'completed', fileName: 'song.flac' }),
        task({ id: 'cccccc', createdAt: 3, state: 'failed', fileName: 'notes.pdf' }),
      ]),
    );
  return store;
}

describe('app store', () => {
  it('lists running downloads, then waiting ones in the order they start, then finished ones newest first', () => {
    const store = createAppStore();
    store
      .getState()
      .load(
        appState([
          task({ id: 'done-old', state: 'completed', createdAt: 1, order: 1 }),
          task({ id: 'waiting-low', state: 'queued', priority: 'low', createdAt: 2, order: 2 }),
          task({ id: 'waiting-2nd', state: 'queued', createdAt: 3, order: 7 }),
          task({ id: 'failed-new', state: 'failed', createdAt: 9, order: 9 }),
          task({ id: 'held-1st', state: 'paused', createdAt: 5, order: 5 }),
          task({ id: 'running', state: 'downloading', createdAt: 6, order: 6 }),
          task({ id: 'waiting-high', state: 'queued', priority: 'high', createdAt: 8, order: 8 }),
        ]),
      );
    expect(store.getState().ids).toEqual([
      'running',
      'waiting-high',
      'held-1st',
      'waiting-2nd',
      'waiting-low',
      'failed-new',
      'done-old',
    ]);
  });

  it('lists a batch added at once in the order its links were given', () => {
    const store = loaded();
    // Ids that sort the other way round, as random ids may.
    const batch = ['zz9zzz', 'zz8zzz', 'zz7zzz', 'zz6zzz'].map((id, i) =>
      task({ id, fileName: `f0${i + 1}.bin`, createdAt: 9, order: 10 + i }),
    );
    store
      .getState()
      .applyEvents([2, 0, 3, 1].map((i) => ({ type: 'task-added', task: batch[i]! })));
    const listed = () => store.getState().ids.filter((id) => id.startsWith('zz'));
    expect(listed()).toEqual(batch.map((t) => t.id));
    // Finished, they stay in that order.
    store
      .getState()
      .applyEvents(
        batch.map((t) => ({ type: 'task-changed', task: { ...t, state: 'completed' } })),
      );
    expect(listed()).toEqual(batch.map((t) => t.id));
  });

  it('moves a row when its task changes places in the queue or starts, and only then', () => {
    const store = createAppStore();
    const first = task({ id: 'first1', order: 1 });
    const second = task({ id: 'second', order: 2 });
    store.getState().load(appState([first, second]));
    const before = store.getState().ids;
    store.getState().applyEvents([{ type: 'task-changed', task: { ...second, fileName: 'x' } }]);
    expect(store.getState().ids).toBe(before);
    store.getState().applyEvents([{ type: 'task-changed', task: { ...second, order: 0.5 } }]);
    expect(store.getState().ids).toEqual(['second', 'first1']);
    store.getState().applyEvents([{ type: 'task-changed', task: { ...first, priority: 'high' } }]);
    expect(store.getState().ids).toEqual(['first1', 'second']);
    store
      .getState()
      .applyEvents([
        { type: 'task-changed', task: { ...second, order: 0.5, state: 'downloading' } },
      ]);
    expect(store.getState().ids).toEqual(['second', 'first1']);
  });

  it('merges a progress batch in one update and keeps untouched tasks identical', () => {
    const store = loaded();
    const before = store.getState();
    let updates = 0;
    store.subscribe(() => updates++);
    store.getState().applyEvents([
      {
        type: 'progress',
        at: 1,
        tasks: [
          {
            id: 'aaaaaa',
            downloaded: 500,
            size: 1000,
            speed: 10,
            averageSpeed: 9,
            eta: 50,
            connections: 4,
            segments: [],
            retry: null,
            verifying: null,
          },
        ],
      },
    ]);
    const after = store.getState();
    expect(updates).toBe(1);
    expect(after.tasks['aaaaaa']?.downloaded).toBe(500);
    expect(after.tasks['aaaaaa']?.fileName).toBe('movie.mkv');
    expect(after.tasks['bbbbbb']).toBe(before.tasks['bbbbbb']);
    expect(after.ids).toBe(before.ids);
  });

  it('adds, changes and removes tasks, and forgets the selection of a removed one', () => {
    const store = loaded();
    store.getState().select('aaaaaa');
    store.getState().applyEvents([
      { type: 'task-added', task: task({ id: 'dddddd', createdAt: 4 }) },
      {
        type: 'task-changed',
        task: task({ id: 'bbbbbb', createdAt: 2, state: 'completed', fileName: 'renamed.flac' }),
      },
      { type: 'task-removed', id: 'aaaaaa' },
    ]);
    const s = store.getState();
    expect(s.ids).toEqual(['dddddd', 'cccccc', 'bbbbbb']);
    expect(s.tasks['bbbbbb']?.fileName).toBe('renamed.flac');
    expect(s.selectedId).toBeNull();
  });

  it('replaces everything when loaded again (after a reconnect), forgetting the selection of a task gone meanwhile', () => {
    const store = loaded();
    store.getState().applyEvents([
      { type: 'speed', at: 1000, total: 5, tasks: [{ id: 'aaaaaa', speed: 5 }] },
      { type: 'error', code: 'HTTP', message: 'old', taskId: null, at: 1000 },
    ]);
    store.getState().select('bbbbbb');
    store.getState().toggleSelected('cccccc');
    const state = appState([task({ id: 'bbbbbb' }), task({ id: 'zzzzzz' })]);
    state.speed = { app: [{ at: 2000, speed: 7 }], tasks: { zzzzzz: [{ at: 2000, speed: 7 }] } };
    state.recentErrors = [{ at: 1500, taskId: null, text: 'while away' }];
    store.getState().load(state);
    const s = store.getState();
    expect(s.ids).toEqual(['bbbbbb', 'zzzzzz']);
    expect(s.appSpeed).toEqual(state.speed.app);
    expect(s.taskSpeed).toEqual(state.speed.tasks);
    expect(s.recentErrors).toEqual(state.recentErrors);
    expect([s.selectedId, s.selectedIds]).toEqual([null, ['bbbbbb']]);
  });

  it('filters by state and searches by name', () => {
    const store = loaded();
    const ids = () => visibleIds(store.getState());
    store.getState().setFilter('active');
    expect(ids()).toEqual(['aaaaaa']);
    store.getState().setFilter('completed');
    expect(ids()).toEqual(['bbbbbb']);
    store.getState().setFilter('failed');
    expect(ids()).toEqual(['cccccc']);
    store.getState().setFilter('all');
    store.getState().setSearch('  SONG ');
    expect(ids()).toEqual(['bbbbbb']);
  });

  it('lists a download the user canceled under All and Canceled, not under Failed', () => {
    const store = loaded();
    store.getState().applyEvents([
      {
        type: 'task-added',
        task: task({ id: 'dddddd', createdAt: 4, state: 'canceled', fileName: 'game.iso' }),
      },
    ]);
    const ids = () => visibleIds(store.getState());
    store.getState().setFilter('failed');
    expect(ids()).toEqual(['cccccc']);
    store.getState().setFilter('canceled');
    expect(ids()).toEqual(['dddddd']);
    store.getState().setFilter('all');
    expect(ids()).toContain('dddddd');
  });

  it('lists a download of every state under exactly one filter besides All', () => {
    const store = createAppStore();
    store
      .getState()
      .load(
        appState(TASK_STATES.map((state, i) => task({ id: `task-${state}`, createdAt: i, state }))),
      );
    const filtersShowing = (id: string) =>
      FILTERS.filter((filter) => {
        store.getState().setFilter(filter);
        return filter !== 'all' && visibleIds(store.getState()).includes(id);
      });
    for (const state of TASK_STATES) {
      expect(filtersShowing(`task-${state}`), `filters showing a ${state} task`).toHaveLength(1);
    }
  });

  it('keeps a bounded speed history for the app and for each task', () => {
    const store = loaded();
    for (let i = 0; i < SPEED_HISTORY + 20; i++) {
      store
        .getState()
        .applyEvents([{ type: 'speed', at: i, total: i, tasks: [{ id: 'aaaaaa', speed: i }] }]);
    }
    const s = store.getState();
    expect(s.appSpeed).toHaveLength(SPEED_HISTORY);
    expect(s.appSpeed.at(-1)).toEqual({ at: SPEED_HISTORY + 19, speed: SPEED_HISTORY + 19 });
    expect(s.taskSpeed['aaaaaa']).toHaveLength(SPEED_HISTORY);
  });

  it('starts its graphs from the history the host kept, then goes on from events', () => {
    const store = createAppStore();
    const kept = [
      { at: 1000, speed: 10 },
      { at: 2000, speed: 20 },
    ];
    store.getState().load({
      ...appState([task({ id: 'aaaaaa', state: 'downloading' })]),
      speed: { app: kept, tasks: { aaaaaa: kept } },
    });
    store
      .getState()
      .applyEvents([{ type: 'speed', at: 3000, total: 30, tasks: [{ id: 'aaaaaa', speed: 30 }] }]);
    const s = store.getState();
    expect(s.appSpeed.map((x) => x.speed)).toEqual([10, 20, 30]);
    expect(s.taskSpeed['aaaaaa']?.map((x) => x.speed)).toEqual([10, 20, 30]);
  });

  it('starts the monitor’s recent errors from the ones the host kept, then adds those that come', () => {
    const store = createAppStore();
    const kept = { at: 1000, taskId: 'aaaaaa', text: 'movie.mkv: server answered 404' };
    store.getState().load({ ...appState(), recentErrors: [kept] });
    store
      .getState()
      .applyEvents([
        { type: 'error', code: 'HTTP_500', message: 'song.flac: 500', taskId: 'bbbbbb', at: 2000 },
      ]);
    expect(store.getState().recentErrors).toEqual([
      kept,
      { at: 2000, taskId: 'bbbbbb', text: 'song.flac: 500' },
    ]);
  });

  it('turns error events into notices and add requests into a pending add', () => {
    const store = loaded();
    store.getState().applyEvents([
      { type: 'error', code: 'HTTP_404', message: 'notes.pdf: 404', taskId: 'cccccc', at: 5 },
      { type: 'add-request', urls: ['http://x.test/a.iso'] },
    ]);
    expect(store.getState().notices.map((n) => n.text)).toEqual(['notes.pdf: 404']);
    expect(store.getState().pendingAdd?.urls).toEqual(['http://x.test/a.iso']);
  });
});
