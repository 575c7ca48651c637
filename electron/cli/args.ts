import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import {
  AddTaskInputSchema,
  CHECKSUM_ALGORITHMS,
  type AddTaskInput,
  type Checksum,
  type ChecksumAlgorithm,
} from '../../shared/api/task.ts';
import { parseRate } from '../../shared/format.ts';

/** What commander hands us for `braid get`, before validation. */
export interface RawGetOptions {
  dir?: string;
  out?: string;
  connections?: string;
  limit?: string;
  sha256?: string;
  sha1?: string;
  md5?: string;
  jobs?: string;
  input?: string;
  header?: string[];
  quiet?: boolean;
}

export interface GetPlan {
  tasks: AddTaskInput[];
  /** Folder as typed (resolved later against the settings and the working directory). */
  dir: string | null;
  jobs: number;
  quiet: boolean;
  /** `-o -`: the one URL's bytes go to standard output, in order, instead of to a file. */
  stream: boolean;
}

/** URLs from an input file: one per line; blank lines and `#` comments are skipped. */
export function parseUrlList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error(`invalid header "${text}": use "Name: value"`);
  return [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
}

function parseCount(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw new Error(`${what} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return Number(text);
}

/** --limit is the one flag that takes a rate: its problems name it. */
function parseLimit(text: string): number {
  try {
    return parseRate(text);
  } catch (error) {
    throw new Error(`--limit: ${(error as Error).message}`, { cause: error });
  }
}

/** Checked here rather than by the task schema, whose message names neither flag nor length. */
function parseChecksum(algorithm: ChecksumAlgorithm, hex: string): Checksum {
  const digits = CHECKSUM_ALGORITHMS[algorithm];
  if (!/^[0-9a-f]*$/i.test(hex)) {
    throw new Error(`--${algorithm} takes ${digits} hex digits; "${hex}" is not hexadecimal`);
  }
  if (hex.length !== digits) {
    throw new Error(`--${algorithm} takes ${digits} hex digits; got ${hex.length}`);
  }
  return { algorithm, expected: hex };
}

/**
 * Turns `braid get` arguments into validated tasks, collecting every problem instead of
 * stopping at the first, so one run tells the user everything that is wrong.
 */
export function buildGetPlan(
  urls: readonly string[],
  options: RawGetOptions,
  inputText?: string,
): { plan: GetPlan } | { errors: string[] } {
  const errors: string[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      errors.push((error as Error).message);
      return undefined;
    }
  };
  // A link given twice is one download (two would race for its name and its resume).
  const all = [...new Set([...urls, ...(inputText === undefined ? [] : parseUrlList(inputText))])];
  // `-o -` as curl and wget take it: standard output. A list makes no sense there: the files
  // would run together into one stream.
  const stream = options.out === '-';
  const streamsList = stream && options.input !== undefined;
  if (streamsList) {
    errors.push('-o - writes one URL to standard output: give the URL, not --input');
  } else if (all.length === 0) {
    errors.push(
      options.input === undefined
        ? 'no URL given: pass URLs or --input <file>'
        : `no URL ${options.input === '-' ? 'on standard input' : `in ${options.input}`} (one per line; # starts a comment)`,
    );
  }
  const single = all.length === 1;
  if (options.out !== undefined && !single && !streamsList) {
    errors.push(
      stream ? '-o - writes exactly one URL to standard output' : '--out needs exactly one URL',
    );
  }
  const sums = (['sha256', 'sha1', 'md5'] as const).filter((a) => options[a] !== undefined);
  if (sums.length > 1) errors.push('give only one of --sha256, --sha1, --md5');
  if (sums.length === 1 && !single) errors.push(`--${sums[0]} needs exactly one URL`);
  const connections =
    options.connections === undefined
      ? undefined
      : attempt(() => parseCount(options.connections!, '--connections', 1, 32));
  const jobs =
    options.jobs === undefined
      ? 3
      : (attempt(() => parseCount(options.jobs!, '--jobs', 1, 32)) ?? 3);
  const limit = options.limit === undefined ? undefined : attempt(() => parseLimit(options.limit!));
  const headers: Record<string, string> = {};
  for (const h of options.header ?? []) {
    const parsed = attempt(() => parseHeader(h));
    if (!parsed) continue;
    // Header names are the same in any case: a later one replaces an earlier, as curl does.
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === parsed[0].toLowerCase()) delete headers[name];
    }
    headers[parsed[0]] = parsed[1];
  }
  const algorithm = sums[0];
  const checksum =
    algorithm === undefined
      ? undefined
      : attempt(() => parseChecksum(algorithm, options[algorithm]!));
  // `-o path/name` as curl and wget take it: the folder part joins --dir (or is the folder).
  const out = stream ? undefined : options.out;
  let outName = out === undefined ? undefined : basename(out);
  const outDir = out === undefined ? '.' : dirname(out);
  if (
    out !== undefined &&
    (!outName || outName === '..' || outName === '.' || out.endsWith('/') || out.endsWith(sep))
  ) {
    errors.push(`--out needs a file name, not ${JSON.stringify(out)} (--dir says the folder)`);
    outName = undefined;
  }
  // An absolute folder in `-o` wins over --dir, as a path does wherever it is given.
  const dir =
    outDir === '.'
      ? (options.dir ?? null)
      : options.dir && !isAbsolute(outDir)
        ? join(options.dir, outDir)
        : outDir;
  const tasks: AddTaskInput[] = [];
  for (const url of all) {
    const input: AddTaskInput = {
      url,
      ...(outName !== undefined && { fileName: outName }),
      ...(connections !== undefined && { connections }),
      ...(limit !== undefined && { limit }),
      ...(Object.keys(headers).length > 0 && { headers }),
      ...(checksum && single && { checksum }),
    };
    const parsed = AddTaskInputSchema.safeParse(input);
    if (parsed.success) {
      tasks.push(input);
    } else {
      for (const issue of parsed.error.issues) {
        const where = issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
        errors.push(`${url.slice(0, 200)}: ${where}${issue.message}`);
      }
    }
  }
  const unique = [...new Set(errors)];
  if (unique.length > 0) return { errors: unique };
  return { plan: { tasks, dir, jobs, quiet: options.quiet ?? false, stream } };
}
