import type { Settings } from '../../shared/api/settings.ts';
import { formatRate, parseRate } from '../../shared/format.ts';

/** What the settings dialog edits: the settings, with its two speed limits as typed. */
export interface SettingsForm {
  settings: Settings;
  globalLimit: string;
  scheduledLimit: string;
}

export function settingsForm(settings: Settings): SettingsForm {
  return {
    settings,
    globalLimit: settings.globalLimit ? formatRate(settings.globalLimit) : '',
    scheduledLimit: formatRate(settings.limitSchedule.limit),
  };
}

/** A speed as typed (empty: none); NaN when it is not one. */
export function typedRate(text: string): number {
  try {
    return text.trim() ? parseRate(text) : 0;
  } catch {
    return NaN;
  }
}

/** Each field of the dialog: its value in the form, the host's, and taking the host's. */
interface FieldRule {
  inForm(form: SettingsForm): unknown;
  inSettings(settings: Settings): unknown;
  take(form: SettingsForm, settings: Settings): SettingsForm;
}

const plain = <K extends keyof Settings>(key: K, typed = (v: Settings[K]): unknown => v) => ({
  inForm: (form: SettingsForm) => typed(form.settings[key]),
  inSettings: (settings: Settings) => settings[key],
  take: (form: SettingsForm, settings: Settings) => ({
    ...form,
    settings: { ...form.settings, [key]: settings[key] },
  }),
});
const trimmed = (text: string) => text.trim();
/** The slow-down window without its limit, which is typed apart. */
const window = ({ limit: _, ...rest }: Settings['limitSchedule']) => rest;

const RULES = {
  downloadDir: plain('downloadDir', trimmed),
  maxConcurrent: plain('maxConcurrent'),
  connections: plain('connections'),
  globalLimit: {
    inForm: (form) => typedRate(form.globalLimit),
    inSettings: (settings) => settings.globalLimit,
    take: (form, settings) => ({ ...form, globalLimit: settingsForm(settings).globalLimit }),
  },
  theme: plain('theme'),
  language: plain('language'),
  whenDone: plain('whenDone'),
  proxyMode: plain('proxyMode'),
  proxyUrl: plain('proxyUrl', trimmed),
  clipboardWatch: plain('clipboardWatch'),
  useCategories: plain('useCategories'),
  categories: plain('categories'),
  schedule: plain('schedule'),
  limitSchedule: {
    inForm: (form) => window(form.settings.limitSchedule),
    inSettings: (settings) => window(settings.limitSchedule),
    take: (form, settings) => ({
      ...form,
      settings: { ...form.settings, limitSchedule: settings.limitSchedule },
    }),
  },
  'limitSchedule.limit': {
    inForm: (form) => typedRate(form.scheduledLimit),
    inSettings: (settings) => settings.limitSchedule.limit,
    take: (form, settings) => ({ ...form, scheduledLimit: settingsForm(settings).scheduledLimit }),
  },
  notifications: plain('notifications'),
} satisfies Record<string, FieldRule>;

export type FormField = keyof typeof RULES;
const FIELDS = Object.keys(RULES) as FormField[];

/** The fields whose value in the form differs from `base`'s: those the user changed. */
export function editedFields(form: SettingsForm, base: Settings): Set<FormField> {
  return new Set(FIELDS.filter((f) => !same(RULES[f].inForm(form), RULES[f].inSettings(base))));
}

/**
 * The form over settings changed elsewhere (another window) since `base`: fields the user left
 * alone take the new values; `clashes` lists those they changed that were changed elsewhere too,
 * to something else (their own value is kept).
 */
export function rebaseForm(
  form: SettingsForm,
  base: Settings,
  now: Settings,
): { form: SettingsForm; clashes: FormField[] } {
  let next = form;
  const clashes: FormField[] = [];
  for (const field of FIELDS) {
    const rule: FieldRule = RULES[field];
    if (same(rule.inSettings(now), rule.inSettings(base))) continue;
    if (same(rule.inForm(form), rule.inSettings(base))) next = rule.take(next, now);
    else if (!same(rule.inForm(form), rule.inSettings(now))) clashes.push(field);
  }
  return { form: next, clashes };
}

/** Settings are plain data: numbers, strings, booleans, arrays and objects of them. */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) =>
      same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    )
  );
}
