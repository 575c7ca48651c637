import type { PartFile } from './part-file.ts';
import type { Segment } from './segment-planner.ts';

const BATCH_BYTES = 1024 * 1024;
/** Slow connections still reach the disk (and so the journal) this often. */
const BATCH_MAX_AGE_MS = 100;

/**
 * Batches one connection's chunks into few large positional writes, with at most one write in
 * flight so receiving and writing overlap. `segment.written` advances only when a write completed.
 * Chunks must continue the segment contiguously from where it stood when the writer was made.
 */
export class SegmentWriter {
  readonly #file: PartFile;
  readonly #segment: Segment;
  readonly #onWritten: (bytes: number) => void;
  #batch: Buffer[] = [];
  #batchBytes = 0;
  #batchSince = 0;
  /** File offset right after the last queued byte. */
  #queuedEnd: number;
  #inFlight: Promise<void> | null = null;
  #failure: unknown = null;

  constructor(file: PartFile, segment: Segment, onWritten: (bytes: number) => void) {
    this.#file = file;
    this.#segment = segment;
    this.#onWritten = onWritten;
    this.#queuedEnd = segment.written;
  }

  /** Queue a chunk. Returns a promise only when the caller should wait for the disk. */
  push(chunk: Buffer, now: number): Promise<void> | undefined {
    if (this.#failure) throw this.#failure;
    if (this.#batchBytes === 0) this.#batchSince = now;
    this.#batch.push(chunk);
    this.#batchBytes += chunk.length;
    this.#queuedEnd += chunk.length;
    if (this.#batchBytes >= BATCH_BYTES || now - this.#batchSince >= BATCH_MAX_AGE_MS) {
      return this.#startWrite();
    }
    return undefined;
  }

  /** Write everything queued and wait for it; rethrows a write error. */
  async flush(): Promise<void> {
    if (this.#batchBytes > 0) await this.#startWrite();
    if (this.#inFlight) await this.#inFlight;
    if (this.#failure) throw this.#failure;
  }

  async #startWrite(): Promise<void> {
    // One write in flight: the next batch waits for the previous one, which backpressures the socket.
    if (this.#inFlight) await this.#inFlight;
    if (this.#failure) throw this.#failure;
    const buffers = this.#batch;
    const bytes = this.#batchBytes;
    const position = this.#queuedEnd - bytes;
    this.#batch = [];
    this.#batchBytes = 0;
    this.#inFlight = this.#file.writeAt(buffers, position).then(
      () => {
        this.#segment.written = position + bytes;
        this.#inFlight = null;
        this.#onWritten(bytes);
      },
      (error: unknown) => {
        this.#failure = error;
        this.#inFlight = null;
      },
    );
  }
}
