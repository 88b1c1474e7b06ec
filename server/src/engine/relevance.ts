/**
 * Which JS/TS files of a run can take part in a finding, decided from their text before
 * any parsing: the CLI leaves the others out of the project (cli/analyze.ts).
 *
 * The engine links JS modules only through specifiers (relative, absolute or `file://`
 * paths; bare package names never resolve, ./link.ts). A finding comes from a program
 * that starts workers: its root reaches a file that starts them, its parent side and its
 * workers run what those files reach, and the value-flow programs follow imports down
 * from the modules they are about ({@link JsRelevance} lists the few links read the other
 * way). A file that reaches no worker code and that no such file reaches cannot hold a
 * finding nor change one. On node_modules the kept files are about a fifth of the text.
 *
 * Over-approximations keep this exact:
 *   - a file *seeds* when its text mentions any worker vocabulary (every module and start
 *     symbol of the JS framework models, `fork`, `spawn`, `process.on`, ...;
 *     case-insensitive substrings), or when a relative specifier in it names its own
 *     package and that package is one of those (piscina's tests import `'..'`); the CLI
 *     then parses the seeds and keeps as seeds those whose model holds worker facts
 *     ({@link JsRelevance.refineSeeds}): a text seed alone over-approximates those;
 *   - a file that may be nested too deeply for a front end ({@link mayBeTooDeep}) is
 *     left out only once a depth bound read from its text (js/depthBound.ts), or else its
 *     parsed tree (js/depth.ts), shows it is not: a full run lists it as skipped;
 *   - links are read from every quoted string that looks like a path (comments and all),
 *     as imports and as worker modules, resolved by the engine's own {@link Linker} over
 *     the run's full set of files, so a specifier resolves to the file it resolves to in
 *     a full run; {@link modelLinks} adds the specifiers a front end composes
 *     (`path.join(__dirname, 'w.js')`) once the kept files are parsed, and the CLI keeps
 *     what those links make needed too.
 * Python files are always kept: the standard library's import graph joins nearly every
 * module (measured: 776 of 799 files, 99.4 % of the text).
 */
import { Linker } from './link';
import type { ModuleModel } from './model';
import { languageOf } from './language';
import { JS_MODELS } from '../frameworks/js';
import { dirname } from 'node:path';
import { packageAt, selfPackageName } from '../js/package-self';
import { isOverBudget } from '../shared/budget';

/**
 * What makes a file worker code, as text: a framework model's module named in a string
 * (`'node:worker_threads'`, `"piscina"`, `'threads/worker'`), a start symbol that is a
 * global (`new Worker(url)`: every start symbol whose first part is no module), a Vite
 * worker query (`'./w.js?worker'`), pm2's ecosystem file, and `crossproc` (a file with a
 * suppression comment is analysed, so its unused-directive findings come from the
 * engine's text as in a full run).
 */
function seedPatterns(): { text: RegExp[]; module: Set<string> } {
  const modules = new Set<string>();
  const symbols = new Set<string>();
  const walk = (v: unknown, key: string | undefined): void => {
    if (typeof v === 'string') {
      if (key === 'modules') modules.add(v.replace(/^node:/, ''));
      else if (key === 'symbol') symbols.add(v.split('.')[0]);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  for (const m of JS_MODELS) walk(m, undefined);
  const esc = (w: string) => w.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  const globals = [...symbols].filter((x) => x && ![...modules].some((m) => m === x || m.startsWith(`${x}/`)));
  const quoted = `['"\`](?:node:)?(?:${[...modules].map(esc).join('|')})(?:[/?][^'"\`\n]*)?['"\`]`;
  const global = `\\b(?:${globals.map(esc).join('|')})\\b`;
  // a global is matched with its case (`Worker`; `worker` is in many a comment), the rest without
  return { text: [new RegExp(`${quoted}|\\?(?:shared)?worker|exec_mode|ecosystem|crossproc`, 'i'), new RegExp(global)], module: modules };
}

let seeds: ReturnType<typeof seedPatterns> | undefined;

/**
 * The parts of the seed vocabulary a model cannot stand for (a suppression comment, which
 * may be malformed; pm2's config; a Vite worker query): a file whose text says one stays a
 * seed whatever its model holds.
 */
const FIXED_SEED = /crossproc|ecosystem|exec_mode|\?(?:shared)?worker/i;

/**
 * Whether a JS model holds anything the engine makes worker programs or module-local
 * findings of: a start, a message handler, a guarded branch, a pool, payloads, the
 * value-flow layer's pool calls and exit handlers, suppressions, ... (every worker of a JS
 * program comes from a file's `spawns`, engine/programs.ts). A text seed without any of
 * these is worker vocabulary only (`require('node:worker_threads')` to test a feature,
 * `isMainThread` read and returned): no program starts a worker from it, so it matters as
 * much as any other file, through what it is linked to. The list is wider than that
 * argument needs, on purpose.
 */
export function holdsWorkerFacts(m: ModuleModel): boolean {
  if (m.spawns.length || m.workerHandlers.length || m.payloads.length || m.proxySerialized.length || m.suppressions.size) return true;
  if (m.flowPoolCalls || m.flowExitHandlers || m.clusterExec || m.readsWorkerData || m.startMethod || m.tableHandlers) return true;
  for (const u of m.units) if ((u.kind !== 'module' && u.kind !== 'function') || u.afterWorkerExit || u.detached) return true;
  for (const b of m.bindings.values()) {
    if (b.kind === 'pool' || b.kind === 'process-primitive' || b.kind === 'manager-proxy' || b.kind === 'thread-primitive' || b.remote || b.processClass || b.threadClass) return true;
  }
  return false;
}

/** a pool call's method, `x.run(...)`, as text */
const RUN = /\brun\b/;

/**
 * `x.exec(() => ...)`: the front end records the payloads of an inline function handed to
 * `exec` on any receiver it does not know (a workerpool pool made elsewhere), and
 * unsendable-payload reports them from that file alone (type arguments, `?.`, comments and
 * a `<T>` cast allowed)
 */
const EXEC_INLINE = /\bexec['"`]?\]?\s*(?:<[^()]*>\s*)?(?:\?\.\s*)?\((?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*\n)*(?:async\b|function\b|\(|<|[A-Za-z_$][\w$]*\s*=>)/;

/** quoted strings that may be a specifier the linker resolves: relative, absolute or file:// */
const PATH_STRINGS = /(['"`])(\.{1,2}(?:[/\\][^'"`\n]*)?|\/[^'"`\n]*|file:\/\/[^'"`\n]*)\1/g;

/**
 * Whether a front end might run out of stack on this text. Measured on the JS front end:
 * it fails at about 600 nested functions, and at a few thousand terms of one operator or
 * call chain (`a + a + ...`, `a.b().b()...`). Either needs a long line, a deep bracket
 * nesting or a long run of lines continuing one expression; hand-written code has none of
 * these, so this flags generated and minified files (then parsed as in a full run). The
 * bounds are loose on purpose: a 1,000-character line, 40 open brackets (counted without
 * regard to strings), 100 lines in a row that end or start with an operator, `.` or `,`.
 */
export function mayBeTooDeep(text: string): boolean {
  let depth = 0;
  let run = 0;
  let continued = false;
  const n = text.length;
  // line by line (the search for a line's end is native), brackets by a table: this runs
  // over every JS file of a run that seeds nothing
  for (let lineStart = 0; ; ) {
    let end = text.indexOf('\n', lineStart);
    if (end < 0) end = n;
    if (end - lineStart > 1_000) return true;
    for (let i = lineStart; i < end; i++) {
      const c = text.charCodeAt(i);
      const k = c < 128 ? BRACKETS[c] : 0;
      if (k === 0) continue;
      if (k === OPENS) {
        if (++depth > 40) return true;
      } else if (depth > 0) {
        depth--;
      }
    }
    // the line's first and last characters other than white space
    let a = lineStart;
    let b = end - 1;
    while (a <= b && isSpace(text.charCodeAt(a))) a++;
    while (b >= a && isSpace(text.charCodeAt(b))) b--;
    // a line of closing brackets only (`})` between `.then(() => {...})` calls) neither ends nor goes on
    if (a <= b && !closersOnly(text, a, b)) {
      let first = a;
      while (first < b && isCloser(text.charCodeAt(first))) first++;
      const joins = continued || OPERATOR.has(text.charCodeAt(first));
      const last = text.charCodeAt(b);
      continued = OPERATOR.has(last) || last === 40 || last === 91 || last === 123;
      run = joins || continued ? run + 1 : 0;
      if (run > 100) return true;
    }
    if (end >= n) return false;
    lineStart = end + 1;
  }
}

const OPENS = 1;
const CLOSES = 2;
/** by character code below 128: {@link OPENS} for `(`, `[`, `{`, {@link CLOSES} for `)`, `]`, `}`, else 0 */
const BRACKETS = new Uint8Array(128);
for (const ch of '([{') BRACKETS[ch.charCodeAt(0)] = OPENS;
for (const ch of ')]}') BRACKETS[ch.charCodeAt(0)] = CLOSES;

/** characters that join a line to the one before (at its start) or after (at its end): operators, `.`, `,` */
const OPERATOR = new Set([...'-+*/%&|^?:.,=<>!'].map((ch) => ch.charCodeAt(0)));

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11;
}

function isCloser(c: number): boolean {
  return c === 41 || c === 93 || c === 125;
}

function closersOnly(text: string, a: number, b: number): boolean {
  for (let i = a; i <= b; i++) {
    const c = text.charCodeAt(i);
    if (!isCloser(c) && c !== 59 && c !== 44) return false;
  }
  return true;
}

/** A linker over placeholders of every file of the run: resolves as a full run's linker does (it reads only which files exist). */
export function runLinker(files: Iterable<string>): { linker: Linker; stub: (file: string) => ModuleModel } {
  const stubs = new Map<string, ModuleModel>();
  for (const f of files) {
    const language = languageOf(f);
    if (language) stubs.set(f, { path: f, language } as ModuleModel);
  }
  return { linker: new Linker(stubs), stub: (f) => stubs.get(f)! };
}

/**
 * The files `spec`, written in `from`, may denote: as an import and as a worker module.
 * Both answers depend only on `from`'s folder (../engine/link.ts: a path resolved from it,
 * the package it is in, the folders above it), so they are kept per folder and specifier in
 * `memo`: files of one folder name the same specifiers (node_modules: about half of the
 * relevance scan's CPU was resolving).
 */
function targetsOf(linker: Linker, from: ModuleModel, spec: string, memo: Map<string, readonly [string | undefined, string | undefined]>): string[] {
  const key = `${dirname(from.path)}\0${spec}`;
  let hit = memo.get(key);
  if (hit === undefined) {
    const imported = linker.resolveModule(from, spec)?.path;
    const worker = linker.resolveWorkerModule(from, spec)?.path;
    hit = [imported, worker];
    memo.set(key, hit);
  }
  const [imported, worker] = hit;
  const out: string[] = [];
  if (imported !== undefined && imported !== from.path) out.push(imported);
  if (worker !== undefined && worker !== imported && worker !== from.path) out.push(worker);
  return out;
}

/**
 * Which JS files of a run can take part in a finding, along the directions the engine
 * reads links in (edges are importer → imported, for imports and worker modules alike):
 *   - the seeds, and every file that reaches a seed (its importers, theirs, ...): the
 *     programs that start workers, whose roots and loading order unguarded-spawn follows;
 *   - everything those reach: the code a program's parent side and workers run, the
 *     modules whose state they share, the value-flow programs' modules (which follow
 *     imports down from a module, ./flowLinkJs.ts);
 *   - the importers of a kept file that may call `x.run(...)` on a pool it does not make
 *     (the text says `run`), with all they reach: that value-flow program starts at them;
 *   - one ring more, the other importers of kept files, parsed but not followed: whether a
 *     module is a program root, whether anything imports a worker module or calls its
 *     task (what fixes ask) depends on their existence. Such an importer reaches no seed,
 *     so its own program starts no worker and finds nothing;
 *   - files that may hand an inline function to `exec`, parsed but not followed: their
 *     payloads are reported from the file alone.
 * Everything else reaches no seed and is reached by nothing kept: no program that starts
 * a worker loads it, no worker runs it. {@link JsRelevance.linkedFrom} adds the links a
 * front end composes and takes the closure again.
 */
export class JsRelevance {
  private readonly seeds = new Set<string>();
  /** files whose text says `run` (a pool call the value-flow layer resolves from the importers) */
  private readonly runs = new Set<string>();
  /** files that may hand an inline function to `exec` ({@link EXEC_INLINE}): parsed, not followed */
  private readonly execs = new Set<string>();
  private readonly out = new Map<string, Set<string>>();
  private readonly into = new Map<string, Set<string>>();
  private readonly js = new Set<string>();
  private readonly linker: Linker;
  private readonly stub: (file: string) => ModuleModel;
  /** {@link targetsOf}'s answers by folder and specifier */
  private readonly resolved = new Map<string, readonly [string | undefined, string | undefined]>();

  /** `texts`: every file of the run (what `languageOf` accepts), in run order */
  constructor(private readonly texts: ReadonlyMap<string, string>) {
    ({ linker: this.linker, stub: this.stub } = runLinker(texts.keys()));
    const seed = (seeds ??= seedPatterns());
    for (const [file, text] of texts) {
      if (languageOf(file) !== 'js') continue;
      this.js.add(file);
      if (RUN.test(text)) this.runs.add(file);
      if (EXEC_INLINE.test(text)) this.execs.add(file);
      if (seed.text.some((re) => re.test(text))) this.seeds.add(file);
    }
    for (const [file, text] of texts) {
      if (!this.js.has(file)) continue;
      const from = this.stub(file);
      // only a framework's own files can seed by naming their package (read once per folder)
      const own = packageAt(dirname(file))?.name;
      const framework = own !== undefined && seed.module.has(own);
      for (const m of text.matchAll(PATH_STRINGS)) {
        const spec = m[2];
        if (framework && !this.seeds.has(file) && spec.startsWith('.')) {
          const self = selfPackageName(file, spec);
          if (self && seed.module.has(self)) this.seeds.add(file);
        }
        // worker modules too, from every file (a superset of what front ends record)
        for (const t of targetsOf(this.linker, from, spec, this.resolved)) this.link(file, t);
      }
    }
  }

  /**
   * Drops the seeds whose model holds no worker facts ({@link holdsWorkerFacts}): they are
   * kept only where they link to what is needed. `modelOf`: the file's model, undefined
   * when there is none to read (over the budget, too deep): the seed stays. Seeds by
   * {@link FIXED_SEED} stay. A dropped seed is then what any other file is: {@link unneeded}
   * asks whether it may be too deep from its text (how deep a tree the front end walked
   * here says little of a run's thread). Call before {@link unneeded}.
   */
  refineSeeds(texts: ReadonlyMap<string, string>, modelOf: (file: string) => ModuleModel | undefined): void {
    for (const file of [...this.seeds]) {
      const text = texts.get(file)!;
      if (FIXED_SEED.test(text)) continue;
      const m = modelOf(file);
      if (!m || holdsWorkerFacts(m)) continue;
      this.seeds.delete(file);
    }
  }

  private link(from: string, to: string): void {
    if (!this.js.has(to) || !this.js.has(from)) return;
    (this.out.get(from) ?? this.out.set(from, new Set()).get(from)!).add(to);
    (this.into.get(to) ?? this.into.set(to, new Set()).get(to)!).add(from);
  }

  /** the files a run analyses for their links (see the class comment) */
  private needed(): Set<string> {
    const close = (from: Iterable<string>, edges: Map<string, Set<string>>, into: Set<string>): void => {
      const queue = [...from];
      while (queue.length) {
        const f = queue.pop()!;
        for (const g of edges.get(f) ?? []) {
          if (!into.has(g)) {
            into.add(g);
            queue.push(g);
          }
        }
      }
    };
    const starts = new Set(this.seeds);
    close(this.seeds, this.into, starts);
    const kept = new Set(starts);
    close(starts, this.out, kept);
    for (let grown = true; grown; ) {
      grown = false;
      const added: string[] = [];
      for (const f of kept) {
        if (!this.runs.has(f)) continue;
        for (const p of this.into.get(f) ?? []) if (!starts.has(p)) (starts.add(p), added.push(p));
      }
      if (added.length) {
        grown = true;
        for (const p of added) kept.add(p);
        close(added, this.out, kept);
      }
    }
    const out = new Set(kept);
    for (const f of kept) for (const p of this.into.get(f) ?? []) out.add(p);
    for (const f of this.execs) out.add(f);
    return out;
  }

  /**
   * JS files no finding can involve: a run can leave them out. `shallow`: whether a file
   * the text scan flagged as maybe too deep ({@link mayBeTooDeep}) is certainly not (its
   * tree, js/depth.ts): then it is left out too, else it is parsed alone (a full run lists
   * a too-deep file as skipped).
   */
  unneeded(shallow?: (file: string) => boolean): Set<string> {
    const needed = this.needed();
    const out = new Set<string>();
    for (const f of this.js) {
      if (needed.has(f)) continue;
      // a file that may be too deep (or is over the budget) is parsed alone, not with a
      // closure: the project tells whether it is (a full run lists it as skipped). Asked
      // here, of the files left out only (every seed is needed): the kept ones need no scan
      const text = this.texts.get(f)!;
      if (!(isOverBudget(text) || mayBeTooDeep(text)) || shallow?.(f)) out.add(f);
    }
    return out;
  }

  /**
   * The left-out files that must be analysed once parsed models' own links are known (a
   * specifier a front end composed: `path.join(__dirname, 'w.js')`). Empty when the
   * models link nowhere new.
   */
  linkedFrom(models: Iterable<ModuleModel>, left: ReadonlySet<string>): Set<string> {
    let linked = false;
    for (const m of models) {
      if (m.language !== 'js' || !this.js.has(m.path)) continue;
      for (const spec of modelLinks(m)) {
        for (const t of targetsOf(this.linker, this.stub(m.path), spec, this.resolved)) {
          if (this.out.get(m.path)?.has(t) || !this.js.has(t)) continue;
          this.link(m.path, t);
          linked = true;
        }
      }
    }
    const out = new Set<string>();
    if (!linked) return out;
    for (const f of this.needed()) if (left.has(f)) out.add(f);
    return out;
  }
}

/**
 * Every specifier a JS model holds: imports (deferred ones too), re-exports, imported
 * bindings, worker modules (as cli/cache.ts's referencedFiles; the value-flow facts' import
 * specifiers are string literals, which the text scan already resolved).
 */
export function modelLinks(m: ModuleModel): Set<string> {
  const specs = new Set<string>([...m.imports, ...(m.deferredImports ?? []), ...m.starExports]);
  for (const b of m.bindings.values()) if (b.importFrom) specs.add(b.importFrom.specifier);
  for (const e of m.exports.values()) if (e.from) specs.add(e.from.specifier);
  for (const s of m.spawns) if (s.workerModule && s.workerModule !== 'self') specs.add(s.workerModule);
  specs.delete('');
  return specs;
}
