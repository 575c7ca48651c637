import { join } from 'node:path';
import type { TaskSnapshot } from '../../shared/api/task.ts';
import type { EngineLog } from '../engine/engine-log.ts';
import { openLogFile, type LogFile, type LogFileOptions } from './log-file.ts';
import { Metrics } from './metrics.ts';
import { TaskLogBuffer } from './task-log-buffer.ts';

export interface Observability {
  /** Hand this to the engine. */
  log: EngineLog;
  logFile: LogFile;
  taskLog: TaskLogBuffer;
  metrics: Metrics;
  /** The task list the gauges read; set once the engine is open. */
  bind(tasks: () => readonly TaskSnapshot[]): void;
  close(): Promise<void>;
}

/** Log files in BRAID_HOME/logs, per-task recent lines and Prometheus metrics, fed by one hook. */
export async function openObservability(
  home: string,
  options: Omit<LogFileOptions, 'dir'> = {},
): Promise<Observability> {
  let tasks: () => readonly TaskSnapshot[] = () => [];
  const logFile = await openLogFile({ dir: join(home, 'logs'), ...options });
  const taskLog = new TaskLogBuffer();
  const metrics = new Metrics(() => tasks());
  return {
    log(record) {
      logFile.write(record);
      taskLog.add(record);
      metrics.observe(record);
    },
    logFile,
    taskLog,
    metrics,
    bind(list) {
      tasks = list;
    },
    close: () => logFile.close(),
  };
}
