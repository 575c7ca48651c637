import { createContext, useContext } from 'react';
import type { Settings } from '../../shared/api/settings.ts';
import { en, type Dictionary, type MessageKey } from './en.ts';
import { zhCN } from './zh-CN.ts';

export const DICTIONARIES: Record<Settings['language'], Dictionary> = { en, 'zh-CN': zhCN };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(language: Settings['language']): Translate {
  const dictionary = DICTIONARIES[language];
  return (key, values) => {
    const text = dictionary[key];
    return values
      ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(values[name] ?? m))
      : text;
  };
}

export const I18nContext = createContext<Translate>(translator('en'));

export function useT(): Translate {
  return useContext(I18nContext);
}
