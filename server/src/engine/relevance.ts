/**
 * Which JS/TS files of a run can take part in a finding, decided from their text before
 * any parsing: the CLI leaves the others out of the project (cli/analyze.ts).
 *
 * The engine links JS modules only through specifiers (relative, absolute or `file://`
 * paths; bare package names never resolve, ./link.ts), so a project's JS files fall into
 * components joined by those links. Everything the engine computes for a JS module —
 * programs, importers, call edges, value flow, a finding's fixes — follows such links, so
 * a component in which no file starts, hosts or runs workers cannot hold a finding nor
 * change one elsewhere. On node_modules about nine files in ten are in such components.
 *
 * Over-approximations keep this exact:
 *   - a file *seeds* its component when its text mentions any worker vocabulary (every
 *     module and start symbol of the JS framework models, `fork`, `spawn`, `process.on`,
 *     ...; case-insensitive substrings), when a relative specifier in it names its own
 *     package and that package is one of those (piscina's tests import `'..'`), or when
 *     it may be nested too deeply for a front end ({@link mayBeTooDeep}: the run then
 *     lists it as skipped, which only parsing tells);
 *   - links are read from every quoted string that looks like a path (comments and all),
 *     resolved by the engine's own {@link Linker} over the run's full set of files, so a
 *     specifier resolves to the file it resolves to in a full run; {@link modelLinks}
 *     adds the specifiers a front end composes (`path.join(__dirname, 'w.js')`) once the
 *     kept files are parsed, and the CLI keeps the components those reach too.
 * Python files are always kept: the standard library's import graph joins nearly every
 * module (measured: 776 of 799 files, 99.4 % of the text).
 */
import { Linker } from './link';
import type { ModuleModel } from './model';
import { languageOf } from './language';
import { JS_MODELS } from '../frameworks/js';
import { selfPackageName } from '../js/package-self';
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
  let lineStart = 0;
  let run = 0;
  let continued = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 10;
    if (c === 10) {
      if (i - lineStart > 1_000) return true;
      // the line's first and last characters other than white space
      let a = lineStart;
      let b = i - 1;
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
      lineStart = i + 1;
    } else if (c === 40 || c === 91 || c === 123) {
      if (++depth > 40) return true;
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) {
      depth--;
    }
  }
  return false;
}

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
 * The files `spec`, written in `from`, may denote: as an import, and (`workers`: in a file
 * that may start workers, the only place a front end records a worker module) as a worker module.
 */
function targetsOf(linker: Linker, from: ModuleModel, spec: string, workers: boolean): string[] {
  const out: string[] = [];
  const imported = linker.resolveModule(from, spec);
  if (imported && imported.path !== from.path) out.push(imported.path);
  const worker = workers ? linker.resolveWorkerModule(from, spec) : undefined;
  if (worker && worker !== imported && worker.path !== from.path) out.push(worker.path);
  return out;
}

/** The JS files of a run split into linked components, and which of them can take part in a finding. */
export class JsRelevance {
  private readonly parent = new Map<string, string>();
  private readonly seeds = new Set<string>();
  /** files in no worker component that are analysed anyway, on their own (over the budget, or maybe too deep) */
  private readonly alone = new Set<string>();
  private readonly linker: Linker;
  private readonly stub: (file: string) => ModuleModel;

  /** `texts`: every file of the run (what `languageOf` accepts), in run order */
  constructor(texts: ReadonlyMap<string, string>) {
    ({ linker: this.linker, stub: this.stub } = runLinker(texts.keys()));
    const seed = (seeds ??= seedPatterns());
    for (const [file, text] of texts) {
      if (languageOf(file) !== 'js') continue;
      this.parent.set(file, file);
      if (seed.text.some((re) => re.test(text))) this.seeds.add(file);
      // parsed alone, not with their component: the project tells whether they are too deep (a full run lists those as skipped)
      else if (isOverBudget(text) || mayBeTooDeep(text)) this.alone.add(file);
    }
    for (const [file, text] of texts) {
      if (!this.parent.has(file)) continue;
      const from = this.stub(file);
      for (const m of text.matchAll(PATH_STRINGS)) {
        const spec = m[2];
        if (!this.seeds.has(file) && spec.startsWith('.')) {
          const self = selfPackageName(file, spec);
          if (self && seed.module.has(self)) this.seeds.add(file);
        }
        for (const t of targetsOf(this.linker, from, spec, this.seeds.has(file))) if (this.parent.has(t)) this.union(file, t);
      }
    }
  }

  /** the components (by root) that have a seed */
  private liveRoots(): Set<string> {
    const live = new Set<string>();
    for (const s of this.seeds) live.add(this.find(s));
    return live;
  }

  /** JS files in components without a seed: a run can leave them out */
  unneeded(): Set<string> {
    const live = this.liveRoots();
    const out = new Set<string>();
    for (const f of this.parent.keys()) if (!live.has(this.find(f)) && !this.alone.has(f)) out.add(f);
    return out;
  }

  /**
   * The left-out files that parsed models link to (a specifier a front end composed), each
   * with its whole component: these must be analysed too. Empty when the models link
   * nowhere new.
   */
  linkedFrom(models: Iterable<ModuleModel>, left: ReadonlySet<string>): Set<string> {
    const reached = new Set<string>();
    const live = this.liveRoots();
    for (const m of models) {
      // a file analysed alone links into a component left out on purpose
      if (m.language !== 'js' || !live.has(this.find(m.path))) continue;
      for (const spec of modelLinks(m)) {
        for (const t of targetsOf(this.linker, this.stub(m.path), spec, true)) {
          if (!left.has(t)) continue;
          reached.add(this.find(t));
          this.seeds.add(t);
        }
      }
    }
    const out = new Set<string>();
    if (reached.size === 0) return out;
    for (const f of left) if (reached.has(this.find(f))) out.add(f);
    return out;
  }

  private find(f: string): string {
    let r = f;
    while (this.parent.get(r) !== r) r = this.parent.get(r)!;
    while (f !== r) {
      const next = this.parent.get(f)!;
      this.parent.set(f, r);
      f = next;
    }
    return r;
  }

  private union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
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
