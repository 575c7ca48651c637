import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import { hostOf, type EngineLogRecord } from '../engine/engine-log.ts';

/**
 * Prometheus metrics: counters and the histogram follow engine log records as they happen; gauges
 * are read from the task list when scraped, so they are never stale.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #bytes: Counter;
  readonly #retries: Counter;
  readonly #requests: Histogram;

  constructor(tasks: () => readonly TaskSnapshot[]) {
    const registers = [this.registry];
    this.#bytes = new Counter({
      name: 'braid_downloaded_bytes_total',
      help: 'Bytes downloaded by tasks that ended, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.#retries = new Counter({
      name: 'braid_retries_total',
      help: 'Requests retried, by reason (error code)',
      labelNames: ['reason'],
      registers,
    });
    this.#requests = new Histogram({
      name: 'braid_request_duration_seconds',
      help: 'Duration of ranged requests (one connection streaming one window)',
      labelNames: ['status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    new Gauge({
      name: 'braid_tasks',
      help: 'Tasks by state',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = new Map<string, number>(
          ['queued', 'downloading', 'paused', 'completed', 'failed', 'canceled'].map((s) => [s, 0]),
        );
        for (const t of tasks()) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'braid_speed_bytes_per_second',
      help: 'Current download speed across all tasks',
      registers,
      collect() {
        this.set(tasks().reduce((sum, t) => sum + (t.state === 'downloading' ? t.speed : 0), 0));
      },
    });
    new Gauge({
      name: 'braid_connections',
      help: 'Open download connections, by host',
      labelNames: ['host'],
      registers,
      collect() {
        this.reset();
        for (const t of tasks()) {
          if (t.state === 'downloading' && t.connections > 0)
            this.inc({ host: hostOf(t.url) }, t.connections);
        }
      },
    });
  }

  observe(record: EngineLogRecord): void {
    switch (record.event) {
      case 'completed':
      case 'failed':
      case 'paused_on_error':
        this.#bytes.inc({ outcome: record.outcome ?? record.event }, record.bytes ?? 0);
        break;
      case 'retry':
        this.#retries.inc({ reason: record.code ?? 'unknown' });
        break;
      case 'segment_done':
        if (record.durationMs !== undefined) {
          this.#requests.observe({ status: String(record.status ?? 0) }, record.durationMs / 1000);
        }
        break;
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
