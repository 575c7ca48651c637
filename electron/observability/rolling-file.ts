import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface RollingFileOptions {
  dir: string;
  /** File name prefix: files are `<prefix>.<yyyy-mm-dd>.<n>.log`. */
  prefix: string;
  maxBytes: number;
  maxFiles: number;
}

const NAME = /^(.+)\.(\d{4}-\d{2}-\d{2})\.(\d+)\.log$/;

/**
 * A log destination that starts a new file when the current one would pass `maxBytes` or the day
 * changes, and deletes the oldest files beyond `maxFiles`. Writes are synchronous: log lines are
 * few, and a line written before a crash is a line kept.
 */
export class RollingFile {
  readonly #options: RollingFileOptions;
  #fd: number | null = null;
  #day = '';
  #index = 0;
  #size = 0;

  constructor(options: RollingFileOptions) {
    this.#options = options;
    mkdirSync(options.dir, { recursive: true });
    const latest = this.#files().at(-1);
    if (latest) {
      this.#day = latest.day;
      this.#index = latest.index;
      this.#size = statSync(join(options.dir, latest.name)).size;
      this.#fd = openSync(join(options.dir, latest.name), 'a');
    }
  }

  write(line: string): boolean {
    const bytes = Buffer.byteLength(line);
    const today = new Date().toISOString().slice(0, 10);
    if (
      this.#fd === null ||
      today !== this.#day ||
      (this.#size > 0 && this.#size + bytes > this.#options.maxBytes)
    ) {
      this.#roll(today);
    }
    writeSync(this.#fd as number, line);
    this.#size += bytes;
    return true;
  }

  end(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #roll(today: string): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#index = today === this.#day ? this.#index + 1 : 1;
    this.#day = today;
    this.#size = 0;
    const { dir, prefix } = this.#options;
    this.#fd = openSync(join(dir, `${prefix}.${today}.${this.#index}.log`), 'a');
    const files = this.#files();
    for (const old of files.slice(0, Math.max(0, files.length - this.#options.maxFiles))) {
      rmSync(join(dir, old.name), { force: true });
    }
  }

  /** This log's files, oldest first. */
  #files(): Array<{ name: string; day: string; index: number }> {
    return readdirSync(this.#options.dir)
      .map((name) => NAME.exec(name))
      .filter((m): m is RegExpExecArray => m !== null && m[1] === this.#options.prefix)
      .map((m) => ({ name: m[0], day: m[2] as string, index: Number(m[3]) }))
      .sort((a, b) => (a.day === b.day ? a.index - b.index : a.day < b.day ? -1 : 1));
  }
}
