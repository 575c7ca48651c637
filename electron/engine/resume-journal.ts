import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeFilesAtomic } from './atomic-file.ts';
import { openHeaders, sealHeaders, type SecretBox } from './secret-box.ts';
import { TaskRecordSchema, type TaskRecord } from './task-record.ts';

/**
 * One crash-safe JSON file per task (see writeFileAtomic). Saves of one task are serialized and coalesced: callers
 * pass a function producing the record, run when the write actually starts, so the newest
 * state wins and the data file can be fsynced just before (journal never ahead of the data).
 */
export class ResumeJournal {
  readonly dir: string;
  readonly #queues = new Map<string, { running: Promise<void>; again: boolean }>();
  readonly #producers = new Map<string, () => Promise<TaskRecord> | TaskRecord>();
  /** What each task's file holds now (as plain JSON): saving the same again is skipped. */
  readonly #onDisk = new Map<string, string>();

  readonly #secrets: SecretBox | null;

  constructor(dir: string, secrets: SecretBox | null = null) {
    this.dir = dir;
    this.#secrets = secrets;
  }

  async loadAll(): Promise<{ records: TaskRecord[]; problems: string[] }> {
    // Records may hold credentials (auth headers, cookies): only the user may read them.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const records: TaskRecord[] = [];
    const problems: string[] = [];
    for (const name of await readdir(this.dir)) {
      if (name.endsWith('.tmp')) {
        await rm(join(this.dir, name), { force: true });
        continue;
      }
      if (!name.endsWith('.json')) continue;
      try {
        const parsed = TaskRecordSchema.safeParse(
          JSON.parse(await readFile(join(this.dir, name), 'utf8')),
        );
        if (parsed.success) {
          const lost: string[] = [];
          parsed.data.options.headers = openHeaders(
            parsed.data.options.headers,
            this.#secrets,
            lost,
          );
          if (lost.length) problems.push(`${name}: could not decrypt ${lost.join(', ')}; dropped`);
          records.push(parsed.data);
          this.#onDisk.set(parsed.data.id, JSON.stringify(parsed.data));
        } else problems.push(`${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      } catch (error) {
        problems.push(`${name}: ${(error as Error).message}`);
      }
    }
    return { records, problems };
  }

  /** Saves the record `produce` returns; resolves once a version at least that new is durable. */
  save(id: string, produce: () => Promise<TaskRecord> | TaskRecord): Promise<void> {
    this.#producers.set(id, produce);
    const queued = this.#queues.get(id);
    if (queued) {
      queued.again = true;
      return queued.running;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      try {
        do {
          entry.again = false;
          const current = this.#producers.get(id);
          if (current) await this.#write(id, await current());
        } while (entry.again);
      } finally {
        this.#queues.delete(id);
      }
    })();
    this.#queues.set(id, entry);
    return entry.running;
  }

  /** Saves records of tasks that have never been saved, in one go (one folder fsync). */
  async saveNew(records: readonly TaskRecord[]): Promise<void> {
    for (const record of records) this.#producers.set(record.id, () => record);
    await writeFilesAtomic(
      records.map((r) => ({ path: this.#path(r.id), data: this.#serialize(r) })),
    );
    for (const record of records) this.#onDisk.set(record.id, JSON.stringify(record));
  }

  async remove(id: string): Promise<void> {
    this.#producers.delete(id);
    this.#onDisk.delete(id);
    await this.#queues.get(id)?.running.catch(() => undefined);
    await rm(this.#path(id), { force: true });
  }

  /** Waits for every save in progress (used before exit). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()].map((q) => q.running));
  }

  #path(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  async #write(id: string, record: TaskRecord): Promise<void> {
    if (!this.#producers.has(id)) return; // removed meanwhile
    // Every save is an fsync or three; an engine closing with thousands of finished tasks would
    // otherwise rewrite them all.
    const plain = JSON.stringify(record);
    if (this.#onDisk.get(id) === plain) return;
    await writeFileAtomic(this.#path(id), this.#serialize(record));
    this.#onDisk.set(id, plain);
  }

  #serialize(record: TaskRecord): string {
    const stored = {
      ...record,
      options: { ...record.options, headers: sealHeaders(record.options.headers, this.#secrets) },
    };
    return JSON.stringify(stored);
  }
}
