import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { task } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const key = (k: string, extra: KeyboardEventInit = {}) =>
  act(() => {
    fireEvent.keyDown(window, { key: k, ...extra });
  });

describe('keyboard shortcuts', () => {
  it('names each shortcut on its button: a tooltip for the eye, aria-keyshortcuts for assistive technology', () => {
    renderApp();
    const named = (name: string) => {
      const button = screen.getByRole('button', { name });
      return [button.title, button.getAttribute('aria-keyshortcuts')];
    };
    expect(named('New download')).toEqual(['New download (Ctrl+N)', 'Control+N Meta+N Insert']);
    expect(named('Pause all')).toEqual([
      'Pause all (Ctrl+Shift+P)',
      'Control+Shift+P Meta+Shift+P',
    ]);
    expect(named('Resume all')).toEqual([
      'Resume all (Ctrl+Shift+R)',
      'Control+Shift+R Meta+Shift+R',
    ]);
    key('n', { ctrlKey: true });
    expect(named('Add')).toEqual(['Add (Ctrl+Enter)', 'Control+Enter Meta+Enter']);
  });

  it('Ctrl+N opens the add dialog', () => {
    renderApp();
    key('n', { ctrlKey: true });
    expect(screen.getByRole('dialog', { name: 'New download' })).toBeTruthy();
  });

  it('Ctrl+Shift+P pauses all and Ctrl+Shift+R resumes all', () => {
    const { api } = renderApp();
    key('P', { ctrlKey: true, shiftKey: true });
    key('R', { metaKey: true, shiftKey: true });
    expect(api.calls.map((c) => c.command)).toEqual(['tasks.pauseAll', 'tasks.resumeAll']);
  });

  it('Ctrl+A selects every shown download and Delete asks to remove them all', async () => {
    const { api } = renderApp([
      task({ id: 'aaaaaa', fileName: 'a.bin', createdAt: 2 }),
      task({ id: 'bbbbbb', fileName: 'b.bin', createdAt: 1 }),
    ]);
    key('a', { ctrlKey: true });
    key('Delete');
    const dialog = screen.getByRole('dialog', { name: 'Remove downloads' });
    expect(dialog.textContent).toContain('Remove 2 downloads from the list?');
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' })));
    expect(api.commands('tasks.remove')).toEqual([
      { id: 'aaaaaa', deleteFile: false },
      { id: 'bbbbbb', deleteFile: false },
    ]);
  });

  it('never removes rows a filter hides, even when they were selected before', async () => {
    const { api, store } = renderApp([
      task({ id: 'aaaaaa', fileName: 'a.bin', createdAt: 3, state: 'failed' }),
      task({ id: 'bbbbbb', fileName: 'b.bin', createdAt: 2, state: 'completed' }),
      task({ id: 'cccccc', fileName: 'c.bin', createdAt: 1, state: 'completed' }),
    ]);
    key('a', { ctrlKey: true });
    fireEvent.click(screen.getByRole('radio', { name: 'Failed' }));
    key('Delete');
    const dialog = screen.getByRole('dialog', { name: 'Remove download' });
    expect(dialog.textContent).toContain('Remove “a.bin” from the list?');
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' })));
    expect(api.commands('tasks.remove')).toEqual([{ id: 'aaaaaa', deleteFile: false }]);
    // A row that leaves the filter by itself (here: it failed) is not removed either.
    act(() => store.getState().setFilter('completed'));
    key('a', { ctrlKey: true });
    act(() =>
      store.getState().applyEvents([
        {
          type: 'task-changed',
          task: task({ id: 'cccccc', fileName: 'c.bin', createdAt: 1, state: 'failed' }),
        },
      ]),
    );
    key('Delete');
    expect(screen.getByRole('dialog').textContent).toContain('Remove “b.bin” from the list?');
  });

  it('leaves Ctrl+A and Delete to text fields', () => {
    renderApp([task({ id: 'aaaaaa', fileName: 'a.bin' })]);
    const search = screen.getByRole('searchbox', { name: 'Search downloads' });
    fireEvent.keyDown(search, { key: 'a', ctrlKey: true });
    fireEvent.keyDown(search, { key: 'Delete' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('Ctrl+click adds to the selection', () => {
    renderApp([
      task({ id: 'aaaaaa', fileName: 'a.bin', createdAt: 2 }),
      task({ id: 'bbbbbb', fileName: 'b.bin', createdAt: 1 }),
    ]);
    fireEvent.click(screen.getByText('a.bin'));
    fireEvent.click(screen.getByText('b.bin'), { ctrlKey: true });
    const rows = within(screen.getByRole('grid', { name: 'Downloads' })).getAllByRole('row');
    expect(rows.map((r) => r.getAttribute('aria-selected'))).toEqual(['true', 'true']);
  });
});

describe('selecting downloads, as in a file manager', () => {
  const four = () =>
    renderApp(
      ['a', 'b', 'c', 'd'].map((name, i) =>
        task({ id: `${name}00000`, fileName: `${name}.bin`, createdAt: 4 - i }),
      ),
    );
  const grid = () => screen.getByRole('grid', { name: 'Downloads' });
  const selected = () =>
    within(grid())
      .getAllByRole('row')
      .filter((row) => row.getAttribute('aria-selected') === 'true')
      .map((row) => within(row).getByText(/\.bin$/).textContent);
  const focused = () => document.activeElement?.querySelector('.task-name')?.textContent;

  it('tells assistive technology that several rows can be selected, and which are', () => {
    four();
    expect(grid().getAttribute('aria-multiselectable')).toBe('true');
    fireEvent.click(screen.getByText('a.bin'));
    fireEvent.click(screen.getByText('c.bin'), { ctrlKey: true });
    const rows = within(grid()).getAllByRole('row');
    expect(rows.map((row) => row.getAttribute('aria-selected'))).toEqual([
      'true',
      'false',
      'true',
      'false',
    ]);
  });

  it('extends the selection with Shift+arrows and Shift+click from the row chosen first', () => {
    four();
    fireEvent.click(screen.getByText('b.bin'));
    act(() => grid().querySelector<HTMLElement>('[aria-current="true"]')!.focus());
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown', shiftKey: true });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown', shiftKey: true });
    expect(selected()).toEqual(['b.bin', 'c.bin', 'd.bin']);
    expect(focused()).toBe('d.bin');
    fireEvent.keyDown(document.activeElement!, { key: 'Home', shiftKey: true });
    expect(selected()).toEqual(['a.bin', 'b.bin']);
    fireEvent.click(screen.getByText('d.bin'), { shiftKey: true });
    expect(selected()).toEqual(['b.bin', 'c.bin', 'd.bin']);
  });

  it('moves the focus alone with Ctrl+arrows, and Ctrl+Space toggles the focused row', () => {
    four();
    fireEvent.click(screen.getByText('a.bin'));
    act(() => grid().querySelector<HTMLElement>('[aria-current="true"]')!.focus());
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown', ctrlKey: true });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown', ctrlKey: true });
    expect(focused()).toBe('c.bin');
    expect(selected()).toEqual(['a.bin']);
    fireEvent.keyDown(document.activeElement!, { key: ' ', ctrlKey: true });
    expect(selected()).toEqual(['a.bin', 'c.bin']);
    fireEvent.keyDown(document.activeElement!, { key: ' ', ctrlKey: true });
    expect(selected()).toEqual(['a.bin']);
    expect(focused()).toBe('c.bin');
    fireEvent.keyDown(document.activeElement!, { key: ' ', ctrlKey: true });
    key('Delete');
    expect(screen.getByRole('dialog').textContent).toContain('Remove 2 downloads from the list?');
  });
});

describe('batch import and export', () => {
  it('exports the list the host returns as a JSON file', async () => {
    const { api } = renderApp();
    api.answers['tasks.export'] = () => '{"format":"braid-task-list","tasks":[]}';
    const saved: string[] = [];
    URL.createObjectURL = () => 'blob:braid';
    URL.revokeObjectURL = () => {};
    HTMLAnchorElement.prototype.click = function () {
      saved.push(this.download);
    };
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Export list' })));
    expect(api.commands('tasks.export')).toEqual([{}]);
    expect(saved[0]).toMatch(/^braid-tasks-\d{4}-\d\d-\d\d\.json$/);
  });

  it('imports links from a text file into the add dialog', async () => {
    renderApp();
    key('n', { ctrlKey: true });
    const dialog = screen.getByRole('dialog', { name: 'New download' });
    const input = within(dialog).getByLabelText('Import list from file…') as HTMLInputElement;
    const file = new File(['http://a.test/1.zip\nhttp://a.test/2.zip\n'], 'links.txt', {
      type: 'text/plain',
    });
    await act(async () => fireEvent.change(input, { target: { files: [file] } }));
    expect((within(dialog).getByLabelText('URL') as HTMLTextAreaElement).value).toBe(
      'http://a.test/1.zip\nhttp://a.test/2.zip',
    );
  });
});
