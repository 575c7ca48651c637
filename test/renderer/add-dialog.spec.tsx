import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { SettingsSchema } from '../../shared/api/settings.ts';
import { task } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

function openDialog() {
  fireEvent.click(screen.getByRole('button', { name: 'New download' }));
  return screen.getByRole('dialog', { name: 'New download' });
}

/** The add dialog of an app whose settings say 简体中文. */
function openDialogInChinese() {
  const { api } = renderApp();
  act(() =>
    api.emit([{ type: 'settings-changed', settings: SettingsSchema.parse({ language: 'zh-CN' }) }]),
  );
  fireEvent.click(screen.getByRole('button', { name: '新建下载' }));
  return { api, dialog: screen.getByRole('dialog', { name: '新建下载' }) };
}

describe('the add dialog', () => {
  it('refuses file: and javascript: links with a clear message and sends nothing', async () => {
    const { api } = renderApp();
    const dialog = openDialog();
    fireEvent.change(within(dialog).getByLabelText('URL'), {
      target: { value: 'file:///etc/passwd\njavascript:alert(1)' },
    });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent).toContain('file:///etc/passwd — unsupported URL scheme "file:"');
    expect(alert.textContent).toContain(
      'javascript:alert(1) — unsupported URL scheme "javascript:"',
    );
    expect(api.commands('tasks.add')).toEqual([]);
  });

  it('adds with Ctrl+Enter from the links box, where Enter alone starts a new line', async () => {
    const { api } = renderApp();
    const dialog = openDialog();
    const links = within(dialog).getByLabelText('URL');
    fireEvent.change(links, { target: { value: 'https://example.test/a.iso' } });
    fireEvent.keyDown(links, { key: 'Enter' });
    expect(api.commands('tasks.add')).toEqual([]);
    await act(async () => fireEvent.keyDown(links, { key: 'Enter', ctrlKey: true }));
    expect(api.commands('tasks.add')).toEqual([
      { tasks: [{ url: 'https://example.test/a.iso', connections: 8 }] },
    ]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('adds thousands of long links in parts a server frame can carry, keeping only the rest after a failure', async () => {
    const { api } = renderApp();
    const dialog = openDialog();
    const links = Array.from(
      { length: 3000 },
      (_, i) => `https://example.test/${String(i).padStart(4, '0')}/${'x'.repeat(1000)}.bin`,
    );
    fireEvent.change(within(dialog).getByLabelText('URL'), {
      target: { value: links.join('\n') },
    });
    let parts = 0;
    api.answers['tasks.add'] = () => {
      if (++parts === 2) throw new ApiError('ENGINE_CLOSED', 'Braid is shutting down');
      return [];
    };
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    const sent = api.commands('tasks.add') as Array<{ tasks: Array<{ url: string }> }>;
    expect(sent.length).toBe(2);
    for (const part of sent) {
      expect(new TextEncoder().encode(JSON.stringify(part)).length).toBeLessThan(4 * 1024 * 1024);
    }
    const first = sent[0]!.tasks.map((t) => t.url);
    expect(first).toEqual(links.slice(0, first.length));
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent).toMatch(new RegExp(`^${first.length} of 3000 links were added`));
    const box = within(dialog).getByLabelText('URL') as HTMLTextAreaElement;
    expect(box.value).toBe(links.slice(first.length).join('\n'));
  });

  it('sends every option the user set, validated by the shared schema', async () => {
    const { api } = renderApp();
    const dialog = openDialog();
    const set = (label: string, value: string) =>
      fireEvent.change(within(dialog).getByLabelText(label), { target: { value } });
    set('URL', 'https://example.test/big.iso');
    set('Folder', '/data/iso');
    set('File name', 'ubuntu.iso');
    set('Connections', '12');
    set('Speed limit', '2M');
    set('Checksum type', 'sha256');
    set('Checksum', 'A'.repeat(64));
    set('Extra headers', 'Authorization: Bearer abc\nX-Trace: 1');
    set('Mirrors', 'https://mirror.test/big.iso\n');
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    expect(api.commands('tasks.add')).toEqual([
      {
        tasks: [
          {
            url: 'https://example.test/big.iso',
            dir: '/data/iso',
            fileName: 'ubuntu.iso',
            connections: 12,
            limit: 2 * 1024 * 1024,
            headers: { Authorization: 'Bearer abc', 'X-Trace': '1' },
            checksum: { algorithm: 'sha256', expected: 'A'.repeat(64) },
            mirrors: ['https://mirror.test/big.iso'],
          },
        ],
      },
    ]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('expands ranges into one task per link', async () => {
    const { api } = renderApp();
    const dialog = openDialog();
    fireEvent.change(within(dialog).getByLabelText('URL'), {
      target: { value: 'http://h.test/img[001-120].jpg' },
    });
    expect(within(dialog).getByText('120 downloads')).toBeTruthy();
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    const [sent] = api.commands('tasks.add') as Array<{ tasks: Array<{ url: string }> }>;
    expect(sent?.tasks).toHaveLength(120);
    expect(sent?.tasks[0]?.url).toBe('http://h.test/img001.jpg');
    expect(sent?.tasks[119]?.url).toBe('http://h.test/img120.jpg');
  });

  it('shows header injection and a bad limit as errors', async () => {
    const { api } = renderApp();
    const dialog = openDialog();
    fireEvent.change(within(dialog).getByLabelText('URL'), {
      target: { value: 'http://h.test/a' },
    });
    fireEvent.change(within(dialog).getByLabelText('Speed limit'), { target: { value: 'fast' } });
    fireEvent.change(within(dialog).getByLabelText('Extra headers'), {
      target: { value: 'no colon here' },
    });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    const text = within(dialog).getByRole('alert').textContent ?? '';
    expect(text).toContain('Line 1: expected "Name: value".');
    expect(text).toContain('Speed limit: a speed such as 500K or 2M, or empty for none.');
    expect(api.commands('tasks.add')).toEqual([]);
  });

  it('says a bad speed limit in the UI’s language', async () => {
    const { dialog } = openDialogInChinese();
    fireEvent.change(within(dialog).getByLabelText('链接'), {
      target: { value: 'http://h.test/a' },
    });
    fireEvent.change(within(dialog).getByLabelText('限速'), { target: { value: 'fast' } });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: '添加' })));
    const text = within(dialog).getByRole('alert').textContent ?? '';
    expect(text).toContain('限速：请输入速率');
    expect(text).not.toMatch(/invalid rate/);
  });

  it('says a bad link, range or mirror in the UI’s language', async () => {
    const { api, dialog } = openDialogInChinese();
    const links = within(dialog).getByLabelText('链接');
    const errors = async () => {
      await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: '添加' })));
      return within(dialog).getByRole('alert').textContent ?? '';
    };
    fireEvent.change(links, { target: { value: 'http://h.test/[5-1].bin' } });
    expect(await errors()).toBe('范围 [5-1] 是倒序的');
    fireEvent.change(links, { target: { value: 'http://h.test/[1-200]/[1-200].bin' } });
    expect(await errors()).toBe('这些范围展开后超过 10000 个链接');
    fireEvent.change(links, { target: { value: 'ftp://h.test/a.bin\nh.test/a.bin\nnot a link' } });
    expect(await errors()).toBe(
      [
        'ftp://h.test/a.bin — 不支持的协议“ftp:”：只能下载 http: 和 https: 链接',
        'h.test/a.bin — 不是有效的链接；是否想输入 https://h.test/a.bin？',
        'not a link — 不是有效的链接',
      ].join(''),
    );
    fireEvent.change(links, { target: { value: 'http://h.test/a.bin' } });
    fireEvent.change(within(dialog).getByLabelText('镜像'), { target: { value: 'file:///a.bin' } });
    expect(await errors()).toBe(
      '镜像：file:///a.bin — 不支持的协议“file:”：只能下载 http: 和 https: 链接',
    );
    expect(api.commands('tasks.add')).toEqual([]);
  });

  it('says when a link is already in the list, and still adds it when asked', async () => {
    const { api } = renderApp([
      task({ id: 'aaaaaa', url: 'http://h.test/a.iso', fileName: 'a.iso', state: 'completed' }),
    ]);
    const dialog = openDialog();
    const url = within(dialog).getByLabelText('URL');
    fireEvent.change(url, { target: { value: 'http://h.test/b.iso' } });
    expect(within(dialog).queryByText(/Already in the list/)).toBeNull();
    fireEvent.change(url, { target: { value: 'http://h.test/b.iso\nhttp://h.test/a.iso' } });
    expect(within(dialog).getByRole('status').textContent).toBe(
      'Already in the list: a.iso. Adding again saves another copy.',
    );
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    expect(api.commands('tasks.add')).toHaveLength(1);
  });

  it('says which field is wrong in its own words, and marks that field, not the links', async () => {
    const { api } = renderApp();
    const dialog = openDialog();
    fireEvent.change(within(dialog).getByLabelText('URL'), {
      target: { value: 'http://h.test/a\nhttp://h.test/b' },
    });
    const connections = within(dialog).getByLabelText('Connections');
    fireEvent.change(connections, { target: { value: '0' } });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    const alert = within(dialog).getByRole('alert');
    expect([...alert.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      'Connections: a whole number from 1 to 32.',
    ]);
    expect(connections.getAttribute('aria-invalid')).toBe('true');
    expect(connections.getAttribute('aria-errormessage')).toBe(alert.id);
    expect(within(dialog).getByLabelText('URL').hasAttribute('aria-invalid')).toBe(false);
    expect(api.commands('tasks.add')).toEqual([]);
  });

  it('shows the probed name and size before adding', async () => {
    const { api } = renderApp();
    api.answers['tasks.probe'] = () => ({
      url: 'http://h.test/dl',
      fileName: 'report.pdf',
      size: 1536,
      resumable: true,
      contentType: 'application/pdf',
    });
    const dialog = openDialog();
    fireEvent.change(within(dialog).getByLabelText('URL'), {
      target: { value: 'http://h.test/dl' },
    });
    expect(
      await within(dialog).findByText('report.pdf · 1.50 KiB', {}, { timeout: 2000 }),
    ).toBeTruthy();
    expect(api.commands('tasks.probe')).toEqual([{ url: 'http://h.test/dl' }]);

    // A second link: the first one's name and size would read as if they were both's.
    fireEvent.change(within(dialog).getByLabelText('URL'), {
      target: { value: 'http://h.test/dl\nhttp://h.test/other' },
    });
    expect(within(dialog).getByText('2 downloads')).toBeTruthy();
    expect(within(dialog).queryByText('report.pdf · 1.50 KiB')).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(api.commands('tasks.probe')).toHaveLength(1);
  });

  it('adds a link given several times once, and says how many repeats it left out', async () => {
    const { api } = renderApp();
    const dialog = openDialog();
    fireEvent.change(within(dialog).getByLabelText('URL'), {
      target: { value: 'http://h.test/a.bin\nhttp://h.test/a.bin\nhttp://h.test/[a-b].bin' },
    });
    expect(within(dialog).getByText('2 downloads: 2 repeated links left out')).toBeTruthy();
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    expect(api.commands('tasks.add')).toEqual([
      {
        tasks: [
          { url: 'http://h.test/a.bin', connections: 8 },
          { url: 'http://h.test/b.bin', connections: 8 },
        ],
      },
    ]);
  });

  it('keeps the dialog open with the engine message when adding fails', async () => {
    const { api } = renderApp();
    api.fail('tasks.add', 'task 1: dir: too long');
    const dialog = openDialog();
    fireEvent.change(within(dialog).getByLabelText('URL'), {
      target: { value: 'http://h.test/a' },
    });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    expect(within(dialog).getByRole('alert').textContent).toBe('task 1: dir: too long');
  });

  it('closes with Escape and gives focus back', () => {
    renderApp();
    const opener = screen.getByRole('button', { name: 'New download' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole('dialog');
    expect(document.activeElement).toBe(within(dialog).getByLabelText('URL'));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });
});

describe('a dialog keeps the keyboard', () => {
  it('takes the focus when Add disables under it, then keeps Tab inside and closes on Escape from anywhere', async () => {
    const { api } = renderApp();
    api.answers['tasks.add'] = () => new Promise(() => {});
    const dialog = openDialog();
    const links = within(dialog).getByLabelText('URL');
    fireEvent.change(links, { target: { value: 'http://h.test/a' } });
    const add = within(dialog).getByRole('button', { name: 'Add' });
    add.focus();
    await act(async () => fireEvent.click(add));
    expect((add as HTMLButtonElement).disabled).toBe(true);
    expect(document.activeElement).toBe(dialog);
    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(links);

    // A click on the dialog's text, or a control gone, leaves the focus on the page behind.
    act(() => (document.activeElement as HTMLElement).blur());
    fireEvent.keyDown(document.body, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Close' }));
    act(() => (document.activeElement as HTMLElement).blur());
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
