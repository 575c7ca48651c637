import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DownloadEngine } from '../engine/download-engine.ts';
import { openRegularFile } from '../engine/regular-file.ts';

/** Where a browser fetches a finished download's file: `/files/<task id>`. */
export const FILES_PATH = '/files/';

/**
 * Sends a completed download's file to the browser as an attachment, so a user of `braid serve`
 * on another machine (a NAS) can take it home. Only files the engine finished, by task id: the
 * path comes from the engine's record, never from the request.
 */
export async function sendFinishedFile(
  engine: DownloadEngine,
  id: string,
  head: boolean,
  res: ServerResponse,
): Promise<void> {
  const task = engine.get(id);
  if (!task || task.state !== 'completed' || !task.fileName) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('No finished download with that id.\n');
    return;
  }
  const path = join(task.dir, task.fileName);
  const handle = await openRegularFile(path).catch(() => null);
  if (!handle) {
    res.writeHead(410, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The file is no longer where the download left it.\n');
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': (await handle.stat()).size,
    // RFC 6266: an ASCII fallback, and the real name in UTF-8.
    'content-disposition': `attachment; filename="${asciiName(task.fileName)}"; filename*=UTF-8''${rfc5987(task.fileName)}`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (head) {
    await handle.close();
    res.end();
    return;
  }
  // Closes the file when the browser is done or gives up.
  await pipeline(handle.createReadStream(), res);
}

/** RFC 5987 value chars: encodeURIComponent leaves ' ( ) * !, which the grammar does not allow. */
function rfc5987(name: string): string {
  return encodeURIComponent(name).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function asciiName(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_');
}
