/** The `format` of the JSON `tasks.export` writes, by which an import knows one. */
export const TASK_LIST_FORMAT = 'braid-task-list';
