/**
 * The one error type the engine reasons about. Everything thrown below the task runner (undici,
 * fs, our own protocol checks) is turned into this, so retry and failure decisions live in one place.
 */
export interface DownloadErrorOptions {
  /** Retrying the same request later may succeed. */
  retryable: boolean;
  /** The server signalled overload (429/503, connection caps): use fewer connections. */
  overload?: boolean;
  status?: number;
  /** Server-requested wait before retrying (Retry-After), in milliseconds. */
  retryAfterMs?: number | null;
  cause?: unknown;
}

export class DownloadError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly overload: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | null;

  constructor(code: string, message: string, options: DownloadErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'DownloadError';
    this.code = code;
    this.retryable = options.retryable;
    this.overload = options.overload ?? false;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}
