import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { SettingsSchema } from '../../shared/api/settings.ts';
import { renderApp } from './render-app.tsx';

describe('the connection to braid serve', () => {
  it('says when it is lost and being tried again, and when the host refuses the page, then nothing once back', () => {
    const { api } = renderApp();
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => api.connection('reconnecting'));
    expect(screen.getByRole('alert').textContent).toBe(
      'Lost the connection to Braid; trying again…',
    );
    act(() => api.connection('refused'));
    expect(screen.getByRole('alert').textContent).toBe(
      'Braid no longer accepts this page (it was restarted with a new address): open the address braid serve printed.',
    );
    act(() => api.connection('connected'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says a command got no answer in the UI’s language, and takes that back once reconnected', async () => {
    const { api, store } = renderApp();
    const settings = SettingsSchema.parse({ language: 'zh-CN' });
    act(() => store.getState().applyEvents([{ type: 'settings-changed', settings }]));
    api.answers['tasks.pauseAll'] = () => {
      throw new ApiError('ENGINE_CLOSED', 'not connected to Braid; retrying');
    };
    act(() => api.connection('reconnecting'));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: '全部暂停' })));
    const notices = screen.getByRole('region', { name: '通知' });
    expect(within(notices).getByRole('alert').textContent).toContain(
      '没有收到 Braid 的回应：连接已断开。连接恢复后请重试。',
    );
    act(() => store.getState().notify('error', 'disk full'));
    act(() => api.connection('connected'));
    expect(
      within(notices)
        .getAllByRole('alert')
        .map((n) => n.textContent),
    ).toEqual(['disk full×']);
  });
});
