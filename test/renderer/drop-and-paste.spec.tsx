import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { extractUrls, linksFromTransfer } from '../../renderer/input/link-text.ts';
import { renderApp } from './render-app.tsx';

function transfer(data: Record<string, string>) {
  return { getData: (type: string) => data[type] ?? '' };
}

describe('links from outside the app', () => {
  it('reads text/uri-list, skipping comments, before plain text', () => {
    expect(
      linksFromTransfer(
        transfer({
          'text/uri-list':
            '# from a page\r\nhttp://a.test/1.zip\r\nftp://no.test/x\r\nhttps://b.test/2.zip',
          'text/plain': 'http://ignored.test/',
        }),
      ),
    ).toEqual(['http://a.test/1.zip', 'https://b.test/2.zip']);
  });

  it('finds http(s) links in a text selection, without trailing punctuation or duplicates', () => {
    expect(
      extractUrls(
        'Get it at https://x.test/a.iso, or (mirror: http://y.test/a.iso). Again: https://x.test/a.iso! file:///etc/passwd',
      ),
    ).toEqual(['https://x.test/a.iso', 'http://y.test/a.iso']);
  });

  it('ends a link at full-width punctuation, as Chinese text runs straight into it', () => {
    expect(
      extractUrls('下载链接：http://h.test/zh.zip?size=1，谢谢！另一个http://h.test/zh2.zip。'),
    ).toEqual(['http://h.test/zh.zip?size=1', 'http://h.test/zh2.zip']);
    expect(extractUrls('「https://h.test/a.iso」、（https://h.test/b.iso）；…')).toEqual([
      'https://h.test/a.iso',
      'https://h.test/b.iso',
    ]);
  });

  it('keeps a closing bracket the link opened, and drops one the sentence opened', () => {
    expect(
      extractUrls(
        'See https://en.wikipedia.org/wiki/Foo_(bar) and (https://en.wikipedia.org/wiki/Baz_(qux)).',
      ),
    ).toEqual([
      'https://en.wikipedia.org/wiki/Foo_(bar)',
      'https://en.wikipedia.org/wiki/Baz_(qux)',
    ]);
  });

  it('opens the add dialog prefilled when links are dropped anywhere on the window', () => {
    renderApp();
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.assign(drop, {
      dataTransfer: transfer({ 'text/uri-list': 'http://a.test/1.zip\nhttp://a.test/2.zip' }),
    });
    act(() => {
      document.body.dispatchEvent(drop);
    });
    expect(drop.defaultPrevented).toBe(true);
    const dialog = screen.getByRole('dialog', { name: 'New download' });
    expect((within(dialog).getByLabelText('URL') as HTMLTextAreaElement).value).toBe(
      'http://a.test/1.zip\nhttp://a.test/2.zip',
    );
  });

  it('adds links dropped or pasted on the open add dialog to its box, keeping what was typed', () => {
    renderApp();
    fireEvent.click(screen.getByRole('button', { name: 'New download' }));
    const dialog = screen.getByRole('dialog', { name: 'New download' });
    const links = within(dialog).getByLabelText('URL') as HTMLTextAreaElement;
    fireEvent.change(links, { target: { value: 'http://a.test/typed.zip' } });
    fireEvent.change(within(dialog).getByLabelText('Folder'), { target: { value: '/mine' } });
    fireEvent.change(within(dialog).getByLabelText('Speed limit'), { target: { value: '500K' } });
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.assign(drop, {
      dataTransfer: transfer({ 'text/uri-list': 'http://a.test/dropped.zip' }),
    });
    act(() => {
      links.dispatchEvent(drop);
    });
    // The dialog takes it, not the links box at the drop point (where it would split a line).
    expect(drop.defaultPrevented).toBe(true);
    fireEvent.paste(within(dialog).getByRole('button', { name: 'Add' }), {
      clipboardData: transfer({ 'text/plain': 'also http://a.test/pasted.zip' }),
    });
    expect(screen.getAllByRole('dialog')).toHaveLength(1);
    const now = screen.getByRole('dialog', { name: 'New download' });
    expect((within(now).getByLabelText('URL') as HTMLTextAreaElement).value).toBe(
      'http://a.test/typed.zip\nhttp://a.test/dropped.zip\nhttp://a.test/pasted.zip',
    );
    expect((within(now).getByLabelText('Folder') as HTMLInputElement).value).toBe('/mine');
    expect((within(now).getByLabelText('Speed limit') as HTMLInputElement).value).toBe('500K');
  });

  it('ignores links dropped or pasted while another dialog is open', () => {
    renderApp();
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const settings = screen.getByRole('dialog', { name: 'Settings' });
    const save = within(settings).getByRole('button', { name: 'Save' });
    save.focus();
    fireEvent.paste(save, { clipboardData: transfer({ 'text/plain': 'http://a.test/x' }) });
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.assign(drop, { dataTransfer: transfer({ 'text/uri-list': 'http://a.test/y' }) });
    act(() => {
      settings.dispatchEvent(drop);
    });
    expect(drop.defaultPrevented).toBe(true);
    expect(screen.getAllByRole('dialog').map((d) => d.getAttribute('aria-labelledby'))).toEqual([
      settings.getAttribute('aria-labelledby'),
    ]);
    expect(document.activeElement).toBe(save);
  });

  it('reads the links of a dropped text file, and says what else dropped is not taken', async () => {
    renderApp();
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    const files = [
      new File(['http://a.test/1.zip\nhttp://a.test/2.zip\n'], 'links.txt', { type: 'text/plain' }),
      new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'photo.png', { type: 'image/png' }),
    ];
    Object.assign(drop, { dataTransfer: { ...transfer({}), files } });
    await act(async () => {
      document.body.dispatchEvent(drop);
    });
    const dialog = await screen.findByRole('dialog', { name: 'New download' });
    expect((within(dialog).getByLabelText('URL') as HTMLTextAreaElement).value).toBe(
      'http://a.test/1.zip\nhttp://a.test/2.zip',
    );
    expect(screen.getByText(/No links taken from photo\.png/)).toBeTruthy();
  });

  it('never lets a drag over the window navigate it', () => {
    renderApp();
    const over = new Event('dragover', { bubbles: true, cancelable: true });
    document.body.dispatchEvent(over);
    expect(over.defaultPrevented).toBe(true);
  });

  it('opens the dialog on paste outside text fields, and leaves pastes into fields alone', () => {
    renderApp();
    const search = screen.getByRole('searchbox', { name: 'Search downloads' });
    fireEvent.paste(search, { clipboardData: transfer({ 'text/plain': 'http://a.test/x' }) });
    expect(screen.queryByRole('dialog')).toBeNull();
    fireEvent.paste(document.body, {
      clipboardData: transfer({ 'text/plain': 'see http://a.test/x' }),
    });
    const dialog = screen.getByRole('dialog', { name: 'New download' });
    expect((within(dialog).getByLabelText('URL') as HTMLTextAreaElement).value).toBe(
      'http://a.test/x',
    );
  });
});

describe('links offered from the clipboard', () => {
  it('shows a quiet offer and opens the add dialog only when asked', async () => {
    const { api } = renderApp();
    act(() => api.emit([{ type: 'link-offer', urls: ['https://x.test/a.iso'] }]));
    expect(screen.queryByRole('dialog')).toBeNull();
    const offer = screen.getByRole('status', { name: '' });
    expect(offer.textContent).toContain('Copied: https://x.test/a.iso');
    fireEvent.click(within(offer).getByRole('button', { name: 'Download…' }));
    const dialog = screen.getByRole('dialog', { name: 'New download' });
    expect((within(dialog).getByLabelText('URL') as HTMLTextAreaElement).value).toBe(
      'https://x.test/a.iso',
    );
    expect(api.commands('tasks.add')).toEqual([]);
  });
});
