import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { exportTasks } from '../../electron/api/task-export.ts';
import { task } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

function openDialog() {
  fireEvent.click(screen.getByRole('button', { name: 'New download' }));
  return screen.getByRole('dialog', { name: 'New download' });
}

async function importFile(dialog: HTMLElement, file: File) {
  const input = within(dialog).getByLabelText('Import list from file…');
  await act(async () => {
    fireEvent.change(input, { target: { files: [file] } });
  });
}

function linksBox(dialog: HTMLElement) {
  return (within(dialog).getByLabelText('URL') as HTMLTextAreaElement).value;
}

describe('importing a list of links in the add dialog', () => {
  it('takes the links out of a text file, not the rest of its text', async () => {
    renderApp();
    const dialog = openDialog();
    const text = 'Mirrors for today:\n- https://a.test/1.iso (fast)\n- https://a.test/2.iso.\n';
    await importFile(dialog, new File([text], 'links.txt', { type: 'text/plain' }));
    expect(linksBox(dialog)).toBe('https://a.test/1.iso\nhttps://a.test/2.iso');
  });

  it('refuses a file larger than a list of links, without reading it into the box', async () => {
    renderApp();
    const dialog = openDialog();
    const big = new File([new Uint8Array(5 * 1024 * 1024).fill(0x41)], 'disk.txt', {
      type: 'text/plain',
    });
    await importFile(dialog, big);
    expect(linksBox(dialog)).toBe('');
    expect(within(dialog).getByRole('alert').textContent).toMatch(
      /No links taken from disk\.txt: only links, or text files of links up to 4/,
    );
  });

  it('imports a Braid export with each download’s folder, name, headers and checksum', async () => {
    const checksum = { algorithm: 'sha256' as const, expected: 'a'.repeat(64) };
    const json = exportTasks([
      task({
        id: 'aaaaaa',
        url: 'https://user:secret@cdn.test/disk.iso',
        dir: '/data/isos',
        fileName: 'disk.iso',
        priority: 'high',
        options: {
          ...task({ id: 'aaaaaa' }).options,
          headers: { Cookie: 'session=1', Referer: 'https://cdn.test/' },
          checksum,
        },
      }),
      task({ id: 'bbbbbb', url: 'https://cdn.test/notes.txt', fileName: 'notes.txt' }),
    ]);
    const { api } = renderApp();
    const dialog = openDialog();
    await importFile(dialog, new File([json], 'braid-tasks.json', { type: 'application/json' }));
    expect(linksBox(dialog)).toBe('https://cdn.test/disk.iso\nhttps://cdn.test/notes.txt');
    expect(within(dialog).getByText(/2 links from a Braid export/)).toBeTruthy();
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    expect(api.commands('tasks.add')).toEqual([
      {
        tasks: [
          {
            url: 'https://cdn.test/disk.iso',
            dir: '/data/isos',
            fileName: 'disk.iso',
            priority: 'high',
            headers: { Referer: 'https://cdn.test/' },
            checksum,
            connections: 8,
          },
          {
            url: 'https://cdn.test/notes.txt',
            dir: '/downloads',
            fileName: 'notes.txt',
            priority: 'normal',
            connections: 8,
          },
        ],
      },
    ]);
  });

  it('lets what is typed in the dialog override an imported download’s folder and checksum', async () => {
    const json = exportTasks([
      task({
        id: 'aaaaaa',
        url: 'https://cdn.test/disk.iso',
        fileName: 'disk.iso',
        options: {
          ...task({ id: 'aaaaaa' }).options,
          headers: { Referer: 'https://cdn.test/' },
          checksum: { algorithm: 'sha256', expected: 'a'.repeat(64) },
        },
      }),
    ]);
    const { api } = renderApp();
    const dialog = openDialog();
    await importFile(dialog, new File([json], 'tasks.json', { type: 'application/json' }));
    fireEvent.change(within(dialog).getByLabelText('Folder'), { target: { value: '/elsewhere' } });
    fireEvent.change(within(dialog).getByLabelText('Checksum type'), {
      target: { value: 'md5' },
    });
    fireEvent.change(within(dialog).getByLabelText('Checksum'), {
      target: { value: 'b'.repeat(32) },
    });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Add' })));
    expect(api.commands('tasks.add')).toEqual([
      {
        tasks: [
          {
            url: 'https://cdn.test/disk.iso',
            dir: '/elsewhere',
            fileName: 'disk.iso',
            priority: 'normal',
            headers: { Referer: 'https://cdn.test/' },
            checksum: { algorithm: 'md5', expected: 'b'.repeat(32) },
            connections: 8,
          },
        ],
      },
    ]);
  });
});
