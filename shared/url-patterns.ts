import { LIMITS } from './api/limits.ts';

/** `[1-10]` or `[001-120]` (zero-padded width kept) or `[a-z]`, anywhere in a URL. */
const RANGE = /\[(\d+)-(\d+)\]|\[([a-z])-([a-z])\]|\[([A-Z])-([A-Z])\]/;

/** What is wrong with the patterns, for a caller that says it in its own words (the UI's). */
export type UrlPatternProblem =
  { kind: 'backwards'; range: string } | { kind: 'tooMany'; max: number };

export class UrlPatternError extends Error {
  override name = 'UrlPatternError';
  readonly problem: UrlPatternProblem;
  constructor(problem: UrlPatternProblem) {
    super(
      problem.kind === 'backwards'
        ? `range ${problem.range} runs backwards`
        : `the patterns expand to more than ${problem.max} URLs`,
    );
    this.problem = problem;
  }
}

/**
 * One URL per line (blank lines and `#` comments skipped), each expanded by its bracket ranges:
 * `file[1-3].zip` → file1.zip, file2.zip, file3.zip; `img[008-010].jpg` keeps the width.
 * Refuses expansions larger than one add may carry instead of allocating them.
 */
export function expandUrlPatterns(text: string, max: number = LIMITS.urlsPerAdd): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    expandLine(line, out, max);
  }
  return out;
}

function expandLine(line: string, out: string[], max: number): void {
  const match = RANGE.exec(line);
  if (!match) {
    push(out, line, max);
    return;
  }
  const before = line.slice(0, match.index);
  const after = line.slice(match.index + match[0].length);
  const values = rangeValues(match);
  if (out.length + values.length > max) tooMany(max);
  for (const value of values) expandLine(before + value + after, out, max);
}

function rangeValues(match: RegExpExecArray): string[] {
  if (match[1] !== undefined && match[2] !== undefined) {
    const [from, to] = [Number(match[1]), Number(match[2])];
    if (to < from) throw new UrlPatternError({ kind: 'backwards', range: match[0] });
    const width = match[1].length > 1 && match[1].startsWith('0') ? match[1].length : 0;
    if (to - from >= LIMITS.urlsPerAdd) tooMany(LIMITS.urlsPerAdd);
    const values: string[] = [];
    for (let n = from; n <= to; n++) values.push(String(n).padStart(width, '0'));
    return values;
  }
  const from = (match[3] ?? match[5] ?? 'a').charCodeAt(0);
  const to = (match[4] ?? match[6] ?? 'a').charCodeAt(0);
  if (to < from) throw new UrlPatternError({ kind: 'backwards', range: match[0] });
  const values: string[] = [];
  for (let c = from; c <= to; c++) values.push(String.fromCharCode(c));
  return values;
}

function push(out: string[], url: string, max: number): void {
  if (out.length >= max) tooMany(max);
  out.push(url);
}

function tooMany(max: number): never {
  throw new UrlPatternError({ kind: 'tooMany', max });
}
