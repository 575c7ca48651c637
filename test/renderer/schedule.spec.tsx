import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SettingsSchema, type TimeWindow } from '../../shared/api/settings.ts';
import { appState } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

// 2026-11-23 is a Monday.
const MONDAY_10AM = new Date('2026-11-23T10:00:00');

function withSchedule(schedule: Partial<TimeWindow>, language: 'en' | 'zh-CN' = 'en') {
  const { api, store } = renderApp();
  const settings = SettingsSchema.parse({
    language,
    schedule: {
      enabled: true,
      days: [0, 1, 2, 3, 4, 5, 6],
      start: '01:00',
      stop: '07:00',
      ...schedule,
    },
  });
  act(() => store.getState().applyEvents([{ type: 'settings-changed', settings }]));
  return api;
}

const badge = () => screen.getByRole('status').textContent;

describe('the schedule badge', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(MONDAY_10AM);
  });
  afterEach(() => vi.useRealTimers());

  it('says downloads wait, and until when, on a day that is not ticked', () => {
    withSchedule({ start: '00:00', stop: '23:59', days: [0, 2, 3, 4, 5, 6] });
    expect(badge()).toBe('Downloads wait until Tue 00:00 · Tue–Sun, 00:00–23:59');
  });

  it('says downloads may run now inside the window, with its days', () => {
    withSchedule({ start: '09:00', stop: '18:00', days: [1, 2, 3, 4, 5] });
    expect(badge()).toBe('Downloads may run now · Mon–Fri, 09:00–18:00');
  });

  it('says the time alone when the window opens later today', () => {
    withSchedule({ start: '22:00', stop: '06:00', days: [1, 3] });
    expect(badge()).toBe('Downloads wait until 22:00 · Mon, Wed, 22:00–06:00');
  });

  it('says a window from midnight to midnight is all day', () => {
    withSchedule({ start: '00:00', stop: '00:00', days: [6, 0] });
    expect(badge()).toBe('Downloads wait until Sat 00:00 · Sat, Sun, all day');
  });

  it('says it in 简体中文', () => {
    withSchedule({ start: '09:00', stop: '18:00', days: [2, 3, 4, 5, 6] }, 'zh-CN');
    expect(badge()).toBe('下载等待至 周二 09:00 · 周二至周六 09:00–18:00');
  });
});

describe('the schedule on a host in another time zone', () => {
  // The browser in UTC, its clock at Monday 02:00; the host's (UTC+8) at Monday 10:00.
  beforeEach(() => {
    vi.stubEnv('TZ', 'UTC');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T02:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  function onHost(schedule: Partial<TimeWindow>) {
    const rendered = renderApp();
    const state = appState();
    act(() =>
      rendered.store.getState().load({
        ...state,
        info: { ...state.info, timeZone: 'Asia/Shanghai' },
        settings: SettingsSchema.parse({
          schedule: {
            enabled: true,
            days: [1, 2, 3, 4, 5],
            start: '09:00',
            stop: '18:00',
            ...schedule,
          },
        }),
      }),
    );
    return rendered;
  }

  it('says whether downloads may run by the host’s clock, and that its times are the host’s', () => {
    onHost({});
    expect(badge()).toBe(
      'Downloads may run now · Mon–Fri, 09:00–18:00 · host time (Asia/Shanghai)',
    );
  });

  it('says when they next may by the host’s clock, on the host’s day', () => {
    vi.setSystemTime(new Date('2026-11-23T20:00:00Z'));
    onHost({ days: [2] });
    expect(badge()).toBe(
      'Downloads wait until 09:00 · Tue, 09:00–18:00 · host time (Asia/Shanghai)',
    );
  });

  it('says in the settings which time zone the times are in, and the time there', () => {
    onHost({});
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    expect(
      within(dialog).getByText(/^Times are the local time of the computer that downloads/)
        .textContent,
    ).toBe(
      'Times are the local time of the computer that downloads: Asia/Shanghai, where it is 10:00 now.',
    );
  });
});

describe('the schedule settings', () => {
  it('refuses a window with no day ticked, saying so at its days, and saves nothing', async () => {
    const { api } = renderApp();
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    fireEvent.click(within(dialog).getByLabelText('Download only between these times'));
    const days = within(dialog).getByRole('group', {
      name: 'Download only between these times: Days',
    });
    for (const day of within(days).getAllByRole('checkbox')) fireEvent.click(day);
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent).toBe('Download only between these times: tick at least one day.');
    const window = alert.closest('fieldset');
    expect(window?.contains(days)).toBe(true);
    for (const day of within(days).getAllByRole('checkbox')) {
      expect(day.getAttribute('aria-invalid')).toBe('true');
      expect(day.getAttribute('aria-errormessage')).toBe(alert.id);
    }
    expect(api.commands('settings.update')).toEqual([]);
  });
});
