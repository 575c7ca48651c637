import { createContext, useContext } from 'react';
import { translator, type Translate } from '../../shared/i18n/translate.ts';

export { DICTIONARIES, translator, type Translate } from '../../shared/i18n/translate.ts';

export const I18nContext = createContext<Translate>(translator('en'));

export function useT(): Translate {
  return useContext(I18nContext);
}
