import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiHub } from '../api/api-hub.ts';
import { STATE_PROBLEMS } from '../engine/engine-log.ts';
import { openObservability } from '../observability/observability.ts';
import { newToken } from './request-guard.ts';
import { startWebServer, type WebServer } from './web-server.ts';

export const RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

export interface ServeOptions {
  home: string;
  host: string;
  port: number;
  token?: string;
  dir?: string;
  defaultDownloadDir: string;
  allowedHosts: readonly string[];
  version: string;
  staticDir?: string;
  /** Called when "quit Braid when the queue finishes" fires. */
  onQuitRequested?: () => void;
  /** Expose /metrics: behind the token, or `open` to anyone who can reach the port. */
  metrics?: 'token' | 'open';
  /** Told what was wrong with the saved state (settings kept aside, a damaged journal). */
  warn?: (message: string) => void;
}

export interface RunningServe {
  server: WebServer;
  hub: ApiHub;
  /** The address to open, token included. */
  url: string;
  close(): Promise<void>;
}

/** Starts the engine headless and the web UI; the caller prints `url` and waits for a signal. */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const staticDir = options.staticDir ?? RENDERER_DIR;
  if (!existsSync(`${staticDir}/index.html`)) {
    throw new Error(
      `the web UI is not built (no ${staticDir}index.html): run npm run build:renderer`,
    );
  }
  const token = options.token ?? newToken();
  const observability = await openObservability(options.home);
  const hub = await ApiHub.open({
    observability: {
      ...observability,
      log: (record) => {
        observability.log(record);
        if (STATE_PROBLEMS.has(record.event)) options.warn?.(record.message ?? record.event);
      },
    },
    home: options.home,
    // With --dir, a download folder set back to empty (the default) is that one, as the UI says.
    defaultDownloadDir: options.dir ?? options.defaultDownloadDir,
    settings: options.dir ? { downloadDir: options.dir } : undefined,
    info: {
      version: options.version,
      shell: 'browser',
      defaultDownloadDir: options.dir ?? options.defaultDownloadDir,
      canOpenFiles: false,
      afterQueueActions: ['quit'],
    },
    host: {
      openFile: async () => {},
      showInFolder: async () => {},
      afterQueue: async () => options.onQuitRequested?.(),
    },
  });
  let server: WebServer;
  try {
    server = await startWebServer({
      hub,
      host: options.host,
      port: options.port,
      token,
      staticDir,
      allowedHosts: options.allowedHosts,
      metrics: options.metrics
        ? {
            text: () => observability.metrics.text(),
            contentType: observability.metrics.contentType,
            open: options.metrics === 'open',
          }
        : undefined,
    });
  } catch (error) {
    await hub.close();
    throw error;
  }
  // The token is never logged: only where the server listens.
  observability.log({
    level: 'info',
    event: 'serve_started',
    host: `${options.host}:${server.port}`,
  });
  // Where it listens, but an address a browser can open for "every address" (0.0.0.0, ::).
  const shown =
    options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '::1' : options.host;
  return {
    server,
    hub,
    url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${server.port}/?token=${encodeURIComponent(token)}`,
    close: async () => {
      await server.close();
      await hub.close();
    },
  };
}
