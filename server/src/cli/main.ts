/**
 * `crossproc` — the command-line entry point (SPEC §6). Exit codes: 0 clean (errors: none,
 * warnings within --max-warnings), 1 findings fail the run, 2 usage/configuration/I-O error.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import pkg from '../../../package.json';
import { HELP, UsageError, parseCliArgs, type CliOptions } from './args';
import { Progress, analyzePaths } from './analyze';
import { formatGithub } from './format/github';
import { formatGitlab } from './format/gitlab';
import { formatJson } from './format/json';
import { formatJunit } from './format/junit';
import { displayPath, skipNote, type Report } from './format/report';
import { formatSarif } from './format/sarif';
import { formatStatisticsJson, formatStatisticsText } from './format/statistics';
import { formatStylish } from './format/stylish';
import { runGraph } from './graph';
import { useColor } from './color';
import { unifiedDiff } from './diff';
import { parseRuleArgs, runRuleCommand } from './rule';
import { rememberBudgets } from '../shared/budget';

/** The package root: `dist/..` in the build (where `rules/` and README.md are shipped). */
const PACKAGE_ROOT = path.join(__dirname, '..');

function render(options: CliOptions, report: Report, color: boolean): string {
  if (options.statistics) {
    if (options.format === 'json') return formatStatisticsJson(report, options.statistics);
    if (report.findings.length > 0) return formatStatisticsText(report, options.statistics);
  }
  switch (options.format) {
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, { exitCode: exitCodeFor(report, options.maxWarnings), checkout: process.env['GITHUB_WORKSPACE'] });
    case 'github':
      return formatGithub(report, process.env['GITHUB_WORKSPACE']);
    case 'gitlab':
      return formatGitlab(report, process.env['CI_PROJECT_DIR']);
    case 'junit':
      return formatJunit(report);
    case 'stylish':
      return formatStylish(report, color, options.quiet);
  }
}

/** Writes the report for -o (creating missing folders); returns why not on failure. */
async function writeOutputFile(file: string, text: string): Promise<string | undefined> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
    return undefined;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return e.code === 'EISDIR' ? 'it is a folder' : e.code === 'EACCES' ? 'permission denied' : (e.message ?? String(error));
  }
}

/** Exit code for a run's findings (after --quiet filtering). */
export function exitCodeFor(report: Report, maxWarnings: number | undefined): 0 | 1 {
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  if (errors > 0) return 1;
  if (maxWarnings !== undefined && warnings > maxWarnings) return 1;
  return 0;
}

/** `crossproc rule ID|--all`: prints rule docs (a folder named `rule` is analysed as `./rule`). */
async function ruleMain(argv: readonly string[]): Promise<number> {
  try {
    const command = parseRuleArgs(argv);
    process.stdout.write(await runRuleCommand(command, PACKAGE_ROOT, useColor(command.color, process.stdout)));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`crossproc: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'graph') {
    try {
      process.stdout.write(await runGraph(argv.slice(1), process.cwd()));
      return 0;
    } catch (error) {
      if (error instanceof UsageError) {
        process.stderr.write(`crossproc: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
  }
  if (argv[0] === 'rule') return ruleMain(argv.slice(1));
  let options: CliOptions;
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`crossproc: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (options.version) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const started = performance.now();
  const cwd = process.cwd();
  const progress = new Progress(process.stderr.isTTY ? process.stderr : undefined);
  let result;
  try {
    const stdinText = options.stdinFilename === undefined ? undefined : await readStdin();
    result = await analyzePaths(options, cwd, progress, stdinText);
  } catch (error) {
    progress.clear();
    if (error instanceof UsageError) {
      process.stderr.write(`crossproc: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  progress.clear();
  for (const warning of result.warnings) process.stderr.write(`crossproc: ${warning}\n`);
  // '-' with --fix: the fixed text is the output (as `ruff check --fix -`); the report goes to stderr
  const toStderr = result.stdinOutput !== undefined;
  if (result.stdinOutput !== undefined) process.stdout.write(result.stdinOutput);
  if (result.fixed) {
    const n = result.fixed.files.length;
    const verb = options.diff ? 'would apply' : 'applied';
    process.stderr.write(`crossproc: ${verb} ${result.fixed.applied} fix${result.fixed.applied === 1 ? '' : 'es'} in ${n} file${n === 1 ? '' : 's'}.\n`);
    for (const r of result.fixed.refused) process.stderr.write(`crossproc: not writing '${displayPath(cwd, r.file)}': ${r.reason}.\n`);
  }
  if (options.diff && result.fixed) {
    // --diff / --fix-dry-run: the patch is the output; exit 1 when there is something to fix, as `ruff --diff`
    const changes = [...result.fixed.changes].sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : 0));
    const patch = changes.map((c) => unifiedDiff(displayPath(cwd, c.file), c.before, c.after, 3, c.created === true)).join('');
    return emit(options, cwd, patch, patch === '' ? 0 : 1);
  }
  const report: Report = {
    findings: result.findings,
    cwd,
    stats: { files: result.files, skipped: result.skipped.length, durationMs: Math.round(performance.now() - started) },
    skipped: result.skipped,
    packageRoot: PACKAGE_ROOT,
    version: pkg.version,
  };
  // the stylish footer lists them; for machine formats the note about a file the user named goes to stderr too
  if (options.format !== 'stylish') {
    for (const s of report.skipped) if (s.explicit) process.stderr.write(`crossproc: note: ${skipNote(cwd, s)}.\n`);
  }
  // a file gets colour only when --color asks for it: FORCE_COLOR and the terminal are about stdout
  const color = options.outputFile !== undefined ? options.color === true : useColor(options.color, toStderr ? process.stderr : process.stdout);
  let text = render(options, report, color);
  const code = exitCodeFor(report, options.maxWarnings);
  if (options.format === 'stylish' && options.maxWarnings !== undefined && code === 1 && !report.findings.some((f) => f.severity === 'error')) {
    text += `Crossproc found too many warnings (maximum: ${options.maxWarnings}).\n`;
  }
  return emit(options, cwd, text, code, toStderr);
}

/** Standard input as UTF-8 text (a BOM dropped). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** Writes the output to stdout (stderr when stdout holds fixed text) or the -o file; returns the exit code (2 when the file cannot be written). */
async function emit(options: CliOptions, cwd: string, text: string, code: number, toStderr = false): Promise<number> {
  if (options.outputFile === undefined) {
    (toStderr ? process.stderr : process.stdout).write(text);
    return code;
  }
  const why = await writeOutputFile(path.resolve(cwd, options.outputFile), text);
  if (why) {
    process.stderr.write(`crossproc: cannot write the report to '${options.outputFile}': ${why}.\n`);
    return 2;
  }
  return code;
}

// a run keeps every text it read: a large file's token count is taken once, not at every check
rememberBudgets();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // An internal failure is an error of ours, not a finding: exit 2 with one line, and
    // the stack only when asked for.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`crossproc: internal error: ${message.split('\n')[0]}. Please report it (set CROSSPROC_DEBUG=1 for details).\n`);
    if (process.env['CROSSPROC_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 2;
  },
);
