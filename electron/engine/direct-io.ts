import { constants } from 'node:fs';

/**
 * Direct (page-cache bypassing) writes go in whole blocks of this size, at file offsets that are
 * multiples of it, from memory aligned to it. 4 KiB covers disks with 512-byte and 4 KiB sectors.
 */
export const DIRECT_BLOCK = 4096;

/** The part of the WebAssembly API used here (the Node types do not declare it). */
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
};

/** The open flag, where the platform has one (Linux); macOS and Windows have none for Node. */
export const O_DIRECT: number | undefined = (constants as { O_DIRECT?: number }).O_DIRECT;

/**
 * `count` buffers of `size` bytes (a multiple of DIRECT_BLOCK), each starting on a block boundary,
 * or null where the runtime cannot make them. Node's own Buffers are not aligned (malloc puts a
 * header before them); a WebAssembly memory is mapped on pages of its own.
 */
export function alignedBuffers(size: number, count: number): Buffer[] | null {
  if (size % DIRECT_BLOCK !== 0) throw new RangeError(`${size} is not a multiple of the block`);
  const wasmPage = 64 * 1024;
  const pages = Math.ceil((size * count) / wasmPage);
  let memory: { buffer: ArrayBuffer };
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  } catch {
    return null; // e.g. no address space left for the memory's reservation
  }
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) out.push(Buffer.from(memory.buffer, i * size, size));
  return out;
}

/**
 * How a write of `length` bytes at `position` splits into a head and a tail that are not whole
 * blocks (cached writes) around a body of whole blocks (a direct write). The body is empty when
 * the write covers no whole block. Offsets are relative to the write's start.
 */
export function splitForDirect(
  position: number,
  length: number,
): { bodyStart: number; bodyEnd: number } {
  const end = position + length;
  const first = Math.ceil(position / DIRECT_BLOCK) * DIRECT_BLOCK;
  const last = Math.floor(end / DIRECT_BLOCK) * DIRECT_BLOCK;
  if (last <= first) return { bodyStart: length, bodyEnd: length };
  return { bodyStart: first - position, bodyEnd: last - position };
}

/**
 * Judges direct writes by the rate the disk takes them at, counting the time any is in flight.
 * Below `minRate` once `judgeAfter` bytes went, the disk is one that seeks between the places in
 * the file that the connections write to (a spinning disk: a seek per write), or one that is
 * slow with direct I/O; the page cache, which sorts writes before they reach it, does better.
 */
export class DirectRateGauge {
  readonly #minRate: number;
  readonly #judgeAfter: number;
  readonly #now: () => number;
  #active = 0;
  #busySince = 0;
  #busyMs = 0;
  #bytes = 0;
  #judged = false;

  constructor(
    minRate = 100 * 1024 * 1024,
    judgeAfter = 16 * 1024 * 1024,
    now = () => performance.now(),
  ) {
    this.#minRate = minRate;
    this.#judgeAfter = judgeAfter;
    this.#now = now;
  }

  start(): void {
    this.#tick();
    this.#active++;
  }

  /** A direct write finished (`bytes` 0: it failed). */
  done(bytes: number): 'fine' | 'too slow' {
    this.#tick();
    this.#active--;
    this.#bytes += bytes;
    if (this.#judged || this.#bytes < this.#judgeAfter) return 'fine';
    this.#judged = true;
    return (this.#bytes / this.#busyMs) * 1000 < this.#minRate ? 'too slow' : 'fine';
  }

  /** Time passes as busy while any write is in flight. */
  #tick(): void {
    const now = this.#now();
    if (this.#active > 0) this.#busyMs += now - this.#busySince;
    this.#busySince = now;
  }
}
