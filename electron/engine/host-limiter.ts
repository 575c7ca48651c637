/**
 * Connection limits per host, shared by all tasks, adjusted AIMD-style: a server that answers
 * 429/503 or refuses connections gets half as many as it had (once per burst of complaints),
 * then one more at a time while it stays happy. Hosts that never complained get the ceiling.
 */
interface HostState {
  active: number;
  limit: number;
  /** When the limit was last halved: complaints until one period later belong to that burst. */
  lastDecrease: number;
  /** When the server last complained, counted or not: growth waits for a quiet period. */
  lastOverload: number;
  lastIncrease: number;
}

export interface HostLimiterOptions {
  /** Connections per host when it never complained, and the most it grows back to. Default 64. */
  ceiling?: number;
  /** Quiet time before each step up, and the length of one burst of complaints. Default 2000. */
  increaseEveryMs?: number;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
}

export class HostLimiter {
  /** Only hosts with open connections or a lowered limit: others are at the defaults. */
  readonly #hosts = new Map<string, HostState>();
  readonly #ceiling: number;
  readonly #increaseEveryMs: number;
  readonly #now: () => number;

  constructor(options: HostLimiterOptions = {}) {
    this.#ceiling = options.ceiling ?? 64;
    if (!Number.isInteger(this.#ceiling) || this.#ceiling < 1) {
      throw new RangeError(`ceiling must be an integer ≥ 1, got ${this.#ceiling}`);
    }
    this.#increaseEveryMs = options.increaseEveryMs ?? 2000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** True, counting a new connection, when the host has room for one. */
  tryAcquire(host: string): boolean {
    const state = this.#state(host);
    if (state.active >= state.limit) return false;
    state.active++;
    return true;
  }

  release(host: string): void {
    const state = this.#hosts.get(host);
    if (!state || state.active === 0) return;
    state.active--;
    if (state.active === 0 && state.limit >= this.#ceiling) this.#hosts.delete(host);
  }

  /**
   * The server said 429/503 or refused more connections: halve what it was actually given
   * (min 1). Repeated signals within one increase period halve only once.
   */
  overload(host: string): void {
    const state = this.#state(host);
    const now = this.#now();
    state.lastOverload = now;
    // Every connection of a burst hits the same overload: react to the burst, not to each.
    if (now - state.lastDecrease < this.#increaseEveryMs) return;
    // A limit of 64 with 6 connections open: halving 64 would change nothing.
    const given = state.active > 0 ? Math.min(state.limit, state.active) : state.limit;
    state.limit = Math.max(1, Math.floor(given / 2));
    state.lastDecrease = now;
  }

  /** A request succeeded: after increaseEveryMs without overload, the limit grows by 1. */
  success(host: string): void {
    const state = this.#hosts.get(host);
    if (!state || state.limit >= this.#ceiling) return;
    const now = this.#now();
    if (
      now - state.lastOverload < this.#increaseEveryMs ||
      now - state.lastIncrease < this.#increaseEveryMs
    ) {
      return;
    }
    state.limit++;
    state.lastIncrease = now;
  }

  limit(host: string): number {
    return this.#hosts.get(host)?.limit ?? this.#ceiling;
  }

  active(host: string): number {
    return this.#hosts.get(host)?.active ?? 0;
  }

  #state(host: string): HostState {
    let state = this.#hosts.get(host);
    if (!state) {
      state = {
        active: 0,
        limit: this.#ceiling,
        lastDecrease: -Infinity,
        lastOverload: -Infinity,
        lastIncrease: -Infinity,
      };
      this.#hosts.set(host, state);
    }
    return state;
  }
}
