import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CATEGORIES, SettingsSchema, type Category } from '../../shared/api/settings.ts';
import { en } from '../../shared/i18n/en.ts';
import { DICTIONARIES, translator } from '../../renderer/i18n/i18n.ts';
import { renderApp } from './render-app.tsx';

/** The app with its settings dialog open; settings.update answers with what it was sent. */
function openSettings() {
  const { api } = renderApp();
  api.answers['settings.update'] = (patch) => ({
    ...SettingsSchema.parse({}),
    ...(patch as object),
  });
  fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
  return { api, dialog: screen.getByRole('dialog', { name: 'Settings' }) };
}

describe('settings', () => {
  it('saves every setting the user changed through settings.update, and only those', async () => {
    const { api, dialog } = openSettings();
    const set = (label: string, value: string) =>
      fireEvent.change(within(dialog).getByLabelText(label), { target: { value } });
    set('Download folder', '/srv/dl');
    set('Downloads at once', '5');
    set('Connections per download', '16');
    set('Global speed limit', '10M');
    set('Theme', 'dark');
    set('Language', 'zh-CN');
    set('Proxy', 'custom');
    set('Proxy URL', 'http://u:p@proxy.test:3128');
    fireEvent.click(within(dialog).getByLabelText('Notify when downloads finish or fail'));
    fireEvent.click(within(dialog).getByLabelText('Sort downloads into folders by type'));
    fireEvent.change(within(dialog).getByLabelText('Extensions: Video'), {
      target: { value: 'mp4, .MKV webm' },
    });
    fireEvent.change(within(dialog).getByLabelText('Folder: Music'), {
      target: { value: '/media/music' },
    });
    fireEvent.click(within(dialog).getByLabelText('Download only between these times'));
    fireEvent.change(within(dialog).getAllByLabelText('From')[0] as HTMLElement, {
      target: { value: '22:00' },
    });
    fireEvent.change(within(dialog).getAllByLabelText('Until')[0] as HTMLElement, {
      target: { value: '07:00' },
    });
    const days = within(dialog).getByRole('group', {
      name: 'Download only between these times: Days',
    });
    fireEvent.click(within(days).getByLabelText('Sun'));
    fireEvent.click(within(dialog).getByLabelText('Slow down between these times'));
    fireEvent.change(within(dialog).getByLabelText('Speed limit in that window'), {
      target: { value: '512K' },
    });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    expect(api.commands('settings.update')).toEqual([
      {
        downloadDir: '/srv/dl',
        maxConcurrent: 5,
        connections: 16,
        globalLimit: 10 * 1024 * 1024,
        theme: 'dark',
        language: 'zh-CN',
        notifications: false,
        proxyMode: 'custom',
        proxyUrl: 'http://u:p@proxy.test:3128',
        useCategories: true,
        categories: DEFAULT_CATEGORIES.map((c) =>
          c.name === 'Video'
            ? { ...c, extensions: ['mp4', 'mkv', 'webm'] }
            : c.name === 'Music'
              ? { ...c, dir: '/media/music' }
              : c,
        ),
        schedule: { enabled: true, days: [1, 2, 3, 4, 5, 6], start: '22:00', stop: '07:00' },
        limitSchedule: {
          enabled: true,
          days: [1, 2, 3, 4, 5],
          start: '09:00',
          stop: '18:00',
          limit: 512 * 1024,
        },
      },
    ]);
  });

  it('keeps a separator while an extension is typed, and saves the new extension', async () => {
    const { api } = renderApp();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    await user.click(within(dialog).getByLabelText('Sort downloads into folders by type'));
    const video = within(dialog).getByLabelText<HTMLInputElement>('Extensions: Video');
    await user.click(video);
    await user.keyboard('{End}, bin');
    expect(video.value).toBe('mp4, mkv, avi, mov, webm, wmv, flv, m4v, ts, bin');
    // Typed in the middle: the cursor stays where the typing is.
    video.setSelectionRange(3, 3);
    await user.keyboard(' ogv,');
    expect(video.value).toBe('mp4 ogv,, mkv, avi, mov, webm, wmv, flv, m4v, ts, bin');
    await user.tab();
    expect(video.value).toBe('mp4, ogv, mkv, avi, mov, webm, wmv, flv, m4v, ts, bin');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    const [saved] = api.commands('settings.update') as Array<{ categories: Category[] }>;
    expect(saved?.categories[0]?.extensions).toEqual([
      'mp4',
      'ogv',
      'mkv',
      'avi',
      'mov',
      'webm',
      'wmv',
      'flv',
      'm4v',
      'ts',
      'bin',
    ]);
  });

  it('saves the exact speed limit it was opened with when only its window changes', async () => {
    const { api, store } = renderApp();
    const settings = SettingsSchema.parse({
      globalLimit: 1234567,
      limitSchedule: { enabled: true, days: [1], start: '09:00', stop: '18:00', limit: 765432 },
    });
    act(() => store.getState().applyEvents([{ type: 'settings-changed', settings }]));
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    const days = within(dialog).getByRole('group', {
      name: 'Slow down between these times: Days',
    });
    fireEvent.click(within(days).getByLabelText('Tue'));
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    expect(api.commands('settings.update')).toEqual([
      {
        limitSchedule: {
          enabled: true,
          days: [1, 2],
          start: '09:00',
          stop: '18:00',
          limit: 765432,
        },
      },
    ]);
  });

  it('sends only what the user changed: the process’s own folder (serve -d) is not made permanent', async () => {
    const { api, store } = renderApp();
    const settings = SettingsSchema.parse({ downloadDir: '/srv/given-with-d', maxConcurrent: 7 });
    act(() => store.getState().applyEvents([{ type: 'settings-changed', settings }]));
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    fireEvent.change(within(dialog).getByLabelText('Theme'), { target: { value: 'dark' } });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    expect(api.commands('settings.update')).toEqual([{ theme: 'dark' }]);
  });

  it('shows changes made in another window in the fields left alone, and says which edited ones changed there too', async () => {
    const { api, dialog } = openSettings();
    const field = (label: string) => within(dialog).getByLabelText<HTMLInputElement>(label);
    fireEvent.change(field('Downloads at once'), { target: { value: '5' } });
    fireEvent.change(field('Global speed limit'), { target: { value: '2M' } });
    const elsewhere = SettingsSchema.parse({
      maxConcurrent: 2,
      connections: 16,
      theme: 'dark',
      globalLimit: 1024,
    });
    act(() => api.emit([{ type: 'settings-changed', settings: elsewhere }]));
    expect(field('Connections per download').value).toBe('16');
    expect(field('Theme').value).toBe('dark');
    expect(field('Downloads at once').value).toBe('5');
    expect(field('Global speed limit').value).toBe('2M');
    expect(within(dialog).getByRole('status').textContent).toBe(
      'Changed in another window while you edited: Downloads at once, Global speed limit. ' +
        'Saving keeps what you entered here.',
    );
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    expect(api.commands('settings.update')).toEqual([
      { maxConcurrent: 5, globalLimit: 2 * 1024 * 1024 },
    ]);
  });

  it('says which count is out of range in words, marks it, and saves nothing', async () => {
    const { api } = renderApp();
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    const atOnce = within(dialog).getByLabelText('Downloads at once');
    fireEvent.change(atOnce, { target: { value: '0' } });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent).toBe('Downloads at once: a whole number from 1 to 32.');
    expect(atOnce.getAttribute('aria-invalid')).toBe('true');
    expect(atOnce.getAttribute('aria-errormessage')).toBe(alert.id);
    expect(
      within(dialog).getByLabelText('Connections per download').hasAttribute('aria-invalid'),
    ).toBe(false);
    expect(api.commands('settings.update')).toEqual([]);
  });

  it('asks for a full path for the download folder at its field, and takes ~ and drive letters', async () => {
    const { api, dialog } = openSettings();
    const folder = within(dialog).getByLabelText('Download folder');
    fireEvent.change(folder, { target: { value: 'Downloads' } });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent).toBe(
      'Download folder: give a full path, such as ~/Downloads or /data/downloads.',
    );
    expect(folder.getAttribute('aria-invalid')).toBe('true');
    expect(api.commands('settings.update')).toEqual([]);
    for (const path of ['~/Downloads', 'D:\\Downloads', '/data']) {
      if (!screen.queryByRole('dialog', { name: 'Settings' })) {
        fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
      }
      const open = screen.getByRole('dialog', { name: 'Settings' });
      fireEvent.change(within(open).getByLabelText('Download folder'), { target: { value: path } });
      await act(async () => fireEvent.click(within(open).getByRole('button', { name: 'Save' })));
    }
    const sent = api.commands('settings.update') as Array<{ downloadDir: string }>;
    expect(sent.map((p) => p.downloadDir)).toEqual(['~/Downloads', 'D:\\Downloads', '/data']);
  });

  it('says what is wrong with a time in the UI’s words at its field, marks it and goes there', async () => {
    const { api } = renderApp();
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    fireEvent.click(within(dialog).getByLabelText('Download only between these times'));
    const from = within(dialog).getAllByLabelText('From')[0] as HTMLInputElement;
    fireEvent.change(from, { target: { value: '' } });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent).toBe(
      'Download only between these times: From: enter a time, such as 22:00.',
    );
    expect(from.closest('fieldset')?.contains(alert)).toBe(true);
    expect(from.getAttribute('aria-invalid')).toBe('true');
    expect(from.getAttribute('aria-errormessage')).toBe(alert.id);
    expect(document.activeElement).toBe(from);
    expect(api.commands('settings.update')).toEqual([]);
  });

  it('says what is wrong with an extension, a proxy or a speed limit at its field', async () => {
    renderApp();
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    const save = () =>
      act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    const problemAt = (field: HTMLElement) => {
      expect(field.getAttribute('aria-invalid')).toBe('true');
      return document.getElementById(field.getAttribute('aria-errormessage') ?? '')?.textContent;
    };
    fireEvent.click(within(dialog).getByLabelText('Sort downloads into folders by type'));
    const music = within(dialog).getByLabelText('Extensions: Music');
    fireEvent.change(music, { target: { value: 'mp3, m-4a' } });
    await save();
    expect(problemAt(music)).toBe('Extensions: Music: letters and digits only, such as mp4, mkv.');
    fireEvent.change(music, { target: { value: 'mp3' } });
    fireEvent.change(within(dialog).getByLabelText('Proxy'), { target: { value: 'custom' } });
    const proxy = within(dialog).getByLabelText('Proxy URL');
    fireEvent.change(proxy, { target: { value: 'proxy.test:3128' } });
    await save();
    expect(problemAt(proxy)).toBe(
      'Proxy URL: use http://host:port, https://host:port or socks5://host:port.',
    );
    fireEvent.change(proxy, { target: { value: 'socks4://proxy.test:1080' } });
    await save();
    expect(problemAt(proxy)).toBe(
      'Proxy URL: use http://host:port, https://host:port or socks5://host:port.',
    );
    expect(music.hasAttribute('aria-invalid')).toBe(false);
    fireEvent.change(proxy, { target: { value: 'socks5://u:p@proxy.test:1080' } });
    const limit = within(dialog).getByLabelText('Global speed limit');
    fireEvent.change(limit, { target: { value: 'fast' } });
    await save();
    expect(proxy.hasAttribute('aria-invalid')).toBe(false);
    expect(problemAt(limit)).toBe(
      'Global speed limit: a speed such as 500K or 2M, or empty for none.',
    );
  });

  it('says "Settings saved" in the language just chosen', async () => {
    const { dialog } = openSettings();
    fireEvent.change(within(dialog).getByLabelText('Language'), { target: { value: 'zh-CN' } });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    expect(within(screen.getByRole('status')).getByText('设置已保存')).toBeTruthy();
  });

  it('switches language and theme live when the settings change', () => {
    const { api } = renderApp();
    act(() =>
      api.emit([
        {
          type: 'settings-changed',
          settings: SettingsSchema.parse({ language: 'zh-CN', theme: 'dark' }),
        },
      ]),
    );
    expect(screen.getByRole('button', { name: '新建下载' })).toBeTruthy();
    expect(screen.getByRole('grid', { name: '下载列表' })).toBeTruthy();
    expect(document.documentElement.dataset['theme']).toBe('dark');
    expect(document.documentElement.lang).toBe('zh-CN');
  });
});

describe('translations', () => {
  it('puts a word after a number in the form the number takes: 1 connection, 2 connections', () => {
    const t = translator('en');
    expect([0, 1, 2].map((count) => t('task.connections', { count }))).toEqual([
      '0 connections',
      '1 connection',
      '2 connections',
    ]);
    expect(translator('zh-CN')('task.connections', { count: 1 })).toBe('1 个连接');
  });

  it('has every English key, non-empty, in every language, with the same placeholders', () => {
    for (const [language, dictionary] of Object.entries(DICTIONARIES)) {
      for (const key of Object.keys(en) as Array<keyof typeof en>) {
        const text = dictionary[key];
        expect(text, `${language} ${key}`).toBeTruthy();
        // `{count}` and `{count, plural, …}` both fill in the count.
        const placeholders = (s: string) =>
          [...s.matchAll(/\{(\w+)(?:\}|, plural,)/g)].map((m) => m[1]).sort();
        expect(placeholders(text), `${language} ${key}`).toEqual(placeholders(en[key]));
      }
      expect(Object.keys(dictionary).sort()).toEqual(Object.keys(en).sort());
    }
  });
});
