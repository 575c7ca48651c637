import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { countTotals, hostRows } from '../../renderer/components/MonitorView.tsx';
import { appState, task } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const NOW = new Date('2026-11-24T15:00:00').getTime();

describe('the monitor view', () => {
  it('counts active, queued, and what finished or failed today', () => {
    const yesterday = NOW - 24 * 3600 * 1000;
    const totals = countTotals(
      [
        task({ id: 'a00001', state: 'downloading', createdAt: yesterday }),
        task({ id: 'a00002', state: 'queued', createdAt: NOW }),
        task({ id: 'a00003', state: 'completed', createdAt: yesterday, completedAt: NOW - 1000 }),
        task({ id: 'a00004', state: 'completed', createdAt: yesterday, completedAt: yesterday }),
        task({ id: 'a00005', state: 'failed', createdAt: NOW - 5000 }),
      ],
      NOW,
    );
    expect(totals).toEqual({ active: 1, queued: 1, doneToday: 1, failedToday: 1 });
  });

  it('sums connections and speed per host over running tasks', () => {
    expect(
      hostRows([
        task({
          id: 'a00001',
          state: 'downloading',
          url: 'https://a.test/1',
          connections: 8,
          speed: 100,
        }),
        task({
          id: 'a00002',
          state: 'downloading',
          url: 'https://a.test/2',
          connections: 4,
          speed: 50,
        }),
        task({
          id: 'a00003',
          state: 'downloading',
          url: 'http://b.test:8080/x',
          connections: 2,
          speed: 10,
        }),
        task({ id: 'a00004', state: 'paused', url: 'https://c.test/x', connections: 0 }),
      ]),
    ).toEqual([
      { host: 'a.test', connections: 12, speed: 150 },
      { host: 'b.test:8080', connections: 2, speed: 10 },
    ]);
  });

  it('opens from the toolbar and lists recent errors', () => {
    const { api } = renderApp([
      task({ id: 'a00001', state: 'downloading', url: 'https://a.test/1', connections: 3 }),
    ]);
    act(() =>
      api.emit([
        {
          type: 'error',
          code: 'HTTP_404',
          message: 'x.iso: server answered 404',
          taskId: null,
          at: NOW,
        },
      ]),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Monitor' }));
    const monitor = screen.getByRole('region', { name: 'Monitor' });
    expect(within(monitor).getByRole('rowheader', { name: 'a.test' })).toBeTruthy();
    expect(within(monitor).getByText(/x\.iso: server answered 404/)).toBeTruthy();
    // It scrolls past a few lines: the keyboard reaches it.
    expect(within(monitor).getByRole('list', { name: 'Recent errors' }).tabIndex).toBe(0);
  });
});

describe('the task log', () => {
  it('shows the selected task’s recent log lines when opened', async () => {
    const { api } = renderApp([task({ id: 'a00001', fileName: 'a.bin' })]);
    api.answers['tasks.log'] = () => [
      { time: NOW, level: 'info', event: 'probed', text: 'HTTP 206 · 1000 bytes' },
      { time: NOW, level: 'warn', event: 'retry', text: 'HTTP_503 · attempt 1' },
    ];
    fireEvent.click(screen.getByText('a.bin'));
    const summary = screen.getByText('Log');
    const details = summary.closest('details') as HTMLDetailsElement;
    details.open = true;
    await act(async () => fireEvent(details, new Event('toggle')));
    expect(api.commands('tasks.log')).toEqual([{ id: 'a00001' }]);
    expect(within(details).getByText('retry')).toBeTruthy();
    expect(within(details).getByText(/HTTP_503 · attempt 1/)).toBeTruthy();
    // It scrolls past a few lines: the keyboard reaches it, and hears what it is.
    expect(within(details).getByRole('list', { name: 'Log' }).tabIndex).toBe(0);
  });

  it('gives its times in the UI’s language, not the browser’s', async () => {
    const { api, store } = renderApp([task({ id: 'a00001', fileName: 'a.bin' })]);
    const settings = { ...store.getState().settings!, language: 'zh-CN' as const };
    act(() => store.getState().applyEvents([{ type: 'settings-changed', settings }]));
    api.answers['tasks.log'] = () => [{ time: NOW, level: 'info', event: 'probed', text: '' }];
    fireEvent.click(screen.getByText('a.bin'));
    const details = screen.getByText('日志').closest('details') as HTMLDetailsElement;
    details.open = true;
    await act(async () => fireEvent(details, new Event('toggle')));
    const time = details.querySelector('time')?.textContent;
    expect(time).toBe(new Date(NOW).toLocaleTimeString('zh-CN'));
    expect(time).not.toBe(new Date(NOW).toLocaleTimeString('en-US'));
  });
});

describe('when the queue finishes', () => {
  it('shows the countdown and cancels it', async () => {
    const { api } = renderApp();
    act(() => api.emit([{ type: 'after-queue', action: 'sleep', at: Date.now() + 30_000 }]));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toMatch(/The computer sleeps in (29|30) s\./);
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' })));
    expect(api.commands('app.cancelAfterQueue')).toEqual([{}]);
    act(() => api.emit([{ type: 'after-queue', action: null, at: Date.now() }]));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('shows a countdown that began before the window opened (a reload, a new tab, a reconnect)', () => {
    const { store } = renderApp();
    const state = appState();
    state.afterQueue = { action: 'quit', at: Date.now() + 20_000 };
    act(() => store.getState().load(state));
    expect(screen.getByRole('alertdialog').textContent).toMatch(/quits in (19|20) s\./);
  });

  it('drops a countdown the host no longer runs when loaded again (the host restarted)', () => {
    const { api, store } = renderApp();
    act(() => api.emit([{ type: 'after-queue', action: 'quit', at: Date.now() + 20_000 }]));
    expect(screen.getByRole('alertdialog')).toBeTruthy();
    act(() => store.getState().load(appState()));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});
