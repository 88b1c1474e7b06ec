/**
 * The default, human-readable output, shaped like ESLint's "stylish" formatter: a header
 * per file, one aligned row per finding, a summary line. Colours only on a terminal.
 */
import type { Finding } from '../../engine/findings';
import { displayPath, skipSummary, type Report } from './report';

interface Paint {
  underline(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  bold(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const COLOR: Paint = {
  underline: ansi(4, 24),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  yellow: ansi(33, 39),
  green: ansi(32, 39),
  bold: ansi(1, 22),
};
const PLAIN: Paint = { underline: (s) => s, dim: (s) => s, red: (s) => s, yellow: (s) => s, green: (s) => s, bold: (s) => s };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Formats a report; `color` is decided by the caller (cli/color.ts). A run without findings
 * says so in one line, unless `quiet` (errors only: a silent run is what was asked for).
 */
export function formatStylish(report: Report, color: boolean, quiet = false): string {
  const paint = color ? COLOR : PLAIN;
  const byFile = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  let out = '';
  let errors = 0;
  let warnings = 0;
  for (const [file, findings] of byFile) {
    const rows = findings.map((f) => {
      if (f.severity === 'error') errors++;
      else warnings++;
      return {
        // a notebook's finding names its cell (positions are relative to it)
        position: `${'cell' in f && typeof f.cell === 'number' ? `cell ${f.cell}:` : ''}${f.range.start.line + 1}:${f.range.start.character + 1}`,
        severity: f.severity,
        message: f.message.replace(/\s*\n\s*/g, ' '),
        rule: f.rule,
      };
    });
    const w = {
      position: Math.max(...rows.map((r) => r.position.length)),
      severity: Math.max(...rows.map((r) => r.severity.length)),
      message: Math.max(...rows.map((r) => r.message.length)),
    };
    out += `\n${paint.underline(displayPath(report.cwd, file))}\n`;
    for (const r of rows) {
      const sev = r.severity.padEnd(w.severity);
      out +=
        `  ${paint.dim(r.position.padEnd(w.position))}  ` +
        `${r.severity === 'error' ? paint.red(sev) : paint.yellow(sev)}  ` +
        `${r.message.padEnd(w.message)}  ${paint.dim(r.rule)}\n`;
    }
  }
  const total = errors + warnings;
  if (total > 0) {
    const summary = `\u2716 ${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`;
    out += `\n${paint.bold(errors > 0 ? paint.red(summary) : paint.yellow(summary))}\n\n`;
  } else if (!quiet) {
    out += `${paint.green(`No problems found in ${plural(report.stats.files, 'file')}.`)}\n`;
  }
  const skips = skipSummary(report);
  if (skips.length > 0) {
    if (total === 0) out += '\n';
    for (const line of skips) out += `${paint.dim(`note: ${line}.`)}\n`;
    out += '\n';
  }
  return out;
}
