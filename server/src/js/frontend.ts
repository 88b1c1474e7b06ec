/**
 * JavaScript / TypeScript front end: one file's text → {@link ModuleModel}.
 *
 * Uses only `ts.createSourceFile` (no program, no checker) so it can run per keystroke.
 * One pass over the tree with a hand-rolled scope chain; a few facts that can only be
 * decided once the whole file is seen (pool receivers, handler units, exported units)
 * are resolved at the end.
 *
 * The front end is one class chain, one concern per module:
 *   scopes.ts (declarations, bindings, module symbols) → exports.ts → guards.ts (main/worker
 *   branches) → accesses.ts (reads/writes, lazy init) → walker.ts (statements, functions,
 *   classes) → payloads.ts (payload shapes) → spawn-sites.ts (systems, handlers, pool
 *   calls) → JsFrontend here (driver and the facts decided once the file is seen).
 */
import ts from 'typescript';
import * as nodePath from 'node:path';
import type { ModuleModel, Range } from '../engine/model';
import type { ModuleFacts } from '../flow/facts';
import { scanSuppressions } from './suppressions';
import { setParents } from './syntax';
import { newUnit } from './records';
import { SpawnRecognizer } from './spawn-sites';
import { jsFlowFacts } from './flowFacts';
import { ARGV_STARTS, JS_MODELS, submitOf } from '../frameworks/js';

export { scanSuppressions };

export function scriptKindFor(path: string): ts.ScriptKind {
  const ext = nodePath.extname(path).toLowerCase();
  switch (ext) {
    case '.ts':
    case '.mts':
    case '.cts':
      return ts.ScriptKind.TS;
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    default:
      return ts.ScriptKind.JS;
  }
}

/**
 * The syntax tree the front end walks. JSDoc comments are not parsed (TypeScript parses
 * them into nodes by default): no fact reads them, and skipping them saves parse time and
 * the garbage of their nodes. Parent pointers are set by {@link setParents}, not by
 * TypeScript's `setParentNodes`, which queues every node's children in fresh arrays (a
 * quarter of the parse's garbage, a fifth of its time); a tree too deep for that recursion
 * is parsed again with TypeScript's.
 */
export function parseSourceFile(path: string, text: string): ts.SourceFile {
  const options = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };
  const sf = ts.createSourceFile(path, text, options, false, scriptKindFor(path));
  try {
    setParents(sf);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return ts.createSourceFile(path, text, options, true, scriptKindFor(path));
  }
  return sf;
}

/** Parse one JS/TS file into the language-neutral model. Never throws. */
export function parseJs(path: string, text: string): ModuleModel {
  const model = emptyModel(path);
  let sf: ts.SourceFile | undefined;
  try {
    sf = parseSourceFile(path, text);
    new JsFrontend(sf, text, model).run();
    // value-flow facts cost about a fifth of the front end, and only the modules of a JS
    // worker side's flow program need them: files that start workers or handle their
    // messages get them now, from this tree; any other, when first asked (parsed again)
    if (model.spawns.length || model.workerHandlers.length || model.flowPoolCalls) model.flow = jsFlowFacts(sf);
    else lazyFacts(model, path, text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    model.problems.push({ range: zeroRange(), message: `crossproc: internal error while analysing this file: ${msg}` });
  }
  try {
    model.suppressions = scanSuppressions(text, sf);
  } catch {
    /* keep defaults */
  }
  return model;
}

/**
 * Makes `model.flow` extract the file's value-flow facts when first read (parsing `text`
 * again). The getter and setter are the same two functions for every model, the state is
 * kept aside: per-model closures gave each model an accessor pair of its own, and V8 then
 * keeps every such model in dictionary mode (no shared hidden class), which made every
 * engine read of a JS model's fields a hash lookup.
 */
export function lazyFacts(model: ModuleModel, path: string, text: string): void {
  deferred.set(model, { path, text, facts: undefined });
  Object.defineProperty(model, 'flow', DEFERRED_FLOW);
}

/**
 * Whether a JS model has value-flow facts, extracted or deferred, without extracting deferred
 * ones: a deferred model's `flow` is never undefined once read.
 */
export function hasJsFacts(model: ModuleModel): boolean {
  return deferred.has(model) || model.flow !== undefined;
}

interface DeferredFacts {
  path: string;
  text: string;
  facts: ModuleFacts | undefined;
}

const deferred = new WeakMap<ModuleModel, DeferredFacts>();

const DEFERRED_FLOW: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: ModuleModel): ModuleFacts {
    const d = deferred.get(this)!;
    if (!d.facts) {
      try {
        d.facts = jsFlowFacts(parseSourceFile(d.path, d.text));
      } catch {
        d.facts = { nodes: [], defs: [], stores: [], vars: new Map(), starImports: [], at: [], js: true };
      }
    }
    return d.facts;
  },
  set(this: ModuleModel, v: ModuleFacts | undefined) {
    deferred.get(this)!.facts = v;
  },
};

/**
 * A quick test of a file's text for what can make a child run this very file, without which
 * the flags it hands its children ({@link GuardClassifier.collectChildFlags}) test nothing:
 * `__filename`, `import.meta.url`, `process.argv[1]`, the literal 'self', or a start that
 * runs the entry script again (`cluster.fork`: its symbol is only reached through its name).
 */
const MAY_START_ITSELF = new RegExp(
  ['__filename', 'meta', 'argv', 'self', ...new Set(JS_MODELS.flatMap((m) => m.starts.filter((s) => s.workerFile === 'self').map((s) => s.symbol.split('.').pop()!)))].join('|'),
);

function emptyModel(path: string): ModuleModel {
  return {
    path,
    language: 'js',
    units: [newUnit(0, 'module', '<module>', zeroRange(), zeroRange(), undefined, false)],
    bindings: new Map(),
    exports: new Map(),
    starExports: [],
    imports: [],
    spawns: [],
    payloads: [],
    proxySerialized: [],
    workerHandlers: [],
    suppressions: new Map(),
    problems: [],
  };
}

function zeroRange(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

class JsFrontend extends SpawnRecognizer {
  // ----- driver

  run(): void {
    const sf = this.sf;
    const mod = this.units[0];
    mod.range = this.spanRange(0, sf.end);
    mod.nameRange = this.spanRange(0, 0);

    const diags = (sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
    for (const d of diags.slice(0, 20)) {
      const start = d.start ?? 0;
      this.model.problems.push({
        range: this.spanRange(start, Math.min(sf.end, start + (d.length ?? 0))),
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      });
    }

    // module scope: imports, hoisted declarations, exports
    this.hoistLexical(sf.statements, this.moduleScope);
    this.collectVars(sf.statements, this.moduleScope);
    this.collectEsmExports(sf.statements);
    this.createBindings();
    const esmImports = new Set(this.importSet);
    if ((/\benv\b/.test(this.text) || ARGV_STARTS.test(this.text)) && MAY_START_ITSELF.test(this.text)) this.collectChildFlags(sf);

    this.visitStatements(sf.statements);
    this.configStarts();
    this.elideTypeOnlyImports(esmImports);

    this.finish();
    this.model.imports = Array.from(this.importSet);
    const deferred = [...this.deferredRequires].filter((s) => !this.eagerRequires.has(s) && !esmImports.has(s));
    if (deferred.length) this.model.deferredImports = deferred;
  }

  /**
   * TypeScript drops an import none of whose names is used as a value (`import { Job } from
   * './worker'` with `Job` only in types: no `import` in the output; without
   * `verbatimModuleSyntax` / `preserveValueImports`, which crossproc does not read), so the
   * module is not loaded: not an import of this module at run time. Names re-exported
   * (`export { Job }`) count as used.
   */
  private elideTypeOnlyImports(esmImports: Set<string>): void {
    if (this.elidable.size === 0) return;
    const reexported = new Set<string>();
    for (const e of this.model.exports.values()) if (e.local) reexported.add(e.local);
    for (const [spec, names] of this.elidable) {
      if (this.keptImports.has(spec) || this.eagerRequires.has(spec) || this.deferredRequires.has(spec)) continue;
      if (names.some((n) => this.valueImportNames.has(n) || reexported.has(n))) continue;
      this.importSet.delete(spec);
      esmImports.delete(spec);
    }
  }

  // ----- finishing

  protected finish(): void {
    // module-level function/class bindings → units
    for (const d of this.moduleScope.decls.values()) {
      const b = this.model.bindings.get(d.name);
      if (!b) continue;
      if (d.fnNode) {
        const id = this.fnUnit.get(d.fnNode);
        if (id !== undefined) {
          b.unit = id;
          const u = this.units[id];
          if (!u.binding || !this.moduleScope.decls.has(u.binding)) u.binding = d.name;
        }
      }
      if (d.classNode) {
        const m = this.classMethods.get(d.classNode);
        if (m) b.methods = m;
      } else if (d.init && !d.pattern && ts.isObjectLiteralExpression(d.init)) {
        // an object of handlers: `handlers.run()` reaches its `run` (see objectMethodCalls)
        const ids: number[] = [];
        for (const [key, fn] of this.objectFunctions(d.init)) {
          const id = this.fnUnit.get(fn);
          if (id !== undefined && this.units[id].name === key) ids.push(id);
        }
        if (ids.length) b.methods = ids;
      }
      if (d.kind === 'const' || d.kind === 'let' || d.kind === 'var') {
        if (d.poolSystem && b.kind === 'unknown') b.kind = 'pool';
      }
    }
    // exported units
    for (const [exported, entry] of this.model.exports) {
      if (!entry.local) continue;
      const d = this.moduleScope.decls.get(entry.local);
      const id = d?.fnNode ? this.fnUnit.get(d.fnNode) : undefined;
      if (id === undefined) continue;
      const u = this.units[id];
      u.exportedAs = u.exportedAs ?? [];
      if (!u.exportedAs.includes(exported)) u.exportedAs.push(exported);
    }
    // handlers
    const handlers = new Set<number>();
    for (const fn of this.pendingHandlers) {
      const id = this.fnUnit.get(fn);
      if (id !== undefined) handlers.add(id);
    }
    this.model.workerHandlers = Array.from(handlers);
    // 'exit' handlers of the workers/children this file starts, and what is nested in them
    const after = new Set<number>();
    for (const h of this.pendingExitHandlers) {
      const id = this.fnUnit.get(h.fn);
      if (id === undefined) continue;
      if (h.recv === 'cluster' || this.recvCreation(h.recv)?.proc) after.add(id);
      // a receiver this file does not make (an imported factory's result): the engine asks the value-flow layer
      else if (!this.recvCreation(h.recv)) (this.model.flowExitHandlers ??= []).push({ offset: h.at, unit: id });
    }
    if (after.size) {
      for (const u of this.units) {
        if (after.has(u.id) || (u.parent !== undefined && after.has(u.parent))) {
          after.add(u.id);
          u.afterWorkerExit = true;
        }
      }
    }
    // sends on child processes
    for (const ps of this.pendingSends) {
      if (this.recvCreation(ps.recv)?.proc === 'child') this.model.payloads.push(...ps.payloads);
    }
    // pool submissions
    for (const pc of this.pendingPoolCalls) {
      const c = this.recvCreation(pc.recv);
      const sub = submitOf(c?.pool, pc.method);
      if (sub && sub.task === undefined) {
        // a pool of processes (poolifier's cluster pools) gets JSON over IPC: nothing is transferred
        for (const p of pc.payloads) {
          if (!c?.cluster) this.model.payloads.push({ ...p, channel: sub.channel });
          else if (p.what !== 'needs-transfer') this.model.payloads.push({ ...p, channel: sub.processChannel ?? sub.channel });
        }
        continue;
      }
      if (pc.method === 'run') {
        if (!c && pc.payloads.length) {
          // a pool this file does not make (a parameter, a factory's result): the engine asks the value-flow layer
          (this.model.flowPoolCalls ??= []).push({ offset: pc.at, payloads: pc.payloads });
        }
        continue;
      }
      // `exec(fn, args)`: a workerpool pool, or an unknown receiver handed an inline function
      const isPool = !!sub || (pc.method === 'exec' && !c && (pc.recv.unknown || pc.recv.member !== undefined) && !!pc.execFn?.inline);
      if (!isPool) continue;
      this.model.payloads.push(...pc.payloads);
      if (pc.execFn) {
        const id = this.fnUnit.get(pc.execFn.fn);
        const free = id !== undefined ? this.freeNames.get(id) : undefined;
        if (id !== undefined && free && free.size > 0) {
          this.model.payloads.push({
            range: pc.execFn.range,
            symbol: pc.execFn.symbol,
            what: 'closure',
            channel: sub?.channel ?? 'pool.exec',
            freeNames: Array.from(free),
            unit: id,
          });
        }
      }
    }
  }
}
