// Runs Doyensec's electronegativity over the Electron code and fails on any finding that
// security/electronegativity-allow.json does not explain. Its CLI breaks on the hoisted commander,
// so its runner is called directly.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

interface Issue {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: { name?: string } | string;
  description?: string;
}
interface Allowed {
  id: string;
  file: string;
  reason: string;
}

const root = resolve(import.meta.dirname, '..');
const run = createRequire(import.meta.url)('@doyensec/electronegativity/dist/runner.js') as (
  options: Record<string, unknown>,
) => Promise<{
  issues: Issue[];
  errors: Array<{ file: string; message: string; tolerable: boolean }>;
}>;
const allowed = JSON.parse(
  await readFile(resolve(root, 'security/electronegativity-allow.json'), 'utf8'),
) as Allowed[];

// One scan over what the desktop app is made of (main, preload, the page), so the global checks
// (CSP, navigation limits, permission handler) see the whole application.
const SOURCES = ['electron/main', 'electron/preload', 'renderer/index.html'];
const app = await mkdtemp(join(tmpdir(), 'braid-electronegativity-'));
for (const source of SOURCES)
  await cp(resolve(root, source), join(app, source), { recursive: true });

let failed = false;
try {
  const result = await run({
    input: app,
    customScan: [],
    excludeFromScan: [],
    isRelative: true,
    isVerbose: false,
    electronVersionOverride: '45.3.4',
    parserPlugins: [],
  });
  for (const error of result.errors.filter((e) => !e.tolerable)) {
    console.error(
      `electronegativity could not parse ${relative(app, error.file)}: ${error.message}`,
    );
    failed = true;
  }
  for (const issue of result.issues) {
    const file = issue.file.startsWith('/') ? relative(app, issue.file) : issue.file;
    const excuse = allowed.find((a) => a.id === issue.id && a.file === file);
    const where = `${file}:${issue.location.line} ${issue.id}`;
    if (excuse) {
      console.log(`allowed  ${where} — ${excuse.reason}`);
    } else {
      console.error(`FINDING  ${where} — ${issue.description ?? ''}`);
      failed = true;
    }
  }
} finally {
  await rm(app, { recursive: true, force: true });
}
if (failed) {
  console.error(
    'electronegativity: unexplained findings (fix them or explain them in security/electronegativity-allow.json)',
  );
  process.exit(1);
}
console.log('electronegativity: no unexplained findings');
