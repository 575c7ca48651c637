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

/**
 * When downloads may next run, if not now: the next start on a ticked day (midnight of it for a
 * whole-day window); null for a window that never opens (no day ticked, or switched off).
 */
export function nextOpening(window: TimeWindow, at: Date): Date | null {
  if (!window.enabled || window.days.length === 0) return null;
  const start = window.start === window.stop ? 0 : minutes(window.start);
  for (let ahead = 0; ahead <= 7; ahead++) {
    const date = at.getDate() + ahead;
    const opening = new Date(at.getFullYear(), at.getMonth(), date, 0, start);
    if (window.days.includes(opening.getDay()) && opening > at) return opening;
  }
  return null;
}
