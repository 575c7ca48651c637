/**
 * Runs `fn` over `items` with at most `limit` calls in flight, all settled before it resolves.
 * Each call holding a file open while it waits for the disk, thousands at once ran the process
 * out of file handles (EMFILE), failing the downloads that needed one then.
 */
export async function eachAtMost<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
