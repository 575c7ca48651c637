import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { DirectRateGauge, O_DIRECT, splitForDirect } from './direct-io.ts';

export interface PartFileOptions {
  /** Write whole blocks past the page cache where the platform and filesystem allow. */
  direct: boolean;
  /** How direct writes are judged too slow (the default: below 100 MB/s after 16 MiB). */
  gauge?: DirectRateGauge;
}

/**
 * The `.part` file a download writes into at arbitrary offsets. Short writes (a nearly full disk)
 * are continued until done or the OS reports the error, so a resolved write is a complete write.
 *
 * A file opened `direct` also gets an O_DIRECT handle: whole blocks go straight to the disk, and
 * only the partial blocks at a write's ends pass through the page cache. A big download then does
 * not copy every byte into the cache (measured: the copy was most of the CPU) nor push the rest
 * of the system's files out of memory. Direct writes need `data` to sit in memory at
 * `position % DIRECT_BLOCK` past a block-aligned address; where the kernel refuses one anyway
 * (EINVAL: a filesystem or buffer it will not take), or the disk takes them slowly (it seeks
 * between the connections' places in the file, see DirectRateGauge), the file goes on with cached
 * writes, which the kernel sorts before they reach the disk.
 */
export class PartFile {
  readonly path: string;
  readonly #handle: FileHandle;
  #direct: FileHandle | null;
  readonly #lanes: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  #nextLane = 0;
  readonly #gauge: DirectRateGauge;
  /** Direct writes in progress, on `#direct` or on the handle direct writing stopped with. */
  #directWrites = 0;
  #retired: FileHandle | null = null;
  #closing: Promise<void> = Promise.resolve();

  private constructor(
    path: string,
    handle: FileHandle,
    direct: FileHandle | null,
    options: PartFileOptions,
  ) {
    this.path = path;
    this.#handle = handle;
    this.#direct = direct;
    this.#gauge = options.gauge ?? new DirectRateGauge();
  }

  /** Creates the file, failing if anything exists at the path (a name is never taken over). */
  static async create(path: string, options: PartFileOptions): Promise<PartFile> {
    const handle = await open(path, 'wx');
    return new PartFile(path, handle, options.direct ? await openDirect(path) : null, options);
  }

  static async open(path: string, options: PartFileOptions): Promise<PartFile> {
    const handle = await open(path, 'r+');
    return new PartFile(path, handle, options.direct ? await openDirect(path) : null, options);
  }

  /** Whether whole blocks currently bypass the page cache. */
  get direct(): boolean {
    return this.#direct !== null;
  }

  /**
   * A cached file takes the batches of all connections one at a time: the kernel serializes
   * writes to one file anyway (ext4 holds the inode lock), and threads waiting there spin (perf:
   * 9% of a 1 GiB download's CPU). Direct writes wait for the disk, so two batches are in flight:
   * the next is queued in the kernel when the last completes, instead of a round trip through the
   * event loop later (one lane: 2.2–3.1 s for 1 GiB, two: 1.5–1.6 s, four: no better).
   */
  writeAt(data: Buffer, position: number): Promise<void> {
    const lane = this.#direct ? this.#nextLane++ % this.#lanes.length : 0;
    const write = this.#lanes[lane]!.then(() => this.#writeNow(data, position));
    this.#lanes[lane] = write.catch(() => undefined);
    return write;
  }

  async #writeNow(data: Buffer, position: number): Promise<void> {
    if (!this.#direct) return writeAll(this.#handle, data, position);
    const { bodyStart, bodyEnd } = splitForDirect(position, data.length);
    if (bodyStart > 0) await writeAll(this.#handle, data.subarray(0, bodyStart), position);
    if (bodyEnd > bodyStart)
      await this.#writeBody(data.subarray(bodyStart, bodyEnd), position + bodyStart);
    if (bodyEnd < data.length) {
      await writeAll(this.#handle, data.subarray(bodyEnd), position + bodyEnd);
    }
  }

  /** Whole blocks: direct unless direct writes stopped, possibly while this write's head was written. */
  async #writeBody(body: Buffer, position: number): Promise<void> {
    const direct = this.#direct;
    if (!direct) return writeAll(this.#handle, body, position);
    this.#directWrites++;
    try {
      this.#gauge.start();
      await writeAll(direct, body, position);
      if (this.#gauge.done(body.length) === 'too slow') this.#stopDirect();
    } catch (error) {
      this.#gauge.done(0);
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      this.#stopDirect();
      await writeAll(this.#handle, body, position);
    } finally {
      this.#directWrites--;
      this.#closeRetired();
    }
  }

  /** Later writes go through the page cache. */
  #stopDirect(): void {
    if (!this.#direct) return;
    this.#retired = this.#direct;
    this.#direct = null;
    this.#closeRetired();
  }

  /**
   * The other lane may be in the middle of a direct write (or between its pieces, where Node
   * would fail it with "file closed"): the stopped handle closes once no write uses it.
   */
  #closeRetired(): void {
    const retired = this.#retired;
    if (!retired || this.#directWrites > 0) return;
    this.#retired = null;
    this.#closing = retired.close().catch(() => undefined);
  }

  /** Makes every completed write durable: fdatasync is per file, whichever handle asks. */
  sync(): Promise<void> {
    return this.#handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.#handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.#handle.stat()).size;
  }

  /** After every write settled. */
  async close(): Promise<void> {
    const direct = this.#direct ?? this.#retired;
    this.#direct = null;
    this.#retired = null;
    await Promise.all([this.#handle.close(), direct?.close(), this.#closing]);
  }
}

/** An O_DIRECT handle on the file, or null where the platform or the filesystem has none. */
async function openDirect(path: string): Promise<FileHandle | null> {
  if (O_DIRECT === undefined) return null;
  try {
    return await open(path, O_DIRECT | constants.O_WRONLY);
  } catch {
    return null; // EINVAL: the filesystem does not do direct I/O (tmpfs before Linux 6.6, FUSE…)
  }
}

async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let at = 0;
  while (at < data.length) {
    const { bytesWritten } = await handle.write(data, at, data.length - at, position + at);
    at += bytesWritten;
  }
}
