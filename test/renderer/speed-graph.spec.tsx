import { act, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderApp } from './render-app.tsx';

describe('the speed graph', () => {
  afterEach(() => vi.useRealTimers());

  it('brings its average down as time passes with no sample, once downloads stop', () => {
    vi.useFakeTimers();
    // The host's clock runs an hour ahead of ours: the time passed is measured, not compared.
    const host = Date.now() + 3_600_000;
    const { api } = renderApp();
    for (let i = 0; i < 20; i++) {
      if (i > 0) act(() => vi.advanceTimersByTime(1000));
      act(() => api.emit([{ type: 'speed', at: host + i * 1000, total: 1024, tasks: [] }]));
    }
    const average = () => screen.getByText('Average').querySelector('strong')?.textContent;
    expect(average()).toBe('1.00 KiB/s');
    act(() => vi.advanceTimersByTime(5000));
    // Five of the last ten seconds had 1 KiB/s.
    expect(average()).toBe('512 B/s');
    act(() => vi.advanceTimersByTime(10_000));
    expect(average()).toBe('0 B/s');
  });
});
