import { open, type FileHandle } from 'node:fs/promises';

/**
 * The `.part` file a download writes into at arbitrary offsets. Short writes (a nearly full disk)
 * are continued until done or the OS reports the error, so a resolved write is a complete write.
 */
export class PartFile {
  readonly path: string;
  readonly #handle: FileHandle;
  #lane: Promise<void> = Promise.resolve();

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  /** Creates the file, failing if anything exists at the path (a name is never taken over). */
  static async create(path: string): Promise<PartFile> {
    return new PartFile(path, await open(path, 'wx'));
  }

  static async open(path: string): Promise<PartFile> {
    return new PartFile(path, await open(path, 'r+'));
  }

  /**
   * Writes of all connections go one at a time: the kernel serializes writes to one file anyway
   * (ext4 holds the inode lock), and threads waiting there spin (perf: 9% of a 1 GiB download's CPU).
   */
  writeAt(buffers: Buffer[], position: number): Promise<void> {
    const write = this.#lane.then(() => this.#writeNow(buffers, position));
    this.#lane = write.catch(() => undefined);
    return write;
  }

  async #writeNow(buffers: Buffer[], position: number): Promise<void> {
    let pending = buffers;
    let at = position;
    for (;;) {
      const { bytesWritten } = await this.#handle.writev(pending, at);
      const total = pending.reduce((n, b) => n + b.length, 0);
      if (bytesWritten >= total) return;
      at += bytesWritten;
      pending = dropBytes(pending, bytesWritten);
    }
  }

  sync(): Promise<void> {
    return this.#handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.#handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.#handle.stat()).size;
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = count;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
    } else {
      out.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return out;
}
