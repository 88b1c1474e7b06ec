/**
 * The engine's use of the value-flow layer (../flow) for JavaScript/TypeScript: what the
 * code a worker runs calls where the front end cannot say — `this.m()` reaching a
 * subclass's override (template methods), methods of class instances, handlers held in
 * variables, objects and arrays, bound methods (`this.onMessage.bind(this)`) — and the
 * callbacks it registers without calling them (`parentPort.on('message', f)`,
 * `process.on('exit', f)`, `setTimeout(f)`): these run later, in the same thread.
 *
 * The flow program covers the worker modules of the project's JS starts and what they
 * import, a few levels down (at most {@link MAX_MODULES} modules): enough to reach the
 * classes a worker script instantiates, without solving a whole workspace.
 */
import type { ModuleModel, Payload, Unit } from './model';
import type { Linker } from './link';
import type { Edges, SpawnRecord } from './contexts';
import { FlowProgram, type FlowTarget } from '../flow/program';
import { FlowUnits } from './flowUnits';
import { EXPOSE_CALLS, runPoolClasses } from '../frameworks/js';
import { lineOf } from '../shared/lines';

const MAX_MODULES = 80;
/** `expose(obj)` calls as the layer names them ('comlink.expose'): obj's methods run in the worker */
const EXPOSERS = new Set([...EXPOSE_CALLS.keys()]);
/** what `new Worker(...)`, `fork(...)`, `cluster.fork()` give, as the layer names them */
const WORKER_OR_CHILD = /^(node:)?(worker_threads\.Worker|child_process\.fork|cluster\.fork)$/;
const IMPORT_DEPTH = 3;
/** propagation steps the engine gives the layer */
const MAX_STEPS = 400_000;

type UnitKey = string;

/**
 * The JS value-flow programs of a project graph, one per module closure (a worker module,
 * a spawning root, a module calling `x.run(...)` on pools it does not make): what one says
 * depends only on the modules it covers, which the programs using it list as read, so an
 * edit elsewhere cannot change it.
 */
export class JsFlowPrograms {
  private readonly byModule = new Map<string, FlowLinkJs | null>();

  constructor(
    private readonly all: ReadonlyMap<string, ModuleModel>,
    private readonly linker: Linker,
    private readonly keyOf: (m: ModuleModel, u: Unit) => UnitKey,
    private readonly importers: ReadonlyMap<string, Set<string>>,
    private readonly spawns: readonly SpawnRecord[],
  ) {}

  of(m: ModuleModel): FlowLinkJs | null {
    let f = this.byModule.get(m.path);
    if (f === undefined) {
      f = m.language === 'js' && m.flow ? new FlowLinkJs(this.all, this.linker, [m], this.keyOf, this.importers) : null;
      this.byModule.set(m.path, f);
    }
    return f;
  }

  /** see {@link FlowLinkJs.poolPayloads}; only where the project starts JS workers (a pool made elsewhere is some start's) */
  poolPayloads(m: ModuleModel): Payload[] {
    if (!this.spawns.some((r) => r.module.language === 'js' && r.site.isProcess !== false)) return [];
    return this.of(m)?.poolPayloads(m) ?? [];
  }
}

export class FlowLinkJs {
  readonly program: FlowProgram;
  /** paths of the modules the flow program read */
  readonly modules: string[];
  private units?: FlowUnits<UnitKey>;
  private edges?: Map<UnitKey, UnitKey[]>;
  private parentEdges?: Map<UnitKey, UnitKey[]>;
  private readonly chosen: Set<string>;

  constructor(
    private readonly all: ReadonlyMap<string, ModuleModel>,
    linker: Linker,
    focus: ModuleModel[],
    private readonly keyOf: (m: ModuleModel, u: Unit) => UnitKey,
    importers: ReadonlyMap<string, Set<string>>,
  ) {
    const chosen = new Map<string, ModuleModel>();
    // a pool given to a function as a parameter comes from its callers: the importers of
    // the modules holding `x.run(...)` calls on pools they do not make
    const start = new Set(focus);
    for (const m of focus) {
      if (!m.flowPoolCalls) continue;
      for (const p of importers.get(m.path) ?? []) {
        const im = all.get(p);
        if (im && start.size < MAX_MODULES) start.add(im);
      }
    }
    let level = [...start].filter((m) => m.language === 'js' && m.flow);
    for (let depth = 0; depth <= IMPORT_DEPTH && level.length > 0; depth++) {
      const next: ModuleModel[] = [];
      for (const m of level) {
        if (chosen.has(m.path) || chosen.size >= MAX_MODULES) continue;
        chosen.set(m.path, m);
        for (const spec of importSpecs(m)) {
          const t = linker.resolveModule(m, spec);
          if (t && t.flow && t.language === 'js' && !chosen.has(t.path)) next.push(t);
        }
      }
      level = next;
    }
    this.modules = [...chosen.keys()];
    this.chosen = new Set(this.modules);
    this.program = new FlowProgram(chosen.values(), undefined, MAX_STEPS, EXPOSERS);
  }

  private readonly resolved = new Map<string, Map<number, UnitKey>>();

  /**
   * Whether the layer resolved the call starting at a position (line × 1,000,000 +
   * character) of a file, made by unit `from`, to at least one analysed function: then its
   * answer replaces the front end's for that call.
   */
  resolvedAt(file: string, pos: number, from: UnitKey): boolean {
    let map = this.resolved.get(file);
    if (!map) {
      const out = new Map<number, UnitKey>();
      map = out;
      this.resolved.set(file, out);
      const m = this.program.moduleIndex(file);
      const model = this.all.get(file);
      const lines = model?.flow?.lineStarts;
      const solver = this.program.solver;
      const resolves = (site: string): boolean => [...(solver.siteCallees.get(site) ?? [])].some((v) => this.program.callableTargets(v).some((t) => this.unitOf(t)));
      const place = (at: number): number => {
        const line = lineOf(lines!, at);
        return line * 1_000_000 + (at - lines![line]);
      };
      if (m !== undefined && model?.flow && lines) {
        model.flow.nodes.forEach((op, i) => {
          if (op.k !== 'call' || op.scope < 0 || !resolves(`${m}:${i}`)) return;
          const unit = this.callerUnit(solver.callerValue(m, op.scope));
          if (unit) out.set(place(op.at), unit);
        });
        this.forTopLevelCalls(file, (unit, site, at) => {
          if (resolves(site)) out.set(place(at), unit);
        });
      }
    }
    return map.get(pos) === from;
  }

  /** whether a unit's module is part of the flow program (its calls are all resolved by it) */
  covers(key: UnitKey): boolean {
    return this.chosen.has(key.slice(0, key.lastIndexOf('::')));
  }

  /** the functions a module exports (its `module.exports`, default and named exports), as the layer resolves them */
  exportedCallables(m: ModuleModel): UnitKey[] {
    const index = this.program.moduleIndex(m.path);
    const facts = m.flow;
    if (index === undefined || !facts) return [];
    const nodes = [...facts.vars.values()];
    if (facts.moduleValue !== undefined) nodes.push(facts.moduleValue);
    const out: UnitKey[] = [];
    for (const n of nodes) {
      for (const v of this.program.solver.valuesOf(this.program.solver.node(index, n))) {
        for (const t of this.program.callableTargets(v)) {
          const k = this.unitOf(t);
          if (k && !out.includes(k)) out.push(k);
        }
      }
    }
    return out;
  }

  /**
   * The payload problems of `x.run(...)` calls on pools a file does not make, when the
   * layer finds `x` holds a piscina or tinypool pool (made elsewhere and passed in, or
   * returned by a factory).
   */
  poolPayloads(m: ModuleModel): Payload[] {
    const out: Payload[] = [];
    for (const call of m.flowPoolCalls ?? []) {
      let channel: string | undefined;
      for (const v of this.program.receiverValuesAt(m.path, call.offset)) channel ??= this.poolOf(v);
      if (channel) for (const p of call.payloads) out.push({ ...p, channel });
    }
    return out;
  }

  /**
   * The parent units of `m` that run after a worker ended: the `w.on('exit', fn)` handlers
   * (and what is nested in them) whose `w` the layer finds is a worker thread or a child
   * process (made by a factory in another file, passed in as a parameter).
   */
  afterExitUnits(m: ModuleModel): UnitKey[] {
    const ids = new Set<number>();
    for (const h of m.flowExitHandlers ?? []) {
      if (this.program.receiverValuesAt(m.path, h.offset).some((v) => WORKER_OR_CHILD.test(this.program.qualifiedName(v)))) ids.add(h.unit);
    }
    if (ids.size === 0) return [];
    for (const u of m.units) if (u.parent !== undefined && ids.has(u.parent)) ids.add(u.id);
    return [...ids].map((id) => this.keyOf(m, m.units[id]));
  }

  /**
   * a pool whose `run(...)` submits work (piscina, tinypool: see the framework models): an
   * instance of the package's class (external, or the package's own source); its run channel
   */
  private poolOf(v: number): string | undefined {
    const val = this.program.solver.values.get(v);
    if (val.t !== 'ext' && val.t !== 'inst') return undefined;
    const name = this.program.qualifiedName(v);
    for (const c of runPoolClasses()) {
      if (name === c.module || name === `${c.module}.${c.cls}` || name === `${c.module}.default`) return c.channel;
      if (val.t === 'inst' && (name === c.cls || name.endsWith(`.${c.cls}`))) return c.channel;
    }
    return undefined;
  }

  /** the unit a flow function stands for (same file, same start) */
  private unitOf(t: FlowTarget): UnitKey | undefined {
    return (this.units ??= new FlowUnits(this.all, this.keyOf)).unitOf(t);
  }

  /** the unit a caller value stands for: a function's, or a module's top level */
  private callerUnit(v: number): UnitKey | undefined {
    const val = this.program.solver.values.get(v);
    if (val.t === 'mod') {
      const t = this.program.describe(v);
      const m = t.file ? this.all.get(t.file) : undefined;
      return m ? this.keyOf(m, m.units[0]) : undefined;
    }
    return this.program.callableTargets(v).map((t) => this.unitOf(t)).find(Boolean);
  }

  /**
   * What a unit calls as the layer resolves it, and the callbacks it hands to code
   * outside the program (registered handlers, timers, promise callbacks): these run in
   * the same thread, later. `parentSide`: without the callbacks registered for 'exit'
   * events (a worker's 'exit' handler runs after that worker ended, not beside it).
   */
  callees(key: UnitKey, parentSide = false): readonly UnitKey[] {
    if (parentSide && !this.parentEdges) this.parentEdges = this.computeEdges(true);
    if (!parentSide && !this.edges) this.edges = this.computeEdges(false);
    return (parentSide ? this.parentEdges : this.edges)!.get(key) ?? [];
  }

  private computeEdges(parentSide: boolean): Map<UnitKey, UnitKey[]> {
    const edges = new Map<UnitKey, UnitKey[]>();
    const solver = this.program.solver;
    const add = (from: UnitKey, callees: Iterable<number>, skipExit: boolean): void => {
      let to = edges.get(from);
      if (!to) edges.set(from, (to = []));
      for (const c of callees) {
        if (skipExit && solver.exitHandlers.has(c)) continue;
        for (const t of this.program.callableTargets(c)) {
          const k = this.unitOf(t);
          if (k && k !== from && !to.includes(k)) to.push(k);
        }
      }
    };
    // functions: their calls and the callbacks they register
    for (const [graph, skipExit] of [[solver.edges, false], [solver.handedOut, parentSide]] as const) {
      for (const [caller, callees] of graph) {
        if (solver.values.get(caller).t === 'mod') continue;
        const from = this.callerUnit(caller);
        if (from) add(from, callees, skipExit);
      }
    }
    // top levels: by call site, for the unit (module body, main or worker branch) that holds it
    for (const file of this.modules) this.forTopLevelCalls(file, (unit, site) => {
      add(unit, solver.siteCallees.get(site) ?? [], false);
      add(unit, solver.handedOutAt.get(site) ?? [], parentSide);
    });
    return edges;
  }

  /** each call made outside functions in a file: the top-level unit holding it and its site */
  private forTopLevelCalls(file: string, f: (unit: UnitKey, site: string, at: number) => void): void {
    const m = this.all.get(file);
    const index = this.program.moduleIndex(file);
    const lines = m?.flow?.lineStarts;
    if (!m || index === undefined || !lines) return;
    m.flow!.nodes.forEach((op, i) => {
      if (op.k !== 'call' || op.scope !== -1) return;
      const line = lineOf(lines, op.at);
      const pos = { line, character: op.at - lines[line] };
      let unit = m.units[0];
      for (const u of m.units) if (u.kind !== 'function' && u.kind !== 'module' && within(pos, u.range)) unit = u;
      f(this.keyOf(m, unit), `${index}:${i}`, op.at);
    });
  }

}

/**
 * What a JS worker unit reaches: the front end's calls and closures, and the value-flow
 * layer's calls and registered callbacks. Where the layer resolved a call inside its
 * program, its answer replaces the front end's (which takes `this.m()` as the enclosing
 * class's `m`, not a subclass's override).
 */
export function jsFlowReach(root: UnitKey, edges: (k: UnitKey) => Edges | undefined, flow: FlowLinkJs, parentSide = false): Set<UnitKey> {
  const into = new Set<UnitKey>();
  const stack = [root];
  while (stack.length) {
    const k = stack.pop()!;
    if (into.has(k)) continue;
    into.add(k);
    const e = edges(k);
    const file = flow.covers(k) ? k.slice(0, k.lastIndexOf('::')) : undefined;
    for (let i = 0; e && i < e.to.length; i++) {
      const c = e.to[i];
      if (into.has(c)) continue;
      if (file !== undefined && !e.nested[i] && flow.covers(c) && flow.resolvedAt(file, e.at[i], k)) continue;
      stack.push(c);
    }
    for (const c of flow.callees(k, parentSide)) if (!into.has(c)) stack.push(c);
  }
  return into;
}

function importSpecs(m: ModuleModel): Set<string> {
  const specs = new Set<string>([...m.imports, ...m.starExports]);
  for (const b of m.bindings.values()) if (b.importFrom) specs.add(b.importFrom.specifier);
  for (const op of m.flow?.nodes ?? []) if (op.k === 'import') specs.add(op.spec);
  return specs;
}

function within(p: { line: number; character: number }, r: Unit['range']): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}
