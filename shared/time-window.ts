import type { TimeWindow } from './api/settings.ts';

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether `at` (local time) falls inside the window; a disabled window never holds. */
export function inWindow(window: TimeWindow, at: Date): boolean {
  if (!window.enabled) return false;
  const day = at.getDay();
  const now = at.getHours() * 60 + at.getMinutes();
  const start = minutes(window.start);
  const stop = minutes(window.stop);
  if (start === stop) return window.days.includes(day);
  if (start < stop) return window.days.includes(day) && now >= start && now < stop;
  // Past midnight: the part after midnight belongs to the day the window started.
  return (
    (window.days.includes(day) && now >= start) ||
    (window.days.includes((day + 6) % 7) && now < stop)
  );
}
