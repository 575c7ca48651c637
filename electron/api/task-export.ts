import type { TaskSnapshot } from '../../shared/api/task.ts';
import { TASK_LIST_FORMAT } from '../../shared/api/task-list-format.ts';
/** Headers that carry credentials; an export is a file people share, so they never go in it. */
const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|x-api-key|x-auth-token)$/i;

export interface ExportedTask {
  url: string;
  fileName: string | null;
  dir: string;
  state: TaskSnapshot['state'];
  size: number | null;
  priority: TaskSnapshot['priority'];
  connections: number;
  limit: number;
  headers: Record<string, string>;
  checksum: TaskSnapshot['options']['checksum'];
  createdAt: number;
  completedAt: number | null;
}

/** A portable JSON list of tasks, without user:password in URLs or credential headers. */
export function exportTasks(tasks: readonly TaskSnapshot[], now = Date.now()): string {
  const exported: ExportedTask[] = tasks.map((t) => ({
    url: stripCredentials(t.url),
    fileName: t.fileName ?? t.requestedName,
    dir: t.dir,
    state: t.state,
    size: t.size,
    priority: t.priority,
    connections: t.options.connections,
    limit: t.options.limit,
    headers: Object.fromEntries(
      Object.entries(t.options.headers).filter(([name]) => !SECRET_HEADERS.test(name)),
    ),
    checksum: t.options.checksum,
    createdAt: t.createdAt,
    completedAt: t.completedAt,
  }));
  return JSON.stringify(
    {
      format: TASK_LIST_FORMAT,
      version: 1,
      exportedAt: new Date(now).toISOString(),
      tasks: exported,
    },
    null,
    2,
  );
}

function stripCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}
