import { LIMITS } from '../../shared/api/limits.ts';

export const PROTOCOL = 'braid';

/**
 * Links handed to Braid on its command line: plain http(s) URLs, or `braid://add?url=…` (one or
 * more `url` parameters). Chromium appends its own `--flags` to a second instance's argv and the
 * order is not kept, so every argument is looked at and anything else is ignored.
 */
export function linksFromArgv(argv: readonly string[]): string[] {
  const links: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-') || arg.length > LIMITS.urlLength) continue;
    for (const link of linksFromArg(arg)) {
      if (!links.includes(link)) links.push(link);
      if (links.length >= LIMITS.urlsPerAdd) return links;
    }
  }
  return links;
}

function linksFromArg(arg: string): string[] {
  let url: URL;
  try {
    url = new URL(arg);
  } catch {
    return [];
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return [url.href];
  if (url.protocol !== `${PROTOCOL}:`) return [];
  // braid://add?url=… (host "add"); braid:add?url=… is accepted too.
  const action = url.hostname || url.pathname.replace(/^\/+/, '');
  if (action !== 'add') return [];
  return url.searchParams
    .getAll('url')
    .filter((link) => link.length <= LIMITS.urlLength && isHttp(link))
    .map((link) => new URL(link).href);
}

function isHttp(link: string): boolean {
  try {
    const url = new URL(link);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
