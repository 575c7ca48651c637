const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence more often than it ends a link. */
const TRAILING = /[.,;:!?)\]}]+$/;

/** http(s) links found in free text (a selection, a paste), in order, without duplicates. */
export function extractUrls(text: string): string[] {
  const found = (text.match(URL_IN_TEXT) ?? []).map((url) => url.replace(TRAILING, ''));
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
