/**
 * The value-flow solver's rules for calls: functions, bound methods, classes (instantiation
 * and `__init__`), callable objects, partials; argument binding; iteration; and callables
 * that escape to code outside the program.
 */
import type { DefFact, FlowOp, NodeId } from './facts';
import { NO_VALUES, type Args } from './propagation';
import { ObjectRules } from './objects';

export abstract class CallRules extends ObjectRules {
  protected abstract externalCall(name: string, v: number, args: Args, out: number, site: string): void;
  protected abstract builtinCall(caller: number, name: string, args: Args, out: number, site: string): void;
  protected abstract containerMethod(box: number, name: string, args: Args, out: number, site: string, caller?: number): void;

  /** calls method `name` of instance `inst` (found through its class's MRO) */
  protected callMethod(inst: number, name: string, args: Args, out: number, caller: number, site: string, cid: number): void {
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

  protected readonly methodNodes = new Map<string, number>();
  /** external functions that expose an object to another thread (`comlink.expose`): any of its methods may be called there */
  exposers: ReadonlySet<string> = new Set();

  protected invoke(caller: number, v: number, args: Args, out: number, site: string, cid: number, raise?: boolean): void {
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
        // a JS function called plainly: its `this` parameter gets nothing
        this.bindArgs(val.m, d, args, d.thisParam ? 1 : 0, site, v);
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
        if (d.lexicalThis) {
          this.invoke(caller, val.fn, args, out, site, cid);
          return;
        }
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
        this.escape(args, site, caller, this.exposers.has(val.name));
        return;
      case 'builtin':
        if (caller >= 0) this.edge(caller, v, site);
        this.builtinCall(caller, val.name, args, out, site);
        return;
      case 'method':
        if (this.values.get(val.of).t === 'box') this.containerMethod(val.of, val.name, args, out, site, caller);
        else this.functionMethod(caller, val.of, val.name, args, out, site);
        return;
      default:
        return;
    }
  }

  /** a value of a JS module (a caller: module or function) */
  protected isJs(v: number): boolean {
    const val = this.values.get(v);
    return (val.t === 'def' || val.t === 'mod') && this.modules[val.m].facts.js === true;
  }

  /** JS `f.bind(x, ...)`, `f.call(x, ...)`, `f.apply(x, args)` (f a function or a bound method) */
  protected functionMethod(caller: number, fn: number, name: string, args: Args, out: number, site: string): void {
    const fv = this.values.get(fn);
    const self = args.pos[0];
    const plain = fv.t === 'def' && !this.def(fv).lexicalThis && self !== undefined;
    const node = name === 'bind' ? out : this.newNodeSlot();
    if (plain) {
      const key = `bindThis:${site}:${fn}`;
      if (!this.done.has(key)) {
        this.done.add(key);
        this.addCons({ c: 'bindThis', fn, self, out: node }, [self]);
      }
    } else this.addVal(node, fn);
    if (name === 'bind') return;
    const rest: Args = name === 'call' ? { pos: args.pos.slice(1), kw: [], star: args.star, dstar: null } : { pos: [], kw: [], star: args.pos[1] ?? null, dstar: null };
    const key = `fncall:${site}:${fn}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    this.addCons({ c: 'call', fn: node, args: rest, out, caller, site }, [node]);
  }

  protected instantiate(caller: number, cls: number, args: Args, out: number, site: string, cid: number): void {
    const inst = this.values.intern({ t: 'inst', cls });
    this.addVal(out, inst);
    this.mroUsers.add(cid);
    const key = `init:${site}:${cls}`;
    let init = this.methodNodes.get(key);
    const fresh = init === undefined;
    if (init === undefined) this.methodNodes.set(key, (init = this.newNodeSlot()));
    const cv = this.values.get(cls);
    const ctor = cv.t === 'def' && this.modules[cv.m].facts.js ? 'constructor' : '__init__';
    this.lookupFrom(this.mro(cls), ctor, inst, cls, init, cid);
    if (!fresh) return;
    this.addCons({ c: 'call', fn: init, args, out: this.newNodeSlot(), caller, site }, [init]);
  }

  protected bindArgs(m: number, d: DefFact, args: Args, shift: number, site: string, fnVal: number): void {
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

  protected readonly iterNodes = new Map<number, number>();

  /** a node holding the elements of iterating `node` */
  protected iterNode(node: number, caller = -1, site = ''): number {
    let n = this.iterNodes.get(node);
    if (n === undefined) {
      n = this.newNodeSlot();
      this.iterNodes.set(node, n);
      this.addCons({ c: 'iter', obj: node, out: n, caller, site: site || `iter:${node}` }, [node]);
    }
    return n;
  }

  protected iterate(v: number, out: number, caller: number, site: string, cid: number, isNext: boolean): void {
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
  protected escape(args: Args, site: string, caller?: number, expose = false): void {
    const key = `escape:${site}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    const nodes = [...args.pos, ...args.kw.map(([, n]) => n)];
    // JS: who registers a callback (`port.on('message', f)`) — Python keeps no record
    const by = caller !== undefined && caller >= 0 && this.isJs(caller) ? caller : undefined;
    const a0 = args.pos[0];
    const exit = by !== undefined && a0 !== undefined && this.valuesOf(a0).has(this.values.intern({ t: 'const', key: 's:exit' }));
    for (const n of nodes) {
      if (by === undefined) this.addCons({ c: 'escape', src: n }, [n]);
      else if (exit) this.addCons({ c: 'escape', src: n, caller: by, exit, site }, [n]);
      else if (expose) this.addCons({ c: 'escape', src: n, caller: by, site, expose }, [n]);
      else this.addCons({ c: 'escape', src: n, caller: by, site }, [n]);
    }
  }

  protected escaped(v: number, depth = 0): void {
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
}
