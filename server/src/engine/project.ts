/**
 * The engine's entry point, shared by the language server, the CLI and the tests: a set
 * of files with cached per-file models (re-parsed only when their text changes), linked
 * and checked on demand. After an edit, linking patches the previous graph: it re-links
 * the edited file and what read its interface, not the workspace.
 */
import * as fs from 'node:fs';
import type { AnalysisOptions, Finding, RuleId, Severity } from './findings';
import type { Language, ModuleModel, Range } from './model';
import { ProjectGraph } from './contexts';
import { compactModel, internModel, plainRange, type Span } from './compact';
import type { FindingInput, Rule, RuleContext } from './rule';
import { RULES } from '../../../rules';
import { lazyFacts as deferJsFacts, parseJs } from '../js/frontend';
import { deferFacts as deferPythonFacts, hasFlowFacts, initPython, parsePython, type PythonParseOptions } from '../python/frontend';
import type { PreviousTree } from '../python/reparse';
import { jsFrontEndText, languageOf } from './language';
import { describeFixes } from '../fixes';
import { isNotebookPath, isNotebookSource } from '../notebook/cells';
import { notebookJsonToSource } from '../notebook/ipynb';
import { OVER_BUDGET_NOTE, TOO_DEEP_NOTE, isOverBudget, ranOutOfStack } from '../shared/budget';

/** Python documents whose last tree a project keeps for incremental parsing (see Project.trees) */
const MAX_TREES = 8;

/** Python source (UTF-16 units) a project extracts value-flow facts for; see {@link Project.parse} */
export const FLOW_FACTS_BYTES = 4_000_000;

export interface CancellationLike {
  readonly isCancellationRequested: boolean;
}

export { isAnalyzable, jsFrontEndText, languageOf } from './language';

interface FileEntry {
  /** the text, unless released ({@link Project.releaseText}): then re-read from disk when asked for */
  text?: string;
  /** of a released text: its length and hash, to tell an edit (and a changed disk file) from the same text */
  length?: number;
  hash?: number;
  version?: number;
  model: ModuleModel;
}

/** A finding a suppression comment silenced: where (0-based line) and which rule. */
export interface SuppressedHit {
  file: string;
  line: number;
  rule: RuleId;
}

/**
 * A model extracted outside the project (a worker thread of the CLI, cli/modelPool.ts) from
 * {@link projectText} of a file: plain data (it was structured-cloned), its value-flow facts
 * not yet deferred — the project decides that, as {@link Project.updateFile} does when it parses.
 */
export interface ExtractedModel {
  model: ModuleModel;
  /** the front end deferred the model's value-flow facts (to be extracted on first read); the clone dropped them */
  deferredFacts: boolean;
  /** makes the spans of the model's ranges (compact.ts, compactModel), when they crossed threads in another form */
  makeSpan?: (r: Range) => Span;
}

/**
 * The text a project holds (and parses) for a file's contents: a notebook's .ipynb JSON
 * becomes its cells' Python text (notebook/cells.ts), lone CRs become LFs.
 */
export function projectText(file: string, text: string): string {
  // a notebook arrives as its .ipynb JSON (from disk) or as the cells' Python text (an
  // editor's cells, a fix's result): the project holds the Python text
  if (isNotebookPath(file) && !isNotebookSource(text)) text = notebookJsonToSource(text);
  return normalizeLoneCarriageReturns(text);
}

/** Thrown by {@link Project.analyze} when the token asks to stop. */
export class AnalysisCancelled extends Error {
  constructor() {
    super('analysis cancelled');
  }
}

export class Project {
  private readonly entries = new Map<string, FileEntry>();
  private options: AnalysisOptions;
  private cached?: Finding[];
  private pythonReady: boolean;
  /** the models by file, in the order files were added (the graph's merged lists follow it) */
  private readonly models = new Map<string, ModuleModel>();
  /** the last graph built; the next one patches it unless {@link rebuild} */
  private lastGraph?: ProjectGraph;
  private graphStale = true;
  /** files whose model changed since {@link lastGraph} */
  private readonly changed = new Set<string>();
  /** a file was added or removed, or the start method changed: patching cannot follow */
  private rebuild = true;
  /** files parsed with value-flow facts, and their size */
  private readonly factsFiles = new Set<string>();
  private factsBytes = 0;
  /** files not analysed (over the per-file budget, or too deep for a front end), and why: kept with an empty model */
  private readonly notAnalysed = new Map<string, string>();

  private constructor(options: AnalysisOptions, pythonReady: boolean, private readonly allFlowFacts: boolean) {
    this.options = options;
    this.pythonReady = pythonReady;
  }

  /**
   * Loads the Python parser (wasm) once; JS needs no setup. `allFlowFacts`: value-flow
   * facts for every Python file, however large the project (`crossproc graph`).
   */
  static async create(options: AnalysisOptions = {}, allFlowFacts = false): Promise<Project> {
    let ready = true;
    try {
      await initPython();
    } catch {
      ready = false;
    }
    return new Project(options, ready, allFlowFacts);
  }

  setOptions(options: AnalysisOptions): void {
    if ((options.startMethod ?? 'portable') !== (this.options.startMethod ?? 'portable')) {
      this.rebuild = true;
      this.graphStale = true;
    }
    this.options = options;
    this.cached = undefined;
  }

  /**
   * Adds or updates a file; parses only when the text (or version) changed. Returns whether
   * it changed. `extracted`: the model of {@link projectText}(file, text), made elsewhere
   * by the same front end (then not parsed here).
   */
  updateFile(file: string, text: string, version?: number, extracted?: ExtractedModel): boolean {
    const lang = languageOf(file);
    if (!lang) return false;
    text = projectText(file, text);
    const cur = this.entries.get(file);
    if (cur && sameText(cur, text)) {
      // an editor's document keeps its text (fixes and hover read it at every request)
      if (version !== undefined) cur.text = text;
      cur.version = version;
      return false;
    }
    // the budget is checked here, before any parsing, so no caller can hand in unbounded work
    let skip = isOverBudget(text) ? OVER_BUDGET_NOTE : undefined;
    let model = skip ? emptyModel(file, lang) : this.parse(file, text, lang, extracted, version !== undefined);
    if (!skip && ranOutOfStack(model.problems)) {
      skip = TOO_DEEP_NOTE;
      model = emptyModel(file, lang);
    }
    // a model made elsewhere was structured-cloned: its arrays are exact already, its ranges plain or numbers (cli/modelTransfer.ts)
    if (!skip) compactModel(model, !extracted, extracted?.makeSpan);
    if (skip) {
      model.problems.push({ range: model.units[0]!.range, message: `not analysed: ${skip}` });
      this.notAnalysed.set(file, skip);
    } else {
      this.notAnalysed.delete(file);
    }
    this.entries.set(file, { text, version, model });
    this.models.set(file, model);
    // a new file can change how any import resolves: only edits are patched in
    if (cur) this.changed.add(file);
    else this.rebuild = true;
    this.cached = undefined;
    this.graphStale = true;
    return true;
  }

  /**
   * `editing`: the text is an editor's (it has a version): its tree is kept, and the next
   * edit parses from it ({@link trees}).
   */
  private parse(file: string, text: string, lang: Language, extracted: ExtractedModel | undefined, editing = false): ModuleModel {
    if (lang === 'python') {
      if (!this.pythonReady) return emptyModel(file, 'python', 'the Python parser could not be loaded');
      // value-flow facts cost about a fifth of the front end: a project gets them for its
      // first FLOW_FACTS_BYTES of Python (and always for files that start processes); past
      // that, files are outside the value-flow program, like external modules
      const full = this.allFlowFacts || this.factsFiles.has(file) || this.factsBytes < FLOW_FACTS_BYTES;
      let model: ModuleModel;
      if (extracted && !this.allFlowFacts) {
        // extracted as with `flowFacts: true, lazyFlowFacts: true`: the facts were deferred
        // exactly when 'if-spawns' would leave them out, so this is what parsePython gives
        model = extracted.model;
        if (extracted.deferredFacts && full) deferPythonFacts(model, text);
        this.dropTree(file)?.tree.delete();
      } else {
        // `crossproc graph` reads every module's facts: no point deferring them there
        const previous = this.dropTree(file);
        const trees: PythonParseOptions['trees'] = editing ? { previous } : undefined;
        try {
          model = parsePython(file, text, { flowFacts: full ? true : 'if-spawns', lazyFlowFacts: !this.allFlowFacts, trees });
        } finally {
          previous?.tree.delete();
        }
        if (trees?.next) this.keepTree(file, { tree: trees.next, text });
      }
      if (hasFlowFacts(model) && !this.factsFiles.has(file)) {
        this.factsFiles.add(file);
        this.factsBytes += text.length;
      }
      return model;
    }
    if (extracted) {
      if (extracted.deferredFacts) deferJsFacts(extracted.model, file, jsFrontEndText(text));
      return extracted.model;
    }
    return parseJs(file, jsFrontEndText(text));
  }

  /**
   * The last trees of Python documents being edited, least recently parsed first (at most
   * {@link MAX_TREES}): re-parsing from the previous tree costs a fraction of a fresh parse.
   * Trees live in the parser's wasm memory: whatever leaves this map is deleted.
   */
  private readonly trees = new Map<string, PreviousTree>();

  private dropTree(file: string): PreviousTree | undefined {
    const t = this.trees.get(file);
    this.trees.delete(file);
    return t;
  }

  private keepTree(file: string, t: PreviousTree): void {
    this.trees.set(file, t);
    for (const [f, old] of this.trees) {
      if (this.trees.size <= MAX_TREES) break;
      this.trees.delete(f);
      old.tree.delete();
    }
  }

  removeFile(file: string): void {
    this.dropTree(file)?.tree.delete();
    if (this.entries.delete(file)) {
      this.models.delete(file);
      this.notAnalysed.delete(file);
      this.rebuild = true;
      this.cached = undefined;
      this.graphStale = true;
    }
  }

  /** Whether the project holds `file` with this project text ({@link projectText}) already: updating it would do nothing. */
  holds(file: string, text: string): boolean {
    const e = this.entries.get(file);
    return !!e && sameText(e, text);
  }

  /** Why `file` is in the project but not analysed (over the per-file budget, too deep), or undefined. */
  skippedReason(file: string): string | undefined {
    return this.notAnalysed.get(file);
  }

  hasFile(file: string): boolean {
    return this.entries.has(file);
  }

  files(): string[] {
    return [...this.entries.keys()];
  }

  /** The file's text as the project analysed it (a released text is read again from disk, and checked). */
  text(file: string): string | undefined {
    const e = this.entries.get(file);
    if (!e || e.text !== undefined) return e?.text;
    let text: string;
    try {
      text = projectText(file, new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file)));
    } catch {
      return undefined;
    }
    // changed on disk since (the watcher will bring the new text): not the text the findings are about
    return text.length === e.length && textHash(text) === e.hash ? text : undefined;
  }

  /**
   * Drops the text of a file read from disk (not an editor's document): the language server
   * keeps a workspace's models, not its texts, which are read again when a fix or a message
   * needs them ({@link text}). A later edit or reload gives the entry a text again.
   */
  releaseText(file: string): void {
    const e = this.entries.get(file);
    if (!e || e.text === undefined || e.version !== undefined) return;
    e.length = e.text.length;
    e.hash = textHash(e.text);
    e.text = undefined;
    internModel(e.model, this.paramLists);
  }

  /** parameter lists of released models, shared by equal ones ({@link internModel}) */
  private readonly paramLists = new Map<string, string[]>();

  version(file: string): number | undefined {
    return this.entries.get(file)?.version;
  }

  model(file: string): ModuleModel | undefined {
    return this.entries.get(file)?.model;
  }

  /**
   * The linked project (contexts, call graph), for hover and fixes. After an edit, the
   * previous graph's indexes are patched (so it must not be used any more); adding or
   * removing a file rebuilds them.
   */
  graph(): ProjectGraph {
    if (this.lastGraph && !this.graphStale) return this.lastGraph;
    const startMethod = this.options.startMethod ?? 'portable';
    let graph: ProjectGraph | undefined;
    if (this.lastGraph && !this.rebuild) {
      try {
        graph = new ProjectGraph(this.models, startMethod, { graph: this.lastGraph, changed: this.changed });
      } catch (e) {
        // the previous indexes may be half patched: start over rather than fail the analysis
        this.lastErrors.push(`incremental update: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    }
    this.lastGraph = graph ?? new ProjectGraph(this.models, startMethod);
    this.changed.clear();
    this.rebuild = false;
    this.graphStale = false;
    return this.lastGraph;
  }

  /** All findings of the project (suppressions and severities applied), cached until something changes. */
  analyze(token?: CancellationLike): Finding[] {
    if (this.cached) return this.cached;
    const graph = this.graph();
    const findings: Finding[] = [];
    const suppressed: SuppressedHit[] = [];
    for (const rule of RULES) {
      if (token?.isCancellationRequested) throw new AnalysisCancelled();
      const severity = this.severityOf(rule);
      if (!severity) continue;
      const ctx: RuleContext = {
        graph,
        text: (f) => this.text(f),
        pythonVersion: this.options.pythonVersion,
        report: (f: FindingInput) => {
          const model = graph.modules.get(f.file);
          if (model && isSuppressed(model, f.range.start.line, rule.id)) {
            suppressed.push({ file: f.file, line: f.range.start.line, rule: rule.id });
            return;
          }
          // what leaves the engine has plain ranges, not the models' compact ones
          const range = plainRange(f.range);
          const related = f.related.map((r) => ({ ...r, range: plainRange(r.range) }));
          findings.push({ ...f, range, related, rule: rule.id, severity, fixes: [] });
        },
      };
      try {
        rule.check(ctx);
      } catch (e) {
        // one broken rule must not take the others down; the server logs the problem
        this.lastErrors.push(`${rule.id}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
    }
    // Which fixes apply is worked out on first read of `fixes` (per finding, against this
    // analysis's graph): the server reads it only for the documents it publishes, so an edit
    // does not pay for every finding of the workspace.
    const fixCtx = { graph, text: (f: string) => this.text(f) };
    // a later edit patches this graph in place: a finding read after that offers no fixes (it is stale too)
    for (const f of findings) lazyFixes(f, () => (graph.retired ? [] : describeFixes(fixCtx, f)));
    findings.sort(compareFindings);
    this.cached = findings;
    this.suppressed = suppressed;
    return findings;
  }

  private suppressed: SuppressedHit[] = [];

  /** The findings the last {@link analyze} left out because a suppression comment covers them. */
  suppressedHits(): readonly SuppressedHit[] {
    this.analyze();
    return this.suppressed;
  }

  /** Internal errors of the last analyses (rule crashes), drained by the caller for logging. */
  readonly lastErrors: string[] = [];

  private severityOf(rule: Rule): Severity | undefined {
    const s = this.options.rules?.[rule.id as RuleId];
    if (s === 'off') return undefined;
    return s ?? rule.defaultSeverity;
  }
}

function sameText(e: FileEntry, text: string): boolean {
  return e.text !== undefined ? e.text === text : e.length === text.length && e.hash === textHash(text);
}

/** FNV-1a over the UTF-16 units: tells a released text from another of the same length */
function textHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Lone CRs become LFs (one character for one, so every offset and every LSP position stays
 * the same): the LSP counts CR, LF and CRLF as line ends, the Python parser and the fixes
 * only LF, and a CR-only file would otherwise get positions past the end of its first line.
 */
export function normalizeLoneCarriageReturns(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

function lazyFixes(f: Finding, compute: () => Finding['fixes']): void {
  let value: Finding['fixes'] | undefined;
  Object.defineProperty(f, 'fixes', {
    enumerable: true,
    configurable: true,
    get: () => (value ??= compute()),
    set: (v: Finding['fixes']) => {
      value = v;
    },
  });
}

function isSuppressed(m: ModuleModel, line: number, rule: RuleId): boolean {
  const covers = (ids: string[] | undefined) => !!ids && (ids.includes('*') || ids.includes(rule));
  if (covers(m.suppressions.get(line))) return true;
  // file-level directives (negative keys, see ModuleModel.suppressions): rare, so a scan is fine
  for (const [key, ids] of m.suppressions) if (key < 0 && -1 - key <= line && covers(ids)) return true;
  return false;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.rule.localeCompare(b.rule)
  );
}

export function emptyModel(file: string, language: Language, problem?: string): ModuleModel {
  const zero = { line: 0, character: 0 };
  return {
    path: file,
    language,
    units: [{ id: 0, kind: 'module', name: '<module>', range: { start: zero, end: zero }, nameRange: { start: zero, end: zero }, params: [], accesses: [], calls: [], isNested: false }],
    bindings: new Map(),
    exports: new Map(),
    starExports: [],
    imports: [],
    spawns: [],
    payloads: [],
    proxySerialized: [],
    workerHandlers: [],
    suppressions: new Map(),
    problems: problem ? [{ range: { start: zero, end: zero }, message: problem }] : [],
  };
}

/** Convenience for tests and one-shot callers: analyse these sources together. */
export async function analyzeSources(files: Array<{ path: string; text: string }>, options?: AnalysisOptions): Promise<Finding[]> {
  const project = await Project.create(options);
  for (const f of files) project.updateFile(f.path, f.text);
  return project.analyze();
}
