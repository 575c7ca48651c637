import pino, { type Logger } from 'pino';
import type { EngineLogRecord } from '../engine/engine-log.ts';
import { RollingFile } from './rolling-file.ts';

export interface LogFileOptions {
  dir: string;
  /** Bytes per file before it rolls over (also rolls daily). */
  maxBytes?: number;
  /** Files kept in total, the active one included. */
  maxFiles?: number;
  level?: 'debug' | 'info' | 'warn' | 'error';
}

export interface LogFile {
  readonly dir: string;
  write(record: EngineLogRecord): void;
  close(): Promise<void>;
}

/**
 * JSON lines in `dir`, rolled by size and by day and capped in number (10 × 10 MB by default).
 * Records are engine data with URLs already redacted; header values never reach them.
 */
export async function openLogFile(options: LogFileOptions): Promise<LogFile> {
  const stream = new RollingFile({
    dir: options.dir,
    prefix: 'braid',
    maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
    maxFiles: options.maxFiles ?? 10,
  });
  const logger: Logger = pino(
    {
      level: options.level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  return {
    dir: options.dir,
    write(record) {
      const { level, event, ...fields } = record;
      logger[level]({ event, ...fields });
    },
    close: async () => stream.end(),
  };
}
