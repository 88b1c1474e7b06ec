/**
 * Python value-flow facts, part 2 of 3: statements, definitions (functions, lambdas,
 * classes, decorators), imports and assignment targets. See ./facts-scopes.ts for the
 * scoping rules and ./facts.ts for expressions.
 */
import type { DefFact, NodeId, ParamFact } from '../flow/facts';
import type { SyntaxNode as Node } from './tree';
import { field, NO_KW, NO_NODES, NOTHING, ScopedFacts, unparen, type Known, type Scope } from './facts-scopes';

/** Statements and definitions; expressions are the subclass's ({@link expr}). */
export abstract class StatementFacts extends ScopedFacts {
  abstract expr(n: Node, s: Scope): NodeId;

  protected block(n: Node, s: Scope): void {
    for (const c of n.namedChildren) this.stmt(c, s);
  }

  protected stmt(n: Node, s: Scope): void {
    switch (n.type) {
      case 'expression_statement':
        // docstrings and other bare strings hold nothing
        for (const c of n.namedChildren) if (c.type !== 'string' && c.type !== 'concatenated_string') this.expr(c, s);
        return;
      case 'function_definition':
      case 'class_definition':
        this.definition(n, s, []);
        return;
      case 'decorated_definition': {
        const def = field(n, 'definition');
        const decs = n.namedChildren.filter((c) => c.type === 'decorator');
        if (def) this.definition(def, s, decs);
        return;
      }
      case 'return_statement': {
        const v = n.namedChildren[0];
        const val = v ? this.expr(v, s) : null;
        const fs = this.functionOf(s);
        if (val !== null && fs && fs.def >= 0) this.retFrom(fs.def, val);
        return;
      }
      case 'if_statement': {
        const cond = field(n, 'condition');
        if (cond) this.expr(cond, s);
        const bodies: Array<() => void> = [];
        const cons = field(n, 'consequence');
        if (cons) bodies.push(() => this.block(cons, s));
        let hasElse = false;
        for (const alt of n.childrenForFieldName('alternative')) {
          if (alt.type === 'else_clause') {
            hasElse = true;
            const b = field(alt, 'body');
            if (b) bodies.push(() => this.block(b, s));
          } else {
            const c2 = field(alt, 'condition');
            const b = field(alt, 'consequence');
            bodies.push(() => {
              if (c2) this.expr(c2, s);
              if (b) this.block(b, s);
            });
          }
        }
        this.branch(s, bodies, !hasElse);
        return;
      }
      case 'for_statement': {
        const right = field(n, 'right');
        const left = field(n, 'left');
        const it = right ? this.iter(this.expr(right, s), s, right) : NOTHING;
        this.loop(s, () => {
          if (left) this.assign(left, it, s);
          const body = field(n, 'body');
          if (body) this.block(body, s);
        });
        const alt = field(n, 'alternative');
        if (alt) this.block(alt, s);
        return;
      }
      case 'while_statement': {
        this.loop(s, () => {
          const cond = field(n, 'condition');
          if (cond) this.expr(cond, s);
          const body = field(n, 'body');
          if (body) this.block(body, s);
        });
        const alt = field(n, 'alternative');
        if (alt) this.block(alt, s);
        return;
      }
      case 'try_statement': {
        const body = field(n, 'body');
        const handlers: Array<() => void> = [];
        let fin: Node | null = null;
        for (const c of n.namedChildren) {
          if (c.type === 'except_clause' || c.type === 'except_group_clause') {
            handlers.push(() => {
              for (const x of c.namedChildren) {
                if (x.type === 'block') this.block(x, s);
                else if (x.type === 'as_pattern') {
                  const v = x.namedChildren[0];
                  if (v) this.expr(v, s);
                  const alias = field(x, 'alias');
                  if (alias) this.assign(alias, NOTHING, s);
                } else this.expr(x, s);
              }
            });
          } else if (c.type === 'else_clause') {
            const b = field(c, 'body');
            if (b) handlers.push(() => this.block(b, s));
          } else if (c.type === 'finally_clause') fin = c;
        }
        // the body may stop anywhere: handlers and what follows see its definitions and those before it
        this.loop(s, () => {
          if (body) this.block(body, s);
        });
        this.branch(s, handlers, true);
        if (fin) for (const c of (fin as Node).namedChildren) if (c.type === 'block') this.block(c, s);
        return;
      }
      case 'with_statement': {
        for (const c of n.namedChildren) {
          if (c.type === 'with_clause') {
            for (const item of c.namedChildren) {
              if (item.type !== 'with_item') continue;
              const v = field(item, 'value');
              if (!v) continue;
              if (v.type === 'as_pattern') {
                const ctxExpr = v.namedChildren[0];
                const ctx = ctxExpr ? this.expr(ctxExpr, s) : NOTHING;
                const entered = this.enterExit(ctx, s, v);
                const alias = field(v, 'alias');
                const target = alias?.namedChildren[0] ?? alias;
                if (target) this.assign(target, entered, s);
              } else this.enterExit(this.expr(v, s), s, v);
            }
          } else if (c.type === 'block') this.block(c, s);
        }
        return;
      }
      case 'import_statement':
        this.importStatement(n, s);
        return;
      case 'import_from_statement':
        this.importFrom(n, s);
        return;
      case 'global_statement':
        for (const c of n.namedChildren) if (c.type === 'identifier') s.globals.add(c.text);
        return;
      case 'nonlocal_statement':
        for (const c of n.namedChildren) if (c.type === 'identifier') s.nonlocals.add(c.text);
        return;
      case 'raise_statement': {
        const v = n.namedChildren[0];
        if (v && v.type !== 'comment') {
          const val = this.expr(v, s);
          this.add({ k: 'call', fn: val, args: NO_NODES, kw: NO_KW, star: null, dstar: null, scope: s.caller, at: v.startIndex, raise: true });
        }
        return;
      }
      case 'block':
      case 'module':
        this.block(n, s);
        return;
      case 'comment':
      case 'pass_statement':
      case 'break_statement':
      case 'continue_statement':
        return;
      default:
        // match, assert, delete, print (py2), type aliases...: their expressions still run
        for (const c of n.namedChildren) {
          if (c.type === 'block') this.block(c, s);
          else if (/statement|clause|definition/.test(c.type)) this.stmt(c, s);
          else this.expr(c, s);
        }
    }
  }

  /** `with ctx as x`: calls `__enter__` (x is its result) and `__exit__` */
  protected enterExit(ctx: NodeId, s: Scope, at: Node): NodeId {
    const enter = this.add({ k: 'attr', obj: ctx, name: '__enter__', scope: s.caller });
    const result = this.add({ k: 'call', fn: enter, args: NO_NODES, kw: NO_KW, star: null, dstar: null, scope: s.caller, at: at.startIndex });
    const exit = this.add({ k: 'attr', obj: ctx, name: '__exit__', scope: s.caller });
    this.add({ k: 'call', fn: exit, args: NO_NODES, kw: NO_KW, star: null, dstar: null, scope: s.caller, at: at.endIndex });
    return result;
  }

  protected importStatement(n: Node, s: Scope): void {
    for (const c of n.namedChildren) {
      if (c.type === 'dotted_name') {
        // `import a.b.c` binds `a` to package a
        const first = c.namedChildren[0]?.text ?? c.text;
        this.define(s, first, this.add({ k: 'import', spec: first, name: null }));
      } else if (c.type === 'aliased_import') {
        const name = field(c, 'name');
        const alias = field(c, 'alias');
        if (name && alias) this.define(s, alias.text, this.add({ k: 'import', spec: name.text, name: null }));
      }
    }
  }

  protected importFrom(n: Node, s: Scope): void {
    const mod = field(n, 'module_name');
    if (!mod) return;
    const spec = mod.text.replace(/\s+/g, '');
    for (const c of n.namedChildren) {
      if (c === mod) continue;
      if (c.type === 'wildcard_import') {
        this.facts.starImports.push(spec);
      } else if (c.type === 'dotted_name') {
        this.define(s, c.text, this.add({ k: 'import', spec, name: c.text }));
      } else if (c.type === 'aliased_import') {
        const name = field(c, 'name');
        const alias = field(c, 'alias');
        if (name && alias) this.define(s, alias.text, this.add({ k: 'import', spec, name: name.text }));
      }
    }
  }

  // -------------------------------------------------------------------------------------
  // definitions

  protected definition(n: Node, s: Scope, decorators: Node[]): void {
    const nameNode = field(n, 'name');
    const name = nameNode?.text ?? '<anonymous>';
    let method: DefFact['method'];
    const applied: NodeId[] = [];
    for (const d of decorators) {
      const e = d.namedChildren.find((c) => c.type !== 'comment');
      if (!e) continue;
      const t = e.text;
      if (s.kind === 'class' && (t === 'staticmethod' || t === 'classmethod' || t === 'property' || /^[A-Za-z_]\w*\.(setter|getter|deleter)$/.test(t))) {
        method = t === 'staticmethod' ? 'static' : t === 'classmethod' ? 'class' : 'property';
        continue;
      }
      applied.push(this.expr(e, s));
    }
    const def = n.type === 'class_definition' ? this.classDef(n, s, name) : this.functionDef(n, s, name, method);
    let value = this.add({ k: 'def', def });
    for (let i = applied.length - 1; i >= 0; i--) {
      value = this.add({ k: 'call', fn: applied[i], args: [value], kw: [], star: null, dstar: null, scope: s.caller, at: decorators[i]?.startIndex ?? n.startIndex });
    }
    if (nameNode) this.define(s, name, value);
  }

  protected qualName(s: Scope, name: string): string {
    const owner = s.kind === 'comp' ? this.functionOf(s) ?? this.moduleScope : s;
    return owner.def >= 0 ? `${this.facts.defs[owner.def].name}.${name}` : name;
  }

  protected newDef(kind: DefFact['kind'], n: Node, s: Scope, name: string): number {
    const p = n.startPosition;
    const owner = s.kind === 'comp' ? this.functionOf(s) : s;
    const d: DefFact = {
      kind, name: this.qualName(s, name), start: n.startIndex, line: p.row, character: p.column,
      parent: owner && owner.def >= 0 ? owner.def : -1, params: [], ret: this.fresh(),
    };
    this.facts.defs.push(d);
    return this.facts.defs.length - 1;
  }

  protected params(paramsNode: Node | null, s: Scope, fs: Scope, d: DefFact): void {
    if (!paramsNode) return;
    let kwonly = false;
    for (const p of paramsNode.namedChildren) {
      let nameNode: Node | null = null;
      let kind: ParamFact['kind'] = kwonly ? 'kwonly' : 'pos';
      let dflt: Node | null = null;
      switch (p.type) {
        case 'identifier':
          nameNode = p;
          break;
        case 'default_parameter':
        case 'typed_default_parameter':
          nameNode = field(p, 'name');
          dflt = field(p, 'value');
          break;
        case 'typed_parameter':
          nameNode = p.namedChildren.find((c) => c.type === 'identifier' || c.type === 'list_splat_pattern' || c.type === 'dictionary_splat_pattern') ?? null;
          if (nameNode?.type === 'list_splat_pattern') {
            kind = 'star';
            kwonly = true;
            nameNode = nameNode.namedChildren[0] ?? null;
          } else if (nameNode?.type === 'dictionary_splat_pattern') {
            kind = 'dstar';
            nameNode = nameNode.namedChildren[0] ?? null;
          }
          break;
        case 'list_splat_pattern':
          kind = 'star';
          kwonly = true;
          nameNode = p.namedChildren[0] ?? null;
          break;
        case 'dictionary_splat_pattern':
          kind = 'dstar';
          nameNode = p.namedChildren[0] ?? null;
          break;
        case 'keyword_separator':
          kwonly = true;
          continue;
        default:
          continue;
      }
      const node = this.union(dflt ? [this.expr(dflt, s)] : []);
      if (!nameNode) continue;
      d.params.push({ name: nameNode.text, node, kind });
      fs.vars.set(nameNode.text, this.union([node]));
      fs.env.own.set(nameNode.text, [node]);
    }
  }

  protected functionDef(n: Node, s: Scope, name: string, method: DefFact['method']): number {
    const def = this.newDef('function', n, s, name);
    const d = this.facts.defs[def];
    if (s.kind === 'class') {
      d.inClass = s.def;
      if (method) d.method = method;
    }
    const fs = this.newScope('function', s, def, def);
    this.params(field(n, 'parameters'), s, fs, d);
    if (s.kind === 'class' && method !== 'static' && d.params.length > 0) {
      fs.selfNode = d.params[0].node;
      fs.cls = s.def;
    } else {
      // a nested function's `super()` uses the enclosing method's `__class__` and first argument
      const outer = this.functionOf(s);
      if (outer?.selfNode !== undefined) {
        fs.selfNode = outer.selfNode;
        fs.cls = outer.cls;
      }
    }
    const body = field(n, 'body');
    if (body) this.block(body, fs);
    return def;
  }

  protected classDef(n: Node, s: Scope, name: string): number {
    const def = this.newDef('class', n, s, name);
    const d = this.facts.defs[def];
    d.bases = [];
    const sup = field(n, 'superclasses');
    if (sup) {
      for (const b of sup.namedChildren) {
        if (b.type === 'keyword_argument') {
          const v = field(b, 'value');
          if (v) this.expr(v, s);
        } else if (b.type !== 'comment') d.bases.push(this.expr(b, s));
      }
    }
    const cs = this.newScope('class', s, def, s.caller);
    const body = field(n, 'body');
    if (body) this.block(body, cs);
    d.attrs = cs.vars;
    return def;
  }

  protected lambda(n: Node, s: Scope): NodeId {
    const owner = s.kind === 'comp' ? this.functionOf(s) ?? this.moduleScope : s.kind === 'class' ? s : s;
    owner.lambdas++;
    const def = this.newDef('lambda', n, s, `<lambda${owner.lambdas}>`);
    const d = this.facts.defs[def];
    const fs = this.newScope('function', s, def, def);
    this.params(field(n, 'parameters'), s, fs, d);
    const body = field(n, 'body');
    if (body) this.retFrom(def, this.expr(body, fs));
    return this.add({ k: 'def', def });
  }

  // -------------------------------------------------------------------------------------
  // assignment targets

  protected assign(t: Node, value: NodeId, s: Scope, known?: Known): void {
    switch (t.type) {
      case 'identifier':
        this.define(s, t.text, value);
        return;
      case 'attribute': {
        const obj = field(t, 'object');
        const attr = field(t, 'attribute');
        if (obj && attr) this.facts.stores.push({ obj: this.expr(obj, s), name: attr.text, value });
        return;
      }
      case 'subscript': {
        const obj = field(t, 'value');
        const sub = field(t, 'subscript');
        if (!obj) return;
        const key = sub && sub.type !== 'slice' ? this.expr(sub, s) : null;
        this.facts.stores.push({ obj: this.expr(obj, s), key, value });
        const path = this.pathKey(t, s);
        if (path) this.setPath(s, path, [value]);
        return;
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
      case 'expression_list': {
        const elems = t.namedChildren.filter((c) => c.type !== 'comment');
        const starAt = elems.findIndex((e) => e.type === 'list_splat_pattern' || e.type === 'list_splat');
        const src = known?.elems;
        const direct = src && (starAt < 0 ? src.length === elems.length : src.length >= elems.length - 1);
        for (let i = 0; i < elems.length; i++) {
          const e = elems[i];
          if (i === starAt) {
            const inner = e.namedChildren[0];
            if (!inner) continue;
            let v: NodeId;
            if (direct) {
              const tail = elems.length - 1 - i;
              const items = src.slice(i, src.length - tail).map((x, j): [string | null, NodeId] => [`i:${j}`, x.node]);
              v = this.add({ k: 'new', kind: 'list', items });
            } else {
              v = this.add({ k: 'new', kind: 'list', items: [[null, this.iter(value, s, e)]] });
            }
            this.assign(inner, v, s);
            continue;
          }
          if (direct) {
            const x = src[starAt >= 0 && i > starAt ? src.length - (elems.length - i) : i];
            this.assign(e, x.node, s, x);
          } else {
            const key = starAt >= 0 && i > starAt ? null : this.add({ k: 'const', key: `i:${i}` });
            this.assign(e, this.add({ k: 'item', obj: value, key }), s);
          }
        }
        return;
      }
      case 'parenthesized_expression':
      case 'as_pattern_target': {
        const inner = t.namedChildren[0];
        if (inner) this.assign(inner, value, s, known);
        return;
      }
      case 'list_splat_pattern':
      case 'list_splat': {
        const inner = t.namedChildren[0];
        if (inner) this.assign(inner, this.add({ k: 'new', kind: 'list', items: [[null, this.iter(value, s, t)]] }), s);
        return;
      }
      default:
        this.expr(t, s);
    }
  }

  /** a value, keeping the elements of a literal tuple/list apart (for unpacking) */
  protected known(n: Node, s: Scope): Known {
    const u = unparen(n);
    if ((u.type === 'tuple' || u.type === 'list' || u.type === 'expression_list') && !u.namedChildren.some((c) => c.type === 'list_splat')) {
      const elems = u.namedChildren.filter((c) => c.type !== 'comment').map((c) => this.known(c, s));
      const node = this.add({ k: 'new', kind: u.type === 'list' ? 'list' : 'tuple', items: elems.map((e, i): [string, NodeId] => [`i:${i}`, e.node]) });
      return { node, elems };
    }
    return { node: this.expr(n, s) };
  }

}
