/**
 * `--format github`: GitHub Actions workflow commands, one `::error`/`::warning` per finding,
 * which the runner shows as annotations on the pull request's changed lines. Values are
 * escaped as the Actions toolkit does (`%`, CR, LF in the message; also `:` and `,` in
 * properties), so a message can never end the command early or inject another one.
 */
import { describeSkipReason } from '../../shared/files';
import { ciRoot, displayPath, type Report } from './report';

/** Escapes a workflow command's message (actions/toolkit `escapeData`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value (actions/toolkit `escapeProperty`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: string, properties: Record<string, string | number>, message: string): string {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${kind} ${props}::${escapeData(message)}\n`;
}

/** @param workspace GITHUB_WORKSPACE: annotation paths are relative to the repository root */
export function formatGithub(report: Report, workspace: string | undefined = undefined): string {
  const root = ciRoot(report.cwd, workspace);
  let out = '';
  for (const f of report.findings) {
    // related locations are part of the explanation: the annotation shows them as lines below
    const related = f.related.map((r) => `\n${displayPath(root, r.file)}:${r.range.start.line + 1}:${r.range.start.character + 1}: ${r.message}`);
    out += command(
      f.severity === 'error' ? 'error' : 'warning',
      {
        file: displayPath(root, f.file),
        line: f.range.start.line + 1,
        col: f.range.start.character + 1,
        endLine: f.range.end.line + 1,
        endColumn: f.range.end.character + 1,
        title: `Crossproc ${f.rule}`,
      },
      f.message + related.join(''),
    );
  }
  for (const s of report.skipped) {
    if (s.explicit) out += command('notice', { file: displayPath(root, s.file), title: 'Crossproc' }, `skipped, ${describeSkipReason(s.reason)}`);
  }
  return out;
}
