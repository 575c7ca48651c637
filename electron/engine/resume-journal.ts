import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordLog } from './record-log.ts';
import { openHeaders, sealHeaders, type SecretBox } from './secret-box.ts';
import { TaskRecordSchema, type TaskRecord } from './task-record.ts';
import { makeFolder } from './make-folder.ts';

/**
 * The task records, crash-safe (see RecordLog). Saves of one task are serialized and coalesced:
 * callers pass a function producing the record, run when the write actually starts, so the
 * newest state wins and the data file can be fsynced just before (journal never ahead of the data).
 */
export class ResumeJournal {
  readonly dir: string;
  readonly #queues = new Map<
    string,
    { running: Promise<void>; again: boolean; durable: boolean }
  >();
  readonly #producers = new Map<string, () => Promise<TaskRecord> | TaskRecord>();
  /** What the log holds for each task now (as plain JSON): saving the same again is skipped. */
  readonly #onDisk = new Map<string, string>();
  #log: RecordLog | null = null;

  readonly #secrets: SecretBox | null;

  constructor(dir: string, secrets: SecretBox | null = null) {
    this.dir = dir;
    this.#secrets = secrets;
  }

  async loadAll(): Promise<{ records: TaskRecord[]; problems: string[] }> {
    // Records may hold credentials (auth headers, cookies): only the user may read them.
    await makeFolder(this.dir, 0o700);
    const { log, values, problems } = await RecordLog.open(this.dir);
    this.#log = log;
    const legacy = await this.#loadLegacy(values, problems);
    const records: TaskRecord[] = [];
    for (const [id, value] of values) {
      const parsed = TaskRecordSchema.safeParse(value);
      if (!parsed.success) {
        problems.push(`${id}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        continue;
      }
      const lost: string[] = [];
      parsed.data.options.headers = openHeaders(parsed.data.options.headers, this.#secrets, lost);
      if (lost.length) problems.push(`${id}: could not decrypt ${lost.join(', ')}; dropped`);
      records.push(parsed.data);
      this.#onDisk.set(parsed.data.id, JSON.stringify(parsed.data));
    }
    // Moved into the log: the old files go once their records are durable there.
    await Promise.all(
      [...legacy].map(([id, value]) => log.put(id, JSON.stringify(value)).catch(() => undefined)),
    );
    for (const name of legacy.keys()) await rm(join(this.dir, `${name}.json`), { force: true });
    return { records, problems };
  }

  /** Records of older versions, one `<id>.json` file per task, not yet in the log. */
  async #loadLegacy(
    values: Map<string, unknown>,
    problems: string[],
  ): Promise<Map<string, unknown>> {
    const legacy = new Map<string, unknown>();
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -'.json'.length);
      try {
        if (!values.has(id)) {
          const value: unknown = JSON.parse(await readFile(join(this.dir, name), 'utf8'));
          values.set(id, value);
          legacy.set(id, value);
        } else await rm(join(this.dir, name), { force: true });
      } catch (error) {
        problems.push(`${name}: ${(error as Error).message}`);
      }
    }
    return legacy;
  }

  /**
   * Saves the record `produce` returns; resolves once a version at least that new is durable,
   * or only written with `durable` false (RecordLog.put: a crash of the OS may lose it).
   */
  save(id: string, produce: () => Promise<TaskRecord> | TaskRecord, durable = true): Promise<void> {
    this.#producers.set(id, produce);
    const queued = this.#queues.get(id);
    if (queued) {
      queued.again = true;
      queued.durable ||= durable;
      return queued.running;
    }
    const entry = { running: Promise.resolve(), again: false, durable };
    entry.running = (async () => {
      try {
        do {
          entry.again = false;
          const current = this.#producers.get(id);
          const wanted = entry.durable;
          entry.durable = false;
          if (current) await this.#write(id, await current(), wanted);
        } while (entry.again);
      } finally {
        this.#queues.delete(id);
      }
    })();
    this.#queues.set(id, entry);
    return entry.running;
  }

  /** Saves records of tasks that have never been saved, in one go (one log write and fsync). */
  async saveNew(records: readonly TaskRecord[]): Promise<void> {
    for (const record of records) this.#producers.set(record.id, () => record);
    try {
      await Promise.all(records.map((r) => this.#opened().put(r.id, this.#serialize(r))));
    } catch (error) {
      // One write, all or nothing (RecordLog): none of them is stored, so none is saved later.
      for (const record of records) this.#producers.delete(record.id);
      throw error;
    }
    for (const record of records) this.#onDisk.set(record.id, JSON.stringify(record));
  }

  async remove(id: string): Promise<void> {
    this.#producers.delete(id);
    this.#onDisk.delete(id);
    await this.#queues.get(id)?.running.catch(() => undefined);
    await this.#opened().delete(id);
  }

  /** Waits for every save in progress (used before exit). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()].map((q) => q.running));
    await this.#log?.idle();
  }

  /** Settles, then closes the log; the journal is unusable afterwards. */
  async close(): Promise<void> {
    await this.settle();
    await this.#log?.close();
    this.#log = null;
  }

  #opened(): RecordLog {
    if (!this.#log) throw new Error('the journal is not open');
    return this.#log;
  }

  async #write(id: string, record: TaskRecord, durable: boolean): Promise<void> {
    if (!this.#producers.has(id)) return; // removed meanwhile
    // Every save is an fsync or three; an engine closing with thousands of finished tasks would
    // otherwise rewrite them all.
    const plain = JSON.stringify(record);
    if (this.#onDisk.get(id) === plain) return;
    await this.#opened().put(id, this.#serialize(record), durable);
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
