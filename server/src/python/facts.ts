/**
 * Python → value-flow facts (../flow/facts.ts), from the same plain syntax tree the front
 * end walks (one parse per file).
 *
 * Names are resolved here with Python's rules: a name assigned anywhere in a function is
 * local to it (unless `global`/`nonlocal`), class bodies do not enclose their methods,
 * comprehensions have their own scope. Within one scope a read sees the definitions that
 * reach it (straight-line order, branches merged, loops iterated once more), so
 * `a = f; a = g; a()` calls only `g`; from other scopes a name holds all its
 * definitions. `d["k"] = v` followed by a read of `d["k"]` in the same scope with no call
 * in between sees `v` only (a strong update of a constant key).
 *
 * This file holds expressions and the entry point; statements are in
 * ./facts-statements.ts, scopes and names in ./facts-scopes.ts.
 */
import type { ContainerKind, ModuleFacts, NodeId } from '../flow/facts';
import type { SyntaxNode as Node } from './tree';
import { constKey, field, NO_KW, NO_NODES, NONE, NOTHING, PATH_SEP, unparen, type Scope } from './facts-scopes';
import { StatementFacts } from './facts-statements';

class Extractor extends StatementFacts {
  run(root: Node): ModuleFacts {
    this.block(root, this.moduleScope);
    this.resolvePending();
    return this.facts;
  }

  // -------------------------------------------------------------------------------------
  // expressions

  expr(n: Node, s: Scope): NodeId {
    switch (n.type) {
      case 'identifier':
        return this.read(s, n.text);
      case 'attribute': {
        const obj = field(n, 'object');
        const attr = field(n, 'attribute');
        const o = obj ? this.expr(obj, s) : NOTHING;
        return attr ? this.add({ k: 'attr', obj: o, name: attr.text, scope: s.caller }) : o;
      }
      case 'call':
        return this.call(n, s);
      case 'subscript': {
        const path = this.pathKey(n, s);
        if (path) {
          const defs = s.env.get(path);
          if (defs) {
            this.expr(field(n, 'value')!, s);
            const node = this.union([...defs]);
            this.noteRead(s, path, node);
            return node;
          }
        }
        const obj = field(n, 'value');
        const sub = field(n, 'subscript');
        const o = obj ? this.expr(obj, s) : NOTHING;
        if (sub?.type === 'slice') {
          const parts = sub.children;
          let start: number | null = 0;
          if (parts[0] && parts[0].isNamed) start = /^\d+$/.test(parts[0].text) ? Number(parts[0].text) : null;
          for (const c of sub.namedChildren) this.expr(c, s);
          return this.add({ k: 'slice', obj: o, start });
        }
        const key = sub ? this.expr(sub, s) : null;
        for (const extra of n.childrenForFieldName('subscript').slice(1)) this.expr(extra, s);
        return this.add({ k: 'item', obj: o, key });
      }
      case 'string': {
        for (const c of n.namedChildren) if (c.type === 'interpolation') this.expr(c, s);
        const k = constKey(n);
        return k ? this.add({ k: 'const', key: k }) : NOTHING;
      }
      case 'integer': {
        const k = constKey(n);
        return k ? this.add({ k: 'const', key: k }) : NOTHING;
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list': {
        const kind: ContainerKind = n.type === 'list' ? 'list' : n.type === 'set' ? 'set' : 'tuple';
        const items: Array<[string | null, NodeId]> = [];
        let known = kind !== 'set';
        n.namedChildren.forEach((c) => {
          if (c.type === 'comment') return;
          if (c.type === 'list_splat') {
            known = false;
            const inner = c.namedChildren[0];
            if (inner) items.push([null, this.iter(this.expr(inner, s), s, c)]);
            return;
          }
          items.push([known ? `i:${items.length}` : null, this.expr(c, s)]);
        });
        return this.add({ k: 'new', kind, items });
      }
      case 'dictionary': {
        const items: Array<[string | null, NodeId]> = [];
        // a large table (codes, mappings) is not worth following key by key
        const seed = n.namedChildren.length <= 16 ? this.dictSeed : null;
        this.dictSeed = null;
        for (const c of n.namedChildren) {
          if (c.type === 'pair') {
            const kn = field(c, 'key');
            const vn = field(c, 'value');
            if (kn) this.expr(kn, s);
            const key = constKey(kn);
            if (vn) {
              const path = seed !== null && key !== null ? `${seed}${PATH_SEP}${key}` : null;
              if (path && unparen(vn).type === 'dictionary') this.dictSeed = path;
              const v = this.expr(vn, s);
              this.dictSeed = null;
              items.push([key, v]);
              if (path) this.seeds.push([path, v]);
            }
          } else if (c.type === 'dictionary_splat') {
            const inner = c.namedChildren[0];
            if (inner) items.push([null, this.add({ k: 'item', obj: this.expr(inner, s), key: null })]);
          }
        }
        return this.add({ k: 'new', kind: 'dict', items });
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension':
        return this.comprehension(n, s);
      case 'lambda':
        return this.lambda(n, s);
      case 'parenthesized_expression': {
        const inner = n.namedChildren.filter((c) => c.type !== 'comment');
        if (inner.length === 1) return this.expr(inner[0], s);
        return this.generic(n, s);
      }
      case 'conditional_expression': {
        const parts = n.namedChildren.filter((c) => c.type !== 'comment');
        const [a, cond, b] = parts;
        if (cond) this.expr(cond, s);
        return this.union([a, b].filter(Boolean).map((x) => this.expr(x, s)));
      }
      case 'boolean_operator': {
        const l = field(n, 'left');
        const r = field(n, 'right');
        return this.union([l, r].filter((x): x is Node => !!x).map((x) => this.expr(x, s)));
      }
      case 'binary_operator': {
        const l = field(n, 'left');
        const r = field(n, 'right');
        const vals = [l, r].filter((x): x is Node => !!x).map((x) => this.expr(x, s));
        // `[f] + [g]`: the elements of both
        return n.children.some((c) => !c.isNamed && c.type === '+') ? this.union(vals) : NOTHING;
      }
      case 'assignment': {
        // `a = b = v` nests assignments: the inner one's value is the chain's
        const left = field(n, 'left');
        const right = field(n, 'right');
        const typeNode = field(n, 'type');
        if (typeNode) this.generic(typeNode, s);
        if (!right) return NOTHING;
        const seed = left?.type === 'identifier' && unparen(right).type === 'dictionary' && this.bindingScope(s, left.text) === s ? left.text : null;
        this.dictSeed = seed;
        const k = right.type === 'assignment' ? { node: this.expr(right, s) } : this.known(right, s);
        this.dictSeed = null;
        const seeds = this.seeds;
        this.seeds = [];
        if (left) this.assign(left, k.node, s, k);
        if (seed !== null) {
          this.seeds = seeds;
          this.applySeeds(s);
        }
        return k.node;
      }
      case 'augmented_assignment': {
        const left = field(n, 'left');
        const right = field(n, 'right');
        const r = right ? this.expr(right, s) : NOTHING;
        if (left) {
          const cur = this.expr(left, s);
          if (left.type === 'identifier') this.define(s, left.text, this.union([cur, r]));
          else this.assign(left, r, s);
        }
        return r;
      }
      case 'named_expression': {
        const name = field(n, 'name');
        const value = field(n, 'value');
        const v = value ? this.expr(value, s) : NOTHING;
        if (name) this.define(s, name.text, v);
        return v;
      }
      case 'await':
        return n.namedChildren[0] ? this.expr(n.namedChildren[0], s) : NOTHING;
      case 'yield': {
        const fs = this.functionOf(s);
        const inner = n.namedChildren.find((c) => c.type !== 'comment');
        const isFrom = n.children.some((c) => !c.isNamed && c.type === 'from');
        let v = inner ? this.expr(inner, s) : null;
        if (v !== null && isFrom) v = this.iter(v, s, n);
        if (fs && fs.def >= 0) {
          const d = this.facts.defs[fs.def];
          d.yields ??= this.fresh();
          if (v !== null) (this.facts.nodes[d.yields] as { from: NodeId[] }).from.push(v);
        }
        return NOTHING;
      }
      case 'keyword_argument': {
        const v = field(n, 'value');
        return v ? this.expr(v, s) : NOTHING;
      }
      case 'true':
      case 'false':
      case 'none':
      case 'float':
      case 'comment':
      case 'ellipsis':
        return NOTHING;
      default:
        return this.generic(n, s);
    }
  }

  protected generic(n: Node, s: Scope): NodeId {
    for (const c of n.namedChildren) this.expr(c, s);
    return NOTHING;
  }

  protected comprehension(n: Node, s: Scope): NodeId {
    let cs: Scope = s;
    let first = true;
    for (const c of n.namedChildren) {
      if (c.type === 'for_in_clause') {
        const right = field(c, 'right');
        // the first iterable is evaluated in the enclosing scope
        const it = right ? this.iter(this.expr(right, first ? s : cs), first ? s : cs, right) : NOTHING;
        if (first) {
          cs = this.newScope('comp', s, s.def, s.caller);
          cs.selfNode = s.selfNode;
          cs.cls = s.cls;
          first = false;
        }
        const left = field(c, 'left');
        if (left) this.assign(left, it, cs);
      }
    }
    for (const c of n.namedChildren) if (c.type === 'if_clause') for (const x of c.namedChildren) this.expr(x, cs);
    const body = field(n, 'body');
    const items: Array<[string | null, NodeId]> = [];
    if (body) {
      if (body.type === 'pair') {
        const k = field(body, 'key');
        const v = field(body, 'value');
        if (k) this.expr(k, cs);
        if (v) items.push([null, this.expr(v, cs)]);
      } else items.push([null, this.expr(body, cs)]);
    }
    const kind: ContainerKind = n.type === 'dictionary_comprehension' ? 'dict' : n.type === 'set_comprehension' ? 'set' : 'list';
    return this.add({ k: 'new', kind, items });
  }

  protected call(n: Node, s: Scope): NodeId {
    const fnNode = field(n, 'function');
    const argList = field(n, 'arguments');
    // `super()` in a method: the class being defined and the method's first argument
    if (fnNode?.type === 'identifier' && fnNode.text === 'super') {
      const fnv = this.expr(fnNode, s);
      const argNodes = argList ? argList.namedChildren.filter((c) => c.type !== 'comment') : [];
      const argv = argNodes.map((a) => this.expr(a, s));
      this.add({ k: 'call', fn: fnv, args: argv, kw: [], star: null, dstar: null, scope: s.caller, at: n.startIndex });
      if (argv.length >= 2) return this.add({ k: 'super', cls: argv[0], self: argv[1] });
      if (argv.length === 0 && s.cls !== undefined && s.selfNode !== undefined) {
        return this.add({ k: 'super', cls: this.add({ k: 'def', def: s.cls }), self: s.selfNode });
      }
      return NOTHING;
    }
    const fn = fnNode ? this.expr(fnNode, s) : NOTHING;
    // `d.update({"k": v})` sets `d["k"]`; any other call may change containers
    let updated: string | null = null;
    if (fnNode?.type === 'attribute' && argList?.type === 'argument_list' && argList.namedChildren.length === 1 && field(fnNode, 'attribute')?.text === 'update') {
      const obj = field(fnNode, 'object');
      if (obj?.type === 'identifier' && unparen(argList.namedChildren[0]).type === 'dictionary' && this.pathKeyOfName(obj.text, s)) updated = obj.text;
    }
    const savedSeeds = this.seeds;
    this.seeds = [];
    const args: NodeId[] = [];
    const kw: Array<[string, NodeId]> = [];
    let star: NodeId | null = null;
    let dstar: NodeId | null = null;
    if (argList) {
      if (argList.type === 'generator_expression') args.push(this.expr(argList, s));
      else {
        for (const a of argList.namedChildren) {
          if (a.type === 'comment') continue;
          if (a.type === 'keyword_argument') {
            const k = field(a, 'name');
            const v = field(a, 'value');
            if (k && v) {
              const vn = this.expr(v, s);
              kw.push([k.text, vn]);
              this.facts.at.push(v.startIndex, vn);
            }
          } else if (a.type === 'list_splat') {
            const inner = a.namedChildren[0];
            if (inner) star = this.expr(inner, s);
          } else if (a.type === 'dictionary_splat') {
            const inner = a.namedChildren[0];
            if (inner) dstar = this.expr(inner, s);
          } else {
            if (updated !== null) this.dictSeed = updated;
            const vn = this.expr(a, s);
            this.dictSeed = null;
            args.push(vn);
            this.facts.at.push(a.startIndex, vn);
          }
        }
      }
    }
    const p = n.startPosition;
    const e = n.endPosition;
    const node = this.add({ k: 'call', fn, args: args.length ? args : NO_NODES, kw: kw.length ? kw : NO_KW, star, dstar, scope: s.caller, at: n.startIndex, pos: p.row * 1_000_000 + p.column, end: e.row * 1_000_000 + e.column });
    this.facts.at.push(n.startIndex, node);
    const seeds = this.seeds;
    this.seeds = savedSeeds;
    if (updated !== null) {
      const prefix = updated + PATH_SEP;
      for (const k of s.paths) if (k.startsWith(prefix)) s.env.own.set(k, NONE);
      for (const [p, v] of seeds) this.setPath(s, p, [v]);
    } else this.forgetPaths(s);
    return node;
  }
}


/**
 * The value-flow facts of a module, from its plain syntax tree (see ./tree.ts). Never
 * throws: on an internal failure the layer gets no facts for this file (it then knows
 * nothing of it, as of an external module).
 */
export function extractPythonFacts(root: Node): ModuleFacts | undefined {
  try {
    return new Extractor().run(root);
  } catch {
    return undefined;
  }
}
