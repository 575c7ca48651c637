import {
  SettingsPatchSchema,
  type Settings,
  type SettingsPatch,
} from '../../shared/api/settings.ts';
import { LIMITS } from '../../shared/api/limits.ts';
import type { Translate } from '../i18n/i18n.ts';
import type { FieldProblem } from './FieldProblem.tsx';
import { editedFields, typedRate, type FormField, type SettingsForm } from './settings-form.ts';

export const COUNT_KEYS = ['maxConcurrent', 'connections'] as const;
type CountKey = (typeof COUNT_KEYS)[number];
export const COUNT_MAX: Record<CountKey, number> = {
  maxConcurrent: LIMITS.maxConcurrent,
  connections: LIMITS.maxConnections,
};

const WINDOW_LABELS = { schedule: 'schedule.download', limitSchedule: 'schedule.limit' } as const;
/** The order the dialog shows its fields in: the first problem said is the topmost. */
const ORDER = [
  'downloadDir',
  ...COUNT_KEYS,
  'globalLimit',
  'proxyUrl',
  'categories',
  'schedule',
  'limitSchedule',
];

/**
 * What the settings dialog sends: the fields the user changed from `base` (the host's settings as
 * the dialog last saw them), so a save neither undoes another window's changes nor makes a
 * per-process setting (`serve -d`'s folder) permanent. Or the first thing wrong with it, said in
 * the UI's words and tied to its field (the host's own messages name schema paths).
 */
export function settingsPatch(
  form: SettingsForm,
  base: Settings,
  t: Translate,
): { patch: SettingsPatch } | { problem: FieldProblem } {
  const draft = form.settings;
  const problems: FieldProblem[] = [];
  const rate = (text: string, field: string, label: string) => {
    const value = typedRate(text);
    if (!Number.isNaN(value)) return value;
    problems.push({ field, message: t('settings.errorLimit', { label }) });
    return 0;
  };
  const folder = draft.downloadDir.trim();
  // The host refuses a relative folder (relative to where it was started, which no one sees).
  if (folder && !/^(~($|[\\/])|\/|\\\\|[A-Za-z]:[\\/])/.test(folder)) {
    problems.push({ field: 'downloadDir', message: t('settings.errorFolderRelative') });
  }
  const globalLimit = rate(form.globalLimit, 'globalLimit', t('settings.globalLimit'));
  const limit = rate(form.scheduledLimit, 'limitSchedule.limit', t('schedule.limitRate'));
  const whole = {
    downloadDir: draft.downloadDir.trim(),
    maxConcurrent: draft.maxConcurrent,
    connections: draft.connections,
    globalLimit,
    theme: draft.theme,
    language: draft.language,
    notifications: draft.notifications,
    proxyMode: draft.proxyMode,
    proxyUrl: draft.proxyUrl.trim(),
    whenDone: draft.whenDone,
    clipboardWatch: draft.clipboardWatch,
    schedule: draft.schedule,
    useCategories: draft.useCategories,
    categories: draft.categories,
    limitSchedule: { ...draft.limitSchedule, limit },
  };
  const parsed = SettingsPatchSchema.safeParse(whole);
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    problems.push(describe(issue.path, issue.message, draft, t));
  }
  const place = (p: FieldProblem) => ORDER.indexOf(p.field.split('.')[0]!);
  const [first] = problems.sort((a, b) => place(a) - place(b));
  if (first) return { problem: first };
  const edited = editedFields(form, base);
  // The slow-down window and its limit are one setting: either changed sends both.
  if (edited.has('limitSchedule.limit')) edited.add('limitSchedule');
  const changed = (key: string) => edited.has(key as FormField);
  const patch = Object.fromEntries(Object.entries(whole).filter(([key]) => changed(key)));
  return { patch: patch as SettingsPatch };
}

/** The problem the schema found at `path`, in the words of the field there. */
function describe(
  path: readonly PropertyKey[],
  fallback: string,
  draft: Settings,
  t: Translate,
): FieldProblem {
  const [top, at, key] = path;
  if (top === 'maxConcurrent' || top === 'connections') {
    const label = t(`settings.${top}`);
    return { field: top, message: t('settings.errorCount', { label, max: COUNT_MAX[top] }) };
  }
  if (top === 'downloadDir') {
    return {
      field: top,
      message: t('settings.errorTooLong', { label: t('settings.downloadDir') }),
    };
  }
  if (top === 'globalLimit') {
    return { field: top, message: t('settings.errorLimit', { label: t('settings.globalLimit') }) };
  }
  if (top === 'proxyUrl') return { field: top, message: t('settings.errorProxy') };
  if (top === 'categories' && typeof at === 'number') {
    const field = `categories.${at}.${String(key)}`;
    const name = draft.categories[at]?.name ?? '';
    if (key === 'name') {
      const label = `${t('categories.name')} ${at + 1}`;
      return { field, message: t('settings.errorCategoryName', { label }) };
    }
    if (key === 'extensions') {
      const label = `${t('categories.extensions')}: ${name}`;
      return { field, message: t('settings.errorExtensions', { label }) };
    }
    const label = `${t('categories.dir')}: ${name}`;
    return { field, message: t('settings.errorTooLong', { label }) };
  }
  if (top === 'schedule' || top === 'limitSchedule') {
    const window = t(WINDOW_LABELS[top]);
    if (at === 'start' || at === 'stop') {
      const label = `${window}: ${t(`schedule.${at}`)}`;
      return { field: `${top}.${at}`, message: t('settings.errorTime', { label }) };
    }
    if (at === 'days') {
      return { field: `${top}.days`, message: t('settings.errorDays', { label: window }) };
    }
    if (at === 'limit') {
      const label = t('schedule.limitRate');
      return { field: `${top}.limit`, message: t('settings.errorLimit', { label }) };
    }
  }
  return { field: '', message: fallback };
}
