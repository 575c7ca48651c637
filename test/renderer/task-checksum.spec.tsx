import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Checksum } from '../../shared/api/task.ts';
import { task } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const WRONG = 'a'.repeat(64);
const RIGHT = 'B'.repeat(64);

function mismatched() {
  return task({
    id: 'aaaaaa',
    fileName: 'big.bin',
    state: 'failed',
    options: {
      ...task({ id: 'aaaaaa' }).options,
      checksum: { algorithm: 'sha256', expected: WRONG },
    },
    error: {
      code: 'CHECKSUM_MISMATCH',
      message: `sha256 mismatch: expected ${WRONG}, got ${'b'.repeat(64)}; the data is kept in big.bin.part`,
    },
  });
}

function linkForm() {
  fireEvent.click(screen.getByText('big.bin'));
  return screen.getByRole('form', { name: 'Link: big.bin' });
}

describe('the checksum of the selected download', () => {
  it('takes a corrected checksum for a download that failed its check, and retries it', async () => {
    const { api } = renderApp([mismatched()]);
    api.answers['tasks.setChecksum'] = (input) => {
      const { checksum } = input as { checksum: Checksum };
      return { ...mismatched(), options: { ...mismatched().options, checksum } };
    };
    const form = linkForm();
    const field = within(form).getByLabelText('Checksum') as HTMLInputElement;
    expect(field.value).toBe(WRONG);
    fireEvent.change(field, { target: { value: ` ${RIGHT} ` } });
    await act(async () =>
      fireEvent.click(within(form).getByRole('button', { name: 'Use this link' })),
    );
    expect(api.calls.map((c) => [c.command, c.input])).toEqual([
      [
        'tasks.setChecksum',
        { id: 'aaaaaa', checksum: { algorithm: 'sha256', expected: RIGHT.toLowerCase() } },
      ],
      ['tasks.retry', { id: 'aaaaaa' }],
    ]);
  });

  it('takes the kind of checksum from its length, and an emptied field as none', async () => {
    const { api } = renderApp([mismatched()]);
    api.answers['tasks.setChecksum'] = () => mismatched();
    const form = linkForm();
    const field = within(form).getByLabelText('Checksum');
    fireEvent.change(field, { target: { value: 'c'.repeat(32) } });
    await act(async () => fireEvent.submit(form));
    fireEvent.change(field, { target: { value: '' } });
    await act(async () => fireEvent.submit(form));
    expect(api.commands('tasks.setChecksum')).toEqual([
      { id: 'aaaaaa', checksum: { algorithm: 'md5', expected: 'c'.repeat(32) } },
      { id: 'aaaaaa', checksum: null },
    ]);
  });

  it('says what a checksum must look like, at the field, and sends nothing', async () => {
    const { api } = renderApp([mismatched()]);
    const form = linkForm();
    const field = within(form).getByLabelText('Checksum');
    fireEvent.change(field, { target: { value: 'xyz' } });
    await act(async () => fireEvent.submit(form));
    expect(within(form).getByRole('alert').textContent).toBe(
      'A checksum is 64 (SHA-256), 40 (SHA-1) or 32 (MD5) hexadecimal digits.',
    );
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(api.calls).toEqual([]);
  });

  it('shows the checksum of a running download read-only', () => {
    renderApp([{ ...mismatched(), state: 'downloading', error: null }]);
    const field = within(linkForm()).getByLabelText('Checksum');
    expect(field.hasAttribute('readonly')).toBe(true);
  });
});
