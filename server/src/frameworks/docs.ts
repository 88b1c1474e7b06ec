/**
 * The README's "Supported frameworks" table, made from the models' own descriptions so the
 * documentation cannot drift from what the engine knows (`npm run docs:frameworks` writes
 * it; a test checks the README holds the current one).
 */
import type { FrameworkDoc } from './types';

export const TABLE_START = '<!-- frameworks:start (npm run docs:frameworks writes this table) -->';
export const TABLE_END = '<!-- frameworks:end -->';

const KIND_ORDER: Record<FrameworkDoc['language'], number> = { python: 0, js: 1 };

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** One row per model, Python first, each language in the order its registry lists them. */
export function frameworksTable(models: readonly FrameworkDoc[]): string {
  const rows = [...models]
    .map((m, i) => ({ m, i }))
    .sort((a, b) => KIND_ORDER[a.m.language] - KIND_ORDER[b.m.language] || a.i - b.i)
    .map(({ m }) => {
      const lang = m.language === 'python' ? 'Python' : 'JS/TS';
      const needs = [...(m.runtime?.debian ?? []), ...(m.runtime?.npm ?? []).map((p) => `npm ${p}`)];
      const fixtures = m.fixtures === 'runnable' ? `runnable${needs.length ? ` (${needs.join(', ')})` : ''}` : 'static (docs cited)';
      return `| ${cell(m.title)} | ${lang} | ${cell(m.runsInWorker)} | ${cell(m.channels.join(', '))} | ${cell(m.detected.join('; '))} | ${fixtures} |`;
    });
  return [
    '| framework | language | what runs in a worker | correct channels | what Crossproc detects | fixtures |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** `readme` with the text between the markers replaced by `table`; undefined when the markers are missing. */
export function withTable(readme: string, table: string): string | undefined {
  const a = readme.indexOf(TABLE_START);
  const b = readme.indexOf(TABLE_END);
  if (a < 0 || b < a) return undefined;
  return `${readme.slice(0, a + TABLE_START.length)}\n${table}\n${readme.slice(b)}`;
}
