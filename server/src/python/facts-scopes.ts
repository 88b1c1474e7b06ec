/**
 * Python value-flow facts, part 1 of 3: scopes and names. Python's scoping rules (a name
 * assigned anywhere in a function is local to it unless `global`/`nonlocal`, class bodies
 * do not enclose their methods, comprehensions have their own scope), the definitions
 * reaching each read within a scope (straight-line order, branches merged, loops iterated
 * once more), and constant-key paths (`d["k"]`) for strong updates. Statements are in
 * ./facts-statements.ts, expressions and the entry point in ./facts.ts.
 */
import type { FlowOp, ModuleFacts, NodeId } from '../flow/facts';
import type { SyntaxNode as Node } from './tree';
import { PY_BUILTINS } from './builtins';

export const NONE: NodeId[] = [];

/**
 * A scope's reaching definitions at one point: its own entries over those of the block
 * it branched from (so a branch costs nothing until it binds something).
 */
export class Env {
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

export const NO_NODES: NodeId[] = [];
export const NO_KW: Array<[string, NodeId]> = [];

/** the node every expression with no value the layer tracks shares (never written to) */
export const NOTHING: NodeId = 0;

/** An expression's node, and for literal tuples/lists its elements' (for unpacking). */
export interface Known {
  node: NodeId;
  elems?: Known[];
}

export interface Scope {
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

export interface LoopFrame {
  reads: Map<string, NodeId[]>;
  defs: Map<string, NodeId[]>;
}

export const PATH_SEP = '\u0000';

export function field(n: Node, name: string): Node | null {
  return n.childForFieldName(name);
}

export function constKey(n: Node | null): string | null {
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

/** Scopes, names, control flow and constant-key paths: what the statement and expression parts share. */
export abstract class ScopedFacts {
  readonly facts: ModuleFacts = { nodes: [], defs: [], stores: [], vars: new Map(), starImports: [], at: [] };
  protected readonly moduleScope: Scope;
  protected readonly scopes: Scope[] = [];
  /** names assigned through `global` in functions → their definitions */
  protected readonly globalDefs = new Map<string, NodeId[]>();

  constructor() {
    this.add({ k: 'union', from: [] });
    this.moduleScope = this.newScope('module', null, -1, -1);
    this.moduleScope.reads = new Map();
  }

  protected newScope(kind: Scope['kind'], parent: Scope | null, def: number, caller: number): Scope {
    const s: Scope = {
      kind, parent, def, caller, vars: new Map(), globals: new Set(), nonlocals: new Set(),
      env: new Env(null), paths: new Set(), pending: [], lambdas: 0, loops: [],
    };
    this.scopes.push(s);
    return s;
  }

  protected add(op: FlowOp): NodeId {
    this.facts.nodes.push(op);
    return this.facts.nodes.length - 1;
  }

  protected union(from: NodeId[]): NodeId {
    return this.add({ k: 'union', from });
  }

  /** a new node whose sources are added later */
  protected fresh(): NodeId {
    return this.add({ k: 'union', from: [] });
  }

  // -------------------------------------------------------------------------------------
  // names

  protected varNode(s: Scope, name: string): NodeId {
    let v = s.vars.get(name);
    if (v === undefined) {
      v = this.fresh();
      s.vars.set(name, v);
    }
    return v;
  }

  /** the scope a binding of `name` in `s` goes to (global / nonlocal declarations) */
  protected bindingScope(s: Scope, name: string): Scope {
    if (s.globals.has(name)) return this.moduleScope;
    if (s.nonlocals.has(name)) {
      for (let p = s.parent; p; p = p.parent) if (p.kind === 'function' && p.vars.has(name)) return p;
    }
    return s;
  }

  /** binds `name` to `value` at this point of scope `s` */
  protected define(s: Scope, name: string, value: NodeId): void {
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

  protected setEnv(s: Scope, key: string, defs: NodeId[]): void {
    s.env.own.set(key, defs);
    for (const f of s.loops) {
      const l = f.defs.get(key);
      if (l) l.push(...defs);
      else f.defs.set(key, [...defs]);
    }
  }

  protected read(s: Scope, name: string): NodeId {
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

  protected noteRead(s: Scope, key: string, node: NodeId): void {
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
  protected resolvePending(): void {
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

  protected lookup(s: Scope, name: string): NodeId | null {
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

  protected moduleLookup(name: string): NodeId | null {
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

  protected branch(s: Scope, bodies: Array<() => void>, includeFallThrough: boolean): void {
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

  protected loop(s: Scope, body: () => void): void {
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
  // helpers of both parts

  protected functionOf(s: Scope): Scope | null {
    let p: Scope | null = s;
    while (p && p.kind === 'comp') p = p.parent;
    return p && p.kind === 'function' ? p : null;
  }

  protected retFrom(def: number, val: NodeId): void {
    (this.facts.nodes[this.facts.defs[def].ret] as { from: NodeId[] }).from.push(val);
  }

  protected iter(obj: NodeId, s: Scope, at: Node): NodeId {
    return this.add({ k: 'iter', obj, scope: s.caller, at: at.startIndex });
  }

  /** `d = {"k": v}` / `d.update({"k": v})`: the paths the literal binds, applied after the assignment */
  protected dictSeed: string | null = null;
  protected seeds: Array<[string, NodeId]> = [];

  protected applySeeds(s: Scope): void {
    for (const [p, v] of this.seeds) this.setPath(s, p, [v]);
    this.seeds = [];
  }

  // -------------------------------------------------------------------------------------
  // paths: `d["k"]` with constant keys, for strong updates within a scope

  protected pathKey(n: Node, s: Scope): string | null {
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
  protected pathKeyOfName(name: string, s: Scope): boolean {
    return !s.globals.has(name) && !s.nonlocals.has(name) && s.env.get(name) !== undefined;
  }

  protected setPath(s: Scope, path: string, defs: NodeId[]): void {
    const prefix = path + PATH_SEP;
    for (const k of s.paths) if (k.startsWith(prefix)) s.env.own.set(k, NONE);
    s.paths.add(path);
    this.setEnv(s, path, defs);
  }

  /** a call may change any container: forget what is known of constant keys */
  protected forgetPaths(s: Scope): void {
    if (s.paths.size === 0) return;
    for (const k of s.paths) s.env.own.set(k, NONE);
    s.paths.clear();
  }

}

export function unparen(n: Node): Node {
  let cur = n;
  while (cur.type === 'parenthesized_expression' && cur.namedChildren.length === 1) cur = cur.namedChildren[0];
  return cur;
}

/**
 * Merges what the branches `outs` (children of `before`) bound into `before`: a name
 * holds every definition some branch leaves; a constant-key path stays known only when
 * every way through binds it.
 */
export function merge(before: Env, outs: Env[], fallThrough: boolean): void {
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
