import { isAbsolute, join } from 'node:path';
import type { Category } from '../../shared/api/settings.ts';
import { expandHome } from './user-folder.ts';

/** The category a file name belongs to by its extension (`.tar.gz` counts as `gz`). */
export function categoryOf(fileName: string, categories: readonly Category[]): Category | null {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return null;
  const extension = fileName.slice(dot + 1).toLowerCase();
  return categories.find((c) => c.extensions.includes(extension)) ?? null;
}

/** Where a file of that category goes: its own folder, or a sub-folder of the download folder. */
export function categoryDir(category: Category, baseDir: string): string {
  const dir = expandHome(category.dir);
  return dir && isAbsolute(dir) ? dir : join(baseDir, dir || category.name);
}
