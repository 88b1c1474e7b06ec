/**
 * One CLI run: gather the files named on the command line, load them into a project,
 * analyse, and return the report. No printing of results here.
 */
import { findPythonVersion } from '../shared/pythonVersion';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Finding, RuleId, SeveritySetting } from '../engine/findings';
import { Project, isAnalyzable } from '../engine/project';
import { TOO_DEEP_NOTE } from '../shared/budget';
import { readSourceFilesInOrder, walkSourceFiles, type SkipReason } from '../shared/files';
import {
  IgnoreMatcher,
  formatConfigProblem,
  loadProjectConfig,
  type LoadedProjectConfig,
  type ProjectConfig,
} from '../shared/projectConfig';
import { applyRuleSettings, compareFindings } from '../shared/severity';
import type { CliOptions } from './args';
import { UsageError } from './args';
import { applyPreferredFixes, type FixSummary } from './fix';
import { CellLayouts } from '../notebook/findings';

/** An I/O problem with a path the user named: exit code 2. */
export class InputError extends UsageError {}

/** A project configuration file that cannot be read as one: exit code 2. */
export class ConfigError extends UsageError {}

/** A file that was not analysed, and why. */
export interface SkippedFile {
  /** absolute path */
  file: string;
  reason: SkipReason;
  /** named on the command line (rather than found in a walked folder) */
  explicit: boolean;
}

export interface AnalysisResult {
  findings: Finding[];
  files: number;
  skipped: SkippedFile[];
  /** with --fix: what was applied */
  fixed?: FixSummary;
  /** one line each: invalid values in a project file (the run goes on with their defaults) */
  warnings: string[];
}

/**
 * Reads the project configuration that applies to `target`. A malformed file throws
 * {@link ConfigError}; an invalid value inside a valid file adds a warning line and that
 * key keeps its default.
 */
async function configFor(
  target: string,
  cwd: string,
  cache: Map<string, Promise<LoadedProjectConfig>>,
  warnings: Set<string>,
): Promise<ProjectConfig> {
  const { config, problems } = await loadProjectConfig(target, cache);
  for (const problem of problems) {
    const line = formatConfigProblem(problem, cwd);
    if (problem.kind === 'malformed') throw new ConfigError(`${line}. Fix the file (or remove its Crossproc part) and run again.`);
    warnings.add(`warning: ${line}`);
  }
  return config;
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

interface CollectedFiles {
  /** absolute path → the project configuration of the path argument it was found under */
  files: Map<string, ProjectConfig>;
  skipped: SkippedFile[];
  /** the first path argument's configuration (its startMethod is the run's) */
  first: ProjectConfig | undefined;
  warnings: string[];
}

/**
 * The files to analyse, in a stable order; skipped counts non-source files named
 * explicitly. A folder's walk honours its project file's `ignore`; a file or folder named
 * on the command line is analysed even when `ignore` matches it (as Ruff does without
 * --force-exclude): naming it is asking for it.
 */
async function collectFiles(options: CliOptions, cwd: string, progress: Progress): Promise<CollectedFiles> {
  const files = new Map<string, ProjectConfig>();
  const cache = new Map<string, Promise<LoadedProjectConfig>>();
  const warnings = new Set<string>();
  let first: ProjectConfig | undefined;
  const skipped: SkippedFile[] = [];
  const onSkip = (file: string, reason: SkipReason) => skipped.push({ file, reason, explicit: false });
  for (const given of options.paths) {
    const target = path.resolve(cwd, given);
    let stat;
    try {
      stat = await fs.stat(target);
    } catch (error) {
      throw new InputError(describeIoError(given, error));
    }
    const config = await configFor(stat.isDirectory() ? target : path.dirname(target), cwd, cache, warnings);
    first ??= config;
    if (stat.isDirectory()) {
      const matcher = new IgnoreMatcher(config);
      // A folder named explicitly that `ignore` matches is walked anyway (as with .gitignore).
      const exclude = matcher.ignores(target, true) ? undefined : (p: string, isDir: boolean) => matcher.ignores(p, isDir);
      try {
        for await (const file of walkSourceFiles(target, { exclude, onSkip })) {
          if (!files.has(file)) files.set(file, config);
          progress.update(`found ${files.size} files`);
        }
      } catch (error) {
        throw new InputError(describeIoError(given, error));
      }
    } else if (isAnalyzable(target)) {
      if (!files.has(target)) files.set(target, config);
    } else {
      skipped.push({ file: target, reason: 'not-source', explicit: true });
    }
  }
  return { files, skipped, first, warnings: [...warnings] };
}

/** A file's rule levels: the command line's `--rule` over its project file's `rules`. */
function rulesFor(config: ProjectConfig | undefined, flags: Partial<Record<RuleId, SeveritySetting>>) {
  return { ...config?.rules, ...flags };
}

/**
 * Runs the analysis the options ask for. Throws {@link UsageError}/{@link InputError}/
 * {@link ConfigError} (exit 2).
 *
 * Precedence: command-line flags, then the project file, then the defaults. Rule levels
 * apply per file (each path argument's own project file); the start method is one
 * assumption for the whole run, taken from the first path's project file.
 */
export async function analyzePaths(options: CliOptions, cwd: string, progress: Progress): Promise<AnalysisResult> {
  const collected = await collectFiles(options, cwd, progress);
  const files = [...collected.files.keys()];
  const skipped = [...collected.skipped];
  const named = new Set(options.paths.map((p) => path.resolve(cwd, p)));
  const startMethod = options.startMethod ?? collected.first?.startMethod ?? 'portable';
  // One project file for every path (the usual case): let the engine skip rules it turns
  // off. Otherwise the engine only knows the flags and each file's levels apply below.
  const configs = new Set(collected.files.values());
  const engineRules = configs.size === 1 ? rulesFor(collected.first, options.rules) : options.rules;
  // The Python version only words the messages: the first path's project file, else the
  // requires-python / .python-version found from that path.
  const firstPath = path.resolve(cwd, options.paths[0] ?? '.');
  const pythonVersion = collected.first?.pythonVersion ?? (await findPythonVersion(firstPath).catch(() => undefined))?.version;
  const project = await Project.create({ rules: engineRules, startMethod, pythonVersion });
  let loaded = 0;
  // reads run ahead of parsing; the files are added in the given order (it matters to the project)
  for await (const read of readSourceFilesInOrder(files)) {
    const { file } = read;
    try {
      if (!read.ok) throw read.error;
      const { result } = read;
      if (result.kind === 'text') {
        project.updateFile(file, result.text);
        const why = project.skippedReason(file);
        if (why === undefined) loaded++;
        else skipped.push({ file, reason: why === TOO_DEEP_NOTE ? 'too-deep' : 'too-many-tokens', explicit: named.has(file) });
      } else {
        skipped.push({ file, reason: result.reason, explicit: named.has(file) });
      }
    } catch (error) {
      // A file named on the command line that cannot be read is the user's problem to fix;
      // one that vanished or is unreadable inside a walked folder is skipped with a note.
      if (named.has(file)) throw new InputError(describeIoError(file, error));
      skipped.push({ file, reason: 'unreadable', explicit: false });
    }
    progress.update(`read ${loaded + skipped.length - collected.skipped.length}/${files.length} files`);
  }
  progress.update('analysing');
  const fixed =
    options.fix || options.diff
      ? await applyPreferredFixes(project, options.paths.map((p) => path.resolve(cwd, p)), { write: !options.diff })
      : undefined;
  const byFile = new Map<string, Finding[]>();
  for (const finding of project.analyze()) {
    const list = byFile.get(finding.file);
    if (list) list.push(finding);
    else byFile.set(finding.file, [finding]);
  }
  let findings: Finding[] = [];
  for (const [file, list] of byFile) {
    findings.push(...applyRuleSettings(list, rulesFor(collected.files.get(file) ?? collected.first, options.rules)));
  }
  if (options.quiet) findings = findings.filter((f) => f.severity === 'error');
  findings.sort(compareFindings);
  // notebooks: positions relative to their cells (sorted first, in the engine's cell order)
  const cells = new CellLayouts((f) => project.text(f));
  findings = findings.map((f) => cells.finding(f));
  return { findings, files: loaded, skipped, fixed, warnings: collected.warnings };
}
