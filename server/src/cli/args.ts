/**
 * Command-line parsing for `crossproc` (SPEC §6). Every mistake becomes a
 * {@link UsageError} whose message is one line that says what to do.
 */
import { parseArgs } from 'node:util';
import { RULE_IDS, isRuleId, type RuleId, type SeveritySetting, type StartMethodSetting } from '../engine/findings';
import { SEVERITY_SETTINGS, START_METHOD_SETTINGS } from '../shared/protocol';

export type OutputFormat = 'stylish' | 'json' | 'sarif' | 'github' | 'gitlab' | 'junit';
const FORMATS: readonly OutputFormat[] = ['stylish', 'json', 'sarif', 'github', 'gitlab', 'junit'];

export interface CliOptions {
  paths: string[];
  format: OutputFormat;
  rules: Partial<Record<RuleId, SeveritySetting>>;
  /** undefined = not given: the project file's value, else portable */
  startMethod: StartMethodSetting | undefined;
  /** undefined = no limit */
  maxWarnings?: number;
  quiet: boolean;
  /** counts per rule or per file instead of the findings */
  statistics?: 'rules' | 'files';
  /** write the report to this file instead of stdout */
  outputFile?: string;
  /** --color / --no-color (the last one given); undefined = decide from FORCE_COLOR, NO_COLOR, the terminal */
  color: boolean | undefined;
  /** apply each finding's preferred fix and write the files */
  fix: boolean;
  /** --fix-dry-run / --diff: print the fixes as a unified diff, write nothing */
  diff: boolean;
  /** `-` among the paths: this file's text is read from standard input (--stdin-filename names it) */
  stdinFilename?: string;
  /** -c/--config: the project file to read settings from, instead of looking one up */
  config?: string;
  /** --exclude: gitignore-style patterns relative to the working folder; repeatable */
  exclude: string[];
  /** --no-ignore: walk what .gitignore files would skip */
  noIgnore: boolean;
  /** --cache: reuse the results of unchanged files and their dependencies */
  cache: boolean;
  /** --cache-location: the cache file (or a folder to put `.crossproccache` in) */
  cacheLocation?: string;
  /** undefined = the project file's `reportUnusedDisableDirectives`, else off */
  reportUnusedDisableDirectives: SeveritySetting | undefined;
  /** --suppress-all / --suppress-rule: record the current findings in the suppressions file */
  suppress?: 'all' | RuleId[];
  /** --prune-suppressions: drop suppressions-file entries that no longer occur */
  pruneSuppressions: boolean;
  /** --suppressions-location: the bulk-suppressions file (default crossproc-suppressions.json) */
  suppressionsLocation?: string;
  /** --jobs: threads that run the front ends (main thread + workers); undefined = 1 */
  jobs?: number;
  help: boolean;
  version: boolean;
}

/** A usage or configuration error: exit code 2, message printed as one line. */
export class UsageError extends Error {}

/** A configuration file (project file, -c file, suppressions file) that cannot be read as one: exit code 2. */
export class ConfigError extends UsageError {}

const HINT = "Run 'crossproc --help' for usage.";

export const HELP = `Usage: crossproc [options] [paths...]
       crossproc graph [--entry FILE] [--format json|pycg|dot|mermaid] [paths...]
       crossproc rule ID | --all     show a rule's documentation (--format text|json)

Finds cross-process global-state misuse in Python multiprocessing and Node.js workers.
Analyses the given files and folders (default: the current folder). Folders are walked
recursively, respecting .gitignore and skipping node_modules, venv, .venv, .git and
__pycache__.

Options:
  -f, --format FORMAT            output format (default: stylish):
                                   stylish  for people (ESLint-like)
                                   json     one object (SPEC §6)
                                   sarif    SARIF 2.1.0 for GitHub code scanning
                                   github   GitHub Actions annotations
                                   gitlab   GitLab Code Quality report
                                   junit    JUnit XML
  --rule ID=off|warning|error    set a rule's severity; repeatable
  --start-method portable|fork|spawn|forkserver
                                 Python start method to assume (default: the project
                                 file's, else portable, i.e. report what breaks under
                                 any default)
  --max-warnings N               fail (exit 1) when there are more than N warnings
  -q, --quiet                    report errors only (and no "No problems found" line)
  --statistics[=rules|files]     print counts per rule (or per file) instead of the
                                 findings (with --format stylish or json)
  -o, --output-file FILE         write the report to FILE instead of standard output
                                 (no colour there unless --color is given)
  --color, --no-color            force colour on or off (default: on a terminal;
                                 FORCE_COLOR and NO_COLOR are honoured)
  --fix                          apply each finding's preferred quick fix to the files,
                                 then report what is left
  --diff, --fix-dry-run          print what --fix would change as a unified diff
                                 (git apply / patch -p1 can apply it) and write
                                 nothing; exit 1 when there is something to fix
  -c, --config FILE              read settings from FILE (crossproc.json, package.json
                                 or pyproject.toml) instead of looking one up
  --exclude GLOB                 skip what this gitignore-style pattern matches
                                 (relative to the current folder); repeatable
  --no-ignore                    also walk what .gitignore files exclude
  -, --stdin-filename FILE       '-' as a path reads FILE's text from standard input
                                 and reports on it alone, with the other paths
                                 (default: the current folder) read from disk as its
                                 project; with --fix, prints the fixed text instead
  --cache                        reuse the results of files whose text, and whose
                                 dependencies' text, did not change since the last run
  --cache-location PATH          the cache file, or a folder for .crossproccache
                                 (default: ./.crossproccache)
  -j, --jobs N                   run the front ends on N threads (default 1: all
                                 on the main thread)
  --report-unused-disable-directives
                                 report suppression comments that suppress nothing
                                 (as errors; --fix removes them)
  --report-unused-disable-directives-severity off|warning|error
                                 the same, at this severity
  --suppress-all                 record every finding in crossproc-suppressions.json;
                                 later runs report only findings beyond its counts
  --suppress-rule ID             the same for one rule; repeatable
  --prune-suppressions           remove suppressions that no longer occur
  --suppressions-location FILE   the suppressions file (default:
                                 ./crossproc-suppressions.json)
  -h, --help                     show this help
  -v, --version                  print the version

Commands:
  graph                          print the call graph and where each function runs
                                 (see 'crossproc graph --help')

Rules: ${RULE_IDS.join(', ')}

Configuration: the nearest crossproc.json, "crossproc" key in package.json or
[tool.crossproc] in pyproject.toml above each path sets rules, startMethod,
pythonVersion and ignore (gitignore-style patterns); flags override it. Without
pythonVersion, requires-python (pyproject.toml) or .python-version words messages.

Exit codes: 0 no error-severity findings (and warnings within --max-warnings),
            1 findings fail the run (with --diff: there is something to fix),
            2 usage, configuration or I/O error.`;

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`invalid value '${value}' for ${flag}: use one of ${allowed.join(', ')}.`);
}

function parseRule(spec: string, rules: Partial<Record<RuleId, SeveritySetting>>): void {
  const eq = spec.indexOf('=');
  if (eq <= 0) {
    throw new UsageError(`invalid --rule '${spec}': write it as ID=off|warning|error, e.g. --rule stale-global-read=error.`);
  }
  const id = spec.slice(0, eq).trim();
  const level = spec.slice(eq + 1).trim();
  if (!isRuleId(id)) {
    throw new UsageError(`unknown rule '${id}' in --rule: use one of ${RULE_IDS.join(', ')}.`);
  }
  rules[id] = oneOf(level, SEVERITY_SETTINGS, `--rule ${id}`);
}

/** Rewrites node:util parseArgs errors (multi-line, about internals) as one short sentence. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(?:-\w, )?(--?[^' ,<]+)/.exec(message)?.[1] ?? 'an option';
  const code = (error as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${option}'.`;
  if (/ambiguous/.test(message)) return `option '${option}' needs a value; for a value starting with '-' write ${option}=VALUE.`;
  if (/argument missing/.test(message)) return `option '${option}' needs a value.`;
  if (/does not take an argument/.test(message)) return `option '${option}' does not take a value.`;
  return `${message.split('\n')[0]!.replace(/\.$/, '')}.`;
}

/**
 * node:util parseArgs has no options with an optional value: a bare `--statistics` becomes
 * `--statistics=rules` (never after `--`, where everything is a path).
 */
function withOptionalValues(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => (arg === '--statistics' && (end < 0 || i < end) ? '--statistics=rules' : arg));
}

/** Parses `argv` (without the node and script entries). Throws {@link UsageError}. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: withOptionalValues(argv),
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        format: { type: 'string', short: 'f' },
        rule: { type: 'string', multiple: true },
        'start-method': { type: 'string' },
        'max-warnings': { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        quiet: { type: 'boolean', short: 'q' },
        'output-file': { type: 'string', short: 'o' },
        statistics: { type: 'string' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        fix: { type: 'boolean' },
        diff: { type: 'boolean' },
        'fix-dry-run': { type: 'boolean' },
        config: { type: 'string', short: 'c' },
        exclude: { type: 'string', multiple: true },
        'no-ignore': { type: 'boolean' },
        'stdin-filename': { type: 'string' },
        cache: { type: 'boolean' },
        'cache-location': { type: 'string' },
        'report-unused-disable-directives': { type: 'boolean' },
        'report-unused-disable-directives-severity': { type: 'string' },
        'suppress-all': { type: 'boolean' },
        'suppress-rule': { type: 'string', multiple: true },
        'prune-suppressions': { type: 'boolean' },
        'suppressions-location': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError(`${describeParseError(error)} ${HINT}`);
  }
  const { values, positionals, tokens } = parsed;
  // the last of --color / --no-color wins, as in other tools
  const colorToken = [...tokens].reverse().find((t) => t.kind === 'option' && (t.name === 'color' || t.name === 'no-color'));
  const color = colorToken?.kind === 'option' ? colorToken.name === 'color' : undefined;
  const outputFile = values['output-file'];
  if (outputFile !== undefined && outputFile.trim() === '') throw new UsageError(`--output-file needs a file name.`);
  const rules: Partial<Record<RuleId, SeveritySetting>> = {};
  for (const spec of values.rule ?? []) parseRule(spec, rules);

  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    const raw = values['max-warnings'];
    if (!/^\d+$/.test(raw)) {
      throw new UsageError(`invalid value '${raw}' for --max-warnings: use a whole number of 0 or more.`);
    }
    maxWarnings = Number(raw);
  }

  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    if (!/^[1-9]\d{0,3}$/.test(values.jobs)) throw new UsageError(`invalid value '${values.jobs}' for --jobs: use a whole number of threads, 1 or more.`);
    jobs = Number(values.jobs);
  }

  const format = values.format === undefined ? 'stylish' : oneOf(values.format, FORMATS, '--format');
  const statistics = values.statistics === undefined ? undefined : oneOf(values.statistics, ['rules', 'files'] as const, '--statistics');
  const diff = Boolean(values.diff || values['fix-dry-run']);
  if (diff && values.fix) throw new UsageError(`--diff shows the fixes without writing them; leave out --fix (or --diff).`);
  if (diff && (statistics || format !== 'stylish')) {
    throw new UsageError(`--diff prints a unified diff: it does not combine with --format or --statistics.`);
  }
  if (statistics && format !== 'stylish' && format !== 'json') {
    throw new UsageError(`--statistics prints counts as text or JSON: use it with --format stylish or json, not ${format}.`);
  }

  const stdinFilename = values['stdin-filename'];
  const stdin = positionals.filter((p) => p === '-').length;
  if (stdin > 1) throw new UsageError(`'-' (standard input) may be given once.`);
  if (stdin === 1 && (stdinFilename === undefined || stdinFilename.trim() === '')) {
    throw new UsageError(`'-' reads a file's text from standard input: name the file with --stdin-filename PATH (e.g. --stdin-filename src/app.py).`);
  }
  if (stdin === 0 && stdinFilename !== undefined) throw new UsageError(`--stdin-filename names the text read from standard input: add '-' to the paths.`);
  for (const name of ['config', 'cache-location', 'suppressions-location'] as const) {
    if (values[name] !== undefined && values[name]!.trim() === '') throw new UsageError(`--${name} needs a path.`);
  }
  const exclude = values.exclude ?? [];
  for (const pattern of exclude) if (pattern.trim() === '') throw new UsageError(`--exclude needs a gitignore-style pattern, e.g. --exclude 'build/'.`);
  const severity = values['report-unused-disable-directives-severity'];
  const reportUnusedDisableDirectives =
    severity !== undefined
      ? oneOf(severity, SEVERITY_SETTINGS, '--report-unused-disable-directives-severity')
      : values['report-unused-disable-directives']
        ? 'error'
        : undefined;
  let suppress: CliOptions['suppress'];
  if (values['suppress-all']) suppress = 'all';
  if (values['suppress-rule']) {
    if (suppress) throw new UsageError(`--suppress-all already records every rule: leave out --suppress-rule.`);
    suppress = values['suppress-rule'].map((id) => {
      if (!isRuleId(id)) throw new UsageError(`unknown rule '${id}' in --suppress-rule: use one of ${RULE_IDS.join(', ')}.`);
      return id;
    });
  }
  const pruneSuppressions = values['prune-suppressions'] ?? false;
  if (pruneSuppressions && suppress) throw new UsageError(`--prune-suppressions does not combine with --suppress-all/--suppress-rule (they already rewrite the file).`);
  if ((suppress || pruneSuppressions) && (values.fix || diff || stdin)) {
    throw new UsageError(`--suppress-all, --suppress-rule and --prune-suppressions record findings: they do not combine with --fix, --diff or '-'.`);
  }

  return {
    // with '-', the other paths are the stdin file's project (read from disk)
    paths: positionals.some((p) => p !== '-') ? positionals.filter((p) => p !== '-') : ['.'],
    format,
    statistics,
    rules,
    startMethod:
      values['start-method'] === undefined ? undefined : oneOf(values['start-method'], START_METHOD_SETTINGS, '--start-method'),
    maxWarnings,
    quiet: values.quiet ?? false,
    outputFile,
    color,
    fix: values.fix ?? false,
    diff,
    stdinFilename: stdin ? stdinFilename : undefined,
    config: values.config,
    exclude,
    noIgnore: values['no-ignore'] ?? false,
    cache: values.cache ?? false,
    cacheLocation: values['cache-location'],
    reportUnusedDisableDirectives,
    suppress,
    pruneSuppressions,
    suppressionsLocation: values['suppressions-location'],
    jobs,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
