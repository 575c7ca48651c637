import type { LogLine } from '../../shared/api/commands.ts';
import type { EngineLogRecord } from '../engine/engine-log.ts';

const PER_TASK = 100;
const TASKS = 2000;

/** The last lines of each task's log, in memory, for the task detail view. */
export class TaskLogBuffer {
  readonly #lines = new Map<string, LogLine[]>();

  add(record: EngineLogRecord): void {
    if (!record.taskId) return;
    let lines = this.#lines.get(record.taskId);
    if (!lines) {
      if (this.#lines.size >= TASKS) {
        const oldest = this.#lines.keys().next().value;
        if (oldest !== undefined) this.#lines.delete(oldest);
      }
      lines = [];
      this.#lines.set(record.taskId, lines);
    }
    lines.push({
      time: Date.now(),
      level: record.level,
      event: record.event,
      text: describe(record),
    });
    if (lines.length > PER_TASK) lines.shift();
  }

  lines(taskId: string): LogLine[] {
    return [...(this.#lines.get(taskId) ?? [])];
  }
}

function describe(r: EngineLogRecord): string {
  const parts: string[] = [];
  if (r.url) parts.push(r.url);
  if (r.host && !r.url) parts.push(r.host);
  if (r.status !== undefined) parts.push(`HTTP ${r.status}`);
  if (r.start !== undefined && r.end !== undefined) parts.push(`bytes ${r.start}–${r.end}`);
  if (r.bytes !== undefined) parts.push(`${r.bytes} bytes`);
  if (r.durationMs !== undefined) parts.push(`${r.durationMs} ms`);
  if (r.from && r.to) parts.push(`${r.from} → ${r.to}`);
  if (r.attempt !== undefined) parts.push(`attempt ${r.attempt}`);
  if (r.delayMs !== undefined) parts.push(`retry in ${Math.round(r.delayMs)} ms`);
  if (r.code) parts.push(r.code);
  if (r.message) parts.push(r.message);
  return parts.join(' · ');
}
