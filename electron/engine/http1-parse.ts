import type { IncomingHttpHeaders } from 'node:http';
import { DownloadError } from './errors.ts';

/** Longest response head (status line + headers) accepted, like common clients' limits. */
export const MAX_HEAD_BYTES = 64 * 1024;
// A blank line ends the head; lines may end with a bare LF (RFC 9112 §2.2), as curl and wget take.
const LFLF = Buffer.from('\n\n');
const LFCRLF = Buffer.from('\n\r\n');
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
  const length = headLength(buf.subarray(0, end));
  if (length < 0) {
    if (end >= MAX_HEAD_BYTES) throw badResponse(`more than ${MAX_HEAD_BYTES} bytes of headers`);
    return null;
  }
  const lines = buf.toString('latin1', 0, length).split(/\r?\n/);
  lines.length -= 2; // the blank line and what follows its end
  const statusLine = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: .*)?$/.exec(lines[0] ?? '');
  if (!statusLine) throw badResponse('an invalid status line');
  const fields: [name: string, value: string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const last = fields[fields.length - 1];
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      // obs-fold: the value goes on, and a user agent must read the fold as a space (RFC 9112 §5.2).
      last[1] = `${last[1]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !TOKEN.test(name)) throw badResponse('a malformed header line');
    fields.push([name, line.slice(colon + 1).trim()]);
  }
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of fields) {
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else (headers as Record<string, string | string[]>)[name] = [previous, value];
  }
  const http10 = statusLine[1] === '0';
  const connection = tokens(headers['connection']);
  return {
    status: Number(statusLine[2]),
    length,
    headers,
    keepAlive: http10 ? connection.includes('keep-alive') : !connection.includes('close'),
  };
}

/** Bytes of the head up to and including its blank line (CRLF or bare LF), or -1. */
function headLength(head: Buffer): number {
  const lf = head.indexOf(LFLF);
  const crlf = head.indexOf(LFCRLF);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + LFCRLF.length;
  return lf < 0 ? -1 : lf + LFLF.length;
}

/** What ends the body of a response to a GET. */
export function framingOf(head: ResponseHead): Framing {
  const { status, headers } = head;
  if (status === 204 || status === 304) return { kind: 'none' };
  const codings = tokens(headers['transfer-encoding']);
  if (codings.length > 0) {
    // Braid sends no TE, which allows only chunked (RFC 9110 §10.1.4), and decoding another would
    // cost the body path its reads straight into the file: the encoded bytes must not be saved.
    if (codings.length > 1 || codings[0] !== 'chunked') {
      const named = codings.join(', ').slice(0, 60);
      throw badResponse(`a body in a transfer coding Braid does not decode (${named})`);
    }
    return { kind: 'chunked' };
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

  // Lines may end with a bare LF, as in the head (RFC 9112 §2.2).
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
        else if (byte === 0x0a) this.#endSizeLine();
        else if (byte === 0x3b || byte === 0x20 || byte === 0x09) this.#state = STATE.extension;
        else throw badResponse('a malformed chunk size');
        return;
      }
      case STATE.extension:
        // Extensions carry nothing a download needs; bounded like trailers.
        if (++this.#trailerBytes > MAX_TRAILER_BYTES)
          throw badResponse('oversized chunk extensions');
        if (byte === 0x0d) this.#state = STATE.sizeLf;
        else if (byte === 0x0a) this.#endSizeLine();
        return;
      case STATE.sizeLf:
        if (byte !== 0x0a) throw badResponse('a malformed chunk size line');
        this.#endSizeLine();
        return;
      case STATE.dataCr:
        if (byte === 0x0a) this.#state = STATE.size;
        else if (byte === 0x0d) this.#state = STATE.dataLf;
        else throw badResponse('a chunk longer than announced');
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

  #endSizeLine(): void {
    this.#digits = 0;
    if (this.#size === 0) {
      this.#state = STATE.trailer;
      this.#lineBytes = 0;
      return;
    }
    this.#left = this.#size;
    this.#size = 0;
    this.#state = STATE.data;
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
