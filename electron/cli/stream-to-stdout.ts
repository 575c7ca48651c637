import { createHash, type Hash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Settings } from '../../shared/api/settings.ts';
import type { Checksum } from '../../shared/api/task.ts';
import { formatBytes } from '../../shared/format.ts';
import { DownloadError } from '../engine/errors.ts';
import type { HttpBody } from '../engine/http-body.ts';
import { header, ifRangeValidator, openRange, type RangeResponse } from '../engine/http-range.ts';
import { createTransport } from '../engine/http-transport.ts';
import { afterOverlap, OVERLAP_BYTES } from '../engine/overlap-check.ts';
import { RateLimiter, readCap } from '../engine/rate-limiter.ts';
import { attempts, retryDelay, toDownloadError } from '../engine/retry-policy.ts';
import { SpeedMeter } from '../engine/speed-meter.ts';
import { refuseFirstPage } from '../engine/web-page.ts';

export interface StreamRequest {
  url: string;
  headers: Readonly<Record<string, string>>;
  checksum: Checksum | null;
  /** Bytes per second; 0 for none. */
  limit: number;
  settings: Pick<Settings, 'readTimeoutMs' | 'proxyMode' | 'proxyUrl' | 'maxRetries'>;
  /** Ctrl-C: stops between two reads. */
  signal: AbortSignal;
  /** A broken connection that will be continued, in words ("…; retry 2 of 10 in 1 s"). */
  retrying(message: string): void;
}

export type StreamOutcome =
  | { kind: 'done'; bytes: number; verified: boolean }
  /** The bytes did not match the checksum; all of them were written all the same. */
  | { kind: 'mismatch'; bytes: number; actual: string }
  /** The reader went away (EPIPE): nothing more can be written. */
  | { kind: 'closed' }
  | { kind: 'stopped'; bytes: number }
  | { kind: 'failed'; bytes: number; message: string };

/** Bytes read at once at most; each read's bytes go to the output as they are. */
const SLAB = 1024 * 1024;
const MIN_READ = 64 * 1024;

/**
 * `braid get URL -o -`: the file's bytes to `out` in order, over one connection, with no file,
 * `.part` or journal. A broken connection is continued from the bytes already written, with a
 * Range and If-Range on the first answer's validator (the bytes before it asked again where the
 * server shows none). Bytes written cannot be taken back, so a server that cannot resume, or a
 * file that changed, ends the stream with a clear failure instead of starting over.
 * Requests go through the engine's transport and openRange: redirects, proxies, header checks
 * and the rule that credentials stay with the link's origin are the same as for a download.
 */
export class StdoutStream {
  readonly #req: StreamRequest;
  readonly #out: NodeJS.WritableStream;
  readonly #meter = new SpeedMeter(2000);
  readonly #limiter: RateLimiter;
  readonly #hash: Hash | null;
  #written = 0;
  #size: number | null = null;
  #etag: string | null = null;
  #lastModified: string | null = null;
  /** The last bytes written, to compare with those a resumed answer starts with. */
  #tail: Buffer = Buffer.alloc(0);
  #slab: Buffer = Buffer.allocUnsafe(SLAB);
  #slabUsed = 0;
  #writeError: NodeJS.ErrnoException | null = null;

  constructor(req: StreamRequest, out: NodeJS.WritableStream) {
    this.#req = req;
    this.#out = out;
    this.#limiter = new RateLimiter(req.limit);
    this.#hash = req.checksum ? createHash(req.checksum.algorithm) : null;
  }

  get written(): number {
    return this.#written;
  }

  /** The file's size, once the server said it. */
  get size(): number | null {
    return this.#size;
  }

  get speed(): number {
    return this.#meter.rate();
  }

  async run(): Promise<StreamOutcome> {
    const gone = new AbortController();
    const onError = (error: NodeJS.ErrnoException) => {
      this.#writeError ??= error;
      gone.abort(error);
    };
    this.#out.on('error', onError);
    const signal = AbortSignal.any([this.#req.signal, gone.signal]);
    const transport = createTransport(this.#req.settings);
    try {
      const ended = await this.#transfer(transport, signal);
      if (ended) await this.#flushed();
      if (this.#writeError) return this.#cannotWrite(this.#writeError);
      if (ended) return ended;
      return { kind: 'stopped', bytes: this.#written };
    } finally {
      this.#out.off('error', onError);
      transport.close();
    }
  }

  /** The outcome, or null when stopped (by the user, or by the output failing). */
  async #transfer(
    transport: ReturnType<typeof createTransport>,
    signal: AbortSignal,
  ): Promise<StreamOutcome | null> {
    const { maxRetries } = this.#req.settings;
    let failures = 0;
    let sniffed = false;
    for (;;) {
      const before = this.#written;
      try {
        const res = await this.#request(transport, signal);
        if (res === 'done') return this.#finished();
        if (!sniffed && this.#written === 0) {
          const naming = {
            contentDisposition: header(res.headers, 'content-disposition'),
            url: new URL(res.url),
          };
          // Only labelled as a page, its start used up looking: asked for again, as the file.
          sniffed = await refuseFirstPage(res, naming, new URL(this.#req.url));
          if (sniffed) continue;
        }
        await this.#pipe(res, signal);
        if (this.#size === null || this.#written === this.#size) return this.#finished();
        throw new DownloadError('CONNECTION_CLOSED', 'the server ended the response early', {
          retryable: true,
        });
      } catch (caught) {
        if (signal.aborted) return null;
        const error = toDownloadError(caught);
        // Seen by comparing the bytes before the rest (see #request).
        if (error.code === 'CONTENT_CHANGED') {
          return this.#failed(this.#cannotContinue('the file changed on the server'));
        }
        if (!error.retryable) return this.#failed(error);
        if (this.#written > before) failures = 0;
        failures++;
        if (failures > maxRetries) {
          return this.#failed(error, ` (gave up after ${attempts(failures)})`);
        }
        const delayMs = retryDelay(error, failures - 1);
        const seconds = Math.round(delayMs / 1000);
        this.#req.retrying(`${error.message}; retry ${failures} of ${maxRetries} in ${seconds} s`);
        const slept = await sleep(delayMs, true, { signal }).catch(() => false);
        if (!slept) return null;
      }
    }
  }

  /** The file from the start, or the rest of it after the bytes written. */
  async #request(
    transport: ReturnType<typeof createTransport>,
    signal: AbortSignal,
  ): Promise<RangeResponse | 'done'> {
    const common = {
      url: this.#req.url,
      headers: this.#req.headers,
      credentialsOrigin: new URL(this.#req.url).origin,
      transport,
      signal,
    };
    if (this.#written === 0) {
      // Nothing written yet: any version of the file will do, its validators taken from here.
      const res = await openRange({ ...common, range: null, ifRange: null });
      if (res.status !== 200) {
        res.body.destroy();
        throw unusable(`the server answered ${res.status} to a request for the whole file`);
      }
      this.#size = res.contentLength;
      this.#etag = res.etag;
      this.#lastModified = res.lastModified;
      return res;
    }
    // Where the server shows no validator, the bytes before the rest are asked again and
    // compared: nothing else tells a new version of the same size.
    const kept = this.#etag === null && this.#lastModified === null ? this.#tail : null;
    const from = this.#written - (kept?.length ?? 0);
    const res = await openRange({
      ...common,
      range: { start: from, end: null },
      ifRange: ifRangeValidator(this.#etag, this.#lastModified),
    });
    if (res.status === 416) {
      // A file of unknown length that ended just where the connection broke.
      if (res.unsatisfiedTotal === this.#written) return 'done';
      throw this.#cannotContinue('the file on the server got shorter');
    }
    if (res.status === 200) {
      res.body.destroy();
      throw this.#cannotContinue(
        this.#changed(res)
          ? 'the file changed on the server'
          : 'the server cannot resume (it sent the whole file again)',
      );
    }
    const range = res.contentRange;
    const sizeChanged =
      range !== null && range.total !== null && this.#size !== null && range.total !== this.#size;
    if (!range || range.start !== from || sizeChanged || this.#changed(res)) {
      res.body.destroy();
      throw this.#cannotContinue(
        !range || range.start !== from
          ? `the server answered another range than asked (${header(res.headers, 'content-range')})`
          : 'the file changed on the server',
      );
    }
    this.#size ??= range.total;
    return kept && kept.length > 0 ? { ...res, body: afterOverlap(res.body, kept) } : res;
  }

  /** Whether an answer's validators show another version than the first answer's. */
  #changed(res: RangeResponse): boolean {
    const strong = (etag: string | null) => etag !== null && !etag.startsWith('W/');
    if (strong(this.#etag) && strong(res.etag)) return this.#etag !== res.etag;
    if (this.#lastModified !== null && res.lastModified !== null) {
      return this.#lastModified !== res.lastModified;
    }
    return false;
  }

  /** Feeds a body to the output, waiting for a slow reader and the speed limit. */
  async #pipe(res: RangeResponse, signal: AbortSignal): Promise<void> {
    const body: HttpBody = res.body;
    const limiters = [this.#limiter];
    const left = () => (this.#size === null ? Infinity : this.#size - this.#written);
    let pending: Promise<void> | undefined;
    await body.pipe({
      space: () => this.#space(Math.max(1, Math.min(left(), readCap(limiters)))),
      took: (n) => {
        // Past the size the server gave: not the file's, and not written.
        const k = Math.min(n, left());
        if (k <= 0 || signal.aborted) return false;
        const chunk = this.#take(k);
        this.#written += k;
        this.#meter.add(k);
        this.#hash?.update(chunk);
        this.#keepTail(chunk);
        const drained = this.#out.write(chunk) ? undefined : this.#drain(signal);
        const paced = this.#limiter.take(k, signal);
        pending =
          drained && paced ? Promise.all([drained, paced]).then(() => {}) : (drained ?? paced);
        pending?.catch(() => {});
        return k < n ? false : pending;
      },
    });
    if (pending) await pending;
  }

  /** Room for the next read: the rest of a slab; the output may still hold earlier bytes of it. */
  #space(max: number): Buffer {
    if (SLAB - this.#slabUsed < MIN_READ) {
      this.#slab = Buffer.allocUnsafe(SLAB);
      this.#slabUsed = 0;
    }
    return this.#slab.subarray(this.#slabUsed, this.#slabUsed + Math.min(max, SLAB));
  }

  #take(n: number): Buffer {
    const chunk = this.#slab.subarray(this.#slabUsed, this.#slabUsed + n);
    this.#slabUsed += n;
    return chunk;
  }

  #keepTail(chunk: Buffer): void {
    if (this.#etag !== null || this.#lastModified !== null) return;
    // Slabs are never reused, so a view of the chunk stays what was written.
    this.#tail =
      chunk.length >= OVERLAP_BYTES
        ? chunk.subarray(chunk.length - OVERLAP_BYTES)
        : Buffer.concat([this.#tail, chunk]).subarray(-OVERLAP_BYTES);
  }

  #drain(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        signal.removeEventListener('abort', stopped);
        resolve();
      };
      const stopped = () => {
        this.#out.off('drain', done);
        reject(signal.reason as Error);
      };
      this.#out.once('drain', done);
      signal.addEventListener('abort', stopped, { once: true });
    });
  }

  /** Waits until the output took every byte, so a reader gone at the very end is noticed. */
  #flushed(): Promise<void> {
    return new Promise((resolve) => this.#out.write(Buffer.alloc(0), () => resolve()));
  }

  #finished(): StreamOutcome {
    const bytes = this.#written;
    const checksum = this.#req.checksum;
    if (!checksum || !this.#hash) return { kind: 'done', bytes, verified: false };
    const actual = this.#hash.digest('hex');
    return actual === checksum.expected.toLowerCase()
      ? { kind: 'done', bytes, verified: true }
      : { kind: 'mismatch', bytes, actual };
  }

  #failed(error: DownloadError, why = ''): StreamOutcome {
    return { kind: 'failed', bytes: this.#written, message: `${error.message}${why}` };
  }

  #cannotWrite(error: NodeJS.ErrnoException): StreamOutcome {
    if (error.code === 'EPIPE') return { kind: 'closed' };
    const message = `cannot write to standard output: ${error.message}`;
    return { kind: 'failed', bytes: this.#written, message };
  }

  /** Bytes already written to a pipe cannot be taken back: the stream ends, saying so. */
  #cannotContinue(why: string): DownloadError {
    return unusable(
      `${why} after ${formatBytes(this.#written)} of it went to standard output, ` +
        'which cannot take them back: run the command again to start over',
    );
  }
}

function unusable(message: string): DownloadError {
  return new DownloadError('STREAM_BROKEN', message, { retryable: false });
}
