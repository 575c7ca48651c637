import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../shared/api/settings.ts';
import type { TaskState } from '../../shared/api/task.ts';
import { task } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const BUTTONS: Record<TaskState, string[]> = {
  queued: ['Pause', 'Cancel', 'Copy link', 'Remove'],
  downloading: ['Pause', 'Cancel', 'Copy link', 'Remove'],
  paused: ['Resume', 'Cancel', 'Copy link', 'Remove'],
  // In a browser: the file is saved to this device with a link (a spec below), not opened.
  completed: ['Copy link', 'Remove'],
  failed: ['Retry', 'Copy link', 'Remove'],
  canceled: ['Retry', 'Copy link', 'Remove'],
};
const WORDS: Record<TaskState, string> = {
  queued: 'Queued',
  downloading: 'Downloading',
  paused: 'Paused',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
};

function row(name: string) {
  const list = screen.getByRole('grid', { name: 'Downloads' });
  const item = within(list)
    .getAllByRole('row')
    .find((li) => li.textContent?.includes(name));
  if (!item) throw new Error(`no row for ${name}`);
  return item;
}

describe('a download row', () => {
  for (const state of Object.keys(BUTTONS) as TaskState[]) {
    it(`shows the state word and only the actions that make sense when ${state}`, () => {
      renderApp([task({ id: 'aaaaaa', state, fileName: 'file.iso' })]);
      const item = row('file.iso');
      expect(within(item).getByText(WORDS[state])).toBeTruthy();
      const names = within(item)
        .getAllByRole('button')
        .map((b) => b.textContent);
      expect(names).toEqual(BUTTONS[state]);
    });
  }

  it('has a progressbar named after the file with the percentage, absent when the size is unknown', () => {
    renderApp([
      task({ id: 'aaaaaa', fileName: 'known.bin', size: 1000, downloaded: 420, createdAt: 2 }),
      task({ id: 'bbbbbb', fileName: 'unknown.bin', size: null, downloaded: 420, createdAt: 1 }),
    ]);
    const known = within(row('known.bin')).getByRole('progressbar', { name: 'known.bin' });
    expect(known.getAttribute('aria-valuenow')).toBe('42');
    const unknown = within(row('unknown.bin')).getByRole('progressbar', { name: 'unknown.bin' });
    expect(unknown.hasAttribute('aria-valuenow')).toBe(false);
  });

  it('sends pause, resume and retry for its own task', () => {
    const { api } = renderApp([
      task({ id: 'aaaaaa', state: 'downloading', fileName: 'a.bin', createdAt: 3 }),
      task({ id: 'bbbbbb', state: 'paused', fileName: 'b.bin', createdAt: 2 }),
      task({ id: 'cccccc', state: 'failed', fileName: 'c.bin', createdAt: 1 }),
    ]);
    fireEvent.click(within(row('a.bin')).getByRole('button', { name: 'Pause' }));
    fireEvent.click(within(row('b.bin')).getByRole('button', { name: 'Resume' }));
    fireEvent.click(within(row('c.bin')).getByRole('button', { name: 'Retry' }));
    expect(api.calls.map((c) => [c.command, c.input])).toEqual([
      ['tasks.pause', { id: 'aaaaaa' }],
      ['tasks.resume', { id: 'bbbbbb' }],
      ['tasks.retry', { id: 'cccccc' }],
    ]);
  });

  it('asks before removing, and deletes the file only when ticked', async () => {
    const { api } = renderApp([task({ id: 'aaaaaa', state: 'completed', fileName: 'a.bin' })]);
    fireEvent.click(within(row('a.bin')).getByRole('button', { name: 'Remove' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove download' });
    fireEvent.click(within(dialog).getByLabelText('Also delete the file from disk'));
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' })));
    expect(api.commands('tasks.remove')).toEqual([{ id: 'aaaaaa', deleteFile: true }]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('updates its bar from progress batches', () => {
    const { api } = renderApp([task({ id: 'aaaaaa', state: 'downloading', fileName: 'a.bin' })]);
    act(() =>
      api.emit([
        {
          type: 'progress',
          at: 1,
          tasks: [
            {
              id: 'aaaaaa',
              downloaded: 750,
              size: 1000,
              speed: 1,
              averageSpeed: 1,
              eta: 1,
              connections: 2,
              segments: [],
              retry: null,
              verifying: null,
            },
          ],
        },
      ]),
    );
    expect(within(row('a.bin')).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('75');
  });

  it('moves the selection with the arrow keys and removes the selected one with Delete', () => {
    renderApp([
      task({ id: 'aaaaaa', fileName: 'first.bin', createdAt: 2 }),
      task({ id: 'bbbbbb', fileName: 'second.bin', createdAt: 1 }),
    ]);
    const list = screen.getByRole('grid', { name: 'Downloads' });
    act(() => list.focus());
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(row('second.bin').getAttribute('aria-current')).toBe('true');
    fireEvent.keyDown(row('second.bin'), { key: 'Delete' });
    expect(screen.getByRole('dialog', { name: 'Remove download' }).textContent).toContain(
      'second.bin',
    );
  });

  it('says when a download is retrying: which attempt, how soon, and why', () => {
    renderApp([
      task({
        id: 'aaaaaa',
        fileName: 'flaky.iso',
        state: 'downloading',
        retry: {
          attempt: 3,
          maxAttempts: 10,
          at: Date.now() + 4500,
          message: 'server answered 500 Internal Server Error',
        },
      }),
    ]);
    expect(row('flaky.iso').querySelector('.task-details')?.textContent).toBe(
      '0 B of 1000 B · attempt 3 of 10 failed, next in 5 s · server answered 500 Internal Server Error',
    );
  });

  it('shows Verifying and how far while the checksum is computed, in words a screen reader says', () => {
    const { api } = renderApp([
      task({
        id: 'aaaaaa',
        fileName: 'disc.iso',
        state: 'downloading',
        downloaded: 1000,
        verifying: { algorithm: 'sha256', hashed: 430, total: 1000 },
      }),
    ]);
    const item = row('disc.iso');
    expect(within(item).getByText('Verifying')).toBeTruthy();
    const bar = within(item).getByRole('progressbar', { name: 'disc.iso' });
    expect(bar.getAttribute('aria-valuenow')).toBe('43');
    expect(bar.getAttribute('aria-valuetext')).toBe('Verifying sha256… 43%');
    expect(item.querySelector('.task-details')?.textContent).toBe('1000 B · Verifying sha256… 43%');
    act(() =>
      api.emit([
        { type: 'settings-changed', settings: SettingsSchema.parse({ language: 'zh-CN' }) },
      ]),
    );
    expect(within(item).getByText('校验中')).toBeTruthy();
    expect(bar.getAttribute('aria-valuetext')).toBe('正在校验 sha256… 43%');
  });

  it('selects and focuses the row that takes the place of a removed one', async () => {
    const { api } = renderApp([
      task({ id: 'aaaaaa', fileName: 'first.bin', createdAt: 3 }),
      task({ id: 'bbbbbb', fileName: 'second.bin', createdAt: 2 }),
      task({ id: 'cccccc', fileName: 'third.bin', createdAt: 1 }),
    ]);
    const list = screen.getByRole('grid', { name: 'Downloads' });
    act(() => list.focus());
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(row('second.bin'), { key: 'Delete' });
    const dialog = screen.getByRole('dialog', { name: 'Remove download' });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' })));
    act(() => api.emit([{ type: 'task-removed', id: 'bbbbbb' }]));
    expect(document.activeElement).toBe(row('third.bin'));
    expect(row('third.bin').getAttribute('aria-current')).toBe('true');
  });

  it('moves its bar only while an unknown size is downloading, and shows the whole text on hover', () => {
    renderApp([
      task({ id: 'aaaaaa', fileName: 'live.bin', size: null, state: 'downloading', createdAt: 3 }),
      task({
        id: 'bbbbbb',
        fileName: 'failed.bin',
        size: null,
        state: 'failed',
        createdAt: 2,
        error: { code: 'HTTP_500', message: 'server answered 500 Internal Server Error' },
      }),
      task({ id: 'cccccc', fileName: 'done.bin', size: null, state: 'completed', createdAt: 1 }),
    ]);
    const fill = (name: string) => row(name).querySelector('.progress-fill') as HTMLElement;
    expect(fill('live.bin').classList.contains('indeterminate')).toBe(true);
    expect(fill('failed.bin').classList.contains('indeterminate')).toBe(false);
    expect(fill('failed.bin').style.width).toBe('0%');
    expect(fill('done.bin').style.width).toBe('100%');
    const details = row('failed.bin').querySelector('.task-details') as HTMLElement;
    expect(details.title).toContain('server answered 500 Internal Server Error');
  });

  it('keeps the bar of a download waiting to retry still: nothing is coming meanwhile', () => {
    const retry = { attempt: 1, maxAttempts: 10, at: Date.now() + 4000, message: 'reset' };
    renderApp([
      task({ id: 'aaaaaa', fileName: 'wait.bin', size: null, state: 'downloading', retry }),
    ]);
    const fill = row('wait.bin').querySelector('.progress-fill') as HTMLElement;
    expect(fill.classList.contains('indeterminate')).toBe(false);
    expect(fill.style.width).toBe('0%');
  });

  it('says what a cancel did instead of "0 B of size unknown"', () => {
    renderApp([task({ id: 'aaaaaa', fileName: 'gone.iso', state: 'canceled', size: null })]);
    expect(row('gone.iso').querySelector('.task-details')?.textContent).toBe(
      'Canceled; its partial data was deleted. Retry starts over.',
    );
  });

  it('says what a canceled download kept, when it kept its file', () => {
    const message =
      'gone.iso is kept as it was, but may be damaged: fetching it again was canceled';
    renderApp([
      task({
        id: 'aaaaaa',
        fileName: 'gone.iso',
        state: 'canceled',
        error: { code: 'CANCELED', message },
      }),
    ]);
    expect(row('gone.iso').querySelector('.task-details')?.textContent).toBe(message);
  });

  it('says a download that has not started is waiting, one that failed before a byte why, and how far one that was cut off got', () => {
    renderApp([
      task({ id: 'aaaaaa', fileName: 'next.iso', state: 'queued', size: null, downloaded: 0 }),
      task({ id: 'bbbbbb', fileName: 'again.iso', state: 'queued', size: 2048, downloaded: 1024 }),
      task({
        id: 'cccccc',
        fileName: 'gone.iso',
        state: 'failed',
        size: null,
        downloaded: 0,
        error: { code: 'HTTP_404', message: 'server answered 404 Not Found' },
      }),
    ]);
    expect(row('next.iso').querySelector('.task-details')?.textContent).toBe('Waiting to start');
    expect(row('gone.iso').querySelector('.task-details')?.textContent).toBe(
      'server answered 404 Not Found',
    );
    expect(row('again.iso').querySelector('.task-details')?.textContent).toBe(
      '1.00 KiB of 2.00 KiB',
    );
  });

  it('offers a finished file for saving to this device in a browser, from braid serve', () => {
    renderApp([task({ id: 'aaaaaa', fileName: 'résumé.pdf', state: 'completed' })]);
    const save = within(row('résumé.pdf')).getByRole('link', { name: 'Save to this device' });
    expect(save.getAttribute('href')).toBe('/files/aaaaaa');
    expect(save.getAttribute('download')).toBe('résumé.pdf');
  });

  it('puts only the focused row’s buttons in the Tab order', () => {
    renderApp([
      task({ id: 'aaaaaa', fileName: 'first.bin', createdAt: 2 }),
      task({ id: 'bbbbbb', fileName: 'second.bin', createdAt: 1 }),
    ]);
    const tabbable = (name: string) =>
      within(row(name))
        .getAllByRole('button')
        .filter((b) => b.tabIndex >= 0).length;
    expect([tabbable('first.bin'), tabbable('second.bin')]).toEqual([0, 0]);
    const list = screen.getByRole('grid', { name: 'Downloads' });
    act(() => list.focus());
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(tabbable('first.bin')).toBe(0);
    expect(tabbable('second.bin')).toBe(4);
  });

  it('renders only the rows in view for a thousand tasks', () => {
    renderApp(
      Array.from({ length: 1000 }, (_, i) =>
        task({ id: `t${String(i).padStart(5, '0')}`, createdAt: i }),
      ),
    );
    const items = within(screen.getByRole('grid', { name: 'Downloads' })).getAllByRole('row');
    expect(items.length).toBeGreaterThan(3);
    expect(items.length).toBeLessThan(40);
  });
});

describe('the selected download', () => {
  it('changes its priority, its connections and its own speed limit', async () => {
    const { api } = renderApp([task({ id: 'aaaaaa', fileName: 'a.bin' })]);
    fireEvent.click(row('a.bin'));
    const panel = screen.getByRole('form', { name: 'Selected download: a.bin' });
    fireEvent.change(within(panel).getByLabelText('Priority'), { target: { value: 'high' } });
    fireEvent.change(within(panel).getByLabelText('Connections'), { target: { value: '16' } });
    fireEvent.change(within(panel).getByLabelText('Speed limit for this download'), {
      target: { value: '512K' },
    });
    await act(async () => fireEvent.click(within(panel).getByRole('button', { name: 'Apply' })));
    expect(api.calls.map((c) => [c.command, c.input])).toEqual([
      ['tasks.setPriority', { id: 'aaaaaa', priority: 'high' }],
      ['tasks.setConnections', { id: 'aaaaaa', connections: 16 }],
      ['tasks.setLimit', { id: 'aaaaaa', limit: 512 * 1024 }],
    ]);
  });

  it('applies the exact speed limit it shows when the field is left untouched', async () => {
    const options = { ...task({ id: 'x' }).options, limit: 1234567 };
    const { api } = renderApp([task({ id: 'aaaaaa', fileName: 'a.bin', options })]);
    fireEvent.click(row('a.bin'));
    const panel = screen.getByRole('form', { name: 'Selected download: a.bin' });
    await act(async () => fireEvent.click(within(panel).getByRole('button', { name: 'Apply' })));
    expect(api.commands('tasks.setLimit')).toEqual([{ id: 'aaaaaa', limit: 1234567 }]);
  });
});

describe('the link of the selected download', () => {
  it('gives a failed download a new link and retries it', async () => {
    const { api } = renderApp([
      task({
        id: 'aaaaaa',
        fileName: 'disk.iso',
        url: 'https://old.example/disk.iso?sig=1',
        state: 'failed',
      }),
    ]);
    api.answers['tasks.setUrl'] = (input) => {
      const { id, url } = input as { id: string; url: string };
      return task({ id, fileName: 'disk.iso', url, state: 'failed' });
    };
    fireEvent.click(row('disk.iso'));
    const form = screen.getByRole('form', { name: 'Link: disk.iso' });
    const field = within(form).getByLabelText('Link');
    expect((field as HTMLInputElement).value).toBe('https://old.example/disk.iso?sig=1');
    fireEvent.change(field, { target: { value: ' https://new.example/disk.iso?sig=2 ' } });
    await act(async () =>
      fireEvent.click(within(form).getByRole('button', { name: 'Use this link' })),
    );
    expect(api.calls.map((c) => [c.command, c.input])).toEqual([
      ['tasks.setUrl', { id: 'aaaaaa', url: 'https://new.example/disk.iso?sig=2' }],
      ['tasks.retry', { id: 'aaaaaa' }],
    ]);
  });

  it('gives a download new headers for the same link, showing the ones it has', async () => {
    const url = 'https://cdn.example/disk.iso';
    const headers = { Cookie: 'session=old', 'X-Client': 'braid' };
    const { api } = renderApp([
      task({
        id: 'aaaaaa',
        fileName: 'disk.iso',
        url,
        state: 'paused',
        options: { ...task({ id: 'aaaaaa' }).options, headers },
      }),
    ]);
    fireEvent.click(row('disk.iso'));
    const form = screen.getByRole('form', { name: 'Link: disk.iso' });
    const field = within(form).getByLabelText('Headers') as HTMLTextAreaElement;
    expect(field.value).toBe('Cookie: session=old\nX-Client: braid');
    const use = within(form).getByRole('button', { name: 'Use this link' }) as HTMLButtonElement;
    expect(use.getAttribute('aria-disabled')).toBe('true');
    fireEvent.change(field, { target: { value: 'Cookie: session=new\n\nX-Client: braid\n' } });
    expect(use.getAttribute('aria-disabled')).toBe('false');
    await act(async () => fireEvent.click(use));
    expect(api.calls.map((c) => [c.command, c.input])).toEqual([
      [
        'tasks.setUrl',
        { id: 'aaaaaa', url, headers: { Cookie: 'session=new', 'X-Client': 'braid' } },
      ],
    ]);
  });

  it('says which header line it cannot read, at the headers, and sends nothing', async () => {
    const { api } = renderApp([task({ id: 'aaaaaa', fileName: 'disk.iso', state: 'failed' })]);
    fireEvent.click(row('disk.iso'));
    const form = screen.getByRole('form', { name: 'Link: disk.iso' });
    const field = within(form).getByLabelText('Headers');
    fireEvent.change(field, { target: { value: 'Cookie: a=1\nno colon here' } });
    await act(async () => fireEvent.submit(form));
    expect(within(form).getByRole('alert').textContent).toBe('Line 2: expected "Name: value".');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(within(form).getByLabelText('Link').getAttribute('aria-invalid')).toBeNull();
    fireEvent.change(field, { target: { value: 'Range: bytes=0-' } });
    await act(async () => fireEvent.submit(form));
    expect(within(form).getByRole('alert').textContent).toMatch(/managed by Braid/);
    expect(api.calls).toEqual([]);
  });

  it('says what is wrong with a link it cannot use, and sends nothing', async () => {
    const { api } = renderApp([task({ id: 'aaaaaa', fileName: 'disk.iso', state: 'paused' })]);
    fireEvent.click(row('disk.iso'));
    const form = screen.getByRole('form', { name: 'Link: disk.iso' });
    const field = within(form).getByLabelText('Link');
    fireEvent.change(field, { target: { value: 'ftp://example.com/disk.iso' } });
    await act(async () => fireEvent.submit(form));
    expect(within(form).getByRole('alert').textContent).toMatch(/only http: and https:/);
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(api.calls).toEqual([]);
  });

  it('says what is wrong with a link in the UI’s language', async () => {
    const { api } = renderApp([task({ id: 'aaaaaa', fileName: 'disk.iso', state: 'paused' })]);
    fireEvent.click(row('disk.iso'));
    act(() =>
      api.emit([
        { type: 'settings-changed', settings: SettingsSchema.parse({ language: 'zh-CN' }) },
      ]),
    );
    const form = screen.getByRole('form', { name: '链接: disk.iso' });
    fireEvent.change(within(form).getByLabelText('链接'), {
      target: { value: 'ftp://example.com/disk.iso' },
    });
    await act(async () => fireEvent.submit(form));
    expect(within(form).getByRole('alert').textContent).toBe(
      '不支持的协议“ftp:”：只能下载 http: 和 https: 链接',
    );
    expect(api.calls).toEqual([]);
  });

  it('shows the link a queued download starts with, not one typed for it that was never used', () => {
    const queued = task({
      id: 'aaaaaa',
      fileName: 'disk.iso',
      url: 'https://old.example/disk.iso',
      state: 'queued',
    });
    const { store } = renderApp([queued]);
    fireEvent.click(row('disk.iso'));
    const form = screen.getByRole('form', { name: 'Link: disk.iso' });
    const field = within(form).getByLabelText('Link') as HTMLInputElement;
    fireEvent.change(field, { target: { value: 'https://typed.example/disk.iso' } });
    act(() =>
      store
        .getState()
        .applyEvents([{ type: 'task-changed', task: { ...queued, state: 'downloading' } }]),
    );
    expect(field.readOnly).toBe(true);
    expect(field.value).toBe('https://old.example/disk.iso');
  });

  it('keeps what was typed for one download to that one, when another with the same link is selected', async () => {
    const url = 'https://same.example/disk.iso';
    const { api } = renderApp([
      task({ id: 'aaaaaa', fileName: 'a.iso', url, state: 'paused', createdAt: 2 }),
      task({ id: 'bbbbbb', fileName: 'b.iso', url, state: 'paused', createdAt: 1 }),
    ]);
    fireEvent.click(row('a.iso'));
    const first = screen.getByRole('form', { name: 'Link: a.iso' });
    fireEvent.change(within(first).getByLabelText('Link'), { target: { value: 'ftp://x/a.iso' } });
    await act(async () => fireEvent.submit(first));
    expect(within(first).getByRole('alert')).toBeTruthy();
    fireEvent.change(within(first).getByLabelText('Link'), {
      target: { value: 'https://new.example/a.iso' },
    });
    fireEvent.click(row('b.iso'));
    const second = screen.getByRole('form', { name: 'Link: b.iso' });
    expect((within(second).getByLabelText('Link') as HTMLInputElement).value).toBe(url);
    expect(within(second).queryByRole('alert')).toBeNull();
    await act(async () => fireEvent.submit(second));
    expect(api.commands('tasks.setUrl')).toEqual([]);
  });

  it('shows the link of a running download read-only, saying to pause it first', () => {
    renderApp([task({ id: 'aaaaaa', fileName: 'disk.iso', state: 'downloading' })]);
    fireEvent.click(row('disk.iso'));
    const form = screen.getByRole('form', { name: 'Link: disk.iso' });
    const field = within(form).getByLabelText('Link');
    expect(field.hasAttribute('readonly')).toBe(true);
    expect(
      within(form).getByRole('button', { name: 'Use this link' }).getAttribute('aria-disabled'),
    ).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(field.getAttribute('aria-describedby')!)?.textContent).toMatch(
      /Pause the download/,
    );
  });
});
