import type { IncomingHttpHeaders } from 'node:http';
import type { HttpBody } from './http-body.ts';
import { DownloadError } from './errors.ts';
import { promisedFileName, splitExtension, type FileNameSources } from './file-name.ts';
import { header } from './http-range.ts';

/**
 * Telling a web page from the file a link promised: a login form, an "expired link" notice or a
 * captive portal's page, answered with 200 where a download was expected. Saved, it would sit
 * under the file's name looking like a finished download.
 */

/**
 * Extensions of files people download that are never web pages: archives, installers and
 * packages, disk images, media, documents. Only these: a page's address may end in anything
 * ("/wiki/Node.js", "/releases/v2.1"), and a page saved where none was promised is what a
 * browser would do; refusing a page someone asked for is worse.
 */
const FILE_EXTENSIONS = new Set(
  (
    'zip 7z rar gz tgz bz2 tbz2 xz txz zst lz lzma tar cab tar.gz tar.bz2 tar.xz tar.zst tar.lz ' +
    'exe msi msix appx dmg pkg deb rpm apk aab ipa appimage snap flatpak jar war whl gem nupkg ' +
    'crx xpi vsix iso img vhd vhdx vmdk qcow2 ova wim esd bin torrent ' +
    'mp4 mkv avi mov wmv flv webm m4v mpg mpeg mp3 flac wav ogg opus m4a aac wma ' +
    'jpg jpeg png gif webp bmp tif tiff heic avif psd ttf otf woff woff2 ' +
    'pdf epub mobi djvu doc docx xls xlsx ppt pptx odt ods odp rtf sqlite parquet'
  ).split(' '),
);

/** What the HTML sniffing of the WHATWG MIME Sniffing standard (§7.1) takes for a page's start. */
const HTML_STARTS = [
  '<!doctype html',
  '<html',
  '<head',
  '<script',
  '<iframe',
  '<h1',
  '<div',
  '<font',
  '<table',
  '<a',
  '<style',
  '<title',
  '<b',
  '<body',
  '<br',
  '<p',
  '<!--',
];
/** Enough of a body to find its first tag after a BOM and some blank lines. */
const SNIFF_BYTES = 512;

/** The media type of a response, lower-cased and without parameters; null when none. */
export function mediaTypeOf(headers: IncomingHttpHeaders): string | null {
  // Through header(): a server that sends the header twice gives a list (http1-parse.ts).
  const type = header(headers, 'content-type')?.split(';', 1)[0]!.trim().toLowerCase();
  return type || null;
}

export function isPageType(mediaType: string | null): boolean {
  return mediaType === 'text/html' || mediaType === 'application/xhtml+xml';
}

/** Whether a name promises a file that is never a page (see FILE_EXTENSIONS). */
export function namesAFile(fileName: string): boolean {
  return FILE_EXTENSIONS.has(splitExtension(fileName).ext.slice(1).toLowerCase());
}

/** Whether bytes start like HTML (after a UTF-8 BOM and whitespace), as a browser would judge. */
export function looksLikeHtml(head: Buffer): boolean {
  let text = head.toString('latin1');
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  text = text.replace(/^[\t\n\f\r ]+/, '').toLowerCase();
  return HTML_STARTS.some((start) => {
    if (!text.startsWith(start)) return false;
    // The tag's name must end there: "<b" is bold, "<base64…" is not.
    const after = text.charAt(start.length);
    return after === ' ' || after === '>';
  });
}

/** Up to `max` bytes from the start of `body`; the rest is dropped with the connection. */
export async function readHead(body: HttpBody, max = SNIFF_BYTES): Promise<Buffer> {
  const buffer = Buffer.alloc(max);
  let length = 0;
  try {
    await body.pipe({
      space: () => buffer.subarray(length),
      took: (n) => {
        length += n;
        return length < max ? undefined : false;
      },
    });
  } finally {
    body.destroy();
  }
  return buffer.subarray(0, length);
}

/**
 * The first of `names` that promises a file, when an answer with these headers is labelled as a
 * page; null when it is not, or none does. Only then are its bytes worth looking into.
 */
export function fileLabelledAsPage(
  headers: IncomingHttpHeaders,
  names: readonly (string | null)[],
): string | null {
  if (!isPageType(mediaTypeOf(headers))) return null;
  return names.find((n) => n !== null && namesAFile(n)) ?? null;
}

/**
 * Looks into a first answer labelled as a page where a file was promised, by its name or by the
 * link asked for (`/setup.zip` redirected to a login page at `/login`), and throws WEB_PAGE when
 * its bytes are a page. True when they were not: the file is only labelled as a page, and the
 * start of this answer was used up looking. False when there was nothing to look into.
 */
export async function refuseFirstPage(
  res: { status: number; headers: IncomingHttpHeaders; body: HttpBody },
  naming: FileNameSources,
  asked: URL,
): Promise<boolean> {
  if (res.status === 416) return false;
  const name = fileLabelledAsPage(res.headers, [
    promisedFileName(naming),
    promisedFileName({ url: asked }),
  ]);
  if (name === null) return false;
  if (looksLikeHtml(await readHead(res.body))) throw webPageError(name, false);
  return true;
}

/**
 * A page where the bytes of `instead` were expected. Retried only where downloaded bytes are kept
 * (a captive portal's login passes); a first answer that is a page fails at once.
 */
export function webPageError(instead: string, kept: boolean): DownloadError {
  const more = kept ? '; the downloaded part is kept' : '';
  return new DownloadError(
    'WEB_PAGE',
    `the server sent a web page instead of ${instead}: the link may have expired or need a login${more}`,
    { retryable: kept },
  );
}
