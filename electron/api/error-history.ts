import type { ApiEvent } from '../../shared/api/api-events.ts';
import { withError, type RecentError } from '../../shared/recent-errors.ts';

/**
 * The last failures the host reported, as many as the monitor lists, kept whether or not a
 * window is open: a window opened from the tray, or a browser tab reloaded, still shows
 * what went wrong before it.
 */
export class ErrorHistory {
  #errors: RecentError[] = [];

  observe(event: ApiEvent): void {
    if (event.type !== 'error') return;
    this.#errors = withError(this.#errors, {
      at: event.at,
      taskId: event.taskId,
      text: event.message,
    });
  }

  snapshot(): RecentError[] {
    return this.#errors;
  }
}
