/**
 * `--format json`: the one JSON object of SPEC §6. Lines and columns are 1-based.
 */
import { describeSkipReason } from '../../shared/files';
import { displayPath, type Report } from './report';

export interface JsonRelated {
  file: string;
  line: number;
  column: number;
  message: string;
  /** in a notebook: the 1-based cell (all cells counted) that `line` and `column` are relative to */
  cell?: number;
}

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: 'error' | 'warning';
  symbol: string;
  message: string;
  related: JsonRelated[];
  fixes: { title: string }[];
  /** in a notebook: the 1-based cell (all cells counted) that the lines and columns are relative to */
  cell?: number;
}

/** A file that was not analysed (added after SPEC §6's first version: consumers may ignore it). */
export interface JsonSkipped {
  file: string;
  /** binary | too-large | not-utf8 | unreadable | not-source */
  reason: string;
  /** the file was named on the command line (not found in a walked folder) */
  explicit: boolean;
  message: string;
}

export interface JsonOutput {
  version: 1;
  findings: JsonFinding[];
  stats: { files: number; durationMs: number };
  skipped: JsonSkipped[];
}

/** `{ cell }` for a location in a notebook (notebook/findings.ts), else nothing. */
function cellOf(x: object): { cell?: number } {
  return 'cell' in x && typeof x.cell === 'number' ? { cell: x.cell } : {};
}

/** Builds the SPEC §6 JSON object for a report. */
export function toJson(report: Report): JsonOutput {
  return {
    version: 1,
    findings: report.findings.map((f) => ({
      file: displayPath(report.cwd, f.file),
      line: f.range.start.line + 1,
      column: f.range.start.character + 1,
      endLine: f.range.end.line + 1,
      endColumn: f.range.end.character + 1,
      rule: f.rule,
      severity: f.severity,
      symbol: f.symbol,
      message: f.message,
      related: f.related.map((r) => ({
        file: displayPath(report.cwd, r.file),
        line: r.range.start.line + 1,
        column: r.range.start.character + 1,
        message: r.message,
        ...cellOf(r),
      })),
      fixes: f.fixes.map((fix) => ({ title: fix.title })),
      ...cellOf(f),
    })),
    stats: { files: report.stats.files, durationMs: report.stats.durationMs },
    skipped: report.skipped.map((s) => ({
      file: displayPath(report.cwd, s.file),
      reason: s.reason,
      explicit: s.explicit,
      message: describeSkipReason(s.reason),
    })),
  };
}

export function formatJson(report: Report): string {
  return JSON.stringify(toJson(report), null, 2) + '\n';
}
