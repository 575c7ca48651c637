import { ApiError } from '../api/errors.ts';
import type { Result } from './wire.ts';

/** Turns a carried Result back into a value or a thrown ApiError (with `code`, `message`, `reason`). */
export function unwrapResult<T>(result: Result): T {
  if (result.ok) return result.value as T;
  throw new ApiError(result.error.code, result.error.message, result.error.reason);
}
