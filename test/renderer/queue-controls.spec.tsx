import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { task } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const running = task({ id: 'runner', fileName: 'running.bin', state: 'downloading', order: 1 });
const first = task({ id: 'first1', fileName: 'first.bin', order: 2 });
const second = task({ id: 'second', fileName: 'second.bin', order: 3, state: 'paused' });
const third = task({ id: 'third3', fileName: 'third.bin', order: 4 });

const rows = () => within(screen.getByRole('grid', { name: 'Downloads' })).getAllByRole('row');
const row = (id: string) => rows().find((r) => r.dataset['id'] === id) as HTMLElement;
const order = () => rows().map((r) => r.dataset['id']);
const queueGroup = () => screen.getByRole('group', { name: 'Queue position' });
const moveButton = (name: string) => within(queueGroup()).getByRole('button', { name });

/** What the engine answers a move with: the task at its new place. */
function moved(store: ReturnType<typeof renderApp>['store'], changed: TaskSnapshot) {
  act(() => store.getState().applyEvents([{ type: 'task-changed', task: changed }]));
}

describe('queue position of a waiting download', () => {
  it('offers the four moves beside its priority, the impossible ones disabled', () => {
    renderApp([running, first, second, third]);
    fireEvent.click(within(row('first1')).getByText('first.bin'));
    expect(queueGroup().textContent).toContain('1 of 3 waiting, priority Normal');
    const disabled = ['Move to top', 'Move up', 'Move down', 'Move to bottom'].map(
      (name) => moveButton(name).getAttribute('aria-disabled') === 'true',
    );
    expect(disabled).toEqual([true, true, false, false]);
    expect(moveButton('Move up').getAttribute('aria-keyshortcuts')).toBe('Alt+ArrowUp');
    expect(moveButton('Move up').title).toBe('Move up (Alt+↑)');
    expect(moveButton('Move to bottom').title).toBe('Move to bottom (Alt+End)');

    fireEvent.click(within(row('third3')).getByText('third.bin'));
    expect(queueGroup().textContent).toContain('3 of 3 waiting');
    expect(moveButton('Move down').getAttribute('aria-disabled')).toBe('true');
    expect(moveButton('Move to bottom').getAttribute('aria-disabled')).toBe('true');
  });

  it('sends the move each button asks for, and nothing for a disabled one', () => {
    const { api } = renderApp([running, first, second, third]);
    fireEvent.click(within(row('first1')).getByText('first.bin'));
    fireEvent.click(moveButton('Move up'));
    fireEvent.click(moveButton('Move to top'));
    fireEvent.click(moveButton('Move down'));
    fireEvent.click(moveButton('Move to bottom'));
    fireEvent.click(within(row('second')).getByText('second.bin'));
    fireEvent.click(moveButton('Move up'));
    expect(api.commands('tasks.move')).toEqual([
      { id: 'first1', beforeId: 'third3' },
      { id: 'first1', beforeId: null },
      { id: 'second', beforeId: 'first1' },
    ]);
  });

  it('offers no moves for a download that is not waiting', () => {
    renderApp([running, first]);
    fireEvent.click(within(row('runner')).getByText('running.bin'));
    expect(screen.getByRole('form', { name: /^Selected download/ })).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'Queue position' })).toBeNull();
  });

  it('moves the selected download with Alt+arrows, Alt+Home and Alt+End in the list, keeping it selected and focused', () => {
    const { api, store } = renderApp([running, first, second, third]);
    act(() => row('third3').focus());
    fireEvent.keyDown(row('third3'), { key: 'ArrowUp', altKey: true });
    expect(api.commands('tasks.move')).toEqual([{ id: 'third3', beforeId: 'second' }]);
    moved(store, { ...third, order: 2.5 });
    expect(order()).toEqual(['runner', 'first1', 'third3', 'second']);
    expect(document.activeElement).toBe(row('third3'));
    expect(row('third3').getAttribute('aria-current')).toBe('true');

    fireEvent.keyDown(row('third3'), { key: 'Home', altKey: true });
    moved(store, { ...third, order: 1.5 });
    expect(order()).toEqual(['runner', 'third3', 'first1', 'second']);
    expect(document.activeElement).toBe(row('third3'));

    fireEvent.keyDown(row('third3'), { key: 'End', altKey: true });
    moved(store, { ...third, order: 5 });
    expect(order()).toEqual(['runner', 'first1', 'second', 'third3']);
    expect(document.activeElement).toBe(row('third3'));

    fireEvent.keyDown(row('third3'), { key: 'ArrowDown', altKey: true });
    expect(api.commands('tasks.move')).toEqual([
      { id: 'third3', beforeId: 'second' },
      { id: 'third3', beforeId: 'first1' },
      { id: 'third3', beforeId: null },
    ]);
    expect(store.getState().selectedId).toBe('third3');
  });
});
