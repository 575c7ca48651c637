import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SettingsSchema, type Settings } from '../../shared/api/settings.ts';
import { openValue, type SecretBox } from './secret-box.ts';

/**
 * The saved settings, and what was wrong with them. A field that is invalid or unknown (another
 * version of Braid wrote it) takes its default and is reported; the others are kept. A file that
 * is not a JSON object at all is moved to `settings.json.bad`, so the next save does not overwrite
 * what a person may want to mend by hand.
 */
export async function loadSettings(
  home: string,
  secrets: SecretBox | null,
): Promise<{ settings: Settings; problems: string[] }> {
  await removeCutSaves(home);
  return readSettings(home, secrets, { keepBadAside: true });
}

/**
 * The saved settings as loadSettings reads them, changing nothing: for a process that does not
 * hold the home's lock (`braid get -o -`), while another may be saving them.
 */
export function peekSettings(
  home: string,
  secrets: SecretBox | null,
): Promise<{ settings: Settings; problems: string[] }> {
  return readSettings(home, secrets, { keepBadAside: false });
}

async function readSettings(
  home: string,
  secrets: SecretBox | null,
  { keepBadAside }: { keepBadAside: boolean },
): Promise<{ settings: Settings; problems: string[] }> {
  const path = join(home, 'settings.json');
  const defaults = SettingsSchema.parse({});
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { settings: defaults, problems: [] };
    const why = (error as Error).message;
    return { settings: defaults, problems: [`settings.json: ${why}; using the defaults`] };
  }
  let fields: Record<string, unknown>;
  try {
    const raw: unknown = JSON.parse(text);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new Error('not an object');
    fields = { ...(raw as Record<string, unknown>) };
  } catch {
    if (!keepBadAside) {
      return {
        settings: defaults,
        problems: ['settings.json is not a JSON object; using the defaults'],
      };
    }
    const kept = await rename(path, `${path}.bad`).then(
      () => 'kept as settings.json.bad',
      (error: unknown) => `could not keep it aside: ${(error as Error).message}`,
    );
    return {
      settings: defaults,
      problems: [`settings.json is not a JSON object (${kept}); using the defaults`],
    };
  }
  if (typeof fields['proxyUrl'] === 'string')
    fields['proxyUrl'] = openValue(fields['proxyUrl'], secrets) ?? '';
  const problems: string[] = [];
  for (;;) {
    const parsed = SettingsSchema.safeParse(fields);
    if (parsed.success) return { settings: parsed.data, problems };
    let dropped = false;
    for (const issue of parsed.error.issues) {
      const unknown = issue.code === 'unrecognized_keys';
      const keys = unknown ? issue.keys : [String(issue.path[0])];
      for (const key of keys) {
        if (!(key in fields)) continue;
        delete fields[key];
        dropped = true;
        problems.push(
          unknown
            ? `settings.json: ${key} is not a setting of this version; ignored`
            : `settings.json: ${key}: ${issue.message}; using the default`,
        );
      }
    }
    if (!dropped)
      return { settings: defaults, problems: [...problems, 'settings.json: using the defaults'] };
  }
}

/** Temp files of saves cut short (a kill mid-save): the home's lock says no other save runs. */
async function removeCutSaves(home: string): Promise<void> {
  const names = await readdir(home).catch(() => []);
  await Promise.all(
    names
      .filter((name) => /^settings\.json(\..+)?\.tmp$/.test(name))
      .map((name) => rm(join(home, name), { force: true })),
  );
}
