/** The privileged scheme the renderer is served from; the only origin allowed to use the API. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'braid';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** IPC may come only from a top frame showing our own app:// page (not after a navigation). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** What http(s) link may leave for the system browser: nothing with credentials or odd schemes. */
export function externalUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    if (parsed.username || parsed.password) return null;
    return parsed.href;
  } catch {
    return null;
  }
}

/**
 * The one permission a page may have: writing to the clipboard (Copy link uses
 * navigator.clipboard.writeText), and only our app's own pages. Everything else is denied.
 */
export function permissionAllowed(permission: string, url: string | undefined | null): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(url);
}
