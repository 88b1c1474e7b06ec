/**
 * The value-flow solver's rules for objects: module, class and instance attributes
 * (through C3 MROs, binding methods to their instance), container items and slices, and
 * stores into all of these.
 */
import { NO_VALUES, Propagation, type Args, type Constraint } from './propagation';

export abstract class ObjectRules extends Propagation {
  protected abstract callMethod(inst: number, name: string, args: Args, out: number, caller: number, site: string, cid: number): void;

  protected moduleAttr(m: number, name: string, out: number, depth: number): void {
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

  protected loadAttr(v: number, name: string, out: number, cid: number): void {
    const val = this.values.get(v);
    switch (val.t) {
      case 'mod':
        this.moduleAttr(val.m, name, out, 0);
        return;
      case 'def':
        if (this.def(val).kind === 'class') this.classAttr(v, name, null, out, cid);
        else if (this.isJsFunctionMethod(v, name)) this.addVal(out, this.values.intern({ t: 'method', of: v, name }));
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
      case 'ext': {
        const a = this.extAttr(v, val.name, name);
        if (a >= 0) this.addVal(out, a);
        return;
      }
      case 'box':
        // a JS object's properties; its methods get the object as `this`
        if (val.kind === 'object') this.bindFrom(this.field(v, `[s:${name}]`), v, v, out, cid);
        else this.addVal(out, this.values.intern({ t: 'method', of: v, name }));
        return;
      case 'bound':
        if (this.isJsFunctionMethod(val.fn, name)) this.addVal(out, this.values.intern({ t: 'method', of: v, name }));
        else this.addEdge(this.field(v, name), out);
        return;
      case 'partial':
        this.addEdge(this.field(v, name), out);
        return;
      default:
        return;
    }
  }

  /** JS `f.bind` / `f.call` / `f.apply` of an analysed function */
  protected isJsFunctionMethod(fn: number, name: string): boolean {
    if (name !== 'bind' && name !== 'call' && name !== 'apply') return false;
    const val = this.values.get(fn);
    return val.t === 'def' && this.modules[val.m].facts.js === true && this.def(val).kind !== 'class';
  }

  /** `C.name` (self null) or `inst.name`, through C's MRO */
  protected classAttr(cls: number, name: string, self: number | null, out: number, cid: number): void {
    this.mroUsers.add(cid);
    this.lookupFrom(this.mro(cls), name, self, cls, out, cid);
  }

  protected lookupFrom(mro: number[], name: string, self: number | null, cls: number, out: number, cid: number): void {
    for (const k of mro) {
      const kv = this.values.get(k);
      const fs = this.fields.get(k)?.get(name);
      if (fs !== undefined) this.bindFrom(fs, self, cls, out, cid);
      if (kv.t === 'ext') {
        const a = this.extAttr(k, kv.name, name);
        if (a >= 0) this.addVal(out, a);
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

  protected bindFrom(src: number, self: number | null, cls: number, out: number, cid: number): void {
    const key = `bind:${src}:${self}:${cls}:${out}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    const parent = this.cons[cid];
    const caller = parent && 'caller' in parent ? (parent.caller ?? -1) : -1;
    const site = parent && 'site' in parent ? (parent.site ?? '') : '';
    this.addCons({ c: 'bind', src, self, cls, out, caller, site }, [src]);
  }

  protected bindValue(v: number, self: number | null, cls: number, out: number, caller: number, site: string): void {
    const val = this.values.get(v);
    if (val.t !== 'def' || this.def(val).kind === 'class') {
      this.addVal(out, v);
      return;
    }
    const d = this.def(val);
    if (d.method === 'static' || d.lexicalThis) this.addVal(out, v);
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

  protected loadItem(v: number, key: number | null, out: number, cid: number): void {
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

  protected loadSlice(v: number, start: number | null, out: number, site: string): void {
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

  protected store(o: number, k: Constraint & { c: 'store' }, cid: number): void {
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
      this.addEdge(k.value, this.field(o, val.t === 'box' && val.kind === 'object' ? `[s:${k.name}]` : k.name));
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
}
