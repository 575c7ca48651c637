/**
 * Which connections of a download crawl so far behind their siblings that a fresh connection is
 * worth trying. Per-connection speed often depends on the connection (path, server node,
 * throttling), so replacing a crawler usually pays; replacing a healthy one only costs.
 */

/**
 * A connection is judged only after it had time to get going: TCP slow start needs a number of
 * round trips, so the wait scales with how long its first response took (a handshake plus a
 * request: about two round trips), within these bounds. On a LAN that is 100 ms, across an ocean
 * the full second.
 */
const GRACE_LATENCIES = 4;
const GRACE_MIN_MS = 100;
const GRACE_MAX_MS = 1000;
/** "Far below": slower than this fraction of the fastest sibling. */
const SLOW_FACTOR = 0.25;
/** Replacing costs a new connection; only worth it when the crawler would need this much longer. */
const MIN_ETA_S = 1;

export interface ConnectionSample {
  id: number;
  /** Since its current connection was opened. */
  ageMs: number;
  /** How long its first response took; null while it has none. */
  firstResponseMs: number | null;
  /** Bytes per second. */
  speed: number;
  /** Bytes left in the segment it is working on. */
  remaining: number;
}

export function graceMs(firstResponseMs: number | null): number {
  if (firstResponseMs === null) return GRACE_MAX_MS;
  return Math.min(GRACE_MAX_MS, Math.max(GRACE_MIN_MS, GRACE_LATENCIES * firstResponseMs));
}

/** Ids of the connections to replace, among those busy with a segment. */
export function findCrawlers(busy: readonly ConnectionSample[]): number[] {
  const settled = busy.filter((c) => c.ageMs >= graceMs(c.firstResponseMs));
  if (settled.length < 2) return [];
  const bar = Math.max(...settled.map((c) => c.speed)) * SLOW_FACTOR;
  return settled
    .filter((c) => c.speed < bar && c.remaining >= Math.max(1, c.speed) * MIN_ETA_S)
    .map((c) => c.id);
}
