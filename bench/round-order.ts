/**
 * The order of one benchmark round: every tool runs once per round, in an order shuffled per
 * round and seeded by the round's number, so a rerun repeats it. A fixed order would always run
 * each tool right after the same other one, and on the development VM what ran before changed
 * Braid's 1 GiB time by up to 3× (bench/results/latest.md, scenario 1).
 */
export function roundOrder(round: number, count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  let seed = Math.imul(round + 1, 0x9e3779b9);
  const next = () => {
    // mulberry32: tiny, deterministic, good enough to shuffle a handful of tools.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
