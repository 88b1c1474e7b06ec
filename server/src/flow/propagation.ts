/**
 * The value-flow solver's core: node values, the worklist fixpoint (Andersen-style inclusion
 * constraints, context-insensitive: every call of a function feeds the same parameters),
 * the set-up from the facts, and the dispatch of constraints to the rules of ./objects.ts
 * (attributes, items, stores, MROs), ./calls.ts (calls, iteration) and ./solver.ts
 * (builtins, external and container calls).
 *
 * Bounded: a node holds at most {@link MAX_VALUES} values, external names at most
 * {@link MAX_EXT_DEPTH} attribute steps, and the whole solve stops after
 * {@link MAX_STEPS} propagations (what is found by then stands).
 */
import type { DefFact, FlowOp, ModuleFacts, NodeId } from './facts';
import { ValueTable, type Value } from './values';

const MAX_VALUES = 64;
export const MAX_EXT_DEPTH = 6;
const MAX_STEPS = 3_000_000;
export const NO_VALUES: ReadonlySet<number> = new Set();

export interface SolverModule {
  facts: ModuleFacts;
}

/** Resolves an import specifier written in module `from` to a module index. */
export interface ModuleResolver {
  resolve(from: number, spec: string): number | undefined;
  /** the submodule `name` of package module `m` */
  submodule(m: number, name: string): number | undefined;
  /** the absolute dotted name of a specifier (for names of external things) */
  absolute(from: number, spec: string): string;
}

export type Args = { pos: number[]; kw: Array<[string, number]>; star: number | null; dstar: number | null };

export type Constraint =
  | { c: 'attr'; obj: number; name: string; out: number; caller: number; site: string }
  | { c: 'item'; obj: number; key: number | null; out: number }
  | { c: 'slice'; obj: number; start: number | null; out: number; site: string }
  | { c: 'call'; fn: number; args: Args; out: number; caller: number; site: string; raise?: boolean }
  | { c: 'iter'; obj: number; out: number; caller: number; site: string }
  | { c: 'next'; obj: number; out: number; caller: number; site: string }
  | { c: 'super'; cls: number; self: number; out: number }
  | { c: 'store'; obj: number; name?: string; key?: number | null; value: number }
  | { c: 'bind'; src: number; self: number | null; cls: number; out: number; caller: number; site: string }
  | { c: 'partial'; fn: number; out: number; m: number; node: number }
  | { c: 'mirror'; src: number; target: number }
  | { c: 'escape'; src: number; caller?: number; exit?: boolean; site?: string; expose?: boolean }
  /** JS `f.bind(x)` / `f.call(x, ...)`: f bound to each value of `self` */
  | { c: 'bindThis'; fn: number; self: number; out: number };

export abstract class Propagation {
  readonly values = new ValueTable();
  /** global node id of module m's node 0 */
  readonly base: number[] = [];
  /** values by node (undefined: none yet — most nodes never get one) */
  protected readonly pts: Array<Set<number> | undefined> = [];
  protected readonly pending: Array<number[] | undefined> = [];
  protected readonly succ: Array<Set<number> | undefined> = [];
  protected readonly watchers: Array<number[] | undefined> = [];
  protected readonly cons: Constraint[] = [];
  protected readonly queue: number[] = [];
  protected readonly queued: boolean[] = [];
  protected readonly fields = new Map<number, Map<string, number>>();
  /** container → nodes that receive every element / containers that mirror its keys */
  protected readonly allListeners = new Map<number, number[]>();
  protected readonly mirrors = new Map<number, number[]>();
  /** constraints that looked something up through an MRO (redone when class bases change) */
  protected readonly mroUsers = new Set<number>();
  protected mroCache = new Map<number, number[]>();
  protected basesChanged = false;
  /** item constraints waiting for a key value */
  protected readonly waitingKeys = new Set<number>();
  protected readonly done = new Set<string>();
  protected steps = 0;
  /** caller value → callee values */
  readonly edges = new Map<number, Set<number>>();
  /** caller value → callables it hands to code outside the program (JS: callbacks, handlers it registers) */
  readonly handedOut = new Map<number, Set<number>>();
  /** the same by call site ('m:node') */
  readonly handedOutAt = new Map<string, Set<number>>();
  /** JS: callables registered for an 'exit' event (`worker.on('exit', f)`): they run when that ends */
  readonly exitHandlers = new Set<number>();
  /** call site ('m:node') → callee values */
  readonly siteCallees = new Map<string, Set<number>>();
  /** set when a bound was hit: results are partial */
  truncated = false;

  constructor(
    readonly modules: SolverModule[],
    protected readonly resolver: ModuleResolver,
    private readonly maxSteps = MAX_STEPS,
  ) {
    let n = 0;
    for (const m of modules) {
      this.base.push(n);
      n += m.facts.nodes.length;
    }
    for (let i = 0; i < n; i++) this.newNodeSlot();
  }

  protected newNodeSlot(): number {
    this.pts.push(undefined);
    this.pending.push(undefined);
    this.succ.push(undefined);
    this.watchers.push(undefined);
    this.queued.push(false);
    return this.pts.length - 1;
  }

  node(m: number, id: NodeId): number {
    return this.base[m] + id;
  }

  valuesOf(node: number): ReadonlySet<number> {
    return this.pts[node] ?? NO_VALUES;
  }

  def(v: Value & { t: 'def' }): DefFact {
    return this.modules[v.m].facts.defs[v.d];
  }

  // -------------------------------------------------------------------------------------
  // propagation

  protected addVal(node: number, v: number): void {
    let s = this.pts[node];
    if (!s) this.pts[node] = s = new Set();
    else if (s.has(v)) return;
    if (s.size >= MAX_VALUES) {
      this.truncated = true;
      return;
    }
    // a solved program's nodes share equal sets ({@link release})
    if (this.released) this.pts[node] = s = new Set(s);
    s.add(v);
    const p = this.pending[node];
    if (p) p.push(v);
    else this.pending[node] = [v];
    if (!this.queued[node]) {
      this.queued[node] = true;
      this.queue.push(node);
    }
  }

  protected addEdge(a: number, b: number): void {
    if (a === b) return;
    let s = this.succ[a];
    if (!s) this.succ[a] = s = new Set();
    if (s.has(b)) return;
    s.add(b);
    const src = this.pts[a];
    if (src) for (const v of src) this.addVal(b, v);
  }

  protected watch(node: number, c: number): void {
    const w = this.watchers[node];
    if (w) w.push(c);
    else this.watchers[node] = [c];
  }

  protected addCons(c: Constraint, inputs: number[]): number {
    const id = this.cons.length;
    this.cons.push(c);
    for (const i of inputs) {
      this.watch(i, id);
      if ((this.pts[i]?.size ?? 0) > 0) this.fire(id, i, [...this.pts[i]!]);
    }
    return id;
  }

  solve(): void {
    this.init();
    this.fixpoint();
    // methods no call reached (run by a framework, or not at all): `self` is an instance of
    // their own class. Seeded only now, so that a method called on a subclass instance sees
    // that subclass's overrides only.
    for (let i = 0; i < 3 && this.seedSelf(); i++) this.fixpoint();
    this.release();
  }

  /**
   * Drops what only the fixpoint needs: constraints, edges between nodes, watchers, the
   * worklist and the memo of work done. A solved program is kept (the language server keeps
   * one with its graph, across edits), and its users read only node values, the call graph
   * and MROs. Nothing is solved again afterwards; `field()`, the one public method that
   * needs the working sets, is for the rules while solving (fields stay: it may still look one up).
   */
  private release(): void {
    this.released = true;
    this.shareValueSets();
    this.cons.length = 0;
    this.succ.length = 0;
    this.watchers.length = 0;
    this.pending.length = 0;
    this.queue.length = 0;
    this.queued.length = 0;
    this.done.clear();
    this.allListeners.clear();
    this.mirrors.clear();
    this.mroUsers.clear();
    this.waitingKeys.clear();
  }

  /**
   * Nodes holding the same values, in the same order, share one set: most hold one or two
   * values that many others hold too (a name, the argument it is passed as, the parameter),
   * and each V8 Set costs over 100 bytes however small (standard library: 150,000 node sets,
   * 26,000 different). Call sites share their callee sets the same way. Empty node sets go
   * (NO_VALUES answers for them).
   */
  private shareValueSets(): void {
    const shared = new SharedSets();
    const pts = this.pts;
    for (let i = 0; i < pts.length; i++) {
      const s = pts[i];
      if (s) pts[i] = s.size === 0 ? undefined : shared.of(s);
    }
    for (const [site, s] of this.siteCallees) this.siteCallees.set(site, shared.of(s));
  }

  /** set once solved: the working sets are gone ({@link release}) */
  protected released = false;

  protected seedSelf(): boolean {
    let seeded = false;
    // the classes something instantiates, by the classes in their MRO
    const made = new Map<number, number[]>();
    for (let v = 0; v < this.values.values.length; v++) {
      const x = this.values.get(v);
      if (x.t !== 'inst') continue;
      for (const k of this.mro(x.cls)) {
        const l = made.get(k);
        if (l) l.push(v);
        else made.set(k, [v]);
      }
    }
    this.modules.forEach((mod, m) => {
      for (const d of mod.facts.defs) {
        if (d.inClass === undefined || d.method === 'static' || d.params.length === 0 || d.params[0].kind !== 'pos') continue;
        const p0 = this.node(m, d.params[0].node);
        if (this.pts[p0]?.size) continue;
        const cls = this.values.intern({ t: 'def', m, d: d.inClass });
        if (d.method === 'class') this.addVal(p0, cls);
        else for (const i of made.get(cls) ?? [this.values.intern({ t: 'inst', cls })]) this.addVal(p0, i);
        seeded = true;
      }
    });
    return seeded;
  }

  protected fixpoint(): void {
    for (let round = 0; round < 8; round++) {
      this.drain();
      if (this.basesChanged) {
        this.basesChanged = false;
        this.mroCache = new Map();
        for (const c of [...this.mroUsers]) this.refire(c);
        continue;
      }
      if (this.waitingKeys.size > 0) {
        // keys that never got a value: any element
        const ws = [...this.waitingKeys];
        this.waitingKeys.clear();
        for (const c of ws) {
          const k = this.cons[c] as { key: number | null };
          k.key = null;
          this.refire(c);
        }
        continue;
      }
      break;
    }
  }

  protected drain(): void {
    while (this.queue.length > 0) {
      if (++this.steps > this.maxSteps) {
        this.truncated = true;
        this.queue.length = 0;
        return;
      }
      const n = this.queue.pop()!;
      this.queued[n] = false;
      const delta = this.pending[n];
      this.pending[n] = undefined;
      if (!delta) continue;
      const s = this.succ[n];
      if (s) for (const t of s) for (const v of delta) this.addVal(t, v);
      const w = this.watchers[n];
      if (w) for (let i = 0; i < w.length; i++) this.fire(w[i], n, delta);
    }
  }

  protected refire(c: number): void {
    const k = this.cons[c];
    const inputs: number[] = [];
    switch (k.c) {
      case 'attr': case 'item': case 'slice': case 'iter': case 'next': case 'store':
        inputs.push(k.obj);
        break;
      case 'call':
        inputs.push(k.fn);
        break;
      case 'bind':
      case 'mirror':
      case 'escape':
        inputs.push(k.src);
        break;
      case 'bindThis':
        inputs.push(k.self);
        break;
      case 'super':
        inputs.push(k.self);
        break;
      case 'partial':
        inputs.push(k.fn);
        break;
    }
    for (const i of inputs) if ((this.pts[i]?.size ?? 0) > 0) this.fire(c, i, [...this.pts[i]!]);
  }

  // -------------------------------------------------------------------------------------
  // set-up from the facts

  protected init(): void {
    this.modules.forEach((mod, m) => {
      const f = mod.facts;
      const g = (id: NodeId) => this.base[m] + id;
      f.nodes.forEach((op, i) => this.initNode(m, g(i), op, g));
      for (const st of f.stores) {
        const inputs = [g(st.obj)];
        if (st.key !== undefined && st.key !== null) inputs.push(g(st.key));
        this.addCons({ c: 'store', obj: g(st.obj), name: st.name, key: st.key === undefined ? undefined : st.key === null ? null : g(st.key), value: g(st.value) }, inputs);
      }
      f.defs.forEach((d, di) => {
        if (d.kind === 'class') {
          for (const b of d.bases ?? []) this.addCons({ c: 'mirror', src: g(b), target: -1 }, [g(b)]);
          return;
        }
        for (const p of d.params) {
          if (p.kind === 'star' || p.kind === 'dstar') {
            this.addVal(g(p.node), this.values.intern({ t: 'box', site: `${m}:p${p.node}`, kind: p.kind === 'star' ? 'tuple' : 'dict' }));
          }
        }
      });
    });
  }

  protected initNode(m: number, node: number, op: FlowOp, g: (id: NodeId) => number): void {
    switch (op.k) {
      case 'union':
        for (const f of op.from) this.addEdge(g(f), node);
        return;
      case 'builtin':
        this.addVal(node, this.values.intern({ t: 'builtin', name: op.name }));
        return;
      case 'const':
        this.addVal(node, this.values.intern({ t: 'const', key: op.key }));
        return;
      case 'def':
        this.addVal(node, this.values.intern({ t: 'def', m, d: op.def }));
        return;
      case 'import': {
        const target = this.resolver.resolve(m, op.spec);
        if (target === undefined) {
          const abs = this.resolver.absolute(m, op.spec);
          this.addVal(node, this.ext(op.name === null ? abs : `${abs}.${op.name}`));
          return;
        }
        const mv = this.values.intern({ t: 'mod', m: target });
        const replaced = this.modules[target].facts.moduleValue;
        // JS `module.exports = X`: `require` gives X
        if (op.name === null && replaced !== undefined) this.addEdge(this.node(target, replaced), node);
        else if (op.name === null) this.addVal(node, mv);
        else this.moduleAttr(target, op.name, node, 0);
        return;
      }
      case 'attr':
        this.addCons({ c: 'attr', obj: g(op.obj), name: op.name, out: node, caller: this.callerValue(m, op.scope), site: `${m}:${node - this.base[m]}` }, [g(op.obj)]);
        return;
      case 'item': {
        const key = op.key === null ? null : g(op.key);
        this.addCons({ c: 'item', obj: g(op.obj), key, out: node }, key === null ? [g(op.obj)] : [g(op.obj), key]);
        return;
      }
      case 'slice':
        this.addCons({ c: 'slice', obj: g(op.obj), start: op.start, out: node, site: `${m}:${node}` }, [g(op.obj)]);
        return;
      case 'call': {
        const args: Args = { pos: op.args.map(g), kw: op.kw.map(([k, v]) => [k, g(v)]), star: op.star === null ? null : g(op.star), dstar: op.dstar === null ? null : g(op.dstar) };
        this.addCons({ c: 'call', fn: g(op.fn), args, out: node, caller: this.callerValue(m, op.scope), site: `${m}:${node - this.base[m]}`, raise: op.raise }, [g(op.fn)]);
        return;
      }
      case 'new': {
        const box = this.values.intern({ t: 'box', site: `${m}:${node - this.base[m]}`, kind: op.kind });
        for (const [k, v] of op.items) this.addEdge(g(v), this.field(box, k === null ? '[*]' : `[${k}]`));
        this.addVal(node, box);
        return;
      }
      case 'iter':
        this.addCons({ c: 'iter', obj: g(op.obj), out: node, caller: this.callerValue(m, op.scope), site: `${m}:${node - this.base[m]}` }, [g(op.obj)]);
        return;
      case 'super':
        this.addCons({ c: 'super', cls: g(op.cls), self: g(op.self), out: node }, [g(op.cls), g(op.self)]);
        return;
    }
  }

  callerValue(m: number, scope: number): number {
    return scope < 0 ? this.values.intern({ t: 'mod', m }) : this.values.intern({ t: 'def', m, d: scope });
  }

  protected ext(name: string): number {
    return this.values.intern({ t: 'ext', name });
  }

  /** {@link extAttr}'s answers by external value and attribute name */
  private readonly extAttrs = new Map<number, Map<string, number>>();

  /**
   * The external value `v.name` of external value `v` (`name`: its dotted name), or -1
   * past {@link MAX_EXT_DEPTH} steps. Remembered: minified bundles load the same
   * attributes of the same globals thousands of times, and each load built two strings,
   * split one and hashed the other (a third of a playwright bundle's solve).
   */
  protected extAttr(v: number, dotted: string, name: string): number {
    let byName = this.extAttrs.get(v);
    if (!byName) this.extAttrs.set(v, (byName = new Map()));
    let id = byName.get(name);
    if (id === undefined) {
      id = dotted.split('.').length < MAX_EXT_DEPTH ? this.ext(`${dotted}.${name}`) : -1;
      byName.set(name, id);
    }
    return id;
  }

  /** the node of a field: an attribute name, or '[key]' for container elements */
  field(v: number, key: string): number {
    let fs = this.fields.get(v);
    if (!fs) this.fields.set(v, (fs = new Map()));
    let n = fs.get(key);
    if (n === undefined) {
      // a new field node needs the working sets (edges from listeners and mirrors)
      if (this.released) throw new Error('value flow: a new field after the solve');
      n = this.newNodeSlot();
      fs.set(key, n);
      if (key.startsWith('[')) {
        for (const l of this.allListeners.get(v) ?? []) this.addEdge(n, l);
        for (const t of this.mirrors.get(v) ?? []) this.addEdge(n, this.field(t, key));
      }
    }
    return n;
  }

  protected allElements(box: number, out: number): void {
    const ls = this.allListeners.get(box);
    if (ls) {
      if (ls.includes(out)) return;
      ls.push(out);
    } else this.allListeners.set(box, [out]);
    for (const [k, n] of this.fields.get(box) ?? []) if (k.startsWith('[')) this.addEdge(n, out);
  }

  protected mirror(src: number, target: number): void {
    const ms = this.mirrors.get(src);
    if (ms) {
      if (ms.includes(target)) return;
      ms.push(target);
    } else this.mirrors.set(src, [target]);
    for (const [k, n] of [...(this.fields.get(src) ?? [])]) if (k.startsWith('[')) this.addEdge(n, this.field(target, k));
  }

  private exposeMethods(inst: number, cls: number, k: Constraint & { c: 'escape' }, cid: number): void {
    this.mroUsers.add(cid);
    const mro = this.mro(cls);
    for (const c of mro) {
      const cv = this.values.get(c);
      if (cv.t !== 'def') continue;
      for (const name of this.def(cv).attrs?.keys() ?? []) {
        const key = `expose:${inst}:${name}:${k.caller}:${k.site}`;
        if (this.done.has(key)) continue;
        this.done.add(key);
        const out = this.newNodeSlot();
        this.lookupFrom(mro, name, inst, cls, out, cid);
        this.addCons({ c: 'escape', src: out, caller: k.caller, site: k.site }, [out]);
      }
    }
  }

  private escapeElements(box: number, k: Constraint & { c: 'escape' }): void {
    const key = `escbox:${box}:${k.caller}:${k.site}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    const elems = this.newNodeSlot();
    this.allElements(box, elems);
    this.addCons({ ...k, src: elems }, [elems]);
  }

  protected escapedFrom(caller: number, v: number, site?: string): void {
    let s = this.handedOut.get(caller);
    if (!s) this.handedOut.set(caller, (s = new Set()));
    s.add(v);
    if (site === undefined) return;
    let a = this.handedOutAt.get(site);
    if (!a) this.handedOutAt.set(site, (a = new Set()));
    a.add(v);
  }

  protected edge(caller: number, callee: number, site: string): void {
    let s = this.edges.get(caller);
    if (!s) this.edges.set(caller, (s = new Set()));
    s.add(callee);
    let c = this.siteCallees.get(site);
    if (!c) this.siteCallees.set(site, (c = new Set()));
    else if (this.released) this.siteCallees.set(site, (c = new Set(c)));
    c.add(callee);
  }

  // -------------------------------------------------------------------------------------
  // constraints

  protected fire(id: number, input: number, vals: number[]): void {
    const k = this.cons[id];
    switch (k.c) {
      case 'attr':
        for (const v of vals) this.loadAttr(v, k.name, k.out, id);
        return;
      case 'item':
        if (input === k.key) {
          this.waitingKeys.delete(id);
          for (const o of this.pts[k.obj] ?? NO_VALUES) this.loadItem(o, k.key, k.out, id);
        } else for (const v of vals) this.loadItem(v, k.key, k.out, id);
        return;
      case 'slice':
        for (const v of vals) this.loadSlice(v, k.start, k.out, k.site);
        return;
      case 'call':
        for (const v of vals) this.invoke(k.caller, v, k.args, k.out, k.site, id, k.raise);
        return;
      case 'iter':
        for (const v of vals) this.iterate(v, k.out, k.caller, k.site, id, false);
        return;
      case 'next':
        for (const v of vals) this.iterate(v, k.out, k.caller, k.site, id, true);
        return;
      case 'super':
        for (const c of this.pts[k.cls] ?? NO_VALUES) for (const s of this.pts[k.self] ?? NO_VALUES) this.addVal(k.out, this.values.intern({ t: 'super', cls: c, self: s }));
        return;
      case 'store':
        if (input === k.key) {
          for (const o of this.pts[k.obj] ?? NO_VALUES) this.store(o, k, id);
        } else for (const v of vals) this.store(v, k, id);
        return;
      case 'bind':
        for (const v of vals) this.bindValue(v, k.self, k.cls, k.out, k.caller, k.site);
        return;
      case 'partial':
        for (const v of vals) this.addVal(k.out, this.values.intern({ t: 'partial', fn: v, m: k.m, node: k.node }));
        return;
      case 'escape':
        for (const v of vals) {
          if (k.caller !== undefined) this.escapedFrom(k.caller, v, k.site);
          if (k.exit) this.exitHandlers.add(v);
          this.escaped(v);
          // JS: functions inside a container handed out (`new Map([['job', fn]])`) are handed out too
          if (k.caller !== undefined && this.values.get(v).t === 'box') this.escapeElements(v, k);
          // an instance given to `expose(obj)` (comlink, threads.js): every method may be called, in this thread
          const iv = this.values.get(v);
          if (k.expose && iv.t === 'inst') this.exposeMethods(v, iv.cls, k, id);
        }
        return;
      case 'bindThis':
        for (const v of vals) this.addVal(k.out, this.values.intern({ t: 'bound', fn: k.fn, self: v }));
        return;
      case 'mirror':
        if (k.target < 0) this.basesChanged = true;
        else for (const v of vals) if (this.values.get(v).t === 'box') this.mirror(v, k.target);
        return;
    }
  }

  // -------------------------------------------------------------------------------------
  // the rules, in ./objects.ts, ./calls.ts and ./solver.ts

  protected abstract moduleAttr(m: number, name: string, out: number, depth: number): void;
  protected abstract loadAttr(v: number, name: string, out: number, cid: number): void;
  protected abstract loadItem(v: number, key: number | null, out: number, cid: number): void;
  protected abstract loadSlice(v: number, start: number | null, out: number, site: string): void;
  protected abstract store(o: number, k: Constraint & { c: 'store' }, cid: number): void;
  protected abstract bindValue(v: number, self: number | null, cls: number, out: number, caller: number, site: string): void;
  abstract mro(cls: number): number[];
  protected abstract lookupFrom(mro: number[], name: string, self: number | null, cls: number, out: number, cid: number): void;
  protected abstract invoke(caller: number, v: number, args: Args, out: number, site: string, cid: number, raise?: boolean): void;
  protected abstract iterate(v: number, out: number, caller: number, site: string, cid: number, isNext: boolean): void;
  protected abstract escaped(v: number, depth?: number): void;
}

const SHARED_SET_SIZE = 4;

/** One set per content and order: equal sets given to {@link of} come back as the first one seen. */
class SharedSets {
  private readonly single = new Map<number, Set<number>>();
  private readonly many = new Map<string, Set<number>>();

  of(s: Set<number>): Set<number> {
    if (s.size === 1) {
      const v = s.values().next().value!;
      const same = this.single.get(v);
      if (same) return same;
      this.single.set(v, s);
      return s;
    }
    // larger sets are seldom equal, and their keys cost more than sharing saves
    if (s.size > SHARED_SET_SIZE) return s;
    const key = [...s].join(',');
    const same = this.many.get(key);
    if (same) return same;
    this.many.set(key, s);
    return s;
  }
}
