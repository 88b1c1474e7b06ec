/**
 * One CLI run: gather the files named on the command line, load them into a project,
 * analyse, and return the report. No printing of results here.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../engine/findings';
import { Project, isAnalyzable } from '../engine/project';
import { readSourceFile, walkSourceFiles } from '../shared/files';
import { applyRuleSettings, compareFindings } from '../shared/severity';
import type { CliOptions } from './args';
import { UsageError } from './args';
import { applyPreferredFixes, type FixSummary } from './fix';

/** An I/O problem with a path the user named: exit code 2. */
export class InputError extends UsageError {}

export interface AnalysisResult {
  findings: Finding[];
  files: number;
  skipped: number;
  /** with --fix: what was applied */
  fixed?: FixSummary;
}

/** Shows "reading N files" on stderr, only on a terminal and only once a run takes a while. */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream | undefined) {}

  update(text: string): void {
    if (!this.stream) return;
    const now = Date.now();
    if (now - this.started < 1000 || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.shown = true;
    this.stream.write(`\r\u001b[Kcrossproc: ${text}`);
  }

  clear(): void {
    if (this.shown) this.stream?.write('\r\u001b[K');
    this.shown = false;
  }
}

function describeIoError(target: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT' ? 'no such file or directory' :
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
    code === 'ENOTDIR' ? 'not a directory' :
    error instanceof Error ? error.message : String(error);
  return `cannot read '${target}': ${why}. Check the path and its permissions.`;
}

/** Absolute paths of the files to analyse, in a stable order; skipped counts non-source files named explicitly. */
async function collectFiles(options: CliOptions, cwd: string, progress: Progress): Promise<{ files: string[]; skipped: number }> {
  const seen = new Set<string>();
  let skipped = 0;
  for (const given of options.paths) {
    const target = path.resolve(cwd, given);
    let stat;
    try {
      stat = await fs.stat(target);
    } catch (error) {
      throw new InputError(describeIoError(given, error));
    }
    if (stat.isDirectory()) {
      try {
        for await (const file of walkSourceFiles(target)) {
          seen.add(file);
          progress.update(`found ${seen.size} files`);
        }
      } catch (error) {
        throw new InputError(describeIoError(given, error));
      }
    } else if (isAnalyzable(target)) {
      seen.add(target);
    } else {
      skipped++;
    }
  }
  return { files: [...seen], skipped };
}

/** Runs the analysis the options ask for. Throws {@link UsageError}/{@link InputError} (exit 2). */
export async function analyzePaths(options: CliOptions, cwd: string, progress: Progress): Promise<AnalysisResult> {
  const { files, skipped: notSource } = await collectFiles(options, cwd, progress);
  let skipped = notSource;
  const project = await Project.create({ rules: options.rules, startMethod: options.startMethod });
  let loaded = 0;
  for (const file of files) {
    try {
      const result = await readSourceFile(file);
      if (result.kind === 'text') {
        project.updateFile(file, result.text);
        loaded++;
      } else {
        skipped++;
      }
    } catch (error) {
      // A file named on the command line that cannot be read is the user's problem to fix;
      // one that vanished or is unreadable inside a walked folder is skipped quietly.
      if (options.paths.some((p) => path.resolve(cwd, p) === file)) throw new InputError(describeIoError(file, error));
      skipped++;
    }
    progress.update(`read ${loaded + skipped}/${files.length} files`);
  }
  progress.update('analysing');
  const fixed = options.fix ? await applyPreferredFixes(project) : undefined;
  let findings = applyRuleSettings(project.analyze(), options.rules);
  if (options.quiet) findings = findings.filter((f) => f.severity === 'error');
  findings.sort(compareFindings);
  return { findings, files: loaded, skipped, fixed };
}
