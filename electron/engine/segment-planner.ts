/**
 * Which connection downloads which bytes. The file is a sorted list of disjoint segments that
 * together cover it; each is owned by at most one worker. Idle workers take unowned work first,
 * then split the largest remaining segment (the owner stops at the new boundary), and finally
 * take over the rest of a segment whose owner crawls. Every byte belongs to exactly one segment,
 * so no byte is fetched twice and none is missed.
 */

export interface Segment {
  readonly start: number;
  /** Exclusive; Infinity while the file size is unknown. Only ever shrinks. */
  end: number;
  /** Next byte to receive: [start, pos) has been handed to the writer. */
  pos: number;
  /** [start, written) is on disk. */
  written: number;
  owner: number | null;
  /** End of the owner's in-flight request; splitting at or after it costs no connection. */
  requestEnd: number;
}

export type SavedSegment = [start: number, end: number, written: number];

export interface ClaimContext {
  /** Bytes per second of a worker, or null when not yet known. */
  speedOf(worker: number): number | null;
  /** Assumed speed for a worker without history (e.g. siblings' median). */
  fallbackSpeed: number | null;
}

/** Splits never leave a piece smaller than this fraction of its aligned size. */
const ALIGN = 4096;
/** A takeover must promise to finish at least this much sooner to be worth a new request. */
const TAKEOVER_MIN_GAIN_S = 0.5;
const TAKEOVER_SPEEDUP = 2;
/** An owner this many times slower than an idle worker loses its whole rest even when it could be split. */
const CRAWLER_SPEEDUP = 8;

export class SegmentPlanner {
  readonly segments: Segment[];
  readonly minSplit: number;

  constructor(size: number | null, minSplit: number, saved?: readonly SavedSegment[]) {
    this.minSplit = minSplit;
    if (saved && saved.length > 0) {
      this.segments = saved.map(([start, end, written]) => ({
        start,
        end,
        pos: written,
        written,
        owner: null,
        requestEnd: written,
      }));
    } else {
      const end = size ?? Infinity;
      this.segments = [{ start: 0, end, pos: 0, written: 0, owner: null, requestEnd: 0 }];
    }
  }

  /** Validates a journal's segments against the file size: sorted, disjoint, covering [0, size). */
  static isValidSaved(saved: readonly SavedSegment[], size: number): boolean {
    let expect = 0;
    for (const [start, end, written] of saved) {
      if (start !== expect || end <= start || written < start || written > end) return false;
      if (![start, end, written].every(Number.isSafeInteger)) return false;
      expect = end;
    }
    return expect === size;
  }

  get received(): number {
    let sum = 0;
    for (const s of this.segments) sum += Math.min(s.pos, s.end) - s.start;
    return sum;
  }

  get written(): number {
    let sum = 0;
    for (const s of this.segments) sum += s.written - s.start;
    return sum;
  }

  isComplete(): boolean {
    return this.segments.every((s) => s.end !== Infinity && s.written === s.end);
  }

  /** The highest offset any journal entry may claim is on disk. */
  get writtenExtent(): number {
    let max = 0;
    for (const s of this.segments) if (s.written > s.start) max = Math.max(max, s.written);
    return max;
  }

  /**
   * Where the bytes on disk that end at `pos` begin, within the one segment holding them (its
   * own start for none): what a request continuing at `pos` can be checked against.
   */
  writtenRunStart(pos: number): number {
    const s = this.segments.find((s) => s.start < pos && pos <= s.written);
    return s ? s.start : pos;
  }

  /** Whether an idle worker would find something to do (without changing anything). */
  hasWork(): boolean {
    return (
      this.segments.some((s) => s.owner === null && s.pos < s.end) || this.#bestSplit() !== null
    );
  }

  claim(worker: number, ctx: ClaimContext): Segment | null {
    const free = this.#largestUnowned();
    if (free) {
      free.owner = worker;
      free.requestEnd = free.pos;
      return free;
    }
    // A crawler's whole rest first: splitting it would leave it a piece it still crawls through.
    const crawler = this.#takeover(worker, ctx, CRAWLER_SPEEDUP);
    if (crawler) return crawler;
    const split = this.#bestSplit(worker, ctx);
    if (split) return this.#splitAt(split.victim, split.at, worker);
    return this.#takeover(worker, ctx, TAKEOVER_SPEEDUP);
  }

  /** The owner gives its segment back (after its writes settled); unwritten bytes are re-fetched. */
  release(segment: Segment): void {
    segment.owner = null;
    segment.pos = segment.written;
    segment.requestEnd = segment.written;
  }

  /** Size learned late (no Content-Length): the single open segment ends where the body ended. */
  closeUnknownEnd(size: number): void {
    const last = this.segments[this.segments.length - 1];
    if (last && last.end === Infinity) last.end = size;
  }

  /** Compact form for the journal: adjacent finished segments merged. Uses `written` only. */
  toSaved(): SavedSegment[] {
    const out: SavedSegment[] = [];
    for (const s of this.segments) {
      if (s.end === s.start) continue; // left behind by a takeover before its owner got a byte
      const prev = out[out.length - 1];
      if (prev && prev[2] === prev[1] && s.written === s.end) {
        prev[1] = s.end;
        prev[2] = s.end;
      } else {
        out.push([s.start, s.end, s.written]);
      }
    }
    return out;
  }

  #largestUnowned(): Segment | null {
    let best: Segment | null = null;
    for (const s of this.segments) {
      if (s.owner === null && s.pos < s.end && (!best || s.end - s.pos > best.end - best.pos)) {
        best = s;
      }
    }
    return best;
  }

  /**
   * The split that shortens the download most: of the segment that would finish last, the new
   * worker takes the share that lets both finish together (half when speeds are unknown), both
   * pieces staying ≥ minSplit. Cut where the owner's current request ends anyway if that is no
   * earlier, so its connection survives.
   */
  #bestSplit(
    worker: number | null = null,
    ctx: ClaimContext | null = null,
  ): { victim: Segment; at: number } | null {
    const speed = (w: number | null) =>
      w === null ? null : (ctx?.speedOf(w) ?? ctx?.fallbackSpeed ?? null);
    const mine = speed(worker);
    let best: { victim: Segment; at: number; eta: number } | null = null;
    for (const s of this.segments) {
      if (s.owner === null || s.end === Infinity) continue;
      const remaining = s.end - s.pos;
      if (remaining < 2 * this.minSplit) continue;
      const theirs = speed(s.owner);
      const ownerShare = mine && theirs ? theirs / (theirs + mine) : 0.5;
      const fair = alignUp(s.pos + Math.ceil(remaining * ownerShare));
      const cut = Math.min(Math.max(fair, s.pos + this.minSplit), s.end - this.minSplit);
      const gentle = Math.max(cut, alignUp(s.requestEnd));
      const at = s.end - gentle >= this.minSplit ? gentle : alignUp(cut);
      if (s.end - at < this.minSplit || at - s.pos < this.minSplit) continue;
      // The segment whose owner would finish last (the most bytes while speeds are unknown).
      const eta = remaining / (theirs ?? 1);
      if (!best || eta > best.eta) best = { victim: s, at, eta };
    }
    return best;
  }

  #splitAt(victim: Segment, at: number, worker: number): Segment {
    const piece: Segment = {
      start: at,
      end: victim.end,
      pos: at,
      written: at,
      owner: worker,
      requestEnd: at,
    };
    victim.end = at;
    this.segments.splice(this.segments.indexOf(victim) + 1, 0, piece);
    return piece;
  }

  /** Take the whole rest of a segment whose owner would finish much later than this worker. */
  #takeover(worker: number, ctx: ClaimContext, speedup: number): Segment | null {
    const mySpeed = ctx.speedOf(worker) ?? ctx.fallbackSpeed;
    if (!mySpeed) return null;
    let best: { victim: Segment; gain: number } | null = null;
    for (const s of this.segments) {
      if (s.owner === null || s.owner === worker || s.end === Infinity) continue;
      const remaining = s.end - s.pos;
      if (remaining <= 0) continue;
      const ownerSpeed = ctx.speedOf(s.owner);
      if (ownerSpeed === null) continue;
      const ownerEta = remaining / Math.max(ownerSpeed, 1);
      const myEta = remaining / mySpeed;
      const gain = ownerEta - myEta;
      if (ownerEta < speedup * myEta || gain < TAKEOVER_MIN_GAIN_S) continue;
      if (!best || gain > best.gain) best = { victim: s, gain };
    }
    return best ? this.#splitAt(best.victim, best.victim.pos, worker) : null;
  }
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
