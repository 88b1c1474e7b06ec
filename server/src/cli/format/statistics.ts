/**
 * `--statistics` (per rule) and `--statistics=files` (per file): counts instead of the
 * findings, like `ruff check --statistics`. Text for stylish, an array for json.
 */
import type { Finding } from '../../engine/findings';
import { displayPath, type Report } from './report';
import { SUPPRESSION_FIX_KINDS } from '../../fixes';

export type StatisticsMode = 'rules' | 'files';

export interface RuleStatistic {
  rule: string;
  count: number;
  errors: number;
  warnings: number;
  /** findings with a quick fix that changes code (what --fix would try) */
  fixable: number;
}

export interface FileStatistic {
  file: string;
  count: number;
  errors: number;
  warnings: number;
  fixable: number;
}

const fixable = (f: Finding) => f.fixes.some((x) => !SUPPRESSION_FIX_KINDS.includes(x.kind));

function tally<K extends string>(findings: readonly Finding[], key: (f: Finding) => K) {
  const rows = new Map<K, { count: number; errors: number; warnings: number; fixable: number }>();
  for (const f of findings) {
    const row = rows.get(key(f)) ?? { count: 0, errors: 0, warnings: 0, fixable: 0 };
    row.count++;
    if (f.severity === 'error') row.errors++;
    else row.warnings++;
    if (fixable(f)) row.fixable++;
    rows.set(key(f), row);
  }
  // most findings first; ties by name, so the output is stable
  return [...rows].sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : a > b ? 1 : 0));
}

export function ruleStatistics(report: Report): RuleStatistic[] {
  return tally(report.findings, (f) => f.rule).map(([rule, row]) => ({ rule, ...row }));
}

export function fileStatistics(report: Report): FileStatistic[] {
  return tally(report.findings, (f) => displayPath(report.cwd, f.file)).map(([file, row]) => ({ file, ...row }));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Aligned text rows: count, name, then what kind of findings they are. */
export function formatStatisticsText(report: Report, mode: StatisticsMode): string {
  const rows = mode === 'rules' ? ruleStatistics(report).map((r) => ({ name: r.rule, ...r })) : fileStatistics(report).map((r) => ({ name: r.file, ...r }));
  if (rows.length === 0) return '';
  const total = rows.reduce((n, r) => n + r.count, 0);
  const countWidth = String(total).length;
  const nameWidth = Math.max(...rows.map((r) => r.name.length));
  const detail = (r: (typeof rows)[number]) => {
    const kinds = [r.errors > 0 ? plural(r.errors, 'error') : '', r.warnings > 0 ? plural(r.warnings, 'warning') : ''].filter(Boolean);
    if (r.fixable > 0) kinds.push(`${r.fixable} fixable`);
    return kinds.join(', ');
  };
  let out = '';
  for (const r of rows) out += `${String(r.count).padStart(countWidth)}  ${r.name.padEnd(nameWidth)}  ${detail(r)}\n`;
  const files = new Set(report.findings.map((f) => f.file)).size;
  out += `\n${plural(total, 'problem')} in ${plural(files, 'file')} (${plural(report.stats.files, 'file')} analysed).\n`;
  return out;
}

export function formatStatisticsJson(report: Report, mode: StatisticsMode): string {
  return `${JSON.stringify(mode === 'rules' ? ruleStatistics(report) : fileStatistics(report), null, 2)}\n`;
}
