import { readTaskList, type ImportedOptions } from './task-list-file.ts';

/**
 * Full-width punctuation (，。！？；：、 brackets and quotes) and the ideographic space: in Chinese
 * or Japanese text a link runs straight into them, with no space between.
 */
const FULL_WIDTH =
  '\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026';
const URL_IN_TEXT = new RegExp(`\\bhttps?://[^\\s<>"'\`${FULL_WIDTH}]+`, 'gi');
/** Punctuation that ends a sentence more often than it ends a link. */
const TRAILING = /[.,;:!?]$/;
/** A closing bracket at the end belongs to the link only when the link opened it. */
const OPENER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function withoutTrailing(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1] ?? '';
    const opener = OPENER[last];
    if (TRAILING.test(last)) end--;
    else if (opener && count(url, opener, end) < count(url, last, end)) end--;
    else return url.slice(0, end);
  }
}

function count(text: string, char: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (text[i] === char) n++;
  return n;
}

/** http(s) links found in free text (a selection, a paste), in order, without duplicates. */
export function extractUrls(text: string): string[] {
  const found = (text.match(URL_IN_TEXT) ?? []).map(withoutTrailing);
  return [...new Set(found)];
}
/** Links from a drop or paste: `text/uri-list` (one per line, `#` comments), else plain text. */
export function linksFromTransfer(data: Pick<DataTransfer, 'getData'>): string[] {
  const uriList = data.getData('text/uri-list');
  if (uriList) {
    const links = uriList
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .filter((line) => /^https?:\/\//i.test(line));
    if (links.length) return [...new Set(links)];
  }
  return extractUrls(data.getData('text/plain') || data.getData('text'));
}

/** A list of links is text, and small: a larger file is something else dropped by mistake. */
export const MAX_LIST_FILE_BYTES = 4 * 1024 * 1024;
const LIST_FILE = /\.(txt|lst|list|json)$/i;
const LIST_TYPES = new Set(['text/plain', 'application/json']);

/**
 * Links in files that are lists of links (text, or a Braid export); `refused` names the files
 * that are not, or hold no link. `imported` is what each link of an export keeps.
 */
export async function linksFromFiles(files: readonly File[]): Promise<{
  links: string[];
  refused: string[];
  imported: Map<string, ImportedOptions>;
}> {
  const links: string[] = [];
  const refused: string[] = [];
  const imported = new Map<string, ImportedOptions>();
  for (const file of files) {
    const isList = LIST_TYPES.has(file.type) || (file.type === '' && LIST_FILE.test(file.name));
    // Never read past the cap: a large file read whole into the page locked it for seconds.
    const text = isList && file.size <= MAX_LIST_FILE_BYTES ? await file.text() : '';
    const exported = readTaskList(text);
    const found = exported ? [...exported.keys()] : extractUrls(text);
    for (const [url, options] of exported ?? []) imported.set(url, options);
    if (found.length) links.push(...found);
    else refused.push(file.name);
  }
  return { links: [...new Set(links)], refused, imported };
}
