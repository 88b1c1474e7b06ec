/**
 * The value-flow solver: the facts of all modules of a program → the values each node
 * may hold, and the call graph, by a worklist fixpoint (Andersen-style inclusion
 * constraints, context-insensitive: every call of a function feeds the same parameters).
 *
 * Bounded: a node holds at most {@link MAX_VALUES} values, external names at most
 * {@link MAX_EXT_DEPTH} attribute steps, and the whole solve stops after
 * {@link MAX_STEPS} propagations (what is found by then stands).
 */
import type { DefFact, FlowOp, ModuleFacts, NodeId } from './facts';
import { ValueTable, type Value } from './values';

const MAX_VALUES = 64;
const MAX_EXT_DEPTH = 6;
const MAX_STEPS = 3_000_000;
const NO_VALUES: ReadonlySet<number> = new Set();

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

type Args = { pos: number[]; kw: Array<[string, number]>; star: number | null; dstar: number | null };

type Constraint =
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
  | { c: 'escape'; src: number };

export class Solver {
  readonly values = new ValueTable();
  /** global node id of module m's node 0 */
  readonly base: number[] = [];
  /** values by node (undefined: none yet — most nodes never get one) */
  private readonly pts: Array<Set<number> | undefined> = [];
  private readonly pending: Array<number[] | undefined> = [];
  private readonly succ: Array<Set<number> | undefined> = [];
  private readonly watchers: Array<number[] | undefined> = [];
  private readonly cons: Constraint[] = [];
  private readonly queue: number[] = [];
  private readonly queued: boolean[] = [];
  private readonly fields = new Map<number, Map<string, number>>();
  /** container → nodes that receive every element / containers that mirror its keys */
  private readonly allListeners = new Map<number, number[]>();
  private readonly mirrors = new Map<number, number[]>();
  /** constraints that looked something up through an MRO (redone when class bases change) */
  private readonly mroUsers = new Set<number>();
  private mroCache = new Map<number, number[]>();
  private basesChanged = false;
  /** item constraints waiting for a key value */
  private readonly waitingKeys = new Set<number>();
  private readonly done = new Set<string>();
  private steps = 0;
  /** caller value → callee values */
  readonly edges = new Map<number, Set<number>>();
  /** call site ('m:node') → callee values */
  readonly siteCallees = new Map<string, Set<number>>();
  /** set when a bound was hit: results are partial */
  truncated = false;

  constructor(
    readonly modules: SolverModule[],
    private readonly resolver: ModuleResolver,
    private readonly maxSteps = MAX_STEPS,
  ) {
    let n = 0;
    for (const m of modules) {
      this.base.push(n);
      n += m.facts.nodes.length;
    }
    for (let i = 0; i < n; i++) this.newNodeSlot();
  }

  private newNodeSlot(): number {
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

  private addVal(node: number, v: number): void {
    let s = this.pts[node];
    if (!s) this.pts[node] = s = new Set();
    else if (s.has(v)) return;
    if (s.size >= MAX_VALUES) {
      this.truncated = true;
      return;
    }
    s.add(v);
    const p = this.pending[node];
    if (p) p.push(v);
    else this.pending[node] = [v];
    if (!this.queued[node]) {
      this.queued[node] = true;
      this.queue.push(node);
    }
  }

  private addEdge(a: number, b: number): void {
    if (a === b) return;
    let s = this.succ[a];
    if (!s) this.succ[a] = s = new Set();
    if (s.has(b)) return;
    s.add(b);
    const src = this.pts[a];
    if (src) for (const v of src) this.addVal(b, v);
  }

  private watch(node: number, c: number): void {
    const w = this.watchers[node];
    if (w) w.push(c);
    else this.watchers[node] = [c];
  }

  private addCons(c: Constraint, inputs: number[]): number {
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
  }

  private seedSelf(): boolean {
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

  private fixpoint(): void {
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

  private drain(): void {
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

  private refire(c: number): void {
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

  private init(): void {
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

  private initNode(m: number, node: number, op: FlowOp, g: (id: NodeId) => number): void {
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
        if (op.name === null) this.addVal(node, mv);
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

  private ext(name: string): number {
    return this.values.intern({ t: 'ext', name });
  }

  /** the node of a field: an attribute name, or '[key]' for container elements */
  field(v: number, key: string): number {
    let fs = this.fields.get(v);
    if (!fs) this.fields.set(v, (fs = new Map()));
    let n = fs.get(key);
    if (n === undefined) {
      n = this.newNodeSlot();
      fs.set(key, n);
      if (key.startsWith('[')) {
        for (const l of this.allListeners.get(v) ?? []) this.addEdge(n, l);
        for (const t of this.mirrors.get(v) ?? []) this.addEdge(n, this.field(t, key));
      }
    }
    return n;
  }

  private allElements(box: number, out: number): void {
    const ls = this.allListeners.get(box);
    if (ls) {
      if (ls.includes(out)) return;
      ls.push(out);
    } else this.allListeners.set(box, [out]);
    for (const [k, n] of this.fields.get(box) ?? []) if (k.startsWith('[')) this.addEdge(n, out);
  }

  private mirror(src: number, target: number): void {
    const ms = this.mirrors.get(src);
    if (ms) {
      if (ms.includes(target)) return;
      ms.push(target);
    } else this.mirrors.set(src, [target]);
    for (const [k, n] of [...(this.fields.get(src) ?? [])]) if (k.startsWith('[')) this.addEdge(n, this.field(target, k));
  }

  private edge(caller: number, callee: number, site: string): void {
    let s = this.edges.get(caller);
    if (!s) this.edges.set(caller, (s = new Set()));
    s.add(callee);
    let c = this.siteCallees.get(site);
    if (!c) this.siteCallees.set(site, (c = new Set()));
    c.add(callee);
  }

  // -------------------------------------------------------------------------------------
  // constraints

  private fire(id: number, input: number, vals: number[]): void {
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
        for (const v of vals) this.escaped(v);
        return;
      case 'mirror':
        if (k.target < 0) this.basesChanged = true;
        else for (const v of vals) if (this.values.get(v).t === 'box') this.mirror(v, k.target);
        return;
    }
  }

  private moduleAttr(m: number, name: string, out: number, depth: number): void {
    const f = this.modules[m].facts;
    const v = f.vars.get(name);
    if (v !== undefined) {
      this.addEdge(this.node(m, v), out);
      return;
    }
    if (depth < 4) {
      for (const spec of f.starImports) {
        const t = this.resolver.resolve(m, spec);
        if (t !== undefined && t !== m) {
          if (this.modules[t].facts.vars.has(name)) {
            this.moduleAttr(t, name, out, depth + 1);
            return;
          }
        }
      }
    }
    const sub = this.resolver.submodule(m, name);
    if (sub !== undefined) {
      this.addVal(out, this.values.intern({ t: 'mod', m: sub }));
      return;
    }
    // module attributes set from outside (`mod.x = v`)
    this.addEdge(this.field(this.values.intern({ t: 'mod', m }), name), out);
  }

  private loadAttr(v: number, name: string, out: number, cid: number): void {
    const val = this.values.get(v);
    switch (val.t) {
      case 'mod':
        this.moduleAttr(val.m, name, out, 0);
        return;
      case 'def':
        if (this.def(val).kind === 'class') this.classAttr(v, name, null, out, cid);
        else this.addEdge(this.field(v, name), out);
        return;
      case 'inst':
        this.addEdge(this.field(v, name), out);
        this.classAttr(val.cls, name, v, out, cid);
        return;
      case 'super': {
        const selfVal = this.values.get(val.self);
        const type = selfVal.t === 'inst' ? selfVal.cls : selfVal.t === 'def' ? val.self : val.cls;
        const mro = this.mro(type);
        this.mroUsers.add(cid);
        const at = mro.indexOf(val.cls);
        this.lookupFrom(at >= 0 ? mro.slice(at + 1) : mro.slice(1), name, selfVal.t === 'inst' ? val.self : null, type, out, cid);
        return;
      }
      case 'ext':
        if (val.name.split('.').length < MAX_EXT_DEPTH) this.addVal(out, this.ext(`${val.name}.${name}`));
        return;
      case 'box':
        this.addVal(out, this.values.intern({ t: 'method', of: v, name }));
        return;
      case 'bound':
      case 'partial':
        this.addEdge(this.field(v, name), out);
        return;
      default:
        return;
    }
  }

  /** `C.name` (self null) or `inst.name`, through C's MRO */
  private classAttr(cls: number, name: string, self: number | null, out: number, cid: number): void {
    this.mroUsers.add(cid);
    this.lookupFrom(this.mro(cls), name, self, cls, out, cid);
  }

  private lookupFrom(mro: number[], name: string, self: number | null, cls: number, out: number, cid: number): void {
    for (const k of mro) {
      const kv = this.values.get(k);
      const fs = this.fields.get(k)?.get(name);
      if (fs !== undefined) this.bindFrom(fs, self, cls, out, cid);
      if (kv.t === 'ext') {
        if (kv.name.split('.').length < MAX_EXT_DEPTH) this.addVal(out, this.ext(`${kv.name}.${name}`));
        return;
      }
      if (kv.t !== 'def') continue;
      const attr = this.def(kv).attrs?.get(name);
      if (attr !== undefined) {
        this.bindFrom(this.node(kv.m, attr), self, cls, out, cid);
        return;
      }
    }
  }

  private bindFrom(src: number, self: number | null, cls: number, out: number, cid: number): void {
    const key = `bind:${src}:${self}:${cls}:${out}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    const parent = this.cons[cid];
    const caller = parent && 'caller' in parent ? parent.caller : -1;
    const site = parent && 'site' in parent ? parent.site : '';
    this.addCons({ c: 'bind', src, self, cls, out, caller, site }, [src]);
  }

  private bindValue(v: number, self: number | null, cls: number, out: number, caller: number, site: string): void {
    const val = this.values.get(v);
    if (val.t !== 'def' || this.def(val).kind === 'class') {
      this.addVal(out, v);
      return;
    }
    const d = this.def(val);
    if (d.method === 'static') this.addVal(out, v);
    else if (d.method === 'class') this.addVal(out, this.values.intern({ t: 'bound', fn: v, self: cls }));
    else if (self === null) this.addVal(out, v);
    else if (d.method === 'property') {
      // reading a property calls its getter
      const p0 = d.params[0];
      if (p0) this.addVal(this.node(val.m, p0.node), self);
      this.addEdge(this.node(val.m, d.ret), out);
      if (caller >= 0) this.edge(caller, v, site);
    } else this.addVal(out, this.values.intern({ t: 'bound', fn: v, self }));
  }

  /** C3 linearisation over the analysed classes (external bases end the walk) */
  mro(cls: number): number[] {
    const hit = this.mroCache.get(cls);
    if (hit) return hit;
    this.mroCache.set(cls, [cls]);
    const val = this.values.get(cls);
    if (val.t !== 'def') return [cls];
    const bases: number[] = [];
    for (const b of this.def(val).bases ?? []) {
      for (const bv of this.pts[this.node(val.m, b)] ?? NO_VALUES) {
        const x = this.values.get(bv);
        if ((x.t === 'def' && this.def(x).kind === 'class') || x.t === 'ext') if (!bases.includes(bv)) bases.push(bv);
      }
    }
    const seqs = bases.map((b) => [...this.mro(b)]).concat([[...bases]]);
    const out = [cls];
    for (let guard = 0; guard < 200; guard++) {
      const live = seqs.filter((s) => s.length > 0);
      if (live.length === 0) break;
      const head = live.map((s) => s[0]).find((h) => !live.some((s) => s.indexOf(h) > 0));
      // not linearisable: fall back to depth-first order
      const pick = head ?? live[0][0];
      out.push(pick);
      for (const s of live) {
        const i = s.indexOf(pick);
        if (i >= 0 && (head !== undefined ? i === 0 : true)) s.splice(i, 1);
      }
    }
    this.mroCache.set(cls, out);
    return out;
  }

  private loadItem(v: number, key: number | null, out: number, cid: number): void {
    const val = this.values.get(v);
    if (val.t === 'inst') {
      this.mroUsers.add(cid);
      this.callMethod(v, '__getitem__', { pos: key === null ? [] : [key], kw: [], star: null, dstar: null }, out, -1, `item:${cid}`, cid);
      return;
    }
    if (val.t !== 'box') return;
    if (key === null) {
      this.allElements(v, out);
      return;
    }
    const keys = this.pts[key] ?? NO_VALUES;
    if (keys.size === 0) {
      this.waitingKeys.add(cid);
      return;
    }
    let any = false;
    for (const k of keys) {
      const kv = this.values.get(k);
      if (kv.t === 'const') this.addEdge(this.field(v, `[${kv.key}]`), out);
      else any = true;
    }
    if (any) this.allElements(v, out);
    else this.addEdge(this.field(v, '[*]'), out);
  }

  private loadSlice(v: number, start: number | null, out: number, site: string): void {
    const val = this.values.get(v);
    if (val.t !== 'box') return;
    const nb = this.values.intern({ t: 'box', site: `${site}/${v}`, kind: val.kind });
    this.addVal(out, nb);
    for (const [k, n] of [...(this.fields.get(v) ?? [])]) {
      const m = /^\[i:(\d+)\]$/.exec(k);
      if (m && start !== null) {
        const j = Number(m[1]) - start;
        if (j >= 0) this.addEdge(n, this.field(nb, `[i:${j}]`));
      } else if (k.startsWith('[')) this.addEdge(n, this.field(nb, '[*]'));
    }
  }

  private store(o: number, k: Constraint & { c: 'store' }, cid: number): void {
    const val = this.values.get(o);
    if (k.name !== undefined) {
      if (val.t === 'ext' || val.t === 'const' || val.t === 'builtin') return;
      if (val.t === 'mod') {
        const v = this.modules[val.m].facts.vars.get(k.name);
        if (v !== undefined) {
          this.addEdge(k.value, this.node(val.m, v));
          return;
        }
      }
      this.addEdge(k.value, this.field(o, k.name));
      return;
    }
    if (val.t === 'inst') {
      this.mroUsers.add(cid);
      this.callMethod(o, '__setitem__', { pos: k.key ? [k.key, k.value] : [k.value], kw: [], star: null, dstar: null }, -1, -1, `setitem:${cid}`, cid);
      return;
    }
    if (val.t !== 'box') return;
    if (k.key === null || k.key === undefined) {
      this.addEdge(k.value, this.field(o, '[*]'));
      return;
    }
    const keys = this.pts[k.key] ?? NO_VALUES;
    if (keys.size === 0) {
      this.addEdge(k.value, this.field(o, '[*]'));
      return;
    }
    for (const kv of keys) {
      const x = this.values.get(kv);
      this.addEdge(k.value, this.field(o, x.t === 'const' ? `[${x.key}]` : '[*]'));
    }
  }

  // -------------------------------------------------------------------------------------
  // calls

  /** calls method `name` of instance `inst` (found through its class's MRO) */
  private callMethod(inst: number, name: string, args: Args, out: number, caller: number, site: string, cid: number): void {
    const val = this.values.get(inst);
    if (val.t !== 'inst') return;
    const key = `${inst}:${name}:${site}:${out}`;
    let tmp = this.methodNodes.get(key);
    const fresh = tmp === undefined;
    if (tmp === undefined) this.methodNodes.set(key, (tmp = this.newNodeSlot()));
    // redone when class bases change (the lookup may find another method)
    this.lookupFrom(this.mro(val.cls), name, inst, val.cls, tmp, cid);
    if (!fresh) return;
    const resultOut = out >= 0 ? out : this.newNodeSlot();
    this.addCons({ c: 'call', fn: tmp, args, out: resultOut, caller, site }, [tmp]);
  }

  private readonly methodNodes = new Map<string, number>();

  private invoke(caller: number, v: number, args: Args, out: number, site: string, cid: number, raise?: boolean): void {
    const val = this.values.get(v);
    if (raise && !(val.t === 'def' && this.def(val).kind === 'class')) return;
    switch (val.t) {
      case 'def': {
        const d = this.def(val);
        if (d.kind === 'class') {
          this.instantiate(caller, v, args, out, site, cid);
          return;
        }
        if (caller >= 0) this.edge(caller, v, site);
        this.bindArgs(val.m, d, args, 0, site, v);
        this.addEdge(this.node(val.m, d.ret), out);
        if (d.yields !== undefined) this.addVal(out, this.values.intern({ t: 'gen', fn: v }));
        return;
      }
      case 'bound': {
        const fv = this.values.get(val.fn);
        if (fv.t !== 'def') {
          this.invoke(caller, val.fn, args, out, site, cid);
          return;
        }
        const d = this.def(fv);
        if (caller >= 0) this.edge(caller, val.fn, site);
        if (d.params[0]) this.addVal(this.node(fv.m, d.params[0].node), val.self);
        this.bindArgs(fv.m, d, args, 1, site, val.fn);
        this.addEdge(this.node(fv.m, d.ret), out);
        if (d.yields !== undefined) this.addVal(out, this.values.intern({ t: 'gen', fn: val.fn }));
        return;
      }
      case 'inst':
        this.mroUsers.add(cid);
        this.callMethod(v, '__call__', args, out, caller, site, cid);
        return;
      case 'partial': {
        const op = this.modules[val.m].facts.nodes[val.node] as FlowOp & { k: 'call' };
        const g = (id: NodeId) => this.node(val.m, id);
        const merged: Args = {
          pos: [...op.args.slice(1).map(g), ...args.pos],
          kw: [...op.kw.map(([k, n]): [string, number] => [k, g(n)]), ...args.kw],
          star: args.star ?? (op.star === null ? null : g(op.star)),
          dstar: args.dstar ?? (op.dstar === null ? null : g(op.dstar)),
        };
        this.invoke(caller, val.fn, merged, out, site, cid);
        return;
      }
      case 'ident':
        if (args.pos[0] !== undefined) this.addEdge(args.pos[0], out);
        return;
      case 'ext':
        if (caller >= 0) this.edge(caller, v, site);
        this.externalCall(val.name, v, args, out, site);
        this.escape(args, site);
        return;
      case 'builtin':
        if (caller >= 0) this.edge(caller, v, site);
        this.builtinCall(caller, val.name, args, out, site);
        return;
      case 'method':
        this.containerMethod(val.of, val.name, args, out, site);
        return;
      default:
        return;
    }
  }

  private instantiate(caller: number, cls: number, args: Args, out: number, site: string, cid: number): void {
    const inst = this.values.intern({ t: 'inst', cls });
    this.addVal(out, inst);
    this.mroUsers.add(cid);
    const key = `init:${site}:${cls}`;
    let init = this.methodNodes.get(key);
    const fresh = init === undefined;
    if (init === undefined) this.methodNodes.set(key, (init = this.newNodeSlot()));
    this.lookupFrom(this.mro(cls), '__init__', inst, cls, init, cid);
    if (!fresh) return;
    this.addCons({ c: 'call', fn: init, args, out: this.newNodeSlot(), caller, site }, [init]);
  }

  private bindArgs(m: number, d: DefFact, args: Args, shift: number, site: string, fnVal: number): void {
    const key = `args:${site}:${fnVal}:${shift}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    const g = (id: NodeId) => this.node(m, id);
    const positional = d.params.filter((p) => p.kind === 'pos');
    const star = d.params.find((p) => p.kind === 'star');
    const dstar = d.params.find((p) => p.kind === 'dstar');
    args.pos.forEach((a, i) => {
      const p = positional[i + shift];
      if (p) this.addEdge(a, g(p.node));
      else if (star) for (const b of this.pts[g(star.node)] ?? NO_VALUES) this.addEdge(a, this.field(b, '[*]'));
    });
    for (const [name, a] of args.kw) {
      const p = d.params.find((x) => x.name === name && (x.kind === 'pos' || x.kind === 'kwonly'));
      if (p) this.addEdge(a, g(p.node));
      else if (dstar) for (const b of this.pts[g(dstar.node)] ?? NO_VALUES) this.addEdge(a, this.field(b, `[s:${name}]`));
    }
    if (args.star !== null) {
      const elems = this.iterNode(args.star);
      for (const p of positional.slice(args.pos.length + shift)) this.addEdge(elems, g(p.node));
      if (star) for (const b of this.pts[g(star.node)] ?? NO_VALUES) this.addEdge(elems, this.field(b, '[*]'));
    }
    if (args.dstar !== null) {
      const elems = this.newNodeSlot();
      this.addCons({ c: 'item', obj: args.dstar, key: null, out: elems }, [args.dstar]);
      for (const p of d.params) if (p.kind === 'pos' || p.kind === 'kwonly') this.addEdge(elems, g(p.node));
    }
  }

  private readonly iterNodes = new Map<number, number>();

  /** a node holding the elements of iterating `node` */
  private iterNode(node: number, caller = -1, site = ''): number {
    let n = this.iterNodes.get(node);
    if (n === undefined) {
      n = this.newNodeSlot();
      this.iterNodes.set(node, n);
      this.addCons({ c: 'iter', obj: node, out: n, caller, site: site || `iter:${node}` }, [node]);
    }
    return n;
  }

  private iterate(v: number, out: number, caller: number, site: string, cid: number, isNext: boolean): void {
    const val = this.values.get(v);
    switch (val.t) {
      case 'box':
        this.allElements(v, out);
        return;
      case 'gen': {
        const fv = this.values.get(val.fn);
        if (fv.t === 'def') {
          const y = this.def(fv).yields;
          if (y !== undefined) this.addEdge(this.node(fv.m, y), out);
        }
        return;
      }
      case 'inst': {
        this.mroUsers.add(cid);
        if (isNext) {
          this.callMethod(v, '__next__', { pos: [], kw: [], star: null, dstar: null }, out, caller, `${site}:next`, cid);
          return;
        }
        const key = `iter:${v}:${site}:${out}`;
        let it = this.methodNodes.get(key);
        const fresh = it === undefined;
        if (it === undefined) this.methodNodes.set(key, (it = this.newNodeSlot()));
        this.callMethod(v, '__iter__', { pos: [], kw: [], star: null, dstar: null }, it, caller, `${site}:iter`, cid);
        if (fresh) this.addCons({ c: 'next', obj: it, out, caller, site }, [it]);
        return;
      }
      default:
        return;
    }
  }

  /**
   * Callables handed to code outside the program (`pool.map(obj.work, ...)`, a framework
   * registry) may be called there: a bound method's function then gets its instance as
   * `self`, an object's `__call__` gets the object. No call edge: what calls them is not known.
   */
  private escape(args: Args, site: string): void {
    const key = `escape:${site}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    const nodes = [...args.pos, ...args.kw.map(([, n]) => n)];
    for (const n of nodes) this.addCons({ c: 'escape', src: n }, [n]);
  }

  private escaped(v: number, depth = 0): void {
    const val = this.values.get(v);
    if (depth > 3) return;
    if (val.t === 'bound') {
      const fv = this.values.get(val.fn);
      if (fv.t === 'def') {
        const p0 = this.def(fv).params[0];
        if (p0) this.addVal(this.node(fv.m, p0.node), val.self);
      }
    } else if (val.t === 'partial') this.escaped(val.fn, depth + 1);
    else if (val.t === 'inst') {
      const tmp = this.newNodeSlot();
      this.lookupFrom(this.mro(val.cls), '__call__', v, val.cls, tmp, -1);
      this.addCons({ c: 'escape', src: tmp }, [tmp]);
    }
  }

  private externalCall(name: string, v: number, args: Args, out: number, site: string): void {
    switch (name) {
      case 'functools.partial':
        if (args.pos[0] !== undefined) {
          const [m, node] = site.split(':').map(Number);
          this.addCons({ c: 'partial', fn: args.pos[0], out, m, node }, [args.pos[0]]);
        }
        return;
      case 'functools.wraps':
      case 'functools.update_wrapper':
        this.addVal(out, this.values.intern({ t: 'ident' }));
        return;
      case 'functools.lru_cache':
      case 'functools.cache':
        // `@lru_cache` (no call) and `@lru_cache(maxsize=...)`: calls reach the function
        if (args.pos[0] !== undefined) this.addEdge(args.pos[0], out);
        else this.addVal(out, this.values.intern({ t: 'ident' }));
        return;
      default:
        // `with ext() as x`: context managers give themselves; otherwise an instance of
        // something external is named after it (PyCG's convention)
        if (name.endsWith('.__enter__')) this.addVal(out, this.ext(name.slice(0, -'.__enter__'.length)));
        else this.addVal(out, v);
    }
  }

  private builtinCall(caller: number, name: string, args: Args, out: number, site: string): void {
    const a0 = args.pos[0];
    switch (name) {
      case 'map':
      case 'filter': {
        if (a0 === undefined) return;
        const box = this.values.intern({ t: 'box', site: `${site}:${name}`, kind: 'list' });
        this.addVal(out, box);
        const elems = args.pos.slice(1).map((a) => this.iterNode(a, caller, `${site}:${name}-iter`));
        const res = this.newNodeSlot();
        this.addCons({ c: 'call', fn: a0, args: { pos: elems, kw: [], star: null, dstar: null }, out: res, caller, site: `${site}:${name}-fn` }, [a0]);
        this.addEdge(name === 'map' ? res : elems[0] ?? res, this.field(box, '[*]'));
        return;
      }
      case 'sorted':
      case 'min':
      case 'max':
      case 'list':
      case 'tuple':
      case 'set':
      case 'frozenset':
      case 'reversed':
      case 'iter':
      case 'next': {
        if (a0 === undefined) return;
        const elems = this.iterNode(a0, caller, `${site}:iter`);
        const key = args.kw.find(([k]) => k === 'key')?.[1];
        if (key !== undefined) this.addCons({ c: 'call', fn: key, args: { pos: [elems], kw: [], star: null, dstar: null }, out: this.newNodeSlot(), caller, site: `${site}:key` }, [key]);
        if (name === 'min' || name === 'max' || name === 'next') {
          this.addEdge(elems, out);
          return;
        }
        const box = this.values.intern({ t: 'box', site: `${site}:${name}`, kind: 'list' });
        this.addVal(out, box);
        this.addEdge(elems, this.field(box, '[*]'));
        return;
      }
      case 'staticmethod':
      case 'classmethod':
      case 'property':
        if (a0 !== undefined) this.addEdge(a0, out);
        return;
      case 'dict': {
        const box = this.values.intern({ t: 'box', site: `${site}:dict`, kind: 'dict' });
        this.addVal(out, box);
        for (const [k, n] of args.kw) this.addEdge(n, this.field(box, `[s:${k}]`));
        if (a0 !== undefined) this.addCons({ c: 'mirror', src: a0, target: box }, [a0]);
        return;
      }
      case 'getattr': {
        const a1 = args.pos[1];
        if (a0 === undefined || a1 === undefined) return;
        for (const kv of this.pts[a1] ?? NO_VALUES) {
          const x = this.values.get(kv);
          if (x.t === 'const' && x.key.startsWith('s:')) this.addCons({ c: 'attr', obj: a0, name: x.key.slice(2), out, caller, site }, [a0]);
        }
        if (args.pos[2] !== undefined) this.addEdge(args.pos[2], out);
        return;
      }
      default:
        return;
    }
  }

  private containerMethod(box: number, name: string, args: Args, out: number, site: string): void {
    const a0 = args.pos[0];
    switch (name) {
      case 'append':
      case 'add':
      case 'appendleft': {
        if (a0 !== undefined) this.addEdge(a0, this.field(box, '[*]'));
        return;
      }
      case 'insert':
        if (args.pos[1] !== undefined) this.addEdge(args.pos[1], this.field(box, '[*]'));
        return;
      case 'extend':
        if (a0 !== undefined) this.addEdge(this.iterNode(a0), this.field(box, '[*]'));
        return;
      case 'update':
        if (a0 !== undefined) this.addCons({ c: 'mirror', src: a0, target: box }, [a0]);
        for (const [k, n] of args.kw) this.addEdge(n, this.field(box, `[s:${k}]`));
        return;
      case 'get':
      case 'pop':
      case 'setdefault': {
        if (a0 === undefined) {
          this.allElements(box, out);
          return;
        }
        const ks = this.pts[a0] ?? NO_VALUES;
        if (ks.size === 0) this.allElements(box, out);
        for (const k of ks) {
          const x = this.values.get(k);
          this.addEdge(this.field(box, x.t === 'const' ? `[${x.key}]` : '[*]'), out);
          if (name === 'setdefault' && args.pos[1] !== undefined) this.addEdge(args.pos[1], this.field(box, x.t === 'const' ? `[${x.key}]` : '[*]'));
        }
        if (args.pos[1] !== undefined) this.addEdge(args.pos[1], out);
        return;
      }
      case 'popleft':
      case 'popitem':
        this.allElements(box, out);
        return;
      case 'copy':
      case 'values':
        this.addVal(out, box);
        return;
      default:
        void site;
        return;
    }
  }
}
