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
  readonly #compare: (a: T, b: T) => number;
  readonly #waiting: (item: T) => boolean;

  /** `compare` is negative when `a` should start before `b`, as for `Array.prototype.sort`. */
  constructor(compare: (a: T, b: T) => number, waiting: (item: T) => boolean) {
    this.#compare = compare;
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
    this.#order = [...this.#members].filter(this.#waiting).sort(this.#compare);
    this.#members.clear();
    for (const item of this.#order) this.#members.add(item);
    this.#head = 0;
    this.#stale = false;
  }
}
