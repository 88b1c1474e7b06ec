/**
 * What every output format receives: the findings of one CLI run and its stats.
 */
import * as path from 'node:path';
import type { Finding } from '../../engine/findings';

export interface Report {
  /** sorted with `compareFindings` */
  findings: Finding[];
  /** the working directory paths are shown relative to */
  cwd: string;
  /** files analysed, files skipped (binary, too large, not UTF-8, unreadable), wall time */
  stats: { files: number; skipped: number; durationMs: number };
  /** the installed package's root (holds `rules/`), for rule doc links */
  packageRoot: string;
  version: string;
}

/** `file` relative to `cwd`, with forward slashes on every OS. */
export function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file) || path.basename(file);
  return rel.split(path.sep).join('/');
}
