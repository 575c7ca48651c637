/**
 * Hosts that answer nothing (refused, unreachable, timed out connecting). One download's whole
 * retry series against such a host is the patience a user asked for (`maxRetries`); once one
 * gave up and nothing has answered since, the others give up at their own first failure instead
 * of each backing off as long again — a list of 1000 links to a dead server fails in about a
 * minute, not in hours. Any answer, even an error status, clears the host.
 */
/** Failures that mean the host answered nothing at all. */
const NO_ANSWER_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export class HostHealth {
  /** Hosts failing since their last answer; true once a download gave up on one. */
  readonly #failing = new Map<string, boolean>();

  /** A request to `host` failed; returns whether that failure was no answer at all. */
  failed(host: string, error: { code: string; status?: number }): boolean {
    if (error.status !== undefined || !NO_ANSWER_CODES.has(error.code)) {
      this.answered(host);
      return false;
    }
    if (!this.#failing.has(host)) this.#failing.set(host, false);
    return true;
  }

  answered(host: string): void {
    this.#failing.delete(host);
  }

  /** A download spent its retries on `host`; counts only while nothing has answered since. */
  gaveUp(host: string): void {
    if (this.#failing.has(host)) this.#failing.set(host, true);
  }

  /** Whether a download gave up on `host` and nothing has answered since. */
  isDown(host: string): boolean {
    return this.#failing.get(host) === true;
  }
}
