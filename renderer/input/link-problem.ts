import { likelyLink } from '../../shared/api/task.ts';
import type { Translate } from '../i18n/i18n.ts';

/**
 * What is wrong with a link, in the UI's language, or null: the checks of the engine's URL schema
 * (whose words are English, for the CLI and the log), made first so the dialog can say them.
 */
export function linkProblem(link: string, t: Translate): string | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    // A link typed without its scheme (as curl and wget take them) gets the likely one suggested.
    const guess = likelyLink(link);
    return guess ? t('add.errorLinkNoScheme', { guess }) : t('add.errorLinkInvalid');
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return null;
  return t('add.errorLinkScheme', { scheme: url.protocol });
}
