/**
 * Response heads are decoded as latin1 (our HTTP/1.1 reader and undici alike), so a server
 * sending raw UTF-8 in a header value (a `filename="…"`, a Location) arrives as mojibake. When
 * those bytes are valid UTF-8, they are read as UTF-8, as browsers and curl do.
 */
export function recoverUtf8(value: string): string {
  // eslint-disable-next-line no-control-regex -- the whole latin1 range is the point here
  if (!/[\u0080-\u00ff]/.test(value) || /[^\u0000-\u00ff]/.test(value)) return value;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}
