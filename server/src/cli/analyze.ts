/**
 * One CLI run: gather the files named on the command line, load them into a project,
 * analyse, and return the report. No printing of results here.
 */
import { findPythonVersion } from '../shared/pythonVersion';
import { promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import ignore from 'ignore';
import pkg from '../../../package.json';
import type { Finding, RuleId, SeveritySetting, StartMethodSetting } from '../engine/findings';
import { Project, isAnalyzable, jsFrontEndText, languageOf, projectText, type ExtractedModel, type SuppressedHit } from '../engine/project';
import { TOO_DEEP_NOTE, isOverBudget, ranOutOfStack } from '../shared/budget';
import { readSourceFilesInOrder, walkSourceFiles, type SkipReason } from '../shared/files';
import {
  IgnoreMatcher,
  emptyProjectConfig,
  formatConfigProblem,
  parseProjectConfig,
  loadProjectConfig,
  type LoadedProjectConfig,
  type ProjectConfig,
} from '../shared/projectConfig';
import { applyRuleSettings, compareFindings } from '../shared/severity';
import type { CliOptions } from './args';
import { ConfigError, UsageError } from './args';
import { applySuppressions, pruneSuppressions, readSuppressions, recordSuppressions, suppressionsFile, writeSuppressions } from './baseline';
import { cacheFile, cacheKey, componentsOf, missingDependencies, planCache, writeCache, type CacheEntries, type CachePlan } from './cache';
import { unusedDirectiveFindings, unusedDirectives, withoutUnusedDirectives } from './directives';
import { applyPreferredFixes, type FixSummary } from './fix';
import { CellLayouts } from '../notebook/findings';
import { isNotebookPath, isNotebookSource } from '../notebook/cells';
import { notebookJsonToSource } from '../notebook/ipynb';
import type { Worker } from 'node:worker_threads';
import { HeadStart, defaultJobs, extractModels, headStartChars, startWorkers, threadsFor, type PoolItem } from './modelPool';
import { chooseCompilerTiers } from './compilerTiers';
import { JsRelevance } from '../engine/relevance';
import { isShallow } from '../js/depth';
import { parseJs } from '../js/frontend';

export { ConfigError };

/** An I/O problem with a path the user named: exit code 2. */
export class InputError extends UsageError {}

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
  /** '-' with --fix: the fixed text, for standard output */
  stdinOutput?: string;
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

/** -c/--config FILE: that file's settings for every path. A file without Crossproc settings is an error. */
async function explicitConfig(given: string, cwd: string, warnings: Set<string>): Promise<ProjectConfig> {
  const file = path.resolve(cwd, given);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration file '${given}': ${describeIoError(given, error).replace(/^cannot read '[^']*': /, '').replace(/\. Check.*$/, '')}. Check the path given to --config.`);
  }
  const found = parseProjectConfig(file, text);
  if (!found) {
    throw new ConfigError(`'${given}' holds no Crossproc settings (a "crossproc" key in package.json, a [tool.crossproc] table in pyproject.toml): add them, or name a crossproc.json.`);
  }
  for (const problem of found.problems) {
    const line = formatConfigProblem(problem, cwd);
    if (problem.kind === 'malformed') throw new ConfigError(`${line}. Fix the file given to --config and run again.`);
    warnings.add(`warning: ${line}`);
  }
  return found.config;
}

/** --exclude: gitignore-style patterns relative to the working folder, the same matcher as the project file's `ignore`. */
function excludeMatcher(patterns: readonly string[], cwd: string): IgnoreMatcher | undefined {
  if (patterns.length === 0) return undefined;
  for (const pattern of patterns) {
    try {
      ignore().add(pattern);
    } catch {
      throw new UsageError(`--exclude '${pattern}' is not a valid gitignore-style pattern.`);
    }
  }
  return new IgnoreMatcher({ ...emptyProjectConfig(), dir: cwd, ignore: patterns });
}

/**
 * The files to analyse, in a stable order; skipped counts non-source files named
 * explicitly. A folder's walk honours its project file's `ignore` and --exclude; a file or
 * folder named on the command line is analysed even when they match it (as Ruff does
 * without --force-exclude): naming it is asking for it. With '-', the --stdin-filename file
 * is added (its text comes from standard input).
 */
async function collectFiles(options: CliOptions, cwd: string, progress: Progress): Promise<CollectedFiles> {
  const files = new Map<string, ProjectConfig>();
  const cache = new Map<string, Promise<LoadedProjectConfig>>();
  const warnings = new Set<string>();
  const forced = options.config === undefined ? undefined : await explicitConfig(options.config, cwd, warnings);
  const excluded = excludeMatcher(options.exclude, cwd);
  let first: ProjectConfig | undefined = forced;
  const skipped: SkippedFile[] = [];
  const onSkip = (file: string, reason: SkipReason) => skipped.push({ file, reason, explicit: false });
  for (const given of options.paths) {
    const target = path.resolve(cwd, given);
    let stat;
    try {
      // synchronously: a run that names thousands of files waited for each promise's round
      // trip through libuv's thread pool (node_modules' 7,749: about 0.1 s of CPU)
      stat = statSync(target);
    } catch (error) {
      throw new InputError(describeIoError(given, error));
    }
    const config = forced ?? (await configFor(stat.isDirectory() ? target : path.dirname(target), cwd, cache, warnings));
    first ??= config;
    if (stat.isDirectory()) {
      const matchers = [new IgnoreMatcher(config), excluded]
        // A folder named explicitly that `ignore` matches is walked anyway (as with .gitignore).
        .filter((m): m is IgnoreMatcher => m !== undefined && !m.ignores(target, true));
      const exclude = matchers.length === 0 ? undefined : (p: string, isDir: boolean) => matchers.some((m) => m.ignores(p, isDir));
      try {
        for await (const file of walkSourceFiles(target, { exclude, onSkip, gitignore: !options.noIgnore })) {
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
  if (options.stdinFilename !== undefined) {
    const file = path.resolve(cwd, options.stdinFilename);
    if (!isAnalyzable(file)) {
      throw new UsageError(`--stdin-filename '${options.stdinFilename}' is not a Python or JavaScript/TypeScript file name: it decides how the text is read.`);
    }
    if (!files.has(file)) files.set(file, forced ?? (await configFor(path.dirname(file), cwd, cache, warnings)));
  }
  return { files, skipped, first, warnings: [...warnings] };
}

/** A file's rule levels: the command line's `--rule` over its project file's `rules`. */
function rulesFor(config: ProjectConfig | undefined, flags: Partial<Record<RuleId, SeveritySetting>>) {
  return { ...config?.rules, ...flags };
}

/** What the engine is created with (the cache key holds all of it). */
interface EngineSettings {
  rules: Partial<Record<RuleId, SeveritySetting>>;
  startMethod: StartMethodSetting;
  /** only words the messages */
  pythonVersion: string | undefined;
}

/** The files of a run, read: texts in run order, and what could not be read. */
interface ReadFiles {
  texts: Map<string, string>;
  skipped: SkippedFile[];
}

async function readFiles(files: readonly string[], named: ReadonlySet<string>, stdin: { file: string; text: string } | undefined, progress: Progress): Promise<ReadFiles> {
  const texts = new Map<string, string>();
  const skipped: SkippedFile[] = [];
  // outcomes come back in the given order, which the engine's results follow
  for await (const read of readSourceFilesInOrder(files.filter((f) => f !== stdin?.file))) {
    const { file } = read;
    try {
      if (!read.ok) throw read.error;
      const { result } = read;
      if (result.kind === 'text') texts.set(file, result.text);
      else skipped.push({ file, reason: result.reason, explicit: named.has(file) });
    } catch (error) {
      // A file named on the command line that cannot be read is the user's problem to fix;
      // one that vanished or is unreadable inside a walked folder is skipped with a note.
      if (named.has(file)) throw new InputError(describeIoError(file, error));
      skipped.push({ file, reason: 'unreadable', explicit: false });
    }
    progress.update(`read ${texts.size + skipped.length}/${files.length} files`);
  }
  if (stdin === undefined || !files.includes(stdin.file)) return { texts, skipped };
  // the stdin text takes its file's place in the order
  const ordered = new Map<string, string>();
  for (const file of files) {
    const text = file === stdin.file ? stdin.text : texts.get(file);
    if (text !== undefined) ordered.set(file, text);
  }
  return { texts: ordered, skipped };
}

/**
 * The models of the files in `only` (all when undefined) made on up to `jobs` threads
 * (./modelPool.ts), or undefined when one thread is to do it all (--jobs 1, or too
 * little source to share). Files in `made` have theirs already.
 */
async function extractInParallel(
  texts: ReadonlyMap<string, string>,
  only: ReadonlySet<string> | undefined,
  jobs: number,
  progress: Progress,
  early: EarlyWorkers,
  made: ReadonlyMap<string, ExtractedModel> | undefined,
): Promise<Map<string, ExtractedModel> | undefined> {
  const head = early.takeHead();
  const started = early.take();
  if (jobs <= 1) return undefined;
  const items: PoolItem[] = [];
  let chars = 0;
  for (const [file, raw] of texts) {
    const lang = languageOf(file);
    if (!lang || (only && !only.has(file)) || made?.has(file)) continue;
    const text = projectText(file, raw);
    // a file over the budget is not parsed at all (Project.updateFile)
    if (isOverBudget(text)) continue;
    items.push({ file, text, lang });
    chars += text.length;
  }
  const threads = threadsFor(jobs, chars);
  if (threads <= 1) {
    for (const w of started) void w.terminate();
    return undefined;
  }
  return (await extractModels(items, threads, (done) => progress.update(`analysing ${done}/${items.length} files`), started, head)).models;
}

/** Average source files per 1,000,000 characters (the standard library's: about 15 KB a file), to start workers before the files are read. */
const FILES_PER_THREAD = 60;

/** Model workers started before the files are read (their start-up overlaps the reads); the first load takes them. */
class EarlyWorkers {
  private workers: Worker[];

  constructor(jobs: number, files: number) {
    this.workers = jobs > 1 ? startWorkers(Math.min(jobs - 1, Math.floor(files / FILES_PER_THREAD))) : [];
  }

  take(): Worker[] {
    const out = this.workers;
    this.workers = [];
    return out;
  }

  private head?: HeadStart;

  /**
   * Sends the first worker the largest Python files of `texts` now (./modelPool.ts,
   * HeadStart): the main thread is about to scan the JS files for relevance, and Python
   * files are never left out.
   */
  startAhead(texts: ReadonlyMap<string, string>, jobs: number): void {
    const worker = this.workers[0];
    if (!worker || this.head) return;
    const python: PoolItem[] = [];
    let pythonChars = 0;
    let jsChars = 0;
    for (const [file, raw] of texts) {
      const lang = languageOf(file);
      if (lang === 'js') jsChars += raw.length;
      if (lang !== 'python') continue;
      pythonChars += raw.length;
      const text = projectText(file, raw);
      if (!isOverBudget(text)) python.push({ file, text, lang });
    }
    const budget = headStartChars(pythonChars, jsChars);
    if (threadsFor(jobs, pythonChars) <= 1 || budget <= 0) return;
    python.sort((a, b) => b.text.length - a.text.length);
    let chars = 0;
    let n = 0;
    while (n < python.length && chars < budget) chars += python[n++]!.text.length;
    this.head = new HeadStart(worker, python.slice(0, n));
  }

  takeHead(): HeadStart | undefined {
    const out = this.head;
    this.head = undefined;
    return out;
  }

  /** stops those nobody took (the run ended early, or the cache left nothing to parse) */
  close(): void {
    for (const w of this.take()) void w.terminate();
  }
}

/**
 * A project of the files in `only` (all when undefined), added in run order (the engine's
 * results follow it); their models made on up to `jobs` threads.
 */
async function loadProject(
  texts: ReadonlyMap<string, string>,
  only: ReadonlySet<string> | undefined,
  settings: EngineSettings,
  jobs: number,
  progress: Progress,
  early: EarlyWorkers,
  made?: ReadonlyMap<string, ExtractedModel>,
): Promise<Project> {
  const chars = { python: 0, js: 0 };
  for (const [file, text] of texts) {
    const lang = languageOf(file);
    if (lang && (!only || only.has(file))) chars[lang] += text.length;
  }
  chooseCompilerTiers(chars.python, chars.js);
  const project = await Project.create(settings);
  const extracted = await extractInParallel(texts, only, jobs, progress, early, made);
  for (const [file, text] of texts) if (!only || only.has(file)) project.updateFile(file, text, undefined, made?.get(file) ?? extracted?.get(file));
  return project;
}

/**
 * A project of the files that can take part in a finding (../engine/relevance.ts): JS/TS
 * files that neither reach worker code nor are reached from it are left out. Over-budget files are loaded
 * anyway (the project does not parse them; it lists them as skipped, as a full run does).
 */
async function loadRelevant(texts: ReadonlyMap<string, string>, settings: EngineSettings, jobs: number, progress: Progress, early: EarlyWorkers): Promise<Project> {
  // the compilers' flags before any front end runs, the relevance scan's depth check
  // included: a code cache made under other flags than those it is loaded under is refused
  // (shared/codeCache.ts), and a worker's cache key names the main thread's flags.
  // loadProject chooses the same: the scan leaves out JS files only
  const chars = { python: 0, js: 0 };
  for (const [file, text] of texts) {
    const lang = languageOf(file);
    if (lang) chars[lang] += text.length;
  }
  chooseCompilerTiers(chars.python, chars.js);
  early.startAhead(texts, jobs);
  const relevance = new JsRelevance(texts);
  // the seeds' models say which of them start workers (the others are worker vocabulary
  // only, and kept only through their links); the models made are the project's
  const made = new Map<string, ExtractedModel>();
  relevance.refineSeeds(texts, (file) => {
    const text = projectText(file, texts.get(file)!);
    if (isOverBudget(text)) return undefined;
    const model = parseJs(file, jsFrontEndText(text));
    made.set(file, { model, deferredFacts: false });
    return ranOutOfStack(model.problems) ? undefined : model;
  });
  // a file flagged as maybe too deep is left out once its tree shows it is not (a full run would list it as skipped)
  const shallow = (file: string): boolean => {
    const text = projectText(file, texts.get(file)!);
    return !isOverBudget(text) && isShallow(file, text);
  };
  const left = relevance.unneeded(shallow);
  for (const [file, text] of texts) if (left.has(file) && isOverBudget(projectText(file, text))) left.delete(file);
  // the models of the seeds left out go (a composed link that brings one back parses it again)
  for (const file of left) made.delete(file);
  if (left.size === 0) return loadProject(texts, undefined, settings, jobs, progress, early, made);
  const only = new Set<string>();
  for (const file of texts.keys()) if (!left.has(file)) only.add(file);
  let project = await loadProject(texts, only, settings, jobs, progress, early, made);
  // a front end composes some specifiers (`path.join(__dirname, 'w.js')`): the components
  // they reach are analysed too, and the project is put together again in run order (its
  // merged lists follow it), from the models made so far
  let added: Iterable<string> = only;
  for (;;) {
    const more = relevance.linkedFrom([...added].map((f) => project.model(f)).filter((m) => m !== undefined), left);
    if (more.size === 0) return project;
    for (const f of more) left.delete(f);
    const next = await Project.create(settings);
    for (const [file, text] of texts) {
      if (left.has(file)) continue;
      const model = project.skippedReason(file) === undefined ? project.model(file) : undefined;
      next.updateFile(file, text, undefined, model && { model, deferredFacts: false });
    }
    project = next;
    added = more;
  }
}

function skipReasonOf(why: string): SkipReason {
  return why === TOO_DEEP_NOTE ? 'too-deep' : 'too-many-tokens';
}

/** The engine's results per file: findings and the findings suppression comments dropped. */
interface RawResults {
  findings: Finding[];
  suppressed: SuppressedHit[];
  /** files the engine did not analyse (budget), and why */
  notAnalysed: Map<string, string>;
}

/**
 * Runs the engine, from the cache where it may (see cache.ts), and updates the cache.
 * Returns the project (of the analysed files) too, for --fix.
 */
async function runEngine(
  options: CliOptions,
  cwd: string,
  texts: ReadonlyMap<string, string>,
  settings: EngineSettings,
  useCache: boolean,
  warnings: string[],
  progress: Progress,
  jobs: number,
  early: EarlyWorkers,
  lazy: boolean,
): Promise<{ project: Project; raw: () => RawResults }> {
  if (!useCache) {
    const project = lazy ? await loadRelevant(texts, settings, jobs, progress, early) : await loadProject(texts, undefined, settings, jobs, progress, early);
    return { project, raw: () => rawOf(project, texts.keys()) };
  }
  const file = await cacheFile(cwd, options.cacheLocation);
  const key = cacheKey({ version: pkg.version, rules: settings.rules, startMethod: settings.startMethod, pythonVersion: settings.pythonVersion, files: [...texts.keys()] });
  const plan: CachePlan = await planCache(file, key, texts);
  let project = await loadProject(texts, plan.analyse, settings, jobs, progress, early);
  // a changed file may now reference a file of another component: load that component too, and start over
  for (;;) {
    const missing = missingDependencies(project, plan, texts.keys());
    if (missing.size === 0) break;
    for (const f of missing) {
      plan.analyse.add(f);
      plan.reused.delete(f);
    }
    project = await loadProject(texts, plan.analyse, settings, jobs, progress, early);
  }
  const fresh = rawOf(project, plan.analyse);
  const groups = componentsOf(project, plan.analyse, texts.keys());
  const entries: CacheEntries = new Map();
  const byFile = <T extends { file: string }>(list: readonly T[]) => {
    const out = new Map<string, T[]>();
    for (const x of list) (out.get(x.file) ?? out.set(x.file, []).get(x.file)!).push(x);
    return out;
  };
  const findingsOf = byFile(fresh.findings);
  const suppressedOf = byFile(fresh.suppressed);
  for (const f of texts.keys()) {
    const reused = plan.reused.get(f);
    if (reused) {
      entries.set(f, reused);
      fresh.findings.push(...reused.findings);
      fresh.suppressed.push(...reused.suppressed);
      if (reused.skip) fresh.notAnalysed.set(f, reused.skip);
    } else {
      const skip = fresh.notAnalysed.get(f);
      entries.set(f, { text: texts.get(f)!, group: groups.get(f) ?? f, findings: findingsOf.get(f) ?? [], suppressed: suppressedOf.get(f) ?? [], ...(skip ? { skip } : {}) });
    }
  }
  const why = await writeCache(file, key, entries);
  if (why) warnings.push(`warning: ${why}.`);
  return { project, raw: () => fresh };
}

function rawOf(project: Project, files: Iterable<string>): RawResults {
  const notAnalysed = new Map<string, string>();
  for (const f of files) {
    const why = project.skippedReason(f);
    if (why !== undefined) notAnalysed.set(f, why);
  }
  return { findings: [...project.analyze()], suppressed: [...project.suppressedHits()], notAnalysed };
}

/**
 * Runs the analysis the options ask for. Throws {@link UsageError}/{@link InputError}/
 * {@link ConfigError} (exit 2). `stdinText`: the text of the --stdin-filename file.
 *
 * Precedence: command-line flags, then the project file (-c's, or each path's nearest),
 * then the defaults. Rule levels apply per file (each path argument's own project file);
 * the start method is one assumption for the whole run, taken from the first path's
 * project file.
 */
export async function analyzePaths(options: CliOptions, cwd: string, progress: Progress, stdinText?: string): Promise<AnalysisResult> {
  const collected = await collectFiles(options, cwd, progress);
  const files = [...collected.files.keys()];
  const named = new Set(options.paths.map((p) => path.resolve(cwd, p)));
  const stdinFile = options.stdinFilename === undefined ? undefined : path.resolve(cwd, options.stdinFilename);
  const jobs = options.jobs ?? defaultJobs();
  const early = new EarlyWorkers(jobs, files.length);
  try {
    return await analyzeFiles(options, cwd, progress, stdinText, collected, files, named, stdinFile, jobs, early);
  } finally {
    early.close();
  }
}

async function analyzeFiles(
  options: CliOptions,
  cwd: string,
  progress: Progress,
  stdinText: string | undefined,
  collected: CollectedFiles,
  files: string[],
  named: ReadonlySet<string>,
  stdinFile: string | undefined,
  jobs: number,
  early: EarlyWorkers,
): Promise<AnalysisResult> {
  const read = await readFiles(files, named, stdinFile === undefined ? undefined : { file: stdinFile, text: stdinText ?? '' }, progress);
  const skipped = [...collected.skipped, ...read.skipped];
  const warnings = [...collected.warnings];
  const startMethod = options.startMethod ?? collected.first?.startMethod ?? 'portable';
  // One project file for every path (the usual case): let the engine skip rules it turns
  // off. Otherwise the engine only knows the flags and each file's levels apply below.
  const configs = new Set(collected.files.values());
  const engineRules = configs.size === 1 ? rulesFor(collected.first, options.rules) : options.rules;
  // The Python version only words the messages: the first path's project file, else the
  // requires-python / .python-version found from that path.
  const firstPath = path.resolve(cwd, options.paths[0] ?? '.');
  const pythonVersion = collected.first?.pythonVersion ?? (await findPythonVersion(firstPath).catch(() => undefined))?.version;
  const unusedSeverity = options.reportUnusedDisableDirectives ?? collected.first?.reportUnusedDisableDirectives ?? 'off';
  const checked = (rule: RuleId) => engineRules[rule] !== 'off';
  progress.update('analysing');
  const fixing = options.fix || options.diff;
  const useCache = options.cache && !fixing && stdinFile === undefined;
  // --fix and --diff may edit any file (unused directives): they load every file
  const lazy = !fixing && stdinFile === undefined && !process.env.CROSSPROC_EAGER;
  const { project, raw } = await runEngine(options, cwd, read.texts, { rules: engineRules, startMethod, pythonVersion }, useCache, warnings, progress, jobs, early, lazy);
  const fixed = fixing
    ? await applyPreferredFixes(project, options.paths.map((p) => path.resolve(cwd, p)), {
        write: !options.diff,
        only: stdinFile,
        finalEdits:
          unusedSeverity === 'off'
            ? undefined
            : (p) =>
                p.files().flatMap((file) => {
                  const text = p.text(file);
                  const hits = p.suppressedHits().filter((h) => h.file === file);
                  const unused = text === undefined || p.skippedReason(file) !== undefined ? [] : unusedDirectives(file, text, hits, checked);
                  return unused.length ? [{ file, text: withoutUnusedDirectives(text!, unused), count: unused.length }] : [];
                }),
      })
    : undefined;
  // after --fix the project holds the fixed texts: its results, not the ones before the fixes
  const results = fixing ? rawOf(project, project.files()) : raw();
  for (const [file, why] of results.notAnalysed) skipped.push({ file, reason: skipReasonOf(why), explicit: named.has(file) });
  const byFile = new Map<string, Finding[]>();
  for (const finding of results.findings) {
    const list = byFile.get(finding.file);
    if (list) list.push(finding);
    else byFile.set(finding.file, [finding]);
  }
  let findings: Finding[] = [];
  for (const [file, list] of byFile) {
    findings.push(...applyRuleSettings(list, rulesFor(collected.files.get(file) ?? collected.first, options.rules)));
  }
  // the text the engine's positions refer to (a notebook's cells as Python); after --fix the
  // fixed text; a file whose results came from the cache is not in the project
  const engineText = (file: string): string | undefined => {
    const held = project.text(file);
    if (held !== undefined) return held;
    const raw = read.texts.get(file);
    return raw !== undefined && isNotebookPath(file) && !isNotebookSource(raw) ? notebookJsonToSource(raw) : raw;
  };
  if (unusedSeverity !== 'off') {
    const hitsOf = new Map<string, SuppressedHit[]>();
    for (const h of results.suppressed) (hitsOf.get(h.file) ?? hitsOf.set(h.file, []).get(h.file)!).push(h);
    for (const file of read.texts.keys()) {
      if (results.notAnalysed.has(file)) continue;
      const text = engineText(file);
      if (text === undefined) continue;
      const unused = unusedDirectives(file, text, hitsOf.get(file) ?? [], checked);
      findings.push(...unusedDirectiveFindings(file, text, unused, unusedSeverity));
    }
  }
  if (stdinFile !== undefined) findings = findings.filter((f) => f.file === stdinFile);
  findings = await applyBaseline(options, cwd, findings, warnings);
  if (options.quiet) findings = findings.filter((f) => f.severity === 'error');
  findings.sort(compareFindings);
  // notebooks: positions relative to their cells (sorted first, in the engine's cell order); a cached file is not in the project
  const cells = new CellLayouts(engineText);
  findings = findings.map((f) => cells.finding(f));
  const analysed = read.texts.size - results.notAnalysed.size;
  const stdinOutput = stdinFile === undefined || !options.fix ? undefined : (project.text(stdinFile) ?? stdinText ?? '');
  return { findings, files: stdinFile === undefined ? analysed : 1, skipped, fixed, warnings, stdinOutput };
}

/** crossproc-suppressions.json: record (--suppress-all/--suppress-rule), prune, and leave out what it covers. */
async function applyBaseline(options: CliOptions, cwd: string, findings: Finding[], warnings: string[]): Promise<Finding[]> {
  const file = suppressionsFile(cwd, options.suppressionsLocation);
  let data = await readSuppressions(file);
  if (options.suppress) {
    data = recordSuppressions(findings, data, file, options.suppress);
    await writeSuppressions(file, data);
  } else if (options.pruneSuppressions) {
    data = pruneSuppressions(findings, data, file);
    await writeSuppressions(file, data);
  }
  const { findings: left, unmatched } = applySuppressions(findings, data, file);
  if (unmatched > 0) {
    warnings.push(`warning: ${unmatched} suppression${unmatched === 1 ? '' : 's'} in ${path.basename(file)} no longer occur${unmatched === 1 ? 's' : ''}; run with --prune-suppressions to remove ${unmatched === 1 ? 'it' : 'them'}.`);
  }
  return left;
}
