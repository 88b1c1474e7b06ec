/**
 * What every output format receives: the findings of one CLI run and its stats.
 */
import * as path from 'node:path';
import type { Finding } from '../../engine/findings';
import { describeSkipReason, type SkipReason } from '../../shared/files';

export interface Report {
  /** sorted with `compareFindings` */
  findings: Finding[];
  /** the working directory paths are shown relative to */
  cwd: string;
  /** files analysed, files skipped (binary, too large, not UTF-8, unreadable), wall time */
  stats: { files: number; skipped: number; durationMs: number };
  /** the files not analysed, in the order met */
  skipped: ReadonlyArray<{ file: string; reason: SkipReason; explicit: boolean }>;
  /** the installed package's root (holds `rules/`), for rule doc links */
  packageRoot: string;
  version: string;
}

/** `file` relative to `cwd`, with forward slashes on every OS. */
export function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file) || path.basename(file);
  return rel.split(path.sep).join('/');
}

/**
 * The folder CI resolves report paths against (GitHub's GITHUB_WORKSPACE, GitLab's
 * CI_PROJECT_DIR): `cwd` unless the checkout root is set and holds `cwd`, so a run from a
 * subfolder still names files as the repository does.
 */
export function ciRoot(cwd: string, checkout: string | undefined): string {
  if (!checkout) return cwd;
  const root = path.resolve(checkout);
  const rel = path.relative(root, cwd);
  return rel.startsWith('..') || path.isAbsolute(rel) ? cwd : root;
}

/** One line for a skipped file: `path: why` (no trailing period). */
export function skipNote(cwd: string, skipped: { file: string; reason: SkipReason }): string {
  return `${displayPath(cwd, skipped.file)}: skipped, ${describeSkipReason(skipped.reason)}`;
}

/**
 * The skipped files as the stylish footer and stderr show them: one line per file named on
 * the command line, and one count (by reason) for the files met in walked folders.
 */
export function skipSummary(report: Pick<Report, 'cwd' | 'skipped'>): string[] {
  const lines = report.skipped.filter((s) => s.explicit).map((s) => skipNote(report.cwd, s));
  const walked = report.skipped.filter((s) => !s.explicit);
  if (walked.length > 0) {
    const byReason = new Map<SkipReason, number>();
    for (const s of walked) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
    const parts = [...byReason].map(([reason, n]) => `${n} ${describeSkipReason(reason)}`);
    const n = walked.length;
    lines.push(`${n} file${n === 1 ? '' : 's'} in the folders walked ${n === 1 ? 'was' : 'were'} skipped (${parts.join(', ')}); --format json lists them`);
  }
  return lines;
}
