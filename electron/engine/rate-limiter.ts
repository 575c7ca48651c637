/**
 * A token bucket shared by many connections. Deficit model: a taker subtracts what it received
 * (the balance may go negative) and waits until the debt is repaid, so the long-run average is
 * exact however chunk sizes and takers mix. The unlimited path allocates nothing.
 *
 * Takers queue by self-clocked fair queueing: each party (a download, see `share()`) gets an
 * equal share of the rate in bytes, whatever its connections' count or read sizes, and what one
 * party leaves unused (its own limit, a slow server) goes to the others. Released all at once,
 * waiters would share per read: a download reading 16 KiB at a time under its own limit got a
 * sixth of the bytes of one reading 100 KiB.
 */
const MAX_SLEEP_MS = 100; // waiters re-check this often, so a rate change applies promptly

/** Finest pacing step: a limited connection reads at most this long's worth of bytes at once. */
const READ_STEP_SECONDS = 0.05;

/** What a connection takes its bytes from: a limiter, or one party's share of one. */
export interface RateTaker {
  /** Bytes per second; 0 for none. */
  readonly rate: number;
  /** Counts n bytes received; a promise when the taker should wait before reading on. */
  take(n: number, signal?: AbortSignal): Promise<void> | undefined;
}

/** One party's place in the queue: the virtual time its last bytes are served at. */
interface Flow {
  finish: number;
}

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Bytes still to subtract when it is released (0: subtracted when it came). */
  owed: number;
  /** Its flow's virtual finish time: the smallest goes first. */
  tag: number;
}

export class RateLimiter implements RateTaker {
  #rate: number;
  #balance: number;
  #last: number;
  readonly #burstSeconds: number;
  readonly #now: () => number;
  readonly #waiters: Waiter[] = [];
  readonly #flow: Flow = { finish: 0 };
  /** Virtual time: the tag of the bytes served last. A party idle until now starts from it. */
  #virtual = 0;
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

  /** Takes as one party with all other callers of this method. */
  take(n: number, signal?: AbortSignal): Promise<void> | undefined {
    return this.#take(n, signal, this.#flow);
  }

  /** A party of its own (a download): while the limit binds, each party gets an equal share. */
  share(): RateTaker {
    const flow: Flow = { finish: 0 };
    const rate = () => this.#rate;
    return {
      get rate() {
        return rate();
      },
      take: (n, signal) => this.#take(n, signal, flow),
    };
  }

  #take(n: number, signal: AbortSignal | undefined, flow: Flow): Promise<void> | undefined {
    if (this.#rate === 0) return undefined;
    this.#refill();
    // Credit is not banked: a party that was idle (or slower than its share) starts from now.
    const tag = Math.max(flow.finish, this.#virtual) + n;
    flow.finish = tag;
    let owed = n;
    if (this.#waiters.length === 0) {
      this.#balance -= n;
      owed = 0;
      if (this.#balance >= 0) {
        this.#virtual = tag;
        return undefined;
      }
    }
    this.#lastWaitAt = this.#last;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined, owed, tag };
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

  /** One timer for all waiters: it fires when the debt is repaid. */
  #schedule(): void {
    if (this.#timer || this.#waiters.length === 0) return;
    this.#refill();
    const wait =
      this.#balance >= 0 ? 0 : Math.min(MAX_SLEEP_MS, (-this.#balance * 1000) / this.#rate);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#release();
    }, Math.ceil(wait));
  }

  /**
   * Releases waiters smallest tag first, at most a step's worth of bytes at a time (one waiter
   * at least): a timer per read instead of per step cost a download at 16 MB/s a quarter more CPU.
   */
  #release(): void {
    this.#refill();
    const floor = -this.#rate * READ_STEP_SECONDS;
    let next = this.#balance >= 0 ? this.#first() : undefined;
    while (next) {
      this.#waiters.splice(this.#waiters.indexOf(next), 1);
      this.#balance -= next.owed;
      this.#virtual = Math.max(this.#virtual, next.tag);
      this.#resolve(next);
      next = this.#first();
      if (next && this.#balance - next.owed < floor) break;
    }
    this.#schedule();
  }

  /** The waiter with the smallest tag, the earliest of equals. */
  #first(): Waiter | undefined {
    let first: Waiter | undefined;
    for (const waiter of this.#waiters) if (!first || waiter.tag < first.tag) first = waiter;
    return first;
  }

  #releaseAll(): void {
    for (const waiter of this.#waiters.splice(0)) this.#resolve(waiter);
  }

  #resolve(waiter: Waiter): void {
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve();
  }

  #remove(waiter: Waiter): void {
    const i = this.#waiters.indexOf(waiter);
    if (i < 0) return;
    this.#waiters.splice(i, 1);
    // Its bytes arrived all the same.
    this.#balance -= waiter.owed;
    if (this.#waiters.length === 0 && this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}

/** Takes n from every limiter (e.g. global and per-task); resolves when all allow it. */
export function takeAll(
  limiters: readonly RateTaker[],
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

/** How many bytes one read may take under these limiters (unlimited: no cap). */
export function readCap(limiters: readonly RateTaker[]): number {
  let cap = Infinity;
  for (const limiter of limiters) {
    if (limiter.rate > 0)
      cap = Math.min(cap, Math.max(16 * 1024, limiter.rate * READ_STEP_SECONDS));
  }
  return cap;
}
