import type { ProbeResult } from '../../shared/api/commands.ts';
import type { Settings } from '../../shared/api/settings.ts';
import { chooseFileName } from './file-name.ts';
import { header, openRange } from './http-range.ts';
import { createTransport } from './http-transport.ts';
import type { ProxyResolver } from './proxy-choice.ts';
import { mediaTypeOf, refuseFirstPage } from './web-page.ts';

const PROBE_TIMEOUT_MS = 15_000;

/**
 * Asks the server what a URL is (name, size, resumability) with a one-byte range request, so the
 * add dialog can show it before anything is written. Redirects and error statuses are handled as
 * for a real download; no body byte is kept.
 */
export async function probeUrl(
  url: string,
  headers: Readonly<Record<string, string>>,
  settings: Pick<Settings, 'proxyMode' | 'proxyUrl'>,
  systemProxy: ProxyResolver | null = null,
): Promise<ProbeResult> {
  const transport = createTransport(
    { ...settings, readTimeoutMs: PROBE_TIMEOUT_MS },
    { systemProxy },
  );
  const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    const res = await openRange({
      url,
      range: { start: 0, end: 1 },
      ifRange: null,
      headers,
      credentialsOrigin: new URL(url).origin,
      transport,
      signal,
    });
    const naming = {
      contentDisposition: header(res.headers, 'content-disposition'),
      url: new URL(res.url),
      contentType: mediaTypeOf(res.headers),
    };
    // A page where a file was promised is said before anything is added, as the download would
    // fail. A server that ignored the range sends the whole file: read a little, then drop it.
    if (!(await refuseFirstPage(res, naming, new URL(url))))
      await res.body.dump(64 * 1024).catch(() => {});
    const size =
      res.status === 206
        ? (res.contentRange?.total ?? null)
        : res.status === 416
          ? res.unsatisfiedTotal
          : res.contentLength;
    return {
      url: res.url,
      fileName: chooseFileName(naming),
      size,
      resumable: res.status === 206 || (res.status === 416 && size === 0),
      contentType: header(res.headers, 'content-type'),
    };
  } finally {
    transport.close();
  }
}
