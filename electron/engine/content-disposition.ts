import { recoverUtf8 } from './header-utf8.ts';

/**
 * The file name a server suggests in Content-Disposition (RFC 6266). `filename*` (RFC 8187
 * ext-value, UTF-8 or ISO-8859-1) wins over `filename`, whatever their order; an invalid
 * `filename*` is ignored so `filename` still counts. Returns the decoded name, not yet sanitised.
 */
export function filenameFromContentDisposition(header: string | null | undefined): string | null {
  if (!header) return null;
  const params = parseParams(header);
  const extended = params.get('filename*');
  if (extended !== undefined) {
    const decoded = decodeExtValue(extended);
    if (decoded) return decoded;
  }
  const plain = params.get('filename');
  if (plain === undefined || plain === '') return null;
  return recoverUtf8(plain);
}

/** Parameters after the disposition type; the first occurrence of a name wins (as browsers do). */
function parseParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const n = header.length;
  // Skip the disposition type; a header that starts with a parameter has none.
  const firstSemi = header.indexOf(';');
  const head = firstSemi === -1 ? header : header.slice(0, firstSemi);
  let i = head.includes('=') ? 0 : firstSemi === -1 ? n : firstSemi + 1;
  while (i < n) {
    while (i < n && (header[i] === ';' || header[i] === ' ' || header[i] === '\t')) i++;
    const eq = header.indexOf('=', i);
    if (eq === -1) break;
    const name = header.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
    let value = '';
    if (header[i] === '"') {
      i++;
      while (i < n && header[i] !== '"') {
        if (header[i] === '\\' && i + 1 < n) i++;
        value += header[i];
        i++;
      }
      i++; // closing quote
      const semi = header.indexOf(';', i);
      i = semi === -1 ? n : semi + 1;
    } else {
      const semi = header.indexOf(';', i);
      value = header.slice(i, semi === -1 ? n : semi).trim();
      i = semi === -1 ? n : semi + 1;
    }
    if (name && !params.has(name)) params.set(name, value);
  }
  return params;
}

/** RFC 8187: charset'language'pct-encoded. Unknown charsets and bad encodings give null. */
function decodeExtValue(value: string): string | null {
  const match = /^([!#$%&+^_`{}~A-Za-z0-9-]+)'([A-Za-z0-9-]*)'(.*)$/.exec(value.trim());
  if (!match) return null;
  const charset = match[1]!.toLowerCase();
  const encoded = match[3]!;
  if (!/^(?:%[0-9A-Fa-f]{2}|[!#$&+.^_`|~A-Za-z0-9-])*$/.test(encoded)) return null;
  const bytes = Buffer.from(
    encoded.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    ),
    'latin1',
  );
  if (charset === 'utf-8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes) || null;
    } catch {
      return null;
    }
  }
  if (charset === 'iso-8859-1') return bytes.toString('latin1') || null;
  return null;
}
