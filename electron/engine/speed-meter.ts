/**
 * Bytes per second over a sliding window, from counts added on the hot path. Buckets keep `add`
 * to two additions, with no allocation per chunk.
 */
const BUCKET_MS = 100;

export class SpeedMeter {
  readonly #buckets: Float64Array;
  readonly #now: () => number;
  #head: number; // bucket index (time / BUCKET_MS) of the newest bucket
  readonly #born: number;
  total = 0;

  constructor(windowMs = 1000, now: () => number = performance.now.bind(performance)) {
    this.#buckets = new Float64Array(Math.max(2, Math.round(windowMs / BUCKET_MS)));
    this.#now = now;
    this.#born = now();
    this.#head = Math.floor(this.#born / BUCKET_MS);
  }

  add(bytes: number): void {
    this.#advance();
    this.#buckets[this.#head % this.#buckets.length]! += bytes;
    this.total += bytes;
  }

  /**
   * Bytes per second over the window, or over its newest `windowMs` (the current partial bucket
   * counts pro rata): one meter answers both a short and a long view.
   */
  rate(windowMs?: number): number {
    this.#advance();
    const now = this.#now();
    const n = this.#buckets.length;
    const k =
      windowMs === undefined ? n : Math.min(n, Math.max(2, Math.round(windowMs / BUCKET_MS)));
    let sum = 0;
    for (let i = 0; i < k; i++) sum += this.#buckets[(this.#head - i + n) % n]!;
    // The window spans k-1 full buckets plus the elapsed part of the newest one.
    // A young meter divides by its age, not by a window it has not lived through.
    const spanMs = Math.min((k - 1) * BUCKET_MS + (now - this.#head * BUCKET_MS), now - this.#born);
    return spanMs > 0 ? (sum * 1000) / spanMs : 0;
  }

  #advance(): void {
    const index = Math.floor(this.#now() / BUCKET_MS);
    if (index === this.#head) return;
    const n = this.#buckets.length;
    const steps = Math.min(index - this.#head, n);
    for (let i = 1; i <= steps; i++) this.#buckets[(this.#head + i) % n] = 0;
    this.#head = index;
  }
}
