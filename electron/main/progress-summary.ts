import type { TaskSnapshot } from '../../shared/api/task.ts';
import { formatSpeed } from '../../shared/format.ts';
import type { Translate } from '../../shared/i18n/translate.ts';

export interface ProgressSummary {
  downloading: number;
  queued: number;
  /** 0–1 over running and queued tasks of known size; null when there is nothing to show. */
  fraction: number | null;
  /** Bytes per second across all tasks. */
  speed: number;
}

/** What the tray tooltip, the taskbar bar and the power-save blocker need, from the task list. */
export function summarize(tasks: Iterable<TaskSnapshot>): ProgressSummary {
  let downloading = 0;
  let queued = 0;
  let done = 0;
  let total = 0;
  let speed = 0;
  for (const task of tasks) {
    if (task.state === 'downloading') downloading++;
    else if (task.state === 'queued') queued++;
    else continue;
    speed += task.speed;
    if (task.size !== null) {
      done += task.downloaded;
      total += task.size;
    }
  }
  return {
    downloading,
    queued,
    fraction: downloading + queued > 0 && total > 0 ? Math.min(1, done / total) : null,
    speed,
  };
}

export function tooltip(summary: ProgressSummary, t: Translate): string {
  if (summary.downloading === 0 && summary.queued === 0) return t('desktop.idle');
  return t('desktop.status', {
    downloading: summary.downloading,
    queued: summary.queued,
    percent: summary.fraction === null ? '' : ` · ${Math.floor(summary.fraction * 100)}%`,
    speed: formatSpeed(summary.speed),
  });
}
