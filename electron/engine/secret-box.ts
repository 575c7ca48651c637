/**
 * Encrypts secrets before they are written to disk. The desktop app backs it with Electron's
 * safeStorage (OS keychain); without one (CLI, serve) secrets stay in files only the user can read.
 */
export interface SecretBox {
  seal(plain: string): string;
  /** Throws when the value cannot be opened (another machine or user, a reset keychain). */
  open(sealed: string): string;
}

/** Request headers whose values are credentials. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$/i;
const SEALED = 'braid-sealed:';

export function sealHeaders(
  headers: Readonly<Record<string, string>>,
  box: SecretBox | null,
): Record<string, string> {
  if (!box) return { ...headers };
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      SECRET_HEADER.test(name) ? SEALED + box.seal(value) : value,
    ]),
  );
}

/** Opens sealed values; a value that cannot be opened is dropped and named in `lost`. */
export function openHeaders(
  headers: Readonly<Record<string, string>>,
  box: SecretBox | null,
  lost: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!value.startsWith(SEALED)) {
      out[name] = value;
      continue;
    }
    try {
      if (!box) throw new Error('no secret store');
      out[name] = box.open(value.slice(SEALED.length));
    } catch {
      lost.push(name);
    }
  }
  return out;
}
