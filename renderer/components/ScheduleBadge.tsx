import type { TimeWindow } from '../../shared/api/settings.ts';
import { inWindow, nextOpening } from '../../shared/time-window.ts';
import { useApp } from '../app/context.ts';
import { useT, type Translate } from '../i18n/i18n.ts';
import { clockTime, clocksDiffer, hostClock, useNow } from './host-clock.ts';
import { DAYS } from './TimeWindowEditor.tsx';

/**
 * Tells the user downloads wait for a time window, so a queued task is not a mystery: whether they
 * may run now, and if not, when they next may, by the engine host's clock.
 */
export function ScheduleBadge() {
  const t = useT();
  const schedule = useApp((s) => s.settings?.schedule);
  const timeZone = useApp((s) => s.info?.timeZone);
  const now = useNow(schedule?.enabled === true);
  if (!schedule?.enabled) return null;
  const host = hostClock(now, timeZone);
  const text = badgeText(schedule, host, t);
  return (
    <span className="schedule-badge" role="status">
      {clocksDiffer(now, host) ? t('schedule.hostTime', { text, zone: timeZone ?? '' }) : text}
    </span>
  );
}

function badgeText(schedule: TimeWindow, now: Date, t: Translate): string {
  const when = {
    days: dayList(schedule.days, t),
    hours:
      schedule.start === schedule.stop
        ? t('schedule.allDay')
        : `${schedule.start}–${schedule.stop}`,
  };
  if (inWindow(schedule, now)) return t('schedule.badge.open', when);
  const next = nextOpening(schedule, now);
  if (!next) return t('schedule.badge.never');
  const time = clockTime(next);
  const sameDay = next.toDateString() === now.toDateString();
  const at = sameDay ? time : t('schedule.nextDay', { day: dayName(next.getDay(), t), time });
  return t('schedule.badge.wait', { ...when, next: at });
}

/** `every day`, `Mon–Fri`, `Mon, Wed, Sat–Sun`: runs of three days or more as a range. */
function dayList(days: readonly number[], t: Translate): string {
  if (DAYS.every((day) => days.includes(day))) return t('schedule.everyDay');
  const runs: number[][] = [];
  let previous = -2;
  for (const [index, day] of DAYS.entries()) {
    if (!days.includes(day)) continue;
    if (index === previous + 1) runs.at(-1)!.push(day);
    else runs.push([day]);
    previous = index;
  }
  return runs
    .flatMap((run) =>
      run.length >= 3
        ? [t('schedule.dayRange', { from: dayName(run[0]!, t), to: dayName(run.at(-1)!, t) })]
        : run.map((day) => dayName(day, t)),
    )
    .join(t('schedule.daySeparator'));
}

const dayName = (day: number, t: Translate) => t(`day.${day}` as `day.${(typeof DAYS)[number]}`);
