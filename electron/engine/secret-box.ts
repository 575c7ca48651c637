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

/** A credential as stored: sealed when a box is available, else as is. */
export function sealValue(value: string, box: SecretBox | null): string {
  return box && value ? SEALED + box.seal(value) : value;
}

/** A stored credential opened; null when it was sealed and cannot be opened any more. */
export function openValue(value: string, box: SecretBox | null): string | null {
  if (!value.startsWith(SEALED)) return value;
  try {
    return box ? box.open(value.slice(SEALED.length)) : null;
  } catch {
    return null;
  }
}

export function sealHeaders(
  headers: Readonly<Record<string, string>>,
  box: SecretBox | null,
): Record<string, string> {
  if (!box) return { ...headers };
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      SECRET_HEADER.test(name) ? sealValue(value, box) : value,
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
    const opened = openValue(value, box);
    if (opened === null) lost.push(name);
    else out[name] = opened;
  }
  return out;
}
