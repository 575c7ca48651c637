import type { IncomingHttpHeaders } from 'node:http';
import { DownloadError } from './errors.ts';

/** Longest response head (status line + headers) accepted, like common clients' limits. */
export const MAX_HEAD_BYTES = 64 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface ResponseHead {
  status: number;
  /** Bytes of the head, blank line included: the body starts here. */
  length: number;
  headers: IncomingHttpHeaders;
  /** The server keeps the connection open after this response. */
  keepAlive: boolean;
}

/** How the body of a response ends (RFC 9112 §6.3). */
export type Framing =
  { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

/** Parses a complete response head from `buf[0, end)`, or returns null while it is incomplete. */
export function parseHead(buf: Buffer, end: number): ResponseHead | null {
  const at = buf.subarray(0, end).indexOf(CRLFCRLF);
  if (at < 0) {
    if (end >= MAX_HEAD_BYTES) throw badResponse(`more than ${MAX_HEAD_BYTES} bytes of headers`);
    return null;
  }
  const lines = buf.toString('latin1', 0, at).split('\r\n');
  const statusLine = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: .*)?$/.exec(lines[0] ?? '');
  if (!statusLine) throw badResponse('an invalid status line');
  const headers: IncomingHttpHeaders = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !TOKEN.test(name)) throw badResponse('a malformed header line');
    const value = line.slice(colon + 1).trim();
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else (headers as Record<string, string | string[]>)[name] = [previous, value];
  }
  const http10 = statusLine[1] === '0';
  const connection = tokens(headers['connection']);
  return {
    status: Number(statusLine[2]),
    length: at + CRLFCRLF.length,
    headers,
    keepAlive: http10 ? connection.includes('keep-alive') : !connection.includes('close'),
  };
}

/** What ends the body of a response to a GET. */
export function framingOf(head: ResponseHead): Framing {
  const { status, headers } = head;
  if (status === 204 || status === 304) return { kind: 'none' };
  const codings = tokens(headers['transfer-encoding']);
  if (codings.length > 0) {
    return codings[codings.length - 1] === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  }
  const raw = headers['content-length'];
  if (raw === undefined) return { kind: 'close' };
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(','));
  const lengths = new Set(values.map((v) => v.trim()));
  const [only] = lengths;
  if (lengths.size !== 1 || !/^\d{1,15}$/.test(only!)) {
    throw badResponse(`an invalid Content-Length (${values.join(',').slice(0, 40)})`);
  }
  const length = Number(only);
  return length === 0 ? { kind: 'none' } : { kind: 'length', length };
}

function tokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

export function badResponse(what: string): DownloadError {
  return new DownloadError('BAD_RESPONSE', `the server sent ${what}`, { retryable: false });
}

const STATE = {
  size: 0,
  extension: 1,
  sizeLf: 2,
  data: 3,
  dataCr: 4,
  dataLf: 5,
  trailer: 6,
  done: 7,
} as const;
type State = (typeof STATE)[keyof typeof STATE];
const MAX_SIZE_DIGITS = 13;
const MAX_TRAILER_BYTES = 16 * 1024;

/**
 * Removes chunked framing in place: the data bytes of a region end up at its start, so a body
 * read straight into its destination buffer stays there. Keeps its state across regions.
 */
export class ChunkedDecoder {
  #state: State = STATE.size;
  #digits = 0;
  #size = 0;
  #left = 0;
  #trailerBytes = 0;
  /** Bytes of the current trailer line (0: the blank line that ends the body). */
  #lineBytes = 0;

  /** Bytes arrived after the end of the body: the connection cannot carry another response. */
  overrun = false;

  get done(): boolean {
    return this.#state === STATE.done;
  }

  /** Decodes `buf[start, end)`; returns how many data bytes now sit at `buf[start, start + n)`. */
  decode(buf: Buffer, start: number, end: number): number {
    let out = start;
    let i = start;
    while (i < end) {
      if (this.#state === STATE.done) {
        this.overrun = true;
        break;
      }
      if (this.#state === STATE.data) {
        const n = Math.min(this.#left, end - i);
        if (out !== i) buf.copyWithin(out, i, i + n);
        out += n;
        i += n;
        this.#left -= n;
        if (this.#left === 0) this.#state = STATE.dataCr;
        continue;
      }
      this.#step(buf[i]!);
      i++;
    }
    return out - start;
  }

  #step(byte: number): void {
    switch (this.#state) {
      case STATE.size: {
        const digit = hexValue(byte);
        if (digit >= 0) {
          if (++this.#digits > MAX_SIZE_DIGITS) throw badResponse('an oversized chunk');
          this.#size = this.#size * 16 + digit;
          return;
        }
        if (this.#digits === 0) throw badResponse('a malformed chunk size');
        if (byte === 0x0d) this.#state = STATE.sizeLf;
        else if (byte === 0x3b || byte === 0x20 || byte === 0x09) this.#state = STATE.extension;
        else throw badResponse('a malformed chunk size');
        return;
      }
      case STATE.extension:
        // Extensions carry nothing a download needs; bounded like trailers.
        if (++this.#trailerBytes > MAX_TRAILER_BYTES)
          throw badResponse('oversized chunk extensions');
        if (byte === 0x0d) this.#state = STATE.sizeLf;
        return;
      case STATE.sizeLf:
        if (byte !== 0x0a) throw badResponse('a malformed chunk size line');
        this.#digits = 0;
        if (this.#size === 0) {
          this.#state = STATE.trailer;
          this.#lineBytes = 0;
          return;
        }
        this.#left = this.#size;
        this.#size = 0;
        this.#state = STATE.data;
        return;
      case STATE.dataCr:
        if (byte !== 0x0d) throw badResponse('a chunk longer than announced');
        this.#state = STATE.dataLf;
        return;
      case STATE.dataLf:
        if (byte !== 0x0a) throw badResponse('a chunk longer than announced');
        this.#state = STATE.size;
        return;
      case STATE.trailer:
        if (++this.#trailerBytes > MAX_TRAILER_BYTES) throw badResponse('oversized trailers');
        if (byte === 0x0a) {
          if (this.#lineBytes === 0) this.#state = STATE.done;
          this.#lineBytes = 0;
        } else if (byte !== 0x0d) {
          this.#lineBytes++;
        }
        return;
    }
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
