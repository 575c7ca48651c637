import { AddTaskInputSchema, type AddTaskInput } from '../../shared/api/task.ts';
import { TASK_LIST_FORMAT } from '../../shared/api/task-list-format.ts';

/** What a download brought from a Braid export keeps when added again. */
export type ImportedOptions = Pick<
  AddTaskInput,
  'dir' | 'fileName' | 'priority' | 'headers' | 'checksum'
>;

const KEPT = ['dir', 'fileName', 'priority', 'headers', 'checksum'] as const;

/**
 * The links of a Braid export (`tasks.export`) and what each keeps, or null for any other text.
 * A value the engine would refuse (a file edited by hand) is left out, not its link: the dialog
 * could show no field to correct it in.
 */
export function readTaskList(text: string): Map<string, ImportedOptions> | null {
  if (!text.trimStart().startsWith('{')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const list = parsed as { format?: unknown; tasks?: unknown };
  if (list?.format !== TASK_LIST_FORMAT || !Array.isArray(list.tasks)) return null;
  const imported = new Map<string, ImportedOptions>();
  for (const entry of list.tasks as Record<string, unknown>[]) {
    const url = AddTaskInputSchema.shape.url.safeParse(entry?.url);
    if (!url.success || imported.has(url.data)) continue;
    const options: Record<string, unknown> = {};
    for (const key of KEPT) {
      const value = AddTaskInputSchema.shape[key].safeParse(entry[key] ?? undefined);
      const empty = value.data === undefined || (key === 'headers' && !hasAny(value.data));
      if (value.success && !empty) options[key] = value.data;
    }
    imported.set(url.data, options as ImportedOptions);
  }
  return imported;
}

function hasAny(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}
