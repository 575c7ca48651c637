import type { Settings } from '../api/settings.ts';
import { en, type Dictionary, type MessageKey } from './en.ts';
import { zhCN } from './zh-CN.ts';

export const DICTIONARIES: Record<Settings['language'], Dictionary> = { en, 'zh-CN': zhCN };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** `{count, plural, one {# connection} other {# connections}}`: ICU's plural, without nesting. */
const PLURAL = /\{(\w+), plural,((?:\s*\w+\s*\{[^{}]*\})+)\s*\}/g;
const CASE = /(\w+)\s*\{([^{}]*)\}/g;

/**
 * Looks strings up in the user's language, filling `{name}` placeholders and choosing the form
 * of a `{name, plural, …}` by the language's rules (`#` is the number).
 */
export function translator(language: Settings['language']): Translate {
  const dictionary = DICTIONARIES[language];
  const rules = new Intl.PluralRules(language);
  return (key, values) => {
    const text = dictionary[key];
    if (!values) return text;
    return text
      .replace(PLURAL, (m, name: string, cases: string) => {
        const value = values[name];
        if (typeof value !== 'number') return m;
        const forms = Object.fromEntries([...cases.matchAll(CASE)].map((c) => [c[1], c[2]]));
        return (forms[rules.select(value)] ?? forms['other'] ?? m).replaceAll('#', String(value));
      })
      .replace(/\{(\w+)\}/g, (m, name: string) => String(values[name] ?? m));
  };
}
