export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One thing that happened in the engine, as structured data; never carries headers or bodies. */
export interface EngineLogRecord {
  level: LogLevel;
  event: string;
  taskId?: string;
  /** Already redacted (see `redactUrl`). */
  url?: string;
  host?: string;
  bytes?: number;
  status?: number;
  code?: string;
  message?: string;
  durationMs?: number;
  attempt?: number;
  delayMs?: number;
  start?: number;
  end?: number;
  from?: string;
  to?: string;
  outcome?: string;
}

export type EngineLog = (record: EngineLogRecord) => void;

export const NO_LOG: EngineLog = () => {};

/** What the engine found wrong in its saved state at start: worth telling whoever started it. */
export const STATE_PROBLEMS: ReadonlySet<string> = new Set(['settings_problem', 'journal_problem']);

/** Query parameters that usually carry secrets (signed links, API keys, sessions). */
const SECRET_PARAM = /token|sig|signature|key|auth|pass|secret|credential|session|jwt|code/i;

/** A URL fit for logs and error messages: no user:password, no secret-looking query values. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, 'redacted');
  }
  return parsed.href;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
