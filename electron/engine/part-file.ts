import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { DirectRateGauge, O_DIRECT, splitForDirect } from './direct-io.ts';
import {
  identityOf,
  O_NOFOLLOW,
  openRegularFile,
  whatIsAt,
  type FileIdentity,
} from './regular-file.ts';

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
  /** The file written, whatever its name becomes: published only while `path` is still it. */
  readonly identity: FileIdentity;
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
    identity: FileIdentity,
    options: PartFileOptions,
  ) {
    this.path = path;
    this.identity = identity;
    this.#handle = handle;
    this.#direct = direct;
    this.#gauge = options.gauge ?? new DirectRateGauge();
  }

  /** Creates the file, failing if anything exists at the path (a name is never taken over). */
  static async create(path: string, options: PartFileOptions): Promise<PartFile> {
    // O_EXCL: not through a symbolic link either, so the name is the file created. Readable too,
    // for the bytes a range without validators is checked against (overlap-check.ts).
    return PartFile.#opened(path, await open(path, 'wx+'), options, false);
  }

  /**
   * Opens a download's `.part` to go on with it: only a regular file, never the one a symbolic
   * link there points to, which the resume would truncate and overwrite. Fails otherwise, as when
   * nothing is there: whatever it is, it is not this download's file.
   */
  static async open(path: string, options: PartFileOptions): Promise<PartFile> {
    const handle = await openRegularFile(path, constants.O_RDWR | O_NOFOLLOW);
    if (!handle) throw notOurs(path);
    return PartFile.#opened(path, handle, options, true);
  }

  static async #opened(
    path: string,
    handle: FileHandle,
    options: PartFileOptions,
    checkName: boolean,
  ): Promise<PartFile> {
    let direct: FileHandle | null = null;
    try {
      const identity = await identityOf(handle);
      if (options.direct) direct = await openDirect(path, identity);
      // The name still names the file opened: where O_NOFOLLOW is missing (Windows), a link
      // was followed, and nothing is written through it.
      if (checkName && (await whatIsAt(path, identity)) !== 'same') throw notOurs(path);
      return new PartFile(path, handle, direct, identity, options);
    } catch (error) {
      await Promise.all([handle.close(), direct?.close()]);
      throw error;
    }
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

  /**
   * `length` bytes from `position` (fewer past the end), through the page cache: the kernel keeps
   * it coherent with direct writes.
   */
  async readAt(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.#handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
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

/**
 * An O_DIRECT handle on the file `identity` names, or null where the platform or the filesystem
 * has none. Opened by name: it fails when the name was given to another file meanwhile.
 */
async function openDirect(path: string, identity: FileIdentity): Promise<FileHandle | null> {
  if (O_DIRECT === undefined) return null;
  let handle: FileHandle;
  try {
    handle = await open(path, O_DIRECT | constants.O_WRONLY | O_NOFOLLOW);
  } catch {
    return null; // EINVAL: the filesystem does not do direct I/O (tmpfs before Linux 6.6, FUSE…)
  }
  const opened = await identityOf(handle);
  if (opened.dev === identity.dev && opened.ino === identity.ino) return handle;
  await handle.close();
  throw notOurs(path);
}

function notOurs(path: string): Error {
  return new Error(`${path} is not a regular file of this download`);
}

async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let at = 0;
  while (at < data.length) {
    const { bytesWritten } = await handle.write(data, at, data.length - at, position + at);
    at += bytesWritten;
  }
}
