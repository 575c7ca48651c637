/** How many failures the monitor lists; the host keeps as many for a window that opens later. */
export const RECENT_ERRORS = 20;

export interface RecentError {
  /** When the host reported it, by its clock (a browser's may differ). */
  at: number;
  taskId: string | null;
  /** What the user was told, the file named. */
  text: string;
}

/** `errors` with `error` appended, the oldest dropped beyond RECENT_ERRORS; a new array. */
export function withError(errors: readonly RecentError[], error: RecentError): RecentError[] {
  return [...errors, error].slice(-RECENT_ERRORS);
}
