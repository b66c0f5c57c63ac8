// The README's table of problem codes, generated from the catalogue (`npx tsx scripts/codes-table.ts` rewrites it;
// test/analyze/codes.test.ts fails when the two differ).
import { CODES } from '../model/codes.js';

const cell = (s: string): string => s.replaceAll('|', '\\|');

export function codesTable(): string {
  const rows = Object.entries(CODES).map(([code, c]) => `| \`${code}\` | ${c.severity} | ${cell(c.summary)} | ${cell(c.fix)} |`);
  return ['| code | severity | what | fix |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export const CODES_START = '<!-- codes: generated from src/model/codes.ts by scripts/codes-table.ts -->';
export const CODES_END = '<!-- codes: end -->';

/** README text with the generated table between the markers. */
export function withCodesTable(readme: string): string {
  const start = readme.indexOf(CODES_START);
  const end = readme.indexOf(CODES_END);
  if (start < 0 || end < start) throw new Error('README has no codes markers');
  return `${readme.slice(0, start + CODES_START.length)}\n${codesTable()}\n${readme.slice(end)}`;
}
