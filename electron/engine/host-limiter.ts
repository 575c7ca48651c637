/**
 * Connection limits per host, shared by all tasks, adjusted AIMD-style: a server that answers
 * 429/503 or refuses connections gets half as many (once per burst of complaints), then one
 * more at a time while it stays happy. Hosts that never complained are limited by the ceiling.
 */
interface HostState {
  active: number;
  limit: number;
  lastChange: number;
}

export class HostLimiter {
  readonly #hosts = new Map<string, HostState>();
  readonly #ceiling: number;
  readonly #increaseEveryMs: number;
  readonly #now: () => number;

  constructor(options: { ceiling?: number; increaseEveryMs?: number; now?: () => number } = {}) {
    this.#ceiling = options.ceiling ?? 64;
    this.#increaseEveryMs = options.increaseEveryMs ?? 2000;
    this.#now = options.now ?? Date.now;
  }

  tryAcquire(host: string): boolean {
    const state = this.#state(host);
    if (state.active >= state.limit) return false;
    state.active++;
    return true;
  }

  release(host: string): void {
    const state = this.#hosts.get(host);
    if (!state) return;
    state.active = Math.max(0, state.active - 1);
    if (state.active === 0 && state.limit >= this.#ceiling) this.#hosts.delete(host);
  }

  overload(host: string): void {
    const state = this.#state(host);
    const now = this.#now();
    // Many connections complain at once about the same overload: halve once per period.
    if (state.limit < this.#ceiling && now - state.lastChange < this.#increaseEveryMs) return;
    state.limit = Math.max(1, Math.floor(Math.min(state.limit, Math.max(state.active, 1)) / 2));
    state.lastChange = now;
  }

  success(host: string): void {
    const state = this.#hosts.get(host);
    if (!state || state.limit >= this.#ceiling) return;
    const now = this.#now();
    if (now - state.lastChange >= this.#increaseEveryMs) {
      state.limit++;
      state.lastChange = now;
    }
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
      state = { active: 0, limit: this.#ceiling, lastChange: -Infinity };
      this.#hosts.set(host, state);
    }
    return state;
  }
}
