/**
 * `--format gitlab`: a GitLab Code Quality report (the Code Climate issue subset GitLab
 * reads: description, check_name, fingerprint, severity, location.path, location.lines).
 *
 * The fingerprint identifies a finding across runs so merge requests show what is new:
 * it hashes the rule, the file and the symbol — never a line number or the message (which
 * quotes lines) — plus the finding's rank among identical ones, so moving code does not
 * change it and two findings never share one.
 */
import { hexDigest } from '../digest';
import { ciRoot, displayPath, type Report } from './report';

export interface CodeQualityIssue {
  type: 'issue';
  check_name: string;
  description: string;
  categories: string[];
  severity: 'major' | 'minor';
  fingerprint: string;
  location: { path: string; lines: { begin: number; end: number } };
}

/** @param projectDir CI_PROJECT_DIR: GitLab wants paths relative to the repository root */
export function toGitlab(report: Report, projectDir: string | undefined = undefined): CodeQualityIssue[] {
  const root = ciRoot(report.cwd, projectDir);
  const seen = new Map<string, number>();
  return report.findings.map((f) => {
    const file = displayPath(root, f.file);
    const key = JSON.stringify([f.rule, file, f.symbol]);
    const rank = seen.get(key) ?? 0;
    seen.set(key, rank + 1);
    return {
      type: 'issue',
      check_name: f.rule,
      description: `${f.message.replace(/\s*\n\s*/g, ' ')} (${f.rule})`,
      categories: ['Bug Risk'],
      severity: f.severity === 'error' ? 'major' : 'minor',
      fingerprint: hexDigest('sha256', `crossproc\0${key}\0${rank}`),
      location: { path: file, lines: { begin: f.range.start.line + 1, end: f.range.end.line + 1 } },
    };
  });
}

export function formatGitlab(report: Report, projectDir: string | undefined = undefined): string {
  return `${JSON.stringify(toGitlab(report, projectDir), null, 2)}\n`;
}
