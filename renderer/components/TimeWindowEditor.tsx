import { useId } from 'react';
import type { TimeWindow } from '../../shared/api/settings.ts';
import { useT } from '../i18n/i18n.ts';

const DAYS = [1, 2, 3, 4, 5, 6, 0] as const;

/** One daily window: on/off, from–until times, and the weekdays it applies to. */
export function TimeWindowEditor({
  label,
  value,
  onChange,
  children,
}: {
  label: string;
  value: TimeWindow;
  onChange(next: TimeWindow): void;
  children?: React.ReactNode;
}) {
  const t = useT();
  const ids = { start: useId(), stop: useId() };
  const set = (change: Partial<TimeWindow>) => onChange({ ...value, ...change });
  return (
    <fieldset className="time-window">
      <legend>
        <label className="check">
          <input
            type="checkbox"
            checked={value.enabled}
            onChange={(e) => set({ enabled: e.target.checked })}
          />
          {label}
        </label>
      </legend>
      <div className="time-window-row">
        <label htmlFor={ids.start}>{t('schedule.start')}</label>
        <input
          id={ids.start}
          type="time"
          value={value.start}
          disabled={!value.enabled}
          onChange={(e) => set({ start: e.target.value })}
        />
        <label htmlFor={ids.stop}>{t('schedule.stop')}</label>
        <input
          id={ids.stop}
          type="time"
          value={value.stop}
          disabled={!value.enabled}
          onChange={(e) => set({ stop: e.target.value })}
        />
        {children}
      </div>
      <div className="days" role="group" aria-label={`${label}: ${t('schedule.days')}`}>
        {DAYS.map((day) => (
          <label key={day} className="check">
            <input
              type="checkbox"
              checked={value.days.includes(day)}
              disabled={!value.enabled}
              onChange={(e) =>
                set({
                  days: e.target.checked
                    ? [...value.days, day].sort()
                    : value.days.filter((d) => d !== day),
                })
              }
            />
            {t(`day.${day}`)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
