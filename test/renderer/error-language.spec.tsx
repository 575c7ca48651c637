import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { SettingsSchema } from '../../shared/api/settings.ts';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { task } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

function failed(id: string, code: string, message: string): TaskSnapshot {
  return task({ id, fileName: `${id}.bin`, state: 'failed', error: { code, message } });
}

function inChinese(tasks: TaskSnapshot[] = []) {
  const rendered = renderApp(tasks);
  act(() =>
    rendered.api.emit([
      { type: 'settings-changed', settings: SettingsSchema.parse({ language: 'zh-CN' }) },
    ]),
  );
  return rendered;
}

function rowText(name: string): string {
  const row = within(screen.getByRole('grid'))
    .getAllByRole('row')
    .find((r) => r.textContent?.includes(name));
  return row?.textContent ?? '';
}

describe('errors in the UI’s language', () => {
  it('says the common failures of a download in 简体中文, by their code', () => {
    inChinese([
      failed('aaaaaa', 'HTTP_404', 'server answered 404 Not Found for http://x.test/a.bin'),
      failed('bbbbbb', 'HTTP_503', 'server answered 503 Service Unavailable'),
      failed('cccccc', 'DISK_FULL', 'the disk is full: free some space, then resume'),
      failed('dddddd', 'WEB_PAGE', 'the server sent a web page instead of d.bin: …'),
      failed('eeeeee', 'CHECKSUM_MISMATCH', 'sha256 mismatch: expected a, got b; …'),
      failed('ffffff', 'ECONNREFUSED', 'the server refused the connection (connect ECONNREFUSED)'),
    ]);
    expect(rowText('aaaaaa.bin')).toContain('服务器上没有这个文件（404）');
    expect(rowText('bbbbbb.bin')).toContain('服务器回答了 503');
    expect(rowText('cccccc.bin')).toContain('磁盘已满');
    expect(rowText('dddddd.bin')).toContain('服务器发来的是网页而不是文件');
    expect(rowText('eeeeee.bin')).toContain('文件与校验值不符，数据已保留');
    expect(rowText('ffffff.bin')).toContain('服务器拒绝了连接');
    for (const id of ['aaaaaa', 'bbbbbb', 'cccccc', 'dddddd', 'eeeeee', 'ffffff']) {
      expect(rowText(`${id}.bin`)).not.toMatch(/server|disk|mismatch|refused/);
    }
  });

  it('keeps the engine’s words where it has no translation', () => {
    inChinese([failed('aaaaaa', 'SIZE_CHANGED', 'expected 10 bytes on disk, found 9')]);
    expect(rowText('aaaaaa.bin')).toContain('expected 10 bytes on disk, found 9');
  });

  it('keeps the engine’s words, with their detail, in English', () => {
    const english = 'server answered 404 Not Found for http://x.test/b.bin';
    renderApp([failed('bbbbbb', 'HTTP_404', english)]);
    expect(rowText('bbbbbb.bin')).toContain(english);
  });

  it('says once, in 简体中文, why the server could not be asked about a link', async () => {
    const { api } = inChinese();
    api.answers['tasks.probe'] = () => {
      throw new ApiError('INVALID_INPUT', 'host not found: example.com', 'ENOTFOUND');
    };
    fireEvent.click(screen.getByRole('button', { name: '新建下载' }));
    const dialog = screen.getByRole('dialog', { name: '新建下载' });
    fireEvent.change(within(dialog).getByLabelText('链接'), {
      target: { value: 'https://example.com/file.iso' },
    });
    expect(
      await within(dialog).findByText(
        '无法询问服务器：服务器的域名无法解析',
        {},
        { timeout: 2000 },
      ),
    ).toBeTruthy();
  });
});
