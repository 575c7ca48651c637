/**
 * Headers typed one `Name: value` per line, as the add dialog and the link form take them, and
 * the numbers (from 1) of lines that are not such a pair.
 */
export function parseHeaderLines(text: string): {
  headers: Record<string, string>;
  badLines: number[];
} {
  const headers: Record<string, string> = {};
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const colon = line.indexOf(':');
    if (colon <= 0) badLines.push(i + 1);
    else headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  });
  return { headers, badLines };
}

/** Headers as the lines parseHeaderLines reads back. */
export function headerLines(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}
