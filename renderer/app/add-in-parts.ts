import type { AddTaskInput } from '../../shared/api/task.ts';

/**
 * Frames of `braid serve`'s WebSocket are capped (16 MiB), and ten thousand long links with their
 * headers exceed it: the dialog adds them in parts well under the cap.
 */
export const ADD_PART_BYTES = 2 * 1024 * 1024;

/** `tasks` in order, in parts whose JSON stays under `maxBytes` (a lone bigger task alone). */
export function addParts(
  tasks: readonly AddTaskInput[],
  maxBytes = ADD_PART_BYTES,
): AddTaskInput[][] {
  const parts: AddTaskInput[][] = [];
  let part: AddTaskInput[] = [];
  let bytes = 0;
  for (const task of tasks) {
    // At most three UTF-8 bytes per UTF-16 unit: a part never exceeds maxBytes on the wire.
    const size = JSON.stringify(task).length * 3;
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(task);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
