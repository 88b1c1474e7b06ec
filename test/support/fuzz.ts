/**
 * Fuzzing the engine with fast-check: a fixture's file, mutated (byte flips, truncation,
 * line deletion/duplication, token splices, 10,000-deep nesting, NUL, invalid UTF-8, CR and
 * CRLF line ends, a BOM, long and non-ASCII identifiers, huge lines), goes through the
 * whole pipeline with the rest of its fixture: parse, model, link, rules, every offered
 * fix, hover. Properties: nothing throws (an internal error a front end catches and records
 * counts too), each input costs at most 2 s of CPU, every range points inside its
 * document, and every fix applies and gives a text that parses again (cleanly when the
 * input did). `npm run fuzz` runs it at length; test/fuzz.test.ts a seeded, bounded run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { explainAt } from '../../server/src/engine/explain';
import type { Finding } from '../../server/src/engine/findings';
import type { Range } from '../../server/src/engine/model';
import { Project } from '../../server/src/engine/project';
import { applyFix, computeFix } from '../../server/src/fixes';
import { listFixtures, listSourceFiles, type FixtureLang } from './fixtures';

/** CPU time one input may cost (parse + model + link + rules + fixes + hovers). */
export const MAX_INPUT_CPU_MS = 2000;

/** One fixture folder: its files and the one that gets mutated. */
interface Subject {
  lang: FixtureLang;
  files: Map<string, string>;
  target: string;
}

/** Every fixture file is a subject (with its folder's other files beside it). */
export function loadSubjects(): Subject[] {
  const out: Subject[] = [];
  for (const lang of ['python', 'js'] as FixtureLang[]) {
    for (const fx of listFixtures(lang)) {
      const files = new Map(listSourceFiles(fx.dir).map((f) => [f, fs.readFileSync(f, 'utf8')] as [string, string]));
      for (const target of files.keys()) out.push({ lang, files, target });
    }
  }
  return out;
}

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete-line'; at: number }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'splice'; at: number; token: string }
  | { kind: 'nest'; at: number; depth: number; open: string }
  | { kind: 'nul'; at: number }
  | { kind: 'invalid-utf8'; at: number }
  | { kind: 'line-ends'; to: '\r\n' | '\r' }
  | { kind: 'bom' }
  | { kind: 'long-identifier'; at: number; length: number }
  | { kind: 'unicode-identifier'; at: number; name: string }
  | { kind: 'huge-line'; at: number; length: number };

/** Tokens worth splicing in: the keywords and calls the front ends key on, and brackets. */
const TOKENS = [
  'global ', 'nonlocal ', 'def ', 'class ', 'lambda: ', 'import ', 'from ', ' as ', 'if __name__ == "__main__":\n', 'with ', 'async ',
  'await ', 'yield ', 'return ', 'Pool(', 'Process(target=', '.map(', '.submit(', 'initializer=', 'Manager()', 'threading.Lock()',
  'json.dumps(', '\u2028', '\u2029', '\u0085', 'function ', '=> ', 'const ', 'let ', 'var ', 'new Worker(', 'require(', 'module.exports', 'export ', 'isMainThread',
  'workerData', 'parentPort.postMessage(', 'fork(', 'cluster.', '`${', '}`', '(', ')', '[', ']', '{', '}', ':', ';', ',', '.', '=',
  '"', "'", '#', '//', '/*', '*/', '\\', '\n', '\t', '    ', '@', '**', '...', '?.', '!',
];

const NEST_OPENERS = ['(', '[', '{', 'f(', 'not ', '-', 'a.', 'lambda: ', '(() => '];

/** A mutation at a position given as a fraction of the text, so shrinking keeps it meaningful. */
export function mutationArbitrary(heavy: boolean): fc.Arbitrary<Mutation> {
  const at = fc.double({ min: 0, max: 1, noNaN: true });
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('delete-line' as const), at }),
    fc.record({ kind: fc.constant('duplicate-line' as const), at }),
    fc.record({ kind: fc.constant('splice' as const), at, token: fc.constantFrom(...TOKENS) }),
    fc.record({ kind: fc.constant('nest' as const), at, depth: heavy ? fc.constantFrom(100, 1000, 10_000) : fc.constantFrom(50, 500), open: fc.constantFrom(...NEST_OPENERS) }),
    fc.record({ kind: fc.constant('nul' as const), at }),
    fc.record({ kind: fc.constant('invalid-utf8' as const), at }),
    fc.record({ kind: fc.constant('line-ends' as const), to: fc.constantFrom('\r\n' as const, '\r' as const) }),
    fc.record({ kind: fc.constant('bom' as const) }),
    fc.record({ kind: fc.constant('long-identifier' as const), at, length: heavy ? fc.constantFrom(1000, 100_000) : fc.constantFrom(300, 5000) }),
    fc.record({ kind: fc.constant('unicode-identifier' as const), at, name: fc.constantFrom('données', 'π', 'ĳ_x', '变量', 'ℌ', 'x\u0301', '𝓍', 'ﬁle') }),
    fc.record({ kind: fc.constant('huge-line' as const), at, length: heavy ? fc.constantFrom(100_000, 1_000_000) : fc.constantFrom(2000, 20_000) }),
  );
}

/** The closing counterpart of a nesting opener. */
function closerOf(open: string): string {
  if (open === '(' || open === 'f(') return ')';
  if (open === '[') return ']';
  if (open === '{') return '}';
  if (open === '(() => ') return ')';
  return '';
}

/** Applies a mutation to a text. */
export function mutate(text: string, m: Mutation): string {
  const pos = 'at' in m ? Math.min(text.length, Math.floor(m.at * (text.length + 1))) : 0;
  const lines = text.split('\n');
  const lineAt = 'at' in m ? Math.min(lines.length - 1, Math.floor(m.at * lines.length)) : 0;
  switch (m.kind) {
    case 'flip': {
      // a bit of the UTF-8 encoding flips; undecodable bytes become U+FFFD, as an editor shows them
      const bytes = Buffer.from(text, 'utf8');
      if (bytes.length === 0) return text;
      const i = Math.min(bytes.length - 1, Math.floor(m.at * bytes.length));
      bytes[i] = bytes[i]! ^ (1 << m.bit);
      return bytes.toString('utf8');
    }
    case 'truncate':
      return text.slice(0, pos);
    case 'delete-line':
      return [...lines.slice(0, lineAt), ...lines.slice(lineAt + 1)].join('\n');
    case 'duplicate-line':
      return [...lines.slice(0, lineAt + 1), ...lines.slice(lineAt)].join('\n');
    case 'splice':
      return text.slice(0, pos) + m.token + text.slice(pos);
    case 'nest': {
      const line = lines[lineAt]!;
      const indent = /^\s*/.exec(line)![0];
      const nested = `${indent}x = ${m.open.repeat(m.depth)}1${closerOf(m.open).repeat(m.depth)}`;
      return [...lines.slice(0, lineAt), nested, ...lines.slice(lineAt)].join('\n');
    }
    case 'nul':
      return `${text.slice(0, pos)}\u0000${text.slice(pos)}`;
    case 'invalid-utf8':
      // what a lenient reader makes of invalid UTF-8 (a replacement character), or a lone surrogate
      return `${text.slice(0, pos)}${pos % 2 ? '\ufffd' : '\ud800'}${text.slice(pos)}`;
    case 'line-ends':
      return text.replace(/\r\n|\r|\n/g, m.to);
    case 'bom':
      return `\ufeff${text}`;
    case 'long-identifier':
      return `${text.slice(0, pos)}${'x'.repeat(m.length)}${text.slice(pos)}`;
    case 'unicode-identifier':
      return `${text.slice(0, pos)}${m.name}${text.slice(pos)}`;
    case 'huge-line': {
      const line = lines[lineAt]!;
      const indent = /^\s*/.exec(line)![0];
      return [...lines.slice(0, lineAt), `${indent}y = "${'z'.repeat(m.length)}" + str(${'1 + '.repeat(m.length / 1000)}1)`, ...lines.slice(lineAt)].join('\n');
    }
  }
}

/** LSP lines: split on CRLF, CR or LF. */
function lspLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Why `range` is not inside `text` (LSP positions: UTF-16 columns), or undefined. */
export function rangeProblem(text: string, range: Range): string | undefined {
  const lines = lspLines(text);
  const inside = (p: { line: number; character: number }) =>
    Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0 &&
    p.line < lines.length && p.character <= lines[p.line]!.length;
  if (!inside(range.start)) return `start ${range.start.line}:${range.start.character} outside (${lines.length} lines)`;
  if (!inside(range.end)) return `end ${range.end.line}:${range.end.character} outside (${lines.length} lines)`;
  const { start, end } = range;
  if (start.line > end.line || (start.line === end.line && start.character > end.character)) return 'start after end';
  return undefined;
}

/** Model problems that are internal errors the front ends caught (not syntax errors in the input). */
function internalProblems(project: Project, file: string): string[] {
  return (project.model(file)?.problems ?? [])
    .map((p) => p.message)
    .filter((msg) => /analysis failed|internal error|scan failed|not initialised/i.test(msg));
}

function hasSyntaxProblems(project: Project, file: string): boolean {
  return (project.model(file)?.problems ?? []).length > 0;
}

export interface CheckOutcome {
  /** property violations, one line each; empty when the input is fine */
  problems: string[];
  cpuMs: number;
}

/**
 * Runs one mutated text through the pipeline in `project` (which holds the subject's
 * other files) and checks the properties; `checker` is a spare project the fixed texts are
 * parsed in. Restores nothing: the caller does.
 */
export function checkInput(project: Project, checker: Project, subject: Subject, text: string): CheckOutcome {
  const problems: string[] = [];
  const started = process.cpuUsage();
  const cpu = () => {
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
  const file = subject.target;
  const textOf = (f: string) => (f === file ? text : project.text(f) ?? subject.files.get(f) ?? '');
  try {
    project.updateFile(file, text);
    for (const p of internalProblems(project, file)) problems.push(`front end: ${p}`);
    const cleanInput = !hasSyntaxProblems(project, file);
    const findings: Finding[] = project.analyze();
    for (const e of project.lastErrors.splice(0)) problems.push(`rule crashed: ${e.split('\n')[0]}`);
    const graph = project.graph();
    for (const f of findings) {
      const where = rangeProblem(textOf(f.file), f.range);
      if (where) problems.push(`${f.rule} on ${path.basename(f.file)}: range ${where}`);
      for (const r of f.related) {
        const rw = rangeProblem(textOf(r.file), r.range);
        if (rw) problems.push(`${f.rule} related in ${path.basename(r.file)}: range ${rw}`);
      }
      for (const d of f.fixes) {
        const edit = computeFix({ graph, text: (p) => project.text(p) }, f, d.kind);
        if (!edit) {
          problems.push(`${f.rule}: fix ${d.kind} offered but computes nothing`);
          continue;
        }
        for (const change of edit.changes) {
          for (const e of change.edits) {
            const ew = rangeProblem(textOf(change.file), e.range);
            if (ew) problems.push(`fix ${d.kind}: edit range in ${path.basename(change.file)} ${ew}`);
          }
        }
        let out: Map<string, string>;
        try {
          out = applyFix(edit, (p) => project.text(p));
        } catch (error) {
          problems.push(`fix ${d.kind}: does not apply: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        // the fixed text parses again (without new syntax problems when the input had none)
        for (const [p, t] of out) {
          checker.updateFile(p, t);
          for (const ip of internalProblems(checker, p)) problems.push(`fix ${d.kind}: re-parse: ${ip}`);
          if (cleanInput && p === file && hasSyntaxProblems(checker, p)) problems.push(`fix ${d.kind}: the fixed text no longer parses`);
          checker.removeFile(p);
        }
      }
    }
    // hovers: on every finding of the file, and on a spread of positions
    const lines = lspLines(text);
    const positions = findings.filter((f) => f.file === file).map((f) => f.range.start);
    for (let i = 0; i < 8; i++) {
      const line = Math.floor((i * lines.length) / 8);
      positions.push({ line, character: Math.floor((lines[line]?.length ?? 0) / 2) });
    }
    for (const position of positions) {
      const hover = explainAt({ graph, file, position, findings, docUrl: (r) => `doc:${r}` });
      if (hover) {
        const hw = rangeProblem(text, hover.range);
        if (hw) problems.push(`hover at ${position.line}:${position.character}: range ${hw}`);
      }
    }
  } catch (error) {
    problems.push(`threw: ${error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 3).join(' | ') : String(error)}`);
  }
  const cpuMs = cpu();
  if (cpuMs > MAX_INPUT_CPU_MS) problems.push(`took ${cpuMs.toFixed(0)} ms of CPU (limit ${MAX_INPUT_CPU_MS})`);
  return { problems, cpuMs };
}

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** also the expensive mutations (10,000-deep nesting, megabyte lines) */
  heavy?: boolean;
  /** progress, every ~1,000 inputs */
  log?: (line: string) => void;
}

export interface FuzzReport {
  inputs: number;
  /** the slowest input, in CPU ms */
  maxCpuMs: number;
  /** fast-check's failure report (counterexample shrunk), or undefined */
  failure?: string;
}

/**
 * Runs `runs` inputs: a subject (fixture file) and 1-4 mutations each. One project per
 * fixture folder is reused (the mutated file is put back after each input), so an input
 * costs what an edit in the editor costs.
 */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const subjects = loadSubjects();
  const projects = new Map<Map<string, string>, Project>();
  const checker = await Project.create();
  for (const s of subjects) {
    if (projects.has(s.files)) continue;
    const p = await Project.create();
    for (const [f, t] of s.files) p.updateFile(f, t);
    projects.set(s.files, p);
  }
  let inputs = 0;
  let maxCpuMs = 0;
  const arbitrary = fc.record({
    subject: fc.integer({ min: 0, max: subjects.length - 1 }),
    mutations: fc.array(mutationArbitrary(options.heavy === true), { minLength: 1, maxLength: 4 }),
  });
  const result = fc.check(
    fc.property(arbitrary, ({ subject: index, mutations }) => {
      const subject = subjects[index]!;
      const project = projects.get(subject.files)!;
      let text = subject.files.get(subject.target)!;
      for (const m of mutations) text = mutate(text, m);
      const outcome = checkInput(project, checker, subject, text);
      project.updateFile(subject.target, subject.files.get(subject.target)!);
      inputs++;
      maxCpuMs = Math.max(maxCpuMs, outcome.cpuMs);
      if (inputs % 1000 === 0) options.log?.(`${inputs} inputs, slowest ${maxCpuMs.toFixed(0)} ms CPU`);
      if (outcome.problems.length > 0) throw new Error(`${path.relative(process.cwd(), subject.target)}: ${outcome.problems.join('; ')}`);
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: false },
  );
  const error = result.failed ? result.errorInstance : undefined;
  const why = error instanceof Error ? error.message : error === undefined ? '' : String(error);
  return { inputs, maxCpuMs, failure: result.failed ? `${fc.defaultReportMessage(result)}\n${why}` : undefined };
}
