import { DIRECT_BLOCK, alignedBuffers } from './direct-io.ts';
import type { PartFile } from './part-file.ts';
import type { Segment } from './segment-planner.ts';

/**
 * Bytes per positional write, at most. Larger writes cost fewer syscalls, and a disk takes them
 * faster: a gigabyte over loopback in 8 connections' 640 KiB batches, written direct, took
 * 1.1-1.3 s where 256 KiB batches took 1.5-1.7 s (taken in turns), with a quarter less CPU.
 */
export const BATCH_MAX = 1024 * 1024;
/** Bytes per write, at least, however many connections share the budget. */
export const BATCH_MIN = 256 * 1024;
/**
 * What the batch buffers of all connections of all downloads may fill together, each connection
 * holding two (one filling, one being written): 8 connections get 640 KiB batches; from 20 on,
 * each gets the minimum. (12 MiB put `braid get` of a gigabyte at 80 MB peak RSS; this, 77 MB.)
 */
export const BATCH_BUDGET = 10 * 1024 * 1024;
/** Slow connections still reach the disk (and so the journal) this often. */
const BATCH_MAX_AGE_MS = 100;
/** Free batch buffers kept for the next connection: reused memory is already mapped, and not garbage. */
const POOL_MAX = 16;
const pool: Buffer[] = [];
/** Connections the running downloads may open: their writers share the budget from the start. */
let plannedConnections = 0;
let liveWriters = 0;

/**
 * A download that may open up to `connections` connections; call the result when it stops.
 * Batches are sized by the plan, not by the writers open so far: a buffer keeps the memory its
 * largest batch touched, and a download's first connections, alone for a moment, would each
 * touch a whole MiB.
 */
export function planConnections(connections: number): () => void {
  plannedConnections += connections;
  let planned = true;
  return () => {
    if (planned) plannedConnections -= connections;
    planned = false;
  };
}

/** A connection's share of the budget when `connections` share it, in whole disk blocks. */
export function batchBytes(connections: number): number {
  const share = BATCH_BUDGET / (2 * Math.max(1, connections));
  const blocks = Math.floor(share / DIRECT_BLOCK) * DIRECT_BLOCK;
  return Math.max(BATCH_MIN, Math.min(BATCH_MAX, blocks));
}

/**
 * Block-aligned, so a part file can write them past the page cache; Node's own where none can be
 * made. Every buffer can hold BATCH_MAX; memory is only mapped where a batch actually used it.
 */
function takeBuffer(): Buffer {
  if (pool.length === 0) pool.push(...(alignedBuffers(BATCH_MAX, POOL_MAX / 2) ?? []));
  return pool.pop() ?? Buffer.allocUnsafeSlow(BATCH_MAX);
}

function giveBuffer(buffer: Buffer): void {
  if (pool.length < POOL_MAX) pool.push(buffer);
}

/**
 * One connection's way to the disk. The socket reads straight into the writer's batch buffer
 * (`space` / `took`), full batches go out as one positional write each, and at most one write is
 * in flight so receiving and writing overlap while memory stays at two buffers per connection.
 * `segment.written` advances only when a write completed. A batch starts in its buffer where its
 * file offset starts in a disk block, so its whole blocks can go to the disk directly, and a full
 * batch ends on a block boundary: after a segment's first batch, batches are whole blocks.
 */
export class SegmentWriter {
  readonly #file: PartFile;
  readonly #segment: Segment;
  readonly #onWritten: (bytes: number) => void;
  #fill: Buffer | null = null;
  /** Where the batch starts in `#fill`: its file offset's place in a disk block. */
  #fillStart = 0;
  #fillLen = 0;
  #fillSince = 0;
  /** Where the batch in `#fill` is full: a block boundary, the writer's share of the budget. */
  #fillEnd = 0;
  #live = true;
  /** File offset right after the last byte taken. */
  #queuedEnd: number;
  #inFlight: Promise<void> | null = null;
  /** Batches handed to the disk and not written yet. */
  #writing = 0;
  #failure: unknown = null;

  constructor(file: PartFile, segment: Segment, onWritten: (bytes: number) => void) {
    this.#file = file;
    this.#segment = segment;
    this.#onWritten = onWritten;
    this.#queuedEnd = segment.written;
    liveWriters++;
  }

  /** Where the next bytes of the segment go: at most `max` bytes, at least one. */
  space(max: number): Buffer {
    if (this.#failure) throw this.#failure;
    if (!this.#fill) {
      this.#fill = takeBuffer();
      this.#fillStart = this.#queuedEnd % DIRECT_BLOCK;
      this.#fillEnd = batchBytes(Math.max(plannedConnections, liveWriters));
    }
    const from = this.#fillStart + this.#fillLen;
    return this.#fill.subarray(from, Math.min(this.#fillEnd, from + Math.max(1, max)));
  }

  /**
   * Whether `space()` stays within two buffers: the batch filling, or a new one while at most one
   * batch is being written. So only a reader waiting for the disk is told no: readers told no
   * after a rate-limit wait read 16 KiB at a time and lost every race for the limiter's bytes.
   */
  hasRoom(): boolean {
    return this.#fill !== null || this.#writing < 2;
  }

  /**
   * `n` bytes were put at the start of the last `space()`. Returns a promise only when the caller
   * should wait for the disk before reading on.
   */
  took(n: number, now: number): Promise<void> | undefined {
    if (this.#failure) throw this.#failure;
    if (this.#fillLen === 0) this.#fillSince = now;
    this.#fillLen += n;
    this.#queuedEnd += n;
    const full = this.#fillStart + this.#fillLen >= this.#fillEnd;
    if (full || now - this.#fillSince >= BATCH_MAX_AGE_MS) {
      return this.#startWrite();
    }
    return undefined;
  }

  /** Writes everything taken and waits for it, then takes more; rethrows a write error. */
  async settle(): Promise<void> {
    if (this.#fillLen > 0) this.#startWrite();
    if (this.#inFlight) await this.#inFlight;
    if (this.#failure) throw this.#failure;
  }

  /** Write everything taken and wait for it; rethrows a write error. The writer is done then. */
  async flush(): Promise<void> {
    if (this.#live) liveWriters--;
    this.#live = false;
    if (this.#fillLen > 0) this.#startWrite();
    if (this.#fill) giveBuffer(this.#fill);
    this.#fill = null;
    if (this.#inFlight) await this.#inFlight;
    if (this.#failure) throw this.#failure;
  }

  /** Hands the filled buffer to the disk; returns the write before it, which the reader waits for. */
  #startWrite(): Promise<void> | undefined {
    const buffer = this.#fill!;
    const start = this.#fillStart;
    const bytes = this.#fillLen;
    const position = this.#queuedEnd - bytes;
    this.#fill = null;
    this.#fillLen = 0;
    this.#writing++;
    const previous = this.#inFlight;
    const write: Promise<void> = (async () => {
      if (previous) await previous;
      if (this.#failure) return;
      await this.#file.writeAt(buffer.subarray(start, start + bytes), position);
      this.#segment.written = position + bytes;
      this.#onWritten(bytes);
    })()
      .catch((error: unknown) => {
        this.#failure ??= error;
      })
      .finally(() => {
        this.#writing--;
        giveBuffer(buffer);
        if (this.#inFlight === write) this.#inFlight = null;
      });
    this.#inFlight = write;
    return previous ?? undefined;
  }
}
