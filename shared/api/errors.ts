/** Errors a command can answer with; the code is stable for UIs and scripts, the message is for people. */
export const API_ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'INVALID_TRANSITION',
  'ENGINE_LOCKED',
  'ENGINE_CLOSED',
  /** Braid could not write its own state (task list, lock) to its folder: a full or read-only disk. */
  'STORAGE_FAILED',
  'UNSUPPORTED',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  /** The engine's code behind it (HTTP_404, WEB_PAGE, ENOTFOUND), for a UI to say in its words. */
  readonly reason: string | undefined;

  constructor(code: ApiErrorCode, message: string, reason?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
  }
}
