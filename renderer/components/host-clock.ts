import { useEffect, useState } from 'react';

const TICK_MS = 30_000;

/**
 * The engine host's wall-clock time at `now`, as a Date whose local fields (day, hours, minutes)
 * read it: schedules run on the host's local time, and a browser elsewhere keeps another. The
 * browser's own time where it does not know the host's zone.
 */
export function hostClock(now: Date, timeZone: string | undefined): Date {
  if (!timeZone) return now;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(now);
  } catch {
    return now;
  }
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value);
  return new Date(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
    now.getMilliseconds(),
  );
}

/** Whether the host's clock reads other than the browser's: it is in another time zone. */
export function clocksDiffer(now: Date, host: Date): boolean {
  return Math.abs(host.getTime() - now.getTime()) >= 60_000;
}

export const clockTime = (at: Date) =>
  `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;

/** The current time, renewed every TICK_MS while `ticking`. */
export function useNow(ticking: boolean): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (!ticking) return;
    setNow(new Date());
    const timer = setInterval(() => setNow(new Date()), TICK_MS);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}
