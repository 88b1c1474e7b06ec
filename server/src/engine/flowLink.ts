/**
 * The engine's use of the value-flow layer (../flow): which functions the task and
 * initializer expressions the front end could not resolve (`self.method`, a callable
 * object, `functools.partial(...)`, a variable) run, and the calls made through
 * instances and `self` in the code those tasks reach — and the calls any Python process
 * task makes through values (a dict of handlers, a function returned by a helper).
 *
 * The flow program covers the modules holding such expressions, the modules importing
 * them and theirs (a task is often a parameter: `def run(pool, job): pool.map(job, ...)`), and what
 * all these import (one level; at most {@link MAX_MODULES} modules): enough to find the
 * classes and functions a task is made of, without solving a whole workspace. The other
 * modules that start processes, and theirs, come after, in the room left. Which modules
 * fill the room depends only on the import graph (distance from a start, ties by path),
 * never on the order modules were read in.
 */
import type { ModuleModel, SpawnSite, StartMethod, Unit } from './model';
import type { Linker } from './link';
import { FlowProgram, type FlowTarget } from '../flow/program';
import type { Value } from '../flow/values';
import { FlowUnits } from './flowUnits';
import { HAND_OVERS, submitMethodNames } from '../frameworks/python';
import { passedSubmissions, type PassedSubmission } from './flowPassed';

const MAX_MODULES = 80;
/**
 * what the layer names a context's pool or process, and their methods:
 * `multiprocessing.context.SpawnContext.Pool.map`; or the module's own, when the module is a
 * value (pebble's `context=multiprocessing` default, then `mp_context.Process(target=f)`)
 */
const CONTEXT_STARTS = /^multiprocessing(?:\.context\.(SpawnContext|ForkContext|ForkServerContext))?\.(Pool|Process)(?:\.(\w+))?$/;
const CONTEXT_METHODS: Record<string, StartMethod> = { SpawnContext: 'spawn', ForkContext: 'fork', ForkServerContext: 'forkserver' };

/** A task handed to a pool or process of a context only the layer names (see {@link FlowLink.contextStarts}). */
export interface ContextStart {
  file: string;
  /** the call handing the task over: start offset, start and end in position order */
  offset: number;
  pos: number;
  end: number;
  /** none: the module's own pool or process (the program's start method) */
  startMethod?: StartMethod;
  system: 'mp.Pool' | 'mp.Process';
  /** pools: the submitting method ('map'...) */
  method?: string;
  /** the task argument's start offset */
  argOffset: number;
  /** the argument is the pool's `initializer=` (the call is `ctx.Pool(...)` itself); `initargs=` given */
  initializer?: { initargs: boolean };
}
/** what the layer names a Manager's proxy: `multiprocessing.Manager.dict`, `...get_context.Manager.list`, `multiprocessing.managers.SyncManager.Namespace` */
const MANAGER_PROXY = /^multiprocessing\b.*\.(?:Manager|SyncManager)\.(?:dict|list|Namespace|Queue|JoinableQueue|Value|Array|Lock|RLock|Event|Condition|Semaphore|BoundedSemaphore|Barrier)$/;
const IMPORTER_DEPTH = 2;
/** propagation steps the engine gives the layer (the graph command gives more) */
const MAX_STEPS = 400_000;

type UnitKey = string;

export class FlowLink {
  readonly program: FlowProgram;
  /** paths of the modules the flow program read */
  readonly modules: string[];
  private units?: FlowUnits<UnitKey>;
  private edges?: Map<UnitKey, UnitKey[]>;
  private readonly chosen: Set<string>;

  /** the models the program was solved over, in {@link modules} order */
  private readonly models: ModuleModel[];

  /** `modules`: the chosen modules ({@link chooseModules}); `all` must hold each (it is read for their models only) */
  constructor(
    private readonly all: ReadonlyMap<string, ModuleModel>,
    modules: string[],
    private readonly keyOf: (m: ModuleModel, u: Unit) => UnitKey,
  ) {
    this.modules = modules;
    this.chosen = new Set(this.modules);
    this.models = this.modules.map((p) => all.get(p)!);
    this.program = new FlowProgram(this.models, undefined, MAX_STEPS);
  }

  /**
   * Whether this program is the one a fresh build would make of `modules` chosen from `all`:
   * the same modules, each with the same model. The program reads nothing else (it links
   * its modules among themselves), so an edit elsewhere leaves it as it is.
   */
  sameAs(all: ReadonlyMap<string, ModuleModel>, modules: readonly string[]): boolean {
    return all === this.all && modules.length === this.modules.length && modules.every((p, i) => p === this.modules[i] && all.get(p) === this.models[i]);
  }

  /** whether the layer stopped at its step bound (its call graph may then miss calls; a node's value bound does not) */
  get truncated(): boolean {
    // `steps` is the solver's own count: read here rather than widening the solver's interface
    return this.program.solver['steps'] > MAX_STEPS;
  }

  /** the units an expression (a call argument, by start offset) runs when called */
  targets(m: ModuleModel, offset: number): UnitKey[] {
    const out: UnitKey[] = [];
    for (const v of this.program.valueIdsAt(m.path, offset)) {
      for (const t of this.program.callableTargets(v)) {
        const k = this.unitOf(t);
        if (k && !out.includes(k)) out.push(k);
      }
    }
    return out;
  }

  /**
   * A pool or executor a function creates and returns (a factory, `def make_pool(): return
   * Pool(4)`): the tasks submitted to it wherever a call of that function is used
   * (`pool = make_pool(); pool.map(task, xs)`, `with make_pool() as p:`), as the units each
   * submitted callable runs with the submitting method. `siteOffset` is the creating call's.
   */
  returnedSubmissions(m: ModuleModel, siteOffset: number, methods: ReadonlySet<string>): Array<{ method: string; units: UnitKey[]; file: string; argOffset: number }> {
    const solver = this.program.solver;
    const mi = this.program.moduleIndex(m.path);
    const facts = m.flow;
    if (mi === undefined || !facts) return [];
    let site: number | undefined;
    for (let i = 0; i < facts.at.length; i += 2) if (facts.at[i] === siteOffset) site = facts.at[i + 1];
    const op = site === undefined ? undefined : facts.nodes[site];
    if (!op || op.k !== 'call' || op.scope < 0) return [];
    const made = solver.valuesOf(solver.node(mi, site!));
    const returned = solver.valuesOf(solver.node(mi, facts.defs[op.scope].ret));
    if (![...made].some((v) => returned.has(v))) return [];
    const factory = solver.values.intern({ t: 'def', m: mi, d: op.scope });
    const fileOf = new Map(this.modules.map((f) => [this.program.moduleIndex(f), f]));
    const out: Array<{ method: string; units: UnitKey[]; file: string; argOffset: number }> = [];
    solver.modules.forEach(({ facts: f }, j) => {
      // the receiver holds what a call of the factory returned (through names, `with ... as`)
      const fromFactory = (n: number, depth: number): boolean => {
        const x = f.nodes[n];
        if (depth > 8) return false;
        if (x.k === 'union') return x.from.some((y) => fromFactory(y, depth + 1));
        if (x.k !== 'call') return false;
        if (solver.siteCallees.get(`${j}:${n}`)?.has(factory)) return true;
        const fn = f.nodes[x.fn];
        return fn.k === 'attr' && fn.name === '__enter__' && fromFactory(fn.obj, depth + 1);
      };
      f.nodes.forEach((x) => {
        if (x.k !== 'call') return;
        const fn = f.nodes[x.fn];
        if (fn.k !== 'attr' || !methods.has(fn.name) || !fromFactory(fn.obj, 0)) return;
        const arg = x.args[0] ?? x.kw.find(([k]) => k === 'func' || k === 'fn')?.[1];
        const sub = arg === undefined ? undefined : this.submission(j, arg, fn.name, fileOf);
        if (sub) out.push(sub);
      });
    });
    return out;
  }

  private passed?: Map<string, PassedSubmission[]>;

  /**
   * A pool or executor handed to another function as an argument (`schedule(ex)`): the
   * tasks submitted to it there (`executor.map(work, xs)`, `loop.run_in_executor(executor,
   * work)`), as {@link returnedSubmissions} gives them. `siteOffset` is the creating call's;
   * `methods` the submit methods of its system (hand-overs such as `run_in_executor` count
   * for any executor).
   */
  passedSubmissions(m: ModuleModel, siteOffset: number, methods: ReadonlySet<string>): Array<{ method: string; units: UnitKey[]; file: string; argOffset: number }> {
    const mi = this.program.moduleIndex(m.path);
    const facts = m.flow;
    if (mi === undefined || !facts) return [];
    let site: number | undefined;
    for (let i = 0; i < facts.at.length; i += 2) if (facts.at[i] === siteOffset) site = facts.at[i + 1];
    if (site === undefined) return [];
    const subs = (this.passed ??= passedSubmissions(this.program)).get(`${mi}:${site}`) ?? [];
    const fileOf = new Map(this.modules.map((f) => [this.program.moduleIndex(f), f]));
    const out: Array<{ method: string; units: UnitKey[]; file: string; argOffset: number }> = [];
    for (const s of subs) {
      if (!methods.has(s.method) && !HAND_OVERS.has(s.method)) continue;
      const sub = this.submission(s.m, s.task, s.method, fileOf);
      if (sub) out.push(sub);
    }
    return out;
  }

  /** A task handed over by `method` as node `task` of module `j`: the units it may be and the argument's offset (undefined: no unit). */
  private submission(j: number, task: number, method: string, fileOf: ReadonlyMap<number | undefined, string>): { method: string; units: UnitKey[]; file: string; argOffset: number } | undefined {
    const solver = this.program.solver;
    const units: UnitKey[] = [];
    for (const v of solver.valuesOf(solver.node(j, task))) {
      for (const t of this.program.callableTargets(v)) {
        const k = this.unitOf(t);
        if (k && !units.includes(k)) units.push(k);
      }
    }
    if (!units.length) return undefined;
    const f = solver.modules[j].facts;
    let argOffset = -1;
    for (let i = 0; i < f.at.length && argOffset < 0; i += 2) if (f.at[i + 1] === task) argOffset = f.at[i];
    return { method, units, file: fileOf.get(j)!, argOffset };
  }

  /**
   * Whether a module-level name may hold a `Manager()` proxy (`Manager().dict()`, also
   * through a helper that returns one): writes through a proxy reach the manager process.
   */
  holdsProxy(file: string, name: string): boolean {
    return this.someValueOf(file, name, (val) => val.t === 'ext' && MANAGER_PROXY.test(val.name));
  }

  /**
   * Whether module-level `name` of `file` holds an instance of a class of the project's that
   * defines `method` itself (or a base of the project's does): `EVENT.set()` then runs that
   * method, whatever it does, not a container's or an event's.
   */
  holdsInstanceWithMethod(file: string, name: string, method: string): boolean {
    const solver = this.program.solver;
    return this.someValueOf(file, name, (val) => val.t === 'inst' && solver.mro(val.cls).some((k) => {
      const kv = solver.values.get(k);
      return kv.t === 'def' && !!solver.def(kv).attrs?.has(method);
    }));
  }

  /** Whether one of the values module-level `name` of `file` may hold passes `test` (false outside the program). */
  private someValueOf(file: string, name: string, test: (val: Value) => boolean): boolean {
    const mi = this.program.moduleIndex(file);
    const node = mi === undefined ? undefined : this.all.get(file)?.flow?.vars.get(name);
    if (mi === undefined || node === undefined) return false;
    const solver = this.program.solver;
    for (const v of solver.valuesOf(solver.node(mi, node))) if (test(solver.values.get(v))) return true;
    return false;
  }

  private contextStartList?: ContextStart[];

  /**
   * Pools and processes made from a multiprocessing context the layer names but the front
   * end cannot (a helper returning `get_context("spawn")`, kept and used later: `ctx =
   * make_ctx(); ctx.Pool(...)`): per task handed over — a `Process(target=)`, a callable
   * submitted to such a pool (`pool.map(f, xs)`) — where and with which start method.
   */
  contextStarts(): readonly ContextStart[] {
    if (this.contextStartList) return this.contextStartList;
    const out: ContextStart[] = [];
    const solver = this.program.solver;
    const submitters = submitMethodNames('mp.Pool') ?? new Set<string>();
    const fileOf = new Map(this.modules.map((p) => [this.program.moduleIndex(p), p]));
    solver.modules.forEach(({ facts: f }, j) => {
      const file = fileOf.get(j);
      if (!file) return;
      f.nodes.forEach((op) => {
        if (op.k !== 'call' || op.pos === undefined || op.end === undefined) return;
        for (const v of solver.valuesOf(solver.node(j, op.fn))) {
          const val = solver.values.get(v);
          const hit = val.t === 'ext' ? CONTEXT_STARTS.exec(val.name) : null;
          if (!hit) continue;
          const [, cls, kind, method] = hit;
          // `ctx.Pool(processes, initializer, initargs, ...)`: the initializer runs in each worker
          const init = kind === 'Pool' && !method ? op.kw.find(([k]) => k === 'initializer')?.[1] ?? op.args[1] : undefined;
          const task = kind === 'Process' ? (method ? undefined : op.kw.find(([k]) => k === 'target')?.[1] ?? op.args[1])
            : method && submitters.has(method) ? op.args[0] ?? op.kw.find(([k]) => k === 'func')?.[1] : init;
          if (task === undefined) continue;
          let argOffset = -1;
          for (let i = 0; i < f.at.length && argOffset < 0; i += 2) if (f.at[i + 1] === task) argOffset = f.at[i];
          if (argOffset < 0) continue;
          const initializer = task === init ? { initargs: op.kw.some(([k]) => k === 'initargs') || op.args.length > 2 } : undefined;
          out.push({ file, offset: op.at, pos: op.pos, end: op.end, startMethod: cls ? CONTEXT_METHODS[cls] : undefined, system: kind === 'Pool' ? 'mp.Pool' : 'mp.Process', method, argOffset, initializer });
          break;
        }
      });
    });
    return (this.contextStartList = out);
  }

  private classCallList?: Array<{ file: string; offset: number; end?: number; classes: string[] }>;

  /**
   * Calls that instantiate module-level classes the layer finds through values — a class
   * kept in an attribute or returned by a factory (mpire's `self.Worker = worker_factory(...)`,
   * then `self.Worker(...)`): the call's file and start offset, and the classes as the
   * engine's class names (the caller asks the engine which are `Process` subclasses);
   * `end`: where the call ends (its arguments are evaluated before the process exists).
   * Calls naming the class directly are the front end's too (the caller keeps one record per call).
   */
  classCalls(): ReadonlyArray<{ file: string; offset: number; end?: number; classes: string[] }> {
    if (this.classCallList) return this.classCallList;
    const out: Array<{ file: string; offset: number; end?: number; classes: string[] }> = [];
    const solver = this.program.solver;
    const fileOf = new Map(this.modules.map((p) => [this.program.moduleIndex(p), p]));
    solver.modules.forEach(({ facts: f }, j) => {
      const file = fileOf.get(j);
      if (!file) return;
      f.nodes.forEach((op) => {
        if (op.k !== 'call' || op.raise) return;
        const classes: string[] = [];
        for (const v of solver.valuesOf(solver.node(j, op.fn))) {
          const val = solver.values.get(v);
          if (val.t !== 'def') continue;
          const d = solver.def(val);
          if (d.kind !== 'class' || d.parent !== -1) continue;
          const cf = fileOf.get(val.m);
          // only a class with a process base, or bases to follow, can start a process
          const b = cf ? this.all.get(cf)?.bindings.get(d.name) : undefined;
          if (b && (b.processClass || b.bases?.length || b.contextBases?.length)) classes.push(`${cf}#${d.name}`);
        }
        if (classes.length) out.push({ file, offset: op.at, end: op.end, classes });
      });
    });
    return (this.classCallList = out);
  }

  /** the unit a flow function stands for (same file, same start) */
  private unitOf(t: FlowTarget): UnitKey | undefined {
    return (this.units ??= new FlowUnits(this.all, this.keyOf)).unitOf(t);
  }

  /** whether a module is part of the flow program */
  coversModule(file: string): boolean {
    return this.chosen.has(file);
  }

  /** whether a unit's module is part of the flow program (its calls are all resolved by it) */
  covers(key: UnitKey): boolean {
    return this.chosen.has(key.slice(0, key.lastIndexOf('::')));
  }

  /** calls between units as the flow layer resolves them (through instances, `self`, parameters...) */
  callees(key: UnitKey): readonly UnitKey[] {
    if (!this.edges) {
      this.edges = new Map();
      const solver = this.program.solver;
      for (const [caller, callees] of solver.edges) {
        const from = this.program.callableTargets(caller).map((t) => this.unitOf(t)).find(Boolean);
        if (!from) continue;
        const to: UnitKey[] = [];
        for (const c of callees) {
          for (const t of this.program.callableTargets(c)) {
            const k = this.unitOf(t);
            if (k && !to.includes(k)) to.push(k);
          }
        }
        if (to.length) this.edges.set(from, to);
      }
    }
    return this.edges.get(key) ?? this.topLevelCallees(key);
  }

  private readonly sitesOf = new Map<UnitKey, ReadonlyArray<{ to: UnitKey; at: number }>>();

  /**
   * The units the layer finds called at each of a unit's calls (the front end's, by start
   * offset), with the call's position: `for hook in BEFORE: hook()` calling what
   * `BEFORE.append(configure)` registered. Empty when the unit's module is not in the program.
   */
  callSites(key: UnitKey): ReadonlyArray<{ to: UnitKey; at: number }> {
    const hit = this.sitesOf.get(key);
    if (hit) return hit;
    const out: Array<{ to: UnitKey; at: number }> = [];
    const m = this.all.get(key.slice(0, key.lastIndexOf('::')));
    const u = m && this.chosen.has(m.path) ? m.units.find((x) => this.keyOf(m, x) === key) : undefined;
    const add = (offset: number, at: number): void => {
      for (const t of this.program.callees(m!.path, offset)) {
        const k = this.unitOf(t);
        if (k && k !== key) out.push({ to: k, at });
      }
    };
    for (const c of u?.calls ?? []) {
      if (c.registered || c.submits) continue;
      add(c.offset, c.range.start.line * 1_000_000 + c.range.start.character);
    }
    if (u) eachFlowCall(m!, u.id, add);
    this.sitesOf.set(key, out);
    return out;
  }

  private readonly topLevel = new Map<UnitKey, UnitKey[]>();

  /**
   * A module's top level or main guard is no function of the layer's: what its calls
   * (the front end's, by start offset; a chain `Runner().run(...)` starts where its
   * first call does) call as the layer resolves them.
   */
  private topLevelCallees(key: UnitKey): readonly UnitKey[] {
    const hit = this.topLevel.get(key);
    if (hit) return hit;
    const out: UnitKey[] = [];
    const m = this.all.get(key.slice(0, key.lastIndexOf('::')));
    const u = m && this.chosen.has(m.path) ? m.units.find((x) => x.kind !== 'function' && this.keyOf(m, x) === key) : undefined;
    const add = (offset: number): void => {
      for (const t of this.program.callees(m!.path, offset)) {
        const k = this.unitOf(t);
        if (k && !out.includes(k)) out.push(k);
      }
    };
    for (const c of u?.calls ?? []) add(c.offset);
    if (u) eachFlowCall(m!, u.id, add);
    this.topLevel.set(key, out);
    return out;
  }
}

/** The calls of unit `unit` only the value-flow layer can resolve ({@link ModuleModel.flowCalls}): start offset, position. */
function eachFlowCall(m: ModuleModel, unit: number, f: (offset: number, at: number) => void): void {
  const fc = m.flowCalls;
  if (!fc) return;
  let byUnit = flowCallsByUnit.get(fc);
  if (!byUnit) {
    byUnit = new Map();
    for (let i = 0; i < fc.length; i += 3) {
      const list = byUnit.get(fc[i]!);
      if (list) list.push(i);
      else byUnit.set(fc[i]!, [i]);
    }
    flowCallsByUnit.set(fc, byUnit);
  }
  for (const i of byUnit.get(unit) ?? []) f(fc[i + 1]!, fc[i + 2]!);
}

/** {@link eachFlowCall}'s index: the triples' starts by unit, per model's list (a new model brings a new list) */
const flowCallsByUnit = new WeakMap<readonly number[], Map<number, number[]>>();

/**
 * The modules of the flow program, in rank order: group by group (the starts whose tasks
 * only the layer resolves first), then by distance from the group's starts — over
 * importer edges (up to the group's `importerDepth` rings: callers hand tasks and objects
 * down) and one import edge from any of those (what they are made of) — ties by path.
 * Breadth-first by layers sorted by path, so the choice under the {@link MAX_MODULES} cap
 * does not depend on the order of `all` or of the importer sets; modules are read (their
 * facts, their imports) only when their turn comes.
 */
export function chooseModules(
  all: ReadonlyMap<string, ModuleModel>,
  linker: Linker,
  groups: ReadonlyArray<{ seeds: ModuleModel[]; importerDepth: number }>,
  importers: ReadonlyMap<string, Set<string>>,
  /** collects the modules whose facts and imports were read (see {@link flowChoiceInputs}) */
  visited?: Set<string>,
): string[] {
  const chosen = new Set<string>();
  // modules whose importers / imports were already added (a module is expanded once per way)
  const ringDone = new Set<string>();
  const importsDone = new Set<string>();
  type Entry = { m: ModuleModel; ring: number };
  const byPathThenRing = (a: Entry, b: Entry): number => (a.m.path < b.m.path ? -1 : a.m.path > b.m.path ? 1 : b.ring - a.ring);
  for (const group of groups) {
    // `ring`: importer rings from the seeds (-1: reached by an import edge, not expanded)
    let layer: Entry[] = group.seeds.map((m) => ({ m, ring: 0 }));
    while (layer.length && chosen.size < MAX_MODULES) {
      layer.sort(byPathThenRing);
      const next: Entry[] = [];
      for (const { m, ring } of layer) {
        visited?.add(m.path);
        const usable = m.language === 'python' && !!m.flow;
        if (usable && !chosen.has(m.path)) {
          if (chosen.size >= MAX_MODULES) break;
          chosen.add(m.path);
        }
        if (ring < 0) continue;
        if (ring < group.importerDepth && !ringDone.has(m.path)) {
          ringDone.add(m.path);
          for (const p of importers.get(m.path) ?? []) {
            const im = all.get(p);
            if (im) next.push({ m: im, ring: ring + 1 });
          }
        }
        if (usable && !importsDone.has(m.path)) {
          importsDone.add(m.path);
          for (const spec of importSpecs(m)) {
            const t = linker.resolveModule(m, spec);
            if (t && t !== m) next.push({ m: t, ring: -1 });
          }
          for (const t of reExported(m, linker, visited)) next.push({ m: t, ring: -1 });
        }
      }
      // one entry per module: the one expanding furthest (sorted first among equal paths)
      const kept = new Set<string>();
      layer = next.sort(byPathThenRing).filter((e) => !kept.has(e.m.path) && !!kept.add(e.m.path));
    }
  }
  return [...chosen];
}

/**
 * The modules defining the names `m` imports from a package's `__init__.py` that re-exports
 * them (`from .data_types import DataFrame`, the package's `from .dataframe import
 * DataFrame`): only those, not all the package imports (the module cap is shared).
 */
function reExported(m: ModuleModel, linker: Linker, visited: Set<string> | undefined): ModuleModel[] {
  const out: ModuleModel[] = [];
  for (const b of m.bindings.values()) {
    const from = b.importFrom;
    if (!from || from.imported === '*') continue;
    const pkg = linker.resolveModule(m, from.specifier);
    if (!pkg || pkg === m || !/[\\/]__init__\.pyi?$/.test(pkg.path)) continue;
    // the choice read the package's bindings: an edit there may change it
    visited?.add(pkg.path);
    const via = pkg.bindings.get(from.imported)?.importFrom;
    const t = via ? linker.resolveModule(pkg, via.specifier) : undefined;
    if (t && t !== pkg && t !== m) out.push(t);
  }
  return out;
}

/** whether a module calls `multiprocessing.get_context` (`mp.get_context(...)`, `get_context(...)` imported from it) */
function callsGetContext(m: ModuleModel): boolean {
  // most modules import nothing of the kind: their calls need not be looked at (this ran
  // a binding lookup for every call of every module)
  let imports = false;
  for (const b of m.bindings.values()) {
    if (b.importFrom?.specifier === 'multiprocessing' && (b.importFrom.imported === '*' || b.importFrom.imported === 'get_context')) {
      imports = true;
      break;
    }
  }
  if (!imports) return false;
  return m.units.some((u) => u.calls.some((c) => {
    const from = m.bindings.get(c.callee.name)?.importFrom;
    if (from?.specifier !== 'multiprocessing') return false;
    return from.imported === '*' ? c.callee.member === 'get_context' : from.imported === 'get_context' && !c.callee.member;
  }));
}

/** {@link importSpecs} per model (the server chooses the modules again after every edit) */
const importSpecsOf = new WeakMap<ModuleModel, readonly string[]>();

function importSpecs(m: ModuleModel): readonly string[] {
  let hit = importSpecsOf.get(m);
  if (!hit) importSpecsOf.set(m, (hit = [...scanImportSpecs(m)]));
  return hit;
}

function scanImportSpecs(m: ModuleModel): Set<string> {
  const specs = new Set<string>([...m.imports, ...m.starExports]);
  for (const b of m.bindings.values()) if (b.importFrom) specs.add(b.importFrom.specifier);
  for (const op of m.flow?.nodes ?? []) {
    if (op.k !== 'import') continue;
    specs.add(op.spec);
    // `from pkg import sub`: the submodule
    if (op.name) specs.add(op.spec.endsWith('.') ? op.spec + op.name : `${op.spec}.${op.name}`);
  }
  return specs;
}

/**
 * What of a module decides whether {@link projectFlowLink} chooses it and in which group:
 * when an edit changes this for some module, the flow program's modules may change, and
 * so may what every program that used the layer found.
 */
export function flowChoiceKey(m: ModuleModel, classSpawns: readonly SpawnSite[]): string {
  if (m.language !== 'python') return '';
  const proc = m.spawns.filter((site) => site.isProcess !== false);
  const start = proc.some((site) => site.system !== 'mp.Manager') || classSpawns.some((site) => site.isProcess);
  const needs = proc.some((site) => site.flowTasks?.length);
  const inFunction = proc.some((site) => m.units[site.unit]?.kind === 'function');
  const classHome = [...m.bindings.values()].some((b) => b.processClass || b.contextBases?.length);
  const mp = m.imports.some((s) => s === 'multiprocessing' || s.startsWith('multiprocessing.'));
  return `${+start}${+needs}${+inFunction}${+classHome}${+mp}:${classSpawns.length}`;
}

/**
 * The flow program of a project: thread pools never make a worker side, so only the Python
 * modules starting processes need the layer — those with tasks only the layer can resolve
 * first (the program has a size bound), then those defining process classes no call names
 * (a factory may return one) and those calling `get_context` without a start the front end
 * sees (a helper returning a context) — without the layer their starts are not seen at
 * all — then those creating a pool in a function (a factory may return it), then the
 * others. Null when there are none of these. `previous`: the program of an earlier state of
 * `modules` (the same map, patched since), returned when it is still what this would build.
 */
export function projectFlowLink(
  modules: ReadonlyMap<string, ModuleModel>,
  linker: Linker,
  keyOf: (m: ModuleModel, u: Unit) => UnitKey,
  importers: ReadonlyMap<string, Set<string>>,
  classSpawns: (m: ModuleModel) => readonly SpawnSite[],
  previous?: FlowLink | null,
  choice: FlowChoice = chooseFlowModules(modules, linker, importers, classSpawns),
): FlowLink | null {
  if (!choice.chosen) return null;
  // choosing is cheap next to solving: an edit outside the chosen modules keeps the solved program
  if (previous?.sameAs(modules, choice.chosen)) return previous;
  return new FlowLink(modules, choice.chosen, keyOf);
}

/** Which modules {@link projectFlowLink} puts in the flow program, and what choosing them read. */
export interface FlowChoice {
  /** the chosen modules, in rank order; null when no module needs the layer */
  chosen: string[] | null;
  /** the modules whose facts and imports choosing read, beyond what {@link flowChoiceInputs} gives of every module */
  visited: ReadonlySet<string>;
}

/**
 * The choice of the flow program's modules. It reads every Python module's
 * {@link flowChoiceInputs} and the importer sets: a graph patched after an edit that changed
 * neither for any module (nor any module's resolved imports) may keep it (./contexts.ts).
 */
export function chooseFlowModules(
  modules: ReadonlyMap<string, ModuleModel>,
  linker: Linker,
  importers: ReadonlyMap<string, Set<string>>,
  classSpawns: (m: ModuleModel) => readonly SpawnSite[],
): FlowChoice {
  const groups = flowSeeds(modules, classSpawns, importers);
  const visited = new Set<string>();
  return { chosen: groups ? chooseModules(modules, linker, groups, importers, visited) : null, visited };
}

/**
 * Whether a module re-linked from `old` to `now` leaves `choice` as it was: it reads the
 * same of the module ({@link flowChoiceInputs}), and the module imports the same modules
 * (the importer sets choosing walks).
 */
export function keepsFlowChoice(
  choice: FlowChoice,
  old: { model: ModuleModel; classSpawns: readonly SpawnSite[]; imports: readonly string[] },
  now: { model: ModuleModel; classSpawns: readonly SpawnSite[]; imports: readonly string[] },
): boolean {
  const visited = choice.visited.has(now.model.path);
  return old.imports.length === now.imports.length && old.imports.every((p, i) => p === now.imports[i])
    && flowChoiceInputs(old.model, old.classSpawns, visited) === flowChoiceInputs(now.model, now.classSpawns, visited);
}

/**
 * What {@link chooseFlowModules} reads of one module: its seed facts and the process-class
 * tasks it names (every module), and, for a module the choice visited, whether it has
 * value-flow facts and the imports it lists. Equal strings for a module's old and new
 * model (and links) mean the module cannot change the choice.
 */
function flowChoiceInputs(m: ModuleModel, classSpawns: readonly SpawnSite[], visited: boolean): string {
  if (m.language !== 'python') return '';
  const f = seedFacts(m);
  const starts = classSpawns.map((site) => `${+!!site.isProcess}${site.tasks.map((t) => (t.symbols ?? []).join(',')).join(';')}`).join('|');
  let out = `${+f.starts}${+f.needs}${+f.inFunction}${+f.getContext}${+f.root}:${f.classNames.join(',')}:${starts}`;
  if (visited) {
    out += m.flow ? `:flow:${importSpecs(m).join('\n')}` : ':no flow';
    // what a package re-exports from where ({@link reExported})
    for (const b of m.bindings.values()) if (b.importFrom) out += `\n${b.name}<${b.importFrom.imported}@${b.importFrom.specifier}`;
  }
  return out;
}

/** What {@link flowSeeds} reads of a model alone, per model (the server asks after every edit) */
interface SeedFacts {
  /** starts a process (not only a Manager) the front end sees */
  starts: boolean;
  /** one of those has tasks only the layer resolves (or none the front end sees), or the module puts handlers in a table */
  needs: boolean;
  /** one of those is in a function */
  inFunction: boolean;
  /** module-level classes with a process base or context bases */
  classNames: string[];
  getContext: boolean;
  /** has a `__main__` guard: a program root */
  root: boolean;
}

const seedFactsOf = new WeakMap<ModuleModel, SeedFacts>();

function seedFacts(m: ModuleModel): SeedFacts {
  let hit = seedFactsOf.get(m);
  if (hit) return hit;
  const proc = m.spawns.filter((site) => site.isProcess !== false);
  const classNames: string[] = [];
  for (const b of m.bindings.values()) if (b.processClass || b.contextBases?.length) classNames.push(b.name);
  hit = {
    starts: proc.some((site) => site.system !== 'mp.Manager'),
    // a pool nothing is submitted to where it is made is handed on (an argument, a factory's
    // result): only the layer finds its tasks
    needs: !!m.tableHandlers || proc.some((site) => !!site.flowTasks?.length || (!!submitMethodNames(site.system) && !site.tasks.length)),
    inFunction: proc.some((site) => m.units[site.unit]?.kind === 'function'),
    classNames,
    getContext: callsGetContext(m),
    root: m.units.some((u) => u.kind === 'main-guard'),
  };
  seedFactsOf.set(m, hit);
  return hit;
}

function flowSeeds(
  modules: ReadonlyMap<string, ModuleModel>,
  classSpawns: (m: ModuleModel) => readonly SpawnSite[],
  importers: ReadonlyMap<string, Set<string>>,
): Array<{ seeds: ModuleModel[]; importerDepth: number }> | null {
  const python = [...modules.values()].filter((m) => m.language === 'python');
  const starts = python.filter((m) => seedFacts(m).starts || classSpawns(m).some((site) => site.isProcess));
  // modules defining process classes no call names (the front end's class sites): a factory
  // may hand the class out (mpire's `worker_factory`), instantiated where only the layer sees it
  const named = new Set<string>();
  for (const m of python) for (const site of classSpawns(m)) for (const t of site.tasks) for (const sym of t.symbols ?? []) named.add(sym);
  const startSet = new Set(starts);
  const classHomes = python.filter((m) => !startSet.has(m) && seedFacts(m).classNames.some((name) => !named.has(`${m.path}#${name}.run`)));
  // modules calling `get_context` without starting anything the front end sees: a helper
  // returning `get_context("spawn")` whose pools are made elsewhere (only the layer follows it)
  const homeSet = new Set(classHomes);
  const mpUsers = python.filter((m) => !startSet.has(m) && !homeSet.has(m) && seedFacts(m).getContext);
  if (starts.length === 0 && classHomes.length === 0 && mpUsers.length === 0) return null;
  // tasks only the layer resolves, or handlers put in a table (where they run is the layer's answer)
  const needs = (m: ModuleModel) => seedFacts(m).needs;
  const inFunction = (m: ModuleModel) => seedFacts(m).inFunction;
  const rest = starts.filter((m) => !needs(m));
  // the other starts' tasks are resolved by the front end: one ring of importers (the
  // callers that hand them objects) is enough there, and halves the layer's cost on the stdlib
  return [
    { seeds: starts.filter(needs), importerDepth: IMPORTER_DEPTH },
    // without the layer their starts are not seen at all
    { seeds: classHomes, importerDepth: 1 },
    { seeds: mpUsers, importerDepth: 1 },
    { seeds: rest.filter(inFunction), importerDepth: 1 },
    { seeds: rest.filter((m) => !inFunction(m)), importerDepth: 1 },
    // last, in what the cap leaves: the modules from a program root down to a start (main.py
    // → app.py → service.py), where the parent calls the method that starts the workers on
    // an instance it holds (`app = App(); app.run()`): the layer places that call
    { seeds: rootPaths(modules, [...starts, ...classHomes], importers), importerDepth: 0 },
  ];
}

/** Importer rings between a program root and a start that {@link rootPaths} follows. */
const ROOT_PATH_DEPTH = 4;

/**
 * The modules on import paths from a module with a `__main__` guard down to one of
 * `starts`, within {@link ROOT_PATH_DEPTH} importer rings (breadth-first, by path: one path
 * per root), in path order.
 */
function rootPaths(all: ReadonlyMap<string, ModuleModel>, starts: readonly ModuleModel[], importers: ReadonlyMap<string, Set<string>>): ModuleModel[] {
  const towardStart = new Map<string, string | null>();
  let ring = starts.map((m) => m.path).sort();
  for (const p of ring) towardStart.set(p, null);
  for (let d = 0; d < ROOT_PATH_DEPTH && ring.length; d++) {
    const next: string[] = [];
    for (const p of ring) {
      for (const q of [...(importers.get(p) ?? [])].sort()) {
        if (towardStart.has(q)) continue;
        towardStart.set(q, p);
        next.push(q);
      }
    }
    ring = next.sort();
  }
  const out = new Set<string>();
  for (const p of towardStart.keys()) {
    const m = all.get(p);
    if (!m || m.language !== 'python' || !seedFacts(m).root) continue;
    for (let q: string | null | undefined = p; q && !out.has(q); q = towardStart.get(q)) out.add(q);
  }
  return [...out].sort().map((p) => all.get(p)).filter((m): m is ModuleModel => !!m);
}
