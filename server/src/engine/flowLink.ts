/**
 * The engine's use of the value-flow layer (../flow): which functions the task and
 * initializer expressions the front end could not resolve (`self.method`, a callable
 * object, `functools.partial(...)`, a variable) run, and the calls made through
 * instances and `self` in the code those tasks reach — and the calls any Python process
 * task makes through values (a dict of handlers, a function returned by a helper).
 *
 * The flow program covers the modules holding such expressions, the modules importing
 * them and theirs (a task is often a parameter: `def run(pool, job): pool.map(job, ...)`), and what
 * all these import (two levels; at most {@link MAX_MODULES} modules): enough to find the
 * classes and functions a task is made of, without solving a whole workspace. The other
 * modules that start processes, and theirs, come after, in the room left.
 */
import type { ModuleModel, Unit } from './model';
import type { Linker } from './link';
import { FlowProgram, type FlowTarget } from '../flow/program';
import { FlowUnits } from './flowUnits';

const MAX_MODULES = 80;
const IMPORT_DEPTH = 1;
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

  constructor(
    private readonly all: ReadonlyMap<string, ModuleModel>,
    linker: Linker,
    focus: ModuleModel[],
    private readonly keyOf: (m: ModuleModel, u: Unit) => UnitKey,
    importers: ReadonlyMap<string, Set<string>>,
    more: ModuleModel[] = [],
  ) {
    const chosen = new Map<string, ModuleModel>();
    // the modules whose tasks only the layer resolves first, with what they need; then the
    // other modules starting processes (their tasks' reach through values), while there is room
    for (const group of [focus, more]) {
      // callers pass tasks (and the objects tasks work on) down: the importers of the
      // group's modules, and theirs; then what all these import
      const first = new Set(group);
      let ring = group;
      // the other starts' tasks are resolved by the front end: one ring of importers (the
      // callers that hand them objects) is enough there, and halves the layer's cost on the stdlib
      for (let depth = 0; depth < (group === focus ? IMPORTER_DEPTH : 1); depth++) {
        const next: ModuleModel[] = [];
        for (const m of ring) {
          for (const p of importers.get(m.path) ?? []) {
            const im = all.get(p);
            if (im && !first.has(im) && first.size < MAX_MODULES) {
              first.add(im);
              next.push(im);
            }
          }
        }
        ring = next;
      }
      let level = [...first].filter((m) => m.language === 'python' && m.flow);
      for (let depth = 0; depth <= IMPORT_DEPTH && level.length > 0 && chosen.size < MAX_MODULES; depth++) {
        const next: ModuleModel[] = [];
        for (const m of level) {
          if (chosen.has(m.path) || chosen.size >= MAX_MODULES) continue;
          chosen.set(m.path, m);
          for (const spec of importSpecs(m)) {
            const t = linker.resolveModule(m, spec);
            if (t && t.flow && !chosen.has(t.path)) next.push(t);
          }
        }
        level = next;
      }
    }
    this.modules = [...chosen.keys()];
    this.chosen = new Set(this.modules);
    this.program = new FlowProgram(chosen.values(), undefined, MAX_STEPS);
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
        if (arg === undefined) return;
        const units: UnitKey[] = [];
        for (const v of solver.valuesOf(solver.node(j, arg))) {
          for (const t of this.program.callableTargets(v)) {
            const k = this.unitOf(t);
            if (k && !units.includes(k)) units.push(k);
          }
        }
        if (!units.length) return;
        let argOffset = -1;
        for (let i = 0; i < f.at.length && argOffset < 0; i += 2) if (f.at[i + 1] === arg) argOffset = f.at[i];
        out.push({ method: fn.name, units, file: fileOf.get(j)!, argOffset });
      });
    });
    return out;
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
    return this.edges.get(key) ?? [];
  }
}

function importSpecs(m: ModuleModel): Set<string> {
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
 * The flow program of a project: thread pools never make a worker side, so only the Python
 * modules starting processes need the layer — those with tasks only the layer can resolve
 * first (the program has a size bound), then those creating a pool in a function (a factory
 * may return it), then the others. Null when no module starts a process.
 */
export function projectFlowLink(
  modules: ReadonlyMap<string, ModuleModel>,
  linker: Linker,
  keyOf: (m: ModuleModel, u: Unit) => UnitKey,
  importers: ReadonlyMap<string, Set<string>>,
  classSpawns: (m: ModuleModel) => number,
): FlowLink | null {
  const starts = [...modules.values()].filter(
    (m) => m.language === 'python' && (m.spawns.some((site) => site.isProcess !== false && site.system !== 'mp.Manager') || classSpawns(m) > 0),
  );
  if (starts.length === 0) return null;
  const needs = (m: ModuleModel) => m.spawns.some((site) => site.isProcess !== false && site.flowTasks?.length);
  const inFunction = (m: ModuleModel) => m.spawns.some((site) => site.isProcess !== false && m.units[site.unit]?.kind === 'function');
  const rest = starts.filter((m) => !needs(m));
  return new FlowLink(modules, linker, starts.filter(needs), keyOf, importers, [...rest.filter(inFunction), ...rest.filter((m) => !inFunction(m))]);
}
