/**
 * A token bucket shared by many connections. Deficit model: a taker subtracts what it received
 * at once (the balance may go negative) and waits until the debt is repaid, so the long-run
 * average is exact however chunk sizes and takers mix. The unlimited path allocates nothing.
 */
const MAX_SLEEP_MS = 100; // waiters re-check this often, so a rate change applies promptly

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class RateLimiter {
  #rate: number;
  #balance: number;
  #last: number;
  readonly #burstSeconds: number;
  readonly #now: () => number;
  readonly #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | null = null;
  #lastWaitAt = -Infinity;

  constructor(bytesPerSecond: number, options: { burstSeconds?: number; now?: () => number } = {}) {
    this.#rate = bytesPerSecond;
    this.#burstSeconds = options.burstSeconds ?? 0.25;
    this.#now = options.now ?? (() => performance.now());
    this.#last = this.#now();
    this.#balance = this.#capacity();
  }

  get rate(): number {
    return this.#rate;
  }

  /** Whether a taker waits, or had to within the last second: the limit sets the pace, not the network. */
  get binding(): boolean {
    return this.#rate > 0 && (this.#waiters.length > 0 || this.#now() - this.#lastWaitAt < 1000);
  }

  setRate(bytesPerSecond: number): void {
    this.#refill();
    this.#rate = bytesPerSecond;
    this.#balance = Math.min(this.#balance, this.#capacity());
    if (bytesPerSecond === 0) this.#releaseAll();
    else this.#schedule();
  }

  take(n: number, signal?: AbortSignal): Promise<void> | undefined {
    if (this.#rate === 0) return undefined;
    this.#refill();
    this.#balance -= n;
    if (this.#balance >= 0 && this.#waiters.length === 0) return undefined;
    this.#lastWaitAt = this.#last;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          this.#remove(waiter);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#schedule();
    });
  }

  #capacity(): number {
    return Math.max(64 * 1024, this.#rate * this.#burstSeconds);
  }

  #refill(): void {
    const now = this.#now();
    if (this.#rate > 0) {
      this.#balance = Math.min(
        this.#capacity(),
        this.#balance + ((now - this.#last) * this.#rate) / 1000,
      );
    }
    this.#last = now;
  }

  /** One timer for all waiters: they are released in order as the debt is repaid. */
  #schedule(): void {
    if (this.#timer || this.#waiters.length === 0) return;
    this.#refill();
    const wait =
      this.#balance >= 0 ? 0 : Math.min(MAX_SLEEP_MS, (-this.#balance * 1000) / this.#rate);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#refill();
      if (this.#balance >= 0) this.#releaseAll();
      else this.#schedule();
    }, Math.ceil(wait));
  }

  #releaseAll(): void {
    for (const waiter of this.#waiters.splice(0)) {
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
  }

  #remove(waiter: Waiter): void {
    const i = this.#waiters.indexOf(waiter);
    if (i >= 0) this.#waiters.splice(i, 1);
    if (this.#waiters.length === 0 && this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}

/** Takes n from every limiter (e.g. global and per-task); resolves when all allow it. */
export function takeAll(
  limiters: readonly RateLimiter[],
  n: number,
  signal?: AbortSignal,
): Promise<void> | undefined {
  let waits: Promise<void>[] | undefined;
  for (const limiter of limiters) {
    const wait = limiter.take(n, signal);
    if (wait) (waits ??= []).push(wait);
  }
  if (!waits) return undefined;
  return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
}

/** Finest pacing step: a limited connection reads at most this long's worth of bytes at once. */
const READ_STEP_SECONDS = 0.05;

/** How many bytes one read may take under these limiters (unlimited: no cap). */
export function readCap(limiters: readonly RateLimiter[]): number {
  let cap = Infinity;
  for (const limiter of limiters) {
    if (limiter.rate > 0)
      cap = Math.min(cap, Math.max(16 * 1024, limiter.rate * READ_STEP_SECONDS));
  }
  return cap;
}
