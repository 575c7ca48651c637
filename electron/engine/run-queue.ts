/**
 * The tasks waiting to run, in the order they should start. The order is kept between changes,
 * so picking the next tasks after every finished download stays cheap with thousands queued;
 * items that stopped waiting (started, paused, removed) are dropped when the front reaches them.
 */
export class RunQueue<T> {
  readonly #members = new Set<T>();
  #order: T[] = [];
  #head = 0;
  #stale = false;
  readonly #runsBefore: (a: T, b: T) => boolean;
  readonly #waiting: (item: T) => boolean;

  constructor(runsBefore: (a: T, b: T) => boolean, waiting: (item: T) => boolean) {
    this.#runsBefore = runsBefore;
    this.#waiting = waiting;
  }

  /** An item started waiting (again). */
  add(item: T): void {
    this.#members.add(item);
    this.#stale = true;
  }

  /** Something that decides the order (a priority, a place) changed. */
  reorder(): void {
    this.#stale = true;
  }

  /** Up to `count` waiting items that `ready` accepts, best first; they stay queued until started. */
  take(count: number, ready: (item: T) => boolean): T[] {
    if (this.#stale) this.#rebuild();
    const picked: T[] = [];
    for (let i = this.#head; i < this.#order.length && picked.length < count; i++) {
      const item = this.#order[i]!;
      if (this.#waiting(item)) {
        if (ready(item)) picked.push(item);
      } else if (i === this.#head) {
        this.#head++;
        this.#members.delete(item);
      }
    }
    return picked;
  }

  #rebuild(): void {
    const before = this.#runsBefore;
    this.#order = [...this.#members]
      .filter(this.#waiting)
      .sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    this.#members.clear();
    for (const item of this.#order) this.#members.add(item);
    this.#head = 0;
    this.#stale = false;
  }
}
