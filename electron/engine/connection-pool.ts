import type { HttpConnection } from './http1-connection.ts';

/** An idle connection is closed after this long unused (servers drop theirs after 5–75 s). */
const IDLE_MS = 4000;
/** Idle connections kept per origin; more are closed. */
const MAX_IDLE_PER_ORIGIN = 16;

/**
 * Kept-alive connections that finished their work, for the next request to the same origin:
 * a list of small files from one server then costs one connection per parallel slot, as with
 * wget, instead of a connect (and a TLS handshake) per file.
 */
export class ConnectionPool {
  readonly #idle = new Map<string, Set<HttpConnection>>();
  readonly #timers = new Map<HttpConnection, NodeJS.Timeout>();

  /** A reusable idle connection to `origin`, now owned by the caller, or null. */
  take(origin: string): HttpConnection | null {
    const idle = this.#idle.get(origin);
    if (!idle) return null;
    for (const connection of idle) {
      this.#forget(origin, connection);
      if (connection.reusable) return connection;
      connection.destroy();
    }
    return null;
  }

  /** Keeps `connection` for later if it can serve another request; closes it otherwise. */
  give(connection: HttpConnection): void {
    const origin = connection.origin;
    let idle = this.#idle.get(origin);
    if (!connection.reusable || (idle?.size ?? 0) >= MAX_IDLE_PER_ORIGIN) {
      connection.destroy();
      return;
    }
    if (!idle) this.#idle.set(origin, (idle = new Set()));
    idle.add(connection);
    // The server closing it while idle is normal: it just leaves the pool.
    connection.onIdleClose(() => this.#forget(origin, connection));
    const timer = setTimeout(() => {
      this.#forget(origin, connection);
      connection.destroy();
    }, IDLE_MS);
    timer.unref();
    this.#timers.set(connection, timer);
  }

  /** Closes every idle connection. */
  close(): void {
    for (const [origin, idle] of this.#idle) {
      for (const connection of idle) {
        this.#forget(origin, connection);
        connection.destroy();
      }
    }
  }

  #forget(origin: string, connection: HttpConnection): void {
    connection.onIdleClose(null);
    clearTimeout(this.#timers.get(connection));
    this.#timers.delete(connection);
    const idle = this.#idle.get(origin);
    idle?.delete(connection);
    if (idle?.size === 0) this.#idle.delete(origin);
  }
}
