import type { Settings } from '../api/settings.ts';
import { en, type Dictionary, type MessageKey } from './en.ts';
import { zhCN } from './zh-CN.ts';

export const DICTIONARIES: Record<Settings['language'], Dictionary> = { en, 'zh-CN': zhCN };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** Looks strings up in the user's language, filling `{name}` placeholders. */
export function translator(language: Settings['language']): Translate {
  const dictionary = DICTIONARIES[language];
  return (key, values) => {
    const text = dictionary[key];
    return values
      ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(values[name] ?? m))
      : text;
  };
}
