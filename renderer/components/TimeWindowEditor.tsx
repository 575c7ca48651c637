import { useId } from 'react';
import type { TimeWindow } from '../../shared/api/settings.ts';
import { useT } from '../i18n/i18n.ts';
import { FieldError, useInvalid } from './FieldProblem.tsx';

/** Monday first, as the days are laid out. */
export const DAYS = [1, 2, 3, 4, 5, 6, 0] as const;

/** One daily window: on/off, from–until times, and the weekdays it applies to. */
export function TimeWindowEditor({
  name,
  label,
  value,
  onChange,
  children,
}: {
  /** Its key among the settings, which a refused save names. */
  name: string;
  label: string;
  value: TimeWindow;
  onChange(next: TimeWindow): void;
  children?: React.ReactNode;
}) {
  const t = useT();
  const invalid = useInvalid();
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
          {...invalid(`${name}.start`)}
        />
        <label htmlFor={ids.stop}>{t('schedule.stop')}</label>
        <input
          id={ids.stop}
          type="time"
          value={value.stop}
          disabled={!value.enabled}
          onChange={(e) => set({ stop: e.target.value })}
          {...invalid(`${name}.stop`)}
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
              {...invalid(`${name}.days`)}
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
      <FieldError under={name} />
    </fieldset>
  );
}
