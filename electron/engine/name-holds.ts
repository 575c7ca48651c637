import { join } from 'node:path';

/**
 * Which task holds which final file name. A task's `.part` is its own only under a name it
 * holds: from when the name is picked (or the engine opens with the record) until the task
 * completes, is canceled or removed, or picks another name. So no other download takes the
 * name meanwhile and has its `.part` opened or deleted.
 */
export class NameHolds {
  /** Task id by full path of the final name. */
  readonly #holders = new Map<string, string>();

  /** Takes `name` in `dir` for `task`; false if another task holds it. */
  hold(dir: string, name: string, task: string): boolean {
    const path = join(dir, name);
    const holder = this.#holders.get(path);
    if (holder !== undefined && holder !== task) return false;
    this.#holders.set(path, task);
    return true;
  }

  /** Lets go of `name` in `dir`; false if `task` did not hold it. */
  release(dir: string, name: string, task: string): boolean {
    if (!this.holds(dir, name, task)) return false;
    this.#holders.delete(join(dir, name));
    return true;
  }

  holds(dir: string, name: string, task: string): boolean {
    return this.#holders.get(join(dir, name)) === task;
  }

  heldByOther(dir: string, name: string, task: string): boolean {
    const holder = this.#holders.get(join(dir, name));
    return holder !== undefined && holder !== task;
  }
}
