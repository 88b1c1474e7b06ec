/**
 * The shape of a rule and the helpers rules share (locations, values, wording).
 */
import * as path from 'node:path';
import type { FixDescriptor, Finding, RelatedLocation, RuleId, Severity } from './findings';
import type { Access, AccessKind, Language, ModuleModel, Range, StartMethod } from './model';
import { splitSymbolKey, type SymbolKey } from './link';
import { reimportDefaultsWords } from './pythonDefaults';
import { frameworkOfSystem, workerWords } from '../frameworks/python';
import { posOrder, type AccessRecord, type Program, type ProjectGraph, type SpawnRecord, type WorkerReason } from './contexts';
import { startOfSite } from '../frameworks/js';

export interface Rule {
  id: RuleId;
  defaultSeverity: Severity;
  /** one line, for SARIF and the README */
  description: string;
  languages: Language[];
  check(ctx: RuleContext): void;
}

export type FindingInput = Omit<Finding, 'severity' | 'fixes' | 'rule'> & { fixes?: FixDescriptor[] };

export interface RuleContext {
  graph: ProjectGraph;
  /** the current text of an analysed file (for initial-value snippets in messages) */
  text(file: string): string | undefined;
  report(f: FindingInput): void;
  /** the lowest Python version the project supports ("3.12"), when known: sharpens the start-method words */
  pythonVersion?: string;
}

export function isWrite(kind: AccessKind): boolean {
  return kind !== 'read';
}

/**
 * Whether an access writes `sym` as far as the engine knows. Python `X.set()` / `X.add()`
 * on an instance of a class of the project's that defines that method runs the method,
 * whose effect is its own (it may set a shared event, or mirror state handed over), like
 * any other method call, which is never counted as a write.
 */
export function isKnownWrite(graph: ProjectGraph, sym: SymbolKey, r: AccessRecord): boolean {
  const a = r.access;
  if (!isWrite(a.kind)) return false;
  return !(r.module.language === 'python' && a.kind === 'mutate-call' && a.detail && graph.holdsInstanceWithMethod(sym, a.detail));
}

/** Python mutating methods whose result is the old contents: a read as well as a write. */
const VALUE_MUTATORS = new Set(['pop', 'popitem', 'popleft', 'setdefault']);

/**
 * Whether an access reads the binding's value: a plain read, or (Python) `pop()` /
 * `setdefault()`. The JS front end lists a separate read when `pop()`/`shift()`/`x++`'s value is used.
 */
export function readsValue(r: AccessRecord): boolean {
  const a = r.access;
  if (a.kind === 'read') return true;
  return r.module.language === 'python' && a.kind === 'mutate-call' && !!a.detail && VALUE_MUTATORS.has(a.detail);
}

/** `main.py:8` relative to the file the message is about. */
export function where(fromFile: string, file: string, range: Range): string {
  let rel = path.relative(path.dirname(fromFile), file) || path.basename(file);
  rel = rel.split(path.sep).join('/');
  return `${rel}:${range.start.line + 1}`;
}

export function related(file: string, range: Range, message: string): RelatedLocation {
  return { file, range, message };
}

export function symbolName(sym: SymbolKey): string {
  return splitSymbolKey(sym).name;
}

/**
 * The source text of a binding's initial value (`None`, `{ mode: 'slow' }`), short, for
 * messages; undefined when it cannot be read off the declaration line.
 */
export function initialValue(ctx: RuleContext, sym: SymbolKey): string | undefined {
  // per model: it depends on the file's text alone (which the language server may have to
  // read again from disk), and every analysis after an edit asks again for every finding
  const m = ctx.graph.modules.get(splitSymbolKey(sym).file);
  let memo = m && initialValues.get(m);
  if (m && !memo) initialValues.set(m, (memo = new Map()));
  if (memo?.has(sym)) return memo.get(sym);
  const v = readInitialValue(ctx, sym);
  memo?.set(sym, v);
  return v;
}

const initialValues = new WeakMap<ModuleModel, Map<SymbolKey, string | undefined>>();

function readInitialValue(ctx: RuleContext, sym: SymbolKey): string | undefined {
  const { file, name } = splitSymbolKey(sym);
  const b = ctx.graph.linker.binding(sym);
  const text = ctx.text(file);
  if (!text) return undefined;
  const lines = text.split(/\r?\n/);
  let line: string | undefined;
  let from = 0;
  if (b) {
    line = lines[b.range.start.line];
    from = b.range.end.character;
  } else {
    // `module.exports.NAME = value` / `exports.NAME = value`
    const i = lines.findIndex((l) => new RegExp(`^\\s*(module\\.)?exports\\.${escapeRe(name)}\\s*=`).test(l));
    if (i < 0) return undefined;
    line = lines[i];
    from = line.indexOf(name) + name.length;
  }
  if (line === undefined) return undefined;
  const rest = line.slice(from);
  const m = /^\s*(?::[^=]*)?=(?!=)\s*(.+?)\s*;?\s*(?:(?:#|\/\/).*)?$/.exec(rest);
  if (!m) return undefined;
  const v = m[1];
  if (!v || v === '{' || v === '[' || v === '(') return undefined;
  return v.length > 40 ? v.slice(0, 37) + '…' : v;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function accessVerb(a: Access): string {
  switch (a.kind) {
    case 'assign':
      return 'assigns';
    case 'update':
      return 'updates';
    case 'mutate-call':
      return a.detail ? `calls .${a.detail}() on` : 'mutates';
    case 'item-assign':
      if (!a.detail) return 'sets an item of';
      return a.detail.startsWith('[') ? `sets item ${a.detail} of` : `sets .${a.detail.replace(/^\./, '')} of`;
    default:
      return 'reads';
  }
}

export function describeWorker(rec: SpawnRecord): string {
  const lang = rec.module.language;
  if (lang === 'js') return startOfSite(rec.site)?.workerWords ?? 'a worker thread';
  if (rec.site.system === 'InterpreterPoolExecutor') return 'worker interpreters';
  const words = workerWords(rec.site.system) ?? 'worker processes';
  return rec.site.isProcess === 'maybe' ? `${words} (${frameworkOfSystem(rec.site.system)?.maybeWhen ?? 'if the executor is a process pool'})` : words;
}

/** Start methods a Python bug shows under, as words. */
export function startMethodWords(sm: StartMethod | undefined, pythonVersion?: string, by?: string): string {
  if (!sm) return `under spawn and forkserver ${reimportDefaultsWords(pythonVersion)}`;
  // a framework that always starts fresh interpreters (loky, sub-interpreters), whatever the program sets
  if (by) return `as under the '${sm}' start method (${by} workers start as fresh interpreters)`;
  return `under the '${sm}' start method pinned here`;
}

/**
 * Whether a worker-side access is worker set-up: code of an initializer (or a Node worker
 * module's top level), or a task's head assignment from its own parameter
 * (`def task(x, limit): global LIMIT; LIMIT = limit`), the parent having handed the value over.
 */
export function isSetUp(graph: ProjectGraph, prog: Program, r: AccessRecord): boolean {
  if (prog.init.has(r.key)) return true;
  if (!r.access.fromParam) return false;
  return prog.spawns.some((s) => s.site.tasks.some((t) => graph.unitsOfTask(s.module, t).includes(r.key)));
}

/** One finding per access: several programs may reach the same read. */
export function onceKey(r: AccessRecord): string {
  return `${r.key}@${r.access.range.start.line}:${r.access.range.start.character}`;
}

export function moduleOf(ctx: RuleContext, file: string): ModuleModel | undefined {
  return ctx.graph.modules.get(file);
}

/**
 * One finding per cause (SPEC §3): the accesses of one symbol by the workers of one start,
 * in one file, collected in the order found and reported together at the first of them
 * (by position in the file), the others as related locations.
 */
export class CauseGroups<T> {
  private readonly groups = new Map<string, { recs: AccessRecord[]; why: WorkerReason; data: T }>();
  private readonly seen = new Set<string>();

  /** Adds `r` to its group (created with `data` when new); false when `r` was already taken. */
  add(sym: SymbolKey, r: AccessRecord, why: WorkerReason, data: () => T): boolean {
    const once = onceKey(r);
    if (this.seen.has(once)) return false;
    this.seen.add(once);
    const rec = why.spawn;
    const key = `${sym}|${rec.module.path}@${rec.site.range.start.line}:${rec.site.range.start.character}|${r.module.path}`;
    const g = this.groups.get(key);
    if (g) g.recs.push(r);
    else this.groups.set(key, { recs: [r], why, data: data() });
    return true;
  }

  /** The groups, each with its accesses sorted by position (the first is where the finding goes). */
  *entries(): Generator<{ first: AccessRecord; others: AccessRecord[]; why: WorkerReason; data: T }> {
    for (const g of this.groups.values()) {
      const sorted = [...g.recs].sort((a, b) => posOrder(a.access.range.start) - posOrder(b.access.range.start));
      yield { first: sorted[0], others: sorted.slice(1), why: g.why, data: g.data };
    }
  }
}

/** " The same workers also read 'X' at lines 14, 20." — the rest of a grouped finding, for messages. */
export function moreText(others: AccessRecord[], verb: string, name: string): string {
  if (others.length === 0) return '';
  const lines = [...new Set(others.map((o) => o.access.range.start.line + 1))];
  return ` The same workers also ${verb} '${name}' at line${lines.length > 1 ? 's' : ''} ${lines.join(', ')} of this file.`;
}
