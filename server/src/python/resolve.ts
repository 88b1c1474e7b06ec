/**
 * The front end's state and its name resolution: units, scopes, what a name or an
 * expression denotes (`qualify`), what a value is (`classify`), chains `mod.NAME.a[k]`.
 * The passes (./declare.ts, ./uses.ts, ./payloads.ts, ./spawns.ts) build on it.
 */
import type { ArgSlot } from '../frameworks/types';
import type { Binding, Call, ModuleModel, SpawnSite, StartMethod, Unit, ValueKind, Range } from '../engine/model';
import { THREAD_PRIMITIVES, MP_PRIMITIVE_NAMES, MANAGER_CTORS, MANAGER_PROXY_METHODS, MUTABLE_CTORS, CONSTANT_CTORS, OPEN_CALLS, CLASS_EXPR_TYPES } from './stdlib';
import { CHANNEL_METHODS, CONTEXT_FACTORIES, CONTEXT_MODULES, type PyCallInfo, WORKER_CALLS, canonicalName } from '../frameworks/python';
import { argAt, callArgs, field, named, startMethodOf, stringValue, unparen } from './syntax';
import type { Candidate, ChainRef, Classified, Scope, ValueSrc } from './scope';
import type { SyntaxNode as Node } from './tree';

/** what {@link Resolver.classCandidates} answers when it knows nothing (shared: answers are only read) */
const NO_CANDIDATES: { readonly cands: readonly Candidate[]; readonly unknown: boolean } = { cands: [], unknown: true };

export abstract class Resolver {
  readonly model: ModuleModel;
  protected units: Unit[];
  protected moduleScope!: Scope;
  protected funcInfo = new Map<number, { unit: number; scope: Scope }>();
  protected classInfo = new Map<number, Scope>();
  protected compInfo = new Map<number, Scope>();
  protected mainGuards = new Map<number, number>();
  protected moduleDecls = new Map<string, { src: ValueSrc | null; hint: ValueKind }[]>();
  protected globalNames = new Map<string, Node>();
  protected siteByNode = new Map<number, { site: SpawnSite; call: PyCallInfo }>();
  /** the creating call of each spawn site */
  protected siteNodes = new Map<SpawnSite, Node>();
  protected deferred: Array<() => void> = [];
  /** calls recorded for a callback argument, keyed by the argument node id (removed when it is a process task) */
  protected callbackCalls = new Map<number, { unit: number; call: Call }>();
  /** module-level class definitions, for {@link DeclarePass.finishClasses} */
  protected moduleClasses: Node[] = [];
  /** the call record of a call node (`Cls(...)`, `mod.Cls(...)`), to note a `.start()` on its value */
  protected callOfNode = new Map<number, Call>();
  /** `.start()` calls on the value of a call node that is not a spawn site: call node id → the start's range */
  protected startedCalls = new Map<number, Range>();
  protected taskArgNodes = new Set<number>();
  protected payloadKeys = new Set<string>();
  protected proxyKeys = new Set<string>();
  /** {@link qualify} results by node id and depth, once pass A is done (nothing it reads changes after that) */
  protected qualifyMemo: Map<number, { scope: Scope; result: Candidate | null }> | null = null;

  constructor(path: string, protected readonly text: string) {
    this.units = [];
    this.model = {
      path,
      language: 'python',
      units: this.units,
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

  protected addUnit(u: Omit<Unit, 'id'>): number {
    const id = this.units.length;
    // every field present, in one order (see newBinding in ./declare.ts): one hidden class
    // for all units, which the engine's passes over them read monomorphically
    this.units.push({
      id, kind: u.kind, name: u.name, range: u.range, nameRange: u.nameRange, parent: u.parent,
      binding: u.binding, exportedAs: u.exportedAs, params: u.params, accesses: u.accesses, calls: u.calls,
      globals: u.globals, isNested: u.isNested, isGenerator: u.isGenerator, detached: u.detached,
      afterWorkerExit: u.afterWorkerExit,
    });
    return id;
  }

  /** the nearest function scope (skipping comprehensions), or null */
  protected functionScope(scope: Scope): Scope | null {
    let s: Scope | null = scope;
    while (s && s.kind === 'comprehension') s = s.parent;
    return s && s.kind === 'function' ? s : null;
  }

  protected insideFunction(scope: Scope): boolean {
    for (let s: Scope | null = scope; s; s = s.parent) if (s.kind === 'function') return true;
    return false;
  }

  // -------------------------------------------------------------------------------------
  // name resolution and value classification

  protected resolve(name: string, scope: Scope): Scope | 'module' | null {
    const start = scope;
    let s: Scope | null = scope;
    while (s) {
      if (s.kind === 'module') return this.model.bindings.has(name) ? 'module' : null;
      if (s.kind === 'class') {
        if (s === start && s.locals.has(name)) return s;
        s = s.parent;
        continue;
      }
      if (s.globals.has(name)) return this.model.bindings.has(name) ? 'module' : null;
      if (s.nonlocals.has(name)) {
        s = s.parent;
        continue;
      }
      if (s.locals.has(name)) return s;
      s = s.parent;
    }
    return null;
  }

  protected valuesOf(name: string, scope: Scope): ValueSrc[] {
    const r = this.resolve(name, scope);
    if (r === null) return [];
    const s = r === 'module' ? this.moduleScope : r;
    return s.values.get(name) ?? [];
  }

  protected importAlias(name: string, scope: Scope): string | undefined {
    const r = this.resolve(name, scope);
    if (r === null) return undefined;
    const s = r === 'module' ? this.moduleScope : r;
    return s.imports.get(name);
  }

  protected isModuleLike(b: Binding | undefined): boolean {
    if (!b || b.kind !== 'import' || !b.importFrom) return false;
    const imp = b.importFrom.imported;
    return imp === '*' || /^[a-z_]/.test(imp);
  }

  protected qualify(n: Node | null, scope: Scope, depth = 0): Candidate | null {
    if (!n || depth > 8) return null;
    const memo = this.qualifyMemo;
    if (!memo) return this.qualifyUncached(n, scope, depth);
    // keyed by depth too (the depth limit can cut a result short): without the memo a
    // name assigned many times from its own method calls (`fn = fn.replace(...)`, 11
    // times) costs values^(depth/2) calls
    const key = n.id * 16 + depth;
    const hit = memo.get(key);
    if (hit && hit.scope === scope) return hit.result;
    const result = this.qualifyUncached(n, scope, depth);
    memo.set(key, { scope, result });
    return result;
  }

  protected qualifyUncached(n: Node, scope: Scope, depth: number): Candidate | null {
    switch (n.type) {
      case 'identifier': {
        const alias = this.importAlias(n.text, scope);
        if (alias) return { q: alias, method: undefined };
        for (const v of this.valuesOf(n.text, scope)) {
          if (v.index !== undefined || v.node.type !== 'call') continue;
          const f = this.qualify(field(v.node, 'function'), scope, depth + 1);
          const cf = f && CONTEXT_FACTORIES.get(f.q);
          if (cf) return { q: cf.module, method: this.getContextMethod(v.node, cf.method) };
        }
        return { q: n.text, method: undefined };
      }
      case 'attribute': {
        const o = this.qualify(field(n, 'object'), scope, depth + 1);
        const a = field(n, 'attribute');
        if (!o || !a) return null;
        return { q: `${o.q}.${a.text}`, method: o.method };
      }
      case 'call': {
        const f = this.qualify(field(n, 'function'), scope, depth + 1);
        const cf = f && CONTEXT_FACTORIES.get(f.q);
        if (cf) return { q: cf.module, method: this.getContextMethod(n, cf.method) };
        return null;
      }
      case 'parenthesized_expression':
        return this.qualify(unparen(n), scope, depth + 1);
      default:
        return null;
    }
  }

  protected getContextMethod(call: Node, slot: ArgSlot): StartMethod | undefined {
    return startMethodOf(stringValue(argAt(callArgs(call), slot)));
  }

  /** start method of a context expression (`get_context('spawn')`, a variable bound to one) */
  protected contextExprMethod(n: Node | undefined, scope: Scope): StartMethod | undefined {
    if (!n) return undefined;
    const q = this.qualify(n, scope);
    if (q && CONTEXT_MODULES.has(q.q) && q.method) return q.method;
    return undefined;
  }

  protected classifySrc(src: ValueSrc, scope: Scope, depth: number): Classified {
    if (src.index !== undefined) {
      // tuple unpacking of a call: `r, w = Pipe()` — each end is a process primitive
      const v = unparen(src.node);
      if (v.type === 'call') {
        const q = this.qualify(field(v, 'function'), scope);
        if (q && canonicalName(q.q) === 'multiprocessing.Pipe') return { kind: 'process-primitive', detail: 'multiprocessing.Pipe' };
      }
      return { kind: 'unknown' };
    }
    return this.classify(src.node, scope, depth);
  }

  protected classify(node: Node, scope: Scope, depth = 0): Classified {
    if (depth > 6) return { kind: 'unknown' };
    const n = unparen(node);
    switch (n.type) {
      case 'none': return { kind: 'empty' };
      case 'integer': case 'float': case 'true': case 'false': case 'string': case 'concatenated_string':
      case 'ellipsis':
        return { kind: 'constant' };
      case 'unary_operator': {
        const arg = field(n, 'argument');
        return arg && ['integer', 'float'].includes(arg.type) ? { kind: 'constant' } : { kind: 'unknown' };
      }
      case 'tuple': {
        const kids = named(n).filter((k) => k.type !== 'comment');
        return kids.every((k) => this.classify(k, scope, depth + 1).kind === 'constant') ? { kind: 'constant' } : { kind: 'unknown' };
      }
      case 'list': case 'dictionary': case 'set': case 'list_comprehension': case 'dictionary_comprehension':
      case 'set_comprehension':
        return { kind: 'mutable' };
      case 'generator_expression':
        return { kind: 'unknown', generator: true };
      case 'lambda':
        return { kind: 'function', lambda: true };
      case 'function_definition': {
        const fi = this.funcInfo.get(n.id);
        const isGen = fi ? !!this.units[fi.unit].isGenerator : false;
        return { kind: 'function', localDef: fi ? this.units[fi.unit].isNested : false, generator: undefined, detail: isGen ? 'generator' : undefined };
      }
      case 'class_definition':
        return { kind: 'class' };
      case 'identifier': {
        const vals = this.valuesOf(n.text, scope);
        if (vals.length === 0) {
          const b = this.resolve(n.text, scope) === 'module' ? this.model.bindings.get(n.text) : undefined;
          return b && b.kind !== 'unknown' ? { kind: b.kind, detail: b.detail } : { kind: 'unknown' };
        }
        for (const v of vals) {
          const c = this.classifySrc(v, scope, depth + 1);
          if (c.kind !== 'unknown' || c.openFile || c.generator || c.context) return c;
        }
        return { kind: 'unknown' };
      }
      case 'call':
        return this.classifyCall(n, scope, depth);
      default:
        return { kind: 'unknown' };
    }
  }

  protected classifyCall(n: Node, scope: Scope, depth: number): Classified {
    const fn = field(n, 'function');
    if (!fn) return { kind: 'unknown' };
    const q = this.qualify(fn, scope);
    if (q) {
      // `multiprocess.Queue` is `multiprocessing.Queue` (a re-exporting module's names are the original's)
      const name = canonicalName(q.q);
      if (CONTEXT_FACTORIES.has(q.q)) return { kind: 'unknown', context: true };
      if (OPEN_CALLS.has(name)) return { kind: 'unknown', openFile: true, detail: name };
      if (MUTABLE_CTORS.has(name)) return { kind: 'mutable', detail: name };
      if (CONSTANT_CTORS.has(name)) return { kind: 'constant' };
      if (THREAD_PRIMITIVES.has(name)) return { kind: 'thread-primitive', detail: name };
      if (MANAGER_CTORS.has(name)) return { kind: 'manager-proxy', detail: `${name.split('.').pop()}()`, managerObj: true };
      const parts = name.split('.');
      const last = parts[parts.length - 1];
      if (parts[0] === 'multiprocessing' && (parts.length === 2 || parts[1] === 'sharedctypes' || parts[1] === 'queues' || parts[1] === 'synchronize')
        && MP_PRIMITIVE_NAMES.has(last)) {
        return { kind: 'process-primitive', detail: `multiprocessing.${last}` };
      }
      if (name.startsWith('multiprocessing.shared_memory.')) return { kind: 'process-primitive', detail: name };
      const sysInfo = WORKER_CALLS.get(q.q);
      if (sysInfo && sysInfo.shape !== 'process' && sysInfo.shape !== 'manager') return { kind: 'pool', detail: sysInfo.label };
      // a call of a generator function
      if (fn.type === 'identifier') {
        for (const v of this.valuesOf(fn.text, scope)) {
          if (v.node.type === 'function_definition') {
            const fi = this.funcInfo.get(v.node.id);
            if (fi && this.units[fi.unit].isGenerator) return { kind: 'unknown', generator: true, detail: fn.text };
          }
        }
      }
    }
    // executor class chosen by an expression: `[PPE, TPE][i]()`
    const cands = this.classCandidates(fn, scope);
    if (cands.cands.some((c) => { const s = WORKER_CALLS.get(c.q); return s && (s.shape === 'pool' || s.shape === 'executor'); })) {
      return { kind: 'pool' };
    }
    // a framework's shared channel: Spark's `sc.accumulator(0)`, `sc.broadcast(v)` (../frameworks/python)
    const channel = fn.type === 'attribute' ? CHANNEL_METHODS.get(field(fn, 'attribute')?.text ?? '') : undefined;
    if (channel && this.model.imports.some((i) => channel.some((p) => i === p || i.startsWith(`${p}.`)))) {
      return { kind: 'process-primitive', detail: field(fn, 'attribute')!.text };
    }
    // manager.list() / Manager().dict()
    if (fn.type === 'attribute') {
      const obj = field(fn, 'object');
      const meth = field(fn, 'attribute')?.text ?? '';
      if (obj && MANAGER_PROXY_METHODS.has(meth)) {
        const oc = this.classify(obj, scope, depth + 1);
        if (oc.kind === 'manager-proxy' && oc.managerObj) return { kind: 'manager-proxy', detail: `${oc.detail ?? 'Manager()'}.${meth}` };
      }
    }
    return { kind: 'unknown' };
  }

  /** classes an expression may evaluate to (for executor choice) */
  protected classCandidates(n: Node | null, scope: Scope, depth = 0): { readonly cands: readonly Candidate[]; readonly unknown: boolean } {
    const none = NO_CANDIDATES;
    if (!n || depth > 6) return none;
    const x = unparen(n);
    switch (x.type) {
      case 'identifier': {
        if (this.importAlias(x.text, scope)) {
          const q = this.qualify(x, scope);
          return q ? { cands: [q], unknown: false } : none;
        }
        const vals = this.valuesOf(x.text, scope).filter((v) => v.index === undefined);
        if (vals.length > 0 && vals.every((v) => CLASS_EXPR_TYPES.has(v.node.type))) {
          const out = { cands: [] as Candidate[], unknown: false };
          for (const v of vals) {
            const r = this.classCandidates(v.node, scope, depth + 1);
            out.cands.push(...r.cands);
            out.unknown ||= r.unknown;
          }
          return out;
        }
        const q = this.qualify(x, scope);
        return q ? { cands: [q], unknown: false } : none;
      }
      case 'attribute': {
        const q = this.qualify(x, scope);
        return q ? { cands: [q], unknown: false } : none;
      }
      case 'conditional_expression': {
        const kids = named(x);
        const a = this.classCandidates(kids[0] ?? null, scope, depth + 1);
        const b = this.classCandidates(kids[2] ?? null, scope, depth + 1);
        return { cands: [...a.cands, ...b.cands], unknown: a.unknown || b.unknown };
      }
      case 'subscript': {
        let base: Node | null = field(x, 'value');
        if (base && unparen(base).type === 'identifier') {
          const vals = this.valuesOf(unparen(base).text, scope);
          base = vals.length === 1 && vals[0].index === undefined ? vals[0].node : base;
        }
        if (!base) return none;
        base = unparen(base);
        const subs = x.childrenForFieldName('subscript').filter((s): s is Node => !!s);
        const key = subs.length === 1 ? subs[0] : null;
        let elems: Node[] = [];
        let picked: Node | null = null;
        if (base.type === 'list' || base.type === 'tuple') {
          elems = named(base).filter((k) => k.type !== 'comment');
          if (key && (key.type === 'integer' || (key.type === 'unary_operator' && field(key, 'argument')?.type === 'integer'))) {
            const i = Number.parseInt(key.text.replace(/\s+/g, ''), 10);
            const idx = i < 0 ? elems.length + i : i;
            if (idx >= 0 && idx < elems.length) picked = elems[idx];
          }
        } else if (base.type === 'dictionary') {
          const pairs = named(base).filter((k) => k.type === 'pair');
          elems = pairs.map((p) => field(p, 'value')).filter((v): v is Node => !!v);
          const ks = stringValue(key);
          if (ks !== null) {
            for (const p of pairs) if (stringValue(field(p, 'key')) === ks) picked = field(p, 'value');
          }
        } else {
          return none;
        }
        if (picked) return this.classCandidates(picked, scope, depth + 1);
        const out = { cands: [] as Candidate[], unknown: false };
        for (const e of elems) {
          const r = this.classCandidates(e, scope, depth + 1);
          out.cands.push(...r.cands);
          out.unknown ||= r.unknown;
        }
        return out;
      }
      default:
        return none;
    }
  }

  // -------------------------------------------------------------------------------------
  // chains: X, X.a, X[k], mod.NAME.b[k]

  protected chainOf(n: Node): { bottom: Node; steps: Node[] } {
    const steps: Node[] = [];
    let cur = n;
    for (;;) {
      if (cur.type === 'attribute') {
        const o = field(cur, 'object');
        if (!o) break;
        steps.push(cur);
        cur = o;
      } else if (cur.type === 'subscript') {
        const v = field(cur, 'value');
        if (!v) break;
        steps.push(cur);
        cur = v;
      } else if (cur.type === 'parenthesized_expression' && steps.length > 0) {
        const inner = unparen(cur);
        if (inner === cur || inner.id === cur.id) break;
        cur = inner;
      } else {
        break;
      }
    }
    steps.reverse();
    return { bottom: cur, steps };
  }

  /**
   * A chain on a name a function bound only by an import (`from worker import current`:
   * `current`, `current.id`; `import lib`: `lib.SEEN`): the module's binding it reaches
   * ({@link Ref.from}). Null for anything else, and for a name the function also assigns.
   */
  protected localImportRef(bottom: Node, steps: Node[], scope: Scope): ChainRef | null {
    if (bottom.type !== 'identifier') return null;
    const imp = this.localImport(bottom.text, scope);
    if (!imp) return null;
    if (imp.imported !== '*') return { ref: { name: imp.imported, from: imp.specifier }, rangeNode: bottom, used: 0 };
    const first = steps[0];
    const attr = first?.type === 'attribute' ? field(first, 'attribute') : null;
    return attr ? { ref: { name: attr.text, from: imp.specifier }, rangeNode: first!, used: 1 } : null;
  }

  /** The import that binds `name` in the function it resolves to, when nothing else there binds it. */
  protected localImport(name: string, scope: Scope): { specifier: string; imported: string } | undefined {
    const where = this.resolve(name, scope);
    if (!where || where === 'module' || where.kind !== 'function') return undefined;
    const imp = where.importFrom.get(name);
    return imp && !where.values.get(name)?.length ? imp : undefined;
  }

  protected refOfChain(bottom: Node, steps: Node[], scope: Scope): ChainRef | null {
    if (bottom.type !== 'identifier') return null;
    const name = bottom.text;
    const where = this.resolve(name, scope);
    if (where !== 'module') {
      // `cls` in a classmethod of a module-level class: the class itself
      const fs = where ? this.functionScope(scope) : null;
      if (fs && where === fs && fs.clsName === name && fs.methodOf?.classBinding) {
        return { ref: { name: fs.methodOf.classBinding }, rangeNode: bottom, used: 0, viaCls: true };
      }
      return null;
    }
    const b = this.model.bindings.get(name);
    if (this.isModuleLike(b) && steps.length > 0 && steps[0].type === 'attribute') {
      const attr = field(steps[0], 'attribute');
      if (attr) return { ref: { name, member: attr.text }, rangeNode: steps[0], used: 1 };
    }
    return { ref: { name }, rangeNode: bottom, used: 0 };
  }
}
