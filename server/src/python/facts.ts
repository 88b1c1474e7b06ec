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
 */
import type { ContainerKind, DefFact, FlowOp, ModuleFacts, NodeId, ParamFact } from '../flow/facts';
import type { SyntaxNode as Node } from './tree';
import { PY_BUILTINS } from './builtins';

const NONE: NodeId[] = [];

/**
 * A scope's reaching definitions at one point: its own entries over those of the block
 * it branched from (so a branch costs nothing until it binds something).
 */
class Env {
  readonly own = new Map<string, NodeId[]>();
  constructor(readonly parent: Env | null) {}

  get(k: string): NodeId[] | undefined {
    for (let e: Env | null = this; e; e = e.parent) {
      const v = e.own.get(k);
      if (v !== undefined) return v.length ? v : undefined;
    }
    return undefined;
  }
}

const NO_NODES: NodeId[] = [];
const NO_KW: Array<[string, NodeId]> = [];

/** the node every expression with no value the layer tracks shares (never written to) */
const NOTHING: NodeId = 0;

/** An expression's node, and for literal tuples/lists its elements' (for unpacking). */
interface Known {
  node: NodeId;
  elems?: Known[];
}

interface Scope {
  kind: 'module' | 'function' | 'class' | 'comp';
  parent: Scope | null;
  /** def index (function/class), -1 for module; comprehensions: their function's */
  def: number;
  /** the def index calls made here are attributed to (class bodies and comprehensions: the enclosing function) */
  caller: number;
  /** all definitions of each name bound in this scope */
  vars: Map<string, NodeId>;
  globals: Set<string>;
  nonlocals: Set<string>;
  env: Env;
  /** constant-key paths (`d\0s:k`) bound since the last call (which forgets them all) */
  paths: Set<string>;
  /** reads not resolved in the env, resolved at the end of the module */
  pending: Array<{ node: NodeId; name: string }>;
  /** module scope: reads by name (to add `global` definitions made in functions) */
  reads?: Map<string, NodeId[]>;
  lambdas: number;
  /** functions: the first parameter's node and the class (for `super()`) */
  selfNode?: NodeId;
  cls?: number;
  loops: LoopFrame[];
}

interface LoopFrame {
  reads: Map<string, NodeId[]>;
  defs: Map<string, NodeId[]>;
}

const PATH_SEP = '\u0000';

function field(n: Node, name: string): Node | null {
  return n.childForFieldName(name);
}

function constKey(n: Node | null): string | null {
  if (!n) return null;
  if (n.type === 'integer') return /^\d{1,9}$/.test(n.text) ? `i:${Number(n.text)}` : null;
  if (n.type === 'string') {
    let s = '';
    for (const c of n.namedChildren) {
      if (c.type === 'string_content') s += c.text;
      else if (c.type === 'interpolation' || c.type === 'escape_sequence') return null;
    }
    return s.length <= 64 ? `s:${s}` : null;
  }
  if (n.type === 'parenthesized_expression' && n.namedChildren.length === 1) return constKey(n.namedChildren[0]);
  return null;
}

class Extractor {
  readonly facts: ModuleFacts = { nodes: [], defs: [], stores: [], vars: new Map(), starImports: [], at: [] };
  private readonly moduleScope: Scope;
  private readonly scopes: Scope[] = [];
  /** names assigned through `global` in functions → their definitions */
  private readonly globalDefs = new Map<string, NodeId[]>();

  constructor() {
    this.add({ k: 'union', from: [] });
    this.moduleScope = this.newScope('module', null, -1, -1);
    this.moduleScope.reads = new Map();
  }

  private newScope(kind: Scope['kind'], parent: Scope | null, def: number, caller: number): Scope {
    const s: Scope = {
      kind, parent, def, caller, vars: new Map(), globals: new Set(), nonlocals: new Set(),
      env: new Env(null), paths: new Set(), pending: [], lambdas: 0, loops: [],
    };
    this.scopes.push(s);
    return s;
  }

  private add(op: FlowOp): NodeId {
    this.facts.nodes.push(op);
    return this.facts.nodes.length - 1;
  }

  private union(from: NodeId[]): NodeId {
    return this.add({ k: 'union', from });
  }

  /** a new node whose sources are added later */
  private fresh(): NodeId {
    return this.add({ k: 'union', from: [] });
  }

  // -------------------------------------------------------------------------------------
  // names

  private varNode(s: Scope, name: string): NodeId {
    let v = s.vars.get(name);
    if (v === undefined) {
      v = this.fresh();
      s.vars.set(name, v);
    }
    return v;
  }

  /** the scope a binding of `name` in `s` goes to (global / nonlocal declarations) */
  private bindingScope(s: Scope, name: string): Scope {
    if (s.globals.has(name)) return this.moduleScope;
    if (s.nonlocals.has(name)) {
      for (let p = s.parent; p; p = p.parent) if (p.kind === 'function' && p.vars.has(name)) return p;
    }
    return s;
  }

  /** binds `name` to `value` at this point of scope `s` */
  private define(s: Scope, name: string, value: NodeId): void {
    const target = this.bindingScope(s, name);
    (this.facts.nodes[this.varNode(target, name)] as { from: NodeId[] }).from.push(value);
    if (target !== s) {
      if (target === this.moduleScope) {
        const g = this.globalDefs.get(name);
        if (g) g.push(value);
        else this.globalDefs.set(name, [value]);
      }
      return;
    }
    this.setEnv(s, name, [value]);
    // a new value for `d` ends what is known of `d["k"]`
    if (s.paths.size > 0) {
      const prefix = name + PATH_SEP;
      for (const k of s.paths) if (k.startsWith(prefix)) s.env.own.set(k, NONE);
    }
  }

  private setEnv(s: Scope, key: string, defs: NodeId[]): void {
    s.env.own.set(key, defs);
    for (const f of s.loops) {
      const l = f.defs.get(key);
      if (l) l.push(...defs);
      else f.defs.set(key, [...defs]);
    }
  }

  private read(s: Scope, name: string): NodeId {
    const defs = s.env.get(name);
    if (defs && !s.globals.has(name) && !s.nonlocals.has(name)) {
      if (s.loops.length === 0 && defs.length === 1 && s.kind !== 'module') return defs[0];
      const node = this.union([...defs]);
      this.noteRead(s, name, node);
      return node;
    }
    const node = this.fresh();
    s.pending.push({ node, name });
    this.noteRead(s, name, node);
    return node;
  }

  private noteRead(s: Scope, key: string, node: NodeId): void {
    for (const f of s.loops) {
      const l = f.reads.get(key);
      if (l) l.push(node);
      else f.reads.set(key, [node]);
    }
    if (s.reads) {
      const l = s.reads.get(key);
      if (l) l.push(node);
      else s.reads.set(key, [node]);
    }
  }

  /** resolves the reads no definition in their scope reached (free names, reads before a loop's assignment) */
  private resolvePending(): void {
    for (const s of this.scopes) {
      for (const { node, name } of s.pending) {
        const from = (this.facts.nodes[node] as { from: NodeId[] }).from;
        const src = this.lookup(s, name);
        if (src !== null) from.push(src);
      }
    }
    // module-level reads also see what functions assign through `global`
    for (const [name, defs] of this.globalDefs) {
      for (const r of this.moduleScope.reads!.get(name) ?? []) (this.facts.nodes[r] as { from: NodeId[] }).from.push(...defs);
    }
    for (const [name, v] of this.moduleScope.vars) this.facts.vars.set(name, v);
  }

  private lookup(s: Scope, name: string): NodeId | null {
    if (s.globals.has(name)) return this.moduleLookup(name);
    let first = true;
    for (let p: Scope | null = s; p; p = p.parent) {
      // class bodies are not enclosing scopes of the functions in them
      if (p.kind === 'class' && !first) continue;
      first = false;
      if (p.kind === 'module') return this.moduleLookup(name);
      const v = p.vars.get(name);
      if (v !== undefined) return v;
    }
    return this.moduleLookup(name);
  }

  private moduleLookup(name: string): NodeId | null {
    const v = this.moduleScope.vars.get(name);
    if (v !== undefined) return v;
    if (this.facts.starImports.length > 0) {
      const from = this.facts.starImports.map((spec) => this.add({ k: 'import', spec, name }));
      if (PY_BUILTINS.has(name)) from.push(this.add({ k: 'builtin', name }));
      return this.union(from);
    }
    if (PY_BUILTINS.has(name)) return this.add({ k: 'builtin', name });
    return null;
  }

  // -------------------------------------------------------------------------------------
  // control flow

  private branch(s: Scope, bodies: Array<() => void>, includeFallThrough: boolean): void {
    const before = s.env;
    const outs: Env[] = [];
    const paths = s.paths.size ? [...s.paths] : null;
    const after = new Set<string>();
    for (const b of bodies) {
      s.env = new Env(before);
      if (paths) s.paths = new Set(paths);
      b();
      outs.push(s.env);
      for (const p of s.paths) after.add(p);
    }
    s.env = before;
    if (paths) for (const p of paths) after.add(p);
    s.paths = after;
    merge(before, outs, includeFallThrough);
  }

  private loop(s: Scope, body: () => void): void {
    const frame: LoopFrame = { reads: new Map(), defs: new Map() };
    const before = s.env;
    s.env = new Env(before);
    s.loops.push(frame);
    body();
    s.loops.pop();
    // the second time round, reads see the definitions made later in the body
    for (const [key, defs] of frame.defs) {
      for (const r of frame.reads.get(key) ?? []) (this.facts.nodes[r] as { from: NodeId[] }).from.push(...defs);
    }
    const inner = s.env;
    s.env = before;
    merge(before, [inner], true);
  }

  // -------------------------------------------------------------------------------------
  // statements

  run(root: Node): ModuleFacts {
    this.block(root, this.moduleScope);
    this.resolvePending();
    return this.facts;
  }

  private block(n: Node, s: Scope): void {
    for (const c of n.namedChildren) this.stmt(c, s);
  }

  private stmt(n: Node, s: Scope): void {
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
  private enterExit(ctx: NodeId, s: Scope, at: Node): NodeId {
    const enter = this.add({ k: 'attr', obj: ctx, name: '__enter__', scope: s.caller });
    const result = this.add({ k: 'call', fn: enter, args: NO_NODES, kw: NO_KW, star: null, dstar: null, scope: s.caller, at: at.startIndex });
    const exit = this.add({ k: 'attr', obj: ctx, name: '__exit__', scope: s.caller });
    this.add({ k: 'call', fn: exit, args: NO_NODES, kw: NO_KW, star: null, dstar: null, scope: s.caller, at: at.endIndex });
    return result;
  }

  private functionOf(s: Scope): Scope | null {
    let p: Scope | null = s;
    while (p && p.kind === 'comp') p = p.parent;
    return p && p.kind === 'function' ? p : null;
  }

  private retFrom(def: number, val: NodeId): void {
    (this.facts.nodes[this.facts.defs[def].ret] as { from: NodeId[] }).from.push(val);
  }

  private importStatement(n: Node, s: Scope): void {
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

  private importFrom(n: Node, s: Scope): void {
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

  private definition(n: Node, s: Scope, decorators: Node[]): void {
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

  private qualName(s: Scope, name: string): string {
    const owner = s.kind === 'comp' ? this.functionOf(s) ?? this.moduleScope : s;
    return owner.def >= 0 ? `${this.facts.defs[owner.def].name}.${name}` : name;
  }

  private newDef(kind: DefFact['kind'], n: Node, s: Scope, name: string): number {
    const p = n.startPosition;
    const owner = s.kind === 'comp' ? this.functionOf(s) : s;
    const d: DefFact = {
      kind, name: this.qualName(s, name), start: n.startIndex, line: p.row, character: p.column,
      parent: owner && owner.def >= 0 ? owner.def : -1, params: [], ret: this.fresh(),
    };
    this.facts.defs.push(d);
    return this.facts.defs.length - 1;
  }

  private params(paramsNode: Node | null, s: Scope, fs: Scope, d: DefFact): void {
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

  private functionDef(n: Node, s: Scope, name: string, method: DefFact['method']): number {
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

  private classDef(n: Node, s: Scope, name: string): number {
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

  private lambda(n: Node, s: Scope): NodeId {
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

  private assign(t: Node, value: NodeId, s: Scope, known?: Known): void {
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
  private known(n: Node, s: Scope): Known {
    const u = unparen(n);
    if ((u.type === 'tuple' || u.type === 'list' || u.type === 'expression_list') && !u.namedChildren.some((c) => c.type === 'list_splat')) {
      const elems = u.namedChildren.filter((c) => c.type !== 'comment').map((c) => this.known(c, s));
      const node = this.add({ k: 'new', kind: u.type === 'list' ? 'list' : 'tuple', items: elems.map((e, i): [string, NodeId] => [`i:${i}`, e.node]) });
      return { node, elems };
    }
    return { node: this.expr(n, s) };
  }

  /** `d = {"k": v}` / `d.update({"k": v})`: the paths the literal binds, applied after the assignment */
  private dictSeed: string | null = null;
  private seeds: Array<[string, NodeId]> = [];

  private applySeeds(s: Scope): void {
    for (const [p, v] of this.seeds) this.setPath(s, p, [v]);
    this.seeds = [];
  }

  // -------------------------------------------------------------------------------------
  // paths: `d["k"]` with constant keys, for strong updates within a scope

  private pathKey(n: Node, s: Scope): string | null {
    let cur = n;
    const keys: string[] = [];
    while (cur.type === 'subscript') {
      const k = constKey(field(cur, 'subscript'));
      if (!k) return null;
      keys.unshift(k);
      cur = field(cur, 'value')!;
      if (!cur) return null;
    }
    if (cur.type !== 'identifier' || keys.length === 0) return null;
    if (s.globals.has(cur.text) || s.nonlocals.has(cur.text) || s.env.get(cur.text) === undefined) return null;
    return [cur.text, ...keys].join(PATH_SEP);
  }

  /** whether `name` is a plain local of `s` with a reaching definition */
  private pathKeyOfName(name: string, s: Scope): boolean {
    return !s.globals.has(name) && !s.nonlocals.has(name) && s.env.get(name) !== undefined;
  }

  private setPath(s: Scope, path: string, defs: NodeId[]): void {
    const prefix = path + PATH_SEP;
    for (const k of s.paths) if (k.startsWith(prefix)) s.env.own.set(k, NONE);
    s.paths.add(path);
    this.setEnv(s, path, defs);
  }

  /** a call may change any container: forget what is known of constant keys */
  private forgetPaths(s: Scope): void {
    if (s.paths.size === 0) return;
    for (const k of s.paths) s.env.own.set(k, NONE);
    s.paths.clear();
  }

  // -------------------------------------------------------------------------------------
  // expressions

  private iter(obj: NodeId, s: Scope, at: Node): NodeId {
    return this.add({ k: 'iter', obj, scope: s.caller, at: at.startIndex });
  }

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

  private generic(n: Node, s: Scope): NodeId {
    for (const c of n.namedChildren) this.expr(c, s);
    return NOTHING;
  }

  private comprehension(n: Node, s: Scope): NodeId {
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

  private call(n: Node, s: Scope): NodeId {
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
    const node = this.add({ k: 'call', fn, args: args.length ? args : NO_NODES, kw: kw.length ? kw : NO_KW, star, dstar, scope: s.caller, at: n.startIndex });
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

function unparen(n: Node): Node {
  let cur = n;
  while (cur.type === 'parenthesized_expression' && cur.namedChildren.length === 1) cur = cur.namedChildren[0];
  return cur;
}

/**
 * Merges what the branches `outs` (children of `before`) bound into `before`: a name
 * holds every definition some branch leaves; a constant-key path stays known only when
 * every way through binds it.
 */
function merge(before: Env, outs: Env[], fallThrough: boolean): void {
  const keys = new Set<string>();
  for (const o of outs) for (const k of o.own.keys()) keys.add(k);
  for (const k of keys) {
    const defs = new Set<NodeId>();
    let everywhere = true;
    for (const o of outs) {
      const d = o.get(k);
      if (d) for (const x of d) defs.add(x);
      else everywhere = false;
    }
    if (fallThrough) {
      const d = before.get(k);
      if (d) for (const x of d) defs.add(x);
      else everywhere = false;
    }
    if (k.includes(PATH_SEP) && !everywhere) before.own.set(k, NONE);
    else if (defs.size > 0) before.own.set(k, [...defs]);
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
