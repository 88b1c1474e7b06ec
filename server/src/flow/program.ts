/**
 * A program for the value-flow layer: the modules of a project that have facts, linked
 * (imports resolved with the engine's {@link Linker}) and solved. Answers which
 * function(s) a call site calls, which values an expression (a call argument) may hold,
 * and gives the call graph with PyCG-style qualified names.
 */
import * as path from 'node:path';
import type { ModuleModel } from '../engine/model';
import { Linker } from '../engine/link';
import type { DefFact } from './facts';
import { Solver, type ModuleResolver } from './solver';
import type { Value } from './values';

/** What a value is, for callers outside the layer. */
export interface FlowTarget {
  kind: 'function' | 'lambda' | 'class' | 'instance' | 'bound-method' | 'partial' | 'module' | 'external' | 'builtin' | 'other';
  /** qualified name ('main.C.f', 'ext.Cls', '<builtin>.len') */
  name: string;
  /** for analysed definitions: the file and the def/lambda/class node's start */
  file?: string;
  line?: number;
  character?: number;
  /** bound methods and partials: the function; instances: their class */
  of?: FlowTarget;
}

export class FlowProgram {
  readonly solver: Solver;
  private readonly mods: ModuleModel[] = [];
  private readonly index = new Map<string, number>();
  private readonly names: string[] = [];

  /** `root`: the folder module names are relative to (default: the common folder of the files) */
  constructor(models: Iterable<ModuleModel>, root?: string, maxSteps?: number, exposers?: ReadonlySet<string>) {
    for (const m of models) {
      if (!m.flow) continue;
      this.index.set(m.path, this.mods.length);
      this.mods.push(m);
    }
    const base = root ?? commonDir(this.mods.map((m) => m.path));
    for (const m of this.mods) this.names.push(moduleName(m.path, base));
    const byPath = new Map(this.mods.map((m) => [m.path, m] as [string, ModuleModel]));
    const linker = new Linker(byPath);
    const resolver: ModuleResolver = {
      resolve: (from, spec) => {
        const t = linker.resolveModule(this.mods[from], spec);
        return t ? this.index.get(t.path) : undefined;
      },
      submodule: (m, name) => {
        if (path.basename(this.mods[m].path) !== '__init__.py') return undefined;
        const t = linker.resolveModule(this.mods[m], `.${name}`);
        return t ? this.index.get(t.path) : undefined;
      },
      absolute: (from, spec) => {
        if (this.mods[from].language === 'js') return spec;
        const dots = /^\.*/.exec(spec)![0].length;
        if (dots === 0) return spec;
        const parts = this.names[from].split('.');
        const isPkg = path.basename(this.mods[from].path) === '__init__.py';
        const keep = Math.max(0, parts.length - (isPkg ? dots - 1 : dots));
        return [...parts.slice(0, keep), spec.slice(dots)].filter(Boolean).join('.');
      },
    };
    this.solver = new Solver(this.mods.map((m) => ({ facts: m.flow! })), resolver, maxSteps);
    if (exposers) this.solver.exposers = exposers;
    this.solver.solve();
  }

  private readonly atMaps = new Map<number, Map<number, number>>();

  /** the node of the call or argument starting at `offset` (the outermost, for nested starts) */
  private nodeAt(m: number, offset: number): number | undefined {
    let map = this.atMaps.get(m);
    if (!map) {
      map = new Map();
      const at = this.mods[m].flow!.at;
      // pairs are pushed inner expressions first: the last pair for an offset is the outermost
      for (let i = 0; i < at.length; i += 2) map.set(at[i], at[i + 1]);
      this.atMaps.set(m, map);
    }
    return map.get(offset);
  }

  moduleIndex(file: string): number | undefined {
    return this.index.get(file);
  }

  /** the functions a call (by its start offset) calls */
  callees(file: string, callOffset: number): FlowTarget[] {
    const m = this.index.get(file);
    if (m === undefined) return [];
    const node = this.nodeAt(m, callOffset);
    if (node === undefined) return [];
    const set = this.solver.siteCallees.get(`${m}:${node}`);
    return set ? [...set].map((v) => this.describe(v)) : [];
  }

  /** the values of a call argument (by its start offset), or of a call's result (by the call's) */
  valuesAt(file: string, offset: number): FlowTarget[] {
    const m = this.index.get(file);
    if (m === undefined) return [];
    const node = this.nodeAt(m, offset);
    if (node === undefined) return [];
    return [...this.solver.valuesOf(this.solver.node(m, node))].map((v) => this.describe(v));
  }

  /** the values of the receiver of a method call (`x` of `x.run(...)`), by the call's start offset */
  receiverValuesAt(file: string, callOffset: number): number[] {
    const m = this.index.get(file);
    const node = m === undefined ? undefined : this.nodeAt(m, callOffset);
    if (m === undefined || node === undefined) return [];
    const nodes = this.mods[m].flow!.nodes;
    const op = nodes[node];
    const fn = op.k === 'call' ? nodes[op.fn] : undefined;
    return fn?.k === 'attr' ? [...this.solver.valuesOf(this.solver.node(m, fn.obj))] : [];
  }

  /** the raw value ids at an offset (for callers that walk values themselves) */
  valueIdsAt(file: string, offset: number): number[] {
    const m = this.index.get(file);
    const node = m === undefined ? undefined : this.nodeAt(m, offset);
    return m === undefined || node === undefined ? [] : [...this.solver.valuesOf(this.solver.node(m, node))];
  }

  /** the function a value calls when called: itself, a bound method's or partial's function, an instance's `__call__` */
  callableTargets(v: number, depth = 0): FlowTarget[] {
    const val = this.solver.values.get(v);
    if (depth > 4) return [];
    switch (val.t) {
      case 'def':
        return [this.describe(v)];
      case 'bound':
        return this.callableTargets(val.fn, depth + 1);
      case 'partial':
        return this.callableTargets(val.fn, depth + 1);
      case 'inst': {
        const out: FlowTarget[] = [];
        for (const k of this.solver.mro(val.cls)) {
          const kv = this.solver.values.get(k);
          if (kv.t !== 'def') continue;
          const d = this.solver.def(kv);
          const attr = d.attrs?.get('__call__');
          if (attr === undefined) continue;
          for (const f of this.solver.valuesOf(this.solver.node(kv.m, attr))) out.push(...this.callableTargets(f, depth + 1));
          break;
        }
        return out;
      }
      default:
        return [];
    }
  }

  qualifiedName(v: number): string {
    const val = this.solver.values.get(v);
    switch (val.t) {
      case 'def':
        return `${this.names[val.m]}.${this.solver.def(val).name}`;
      case 'mod':
        return this.names[val.m];
      case 'ext':
        return val.name;
      case 'builtin':
        return `<builtin>.${val.name}`;
      case 'bound':
      case 'partial':
        return this.qualifiedName(val.fn);
      case 'inst':
        return this.qualifiedName(val.cls);
      default:
        return `<${val.t}>`;
    }
  }

  describe(v: number): FlowTarget {
    const val: Value = this.solver.values.get(v);
    const name = this.qualifiedName(v);
    switch (val.t) {
      case 'def': {
        const d: DefFact = this.solver.def(val);
        return { kind: d.kind === 'class' ? 'class' : d.kind, name, file: this.mods[val.m].path, line: d.line, character: d.character };
      }
      case 'bound':
        return { kind: 'bound-method', name, of: this.describe(val.fn) };
      case 'partial':
        return { kind: 'partial', name, of: this.describe(val.fn) };
      case 'inst':
        return { kind: 'instance', name, of: this.describe(val.cls) };
      case 'mod':
        return { kind: 'module', name, file: this.mods[val.m].path };
      case 'ext':
        return { kind: 'external', name };
      case 'builtin':
        return { kind: 'builtin', name };
      default:
        return { kind: 'other', name };
    }
  }

  /** the calls made at a module's top level (outside functions): start offset → callees' names */
  topLevelCalls(file: string): Array<{ offset: number; callees: string[] }> {
    const m = this.index.get(file);
    if (m === undefined) return [];
    const out: Array<{ offset: number; callees: string[] }> = [];
    this.mods[m].flow!.nodes.forEach((op, i) => {
      if (op.k !== 'call' || op.scope !== -1) return;
      const set = this.solver.siteCallees.get(`${m}:${i}`);
      if (set?.size) out.push({ offset: op.at, callees: [...set].map((v) => this.qualifiedName(v)) });
    });
    return out;
  }

  /** every analysed function, lambda and module (as callers), by qualified name */
  functions(): Array<{ name: string; file: string; def?: DefFact }> {
    const out: Array<{ name: string; file: string; def?: DefFact }> = [];
    this.mods.forEach((m, i) => {
      out.push({ name: this.names[i], file: m.path });
      for (const d of m.flow!.defs) if (d.kind !== 'class') out.push({ name: `${this.names[i]}.${d.name}`, file: m.path, def: d });
    });
    return out;
  }

  /** caller → callees, by qualified names (PyCG's format) */
  callGraph(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const f of this.functions()) out.set(f.name, new Set());
    for (const [caller, callees] of this.solver.edges) {
      const from = this.qualifiedName(caller);
      let set = out.get(from);
      if (!set) out.set(from, (set = new Set()));
      for (const c of callees) {
        const to = this.qualifiedName(c);
        set.add(to);
        if (!out.has(to)) out.set(to, new Set());
      }
    }
    return out;
  }
}

function commonDir(files: string[]): string {
  if (files.length === 0) return process.cwd();
  let dir = path.dirname(files[0]);
  for (const f of files) {
    while (!(f.startsWith(dir + path.sep) || f === dir)) {
      const up = path.dirname(dir);
      if (up === dir) return dir;
      dir = up;
    }
  }
  return dir;
}

/** 'pkg/sub/mod.py' → 'pkg.sub.mod'; 'pkg/__init__.py' → 'pkg' (relative to root) */
export function moduleName(file: string, root: string): string {
  let rel = path.relative(root, file);
  if (rel.startsWith('..')) rel = path.basename(file);
  rel = rel.replace(/\.(pyw?|[cm]?[jt]sx?)$/, '');
  const parts = rel.split(/[\\/]/).filter(Boolean);
  if (parts[parts.length - 1] === '__init__' && parts.length > 1) parts.pop();
  return parts.join('.');
}
