/**
 * The engine's use of the value-flow layer (../flow): which functions the task and
 * initializer expressions the front end could not resolve (`self.method`, a callable
 * object, `functools.partial(...)`, a variable) run, and the calls made through
 * instances and `self` in the code those tasks reach.
 *
 * The flow program covers the modules holding such expressions, the modules importing
 * them and theirs (a task is often a parameter: `def run(pool, job): pool.map(job, ...)`), and what
 * all these import (two levels; at most {@link MAX_MODULES} modules): enough to find the
 * classes and functions a task is made of, without solving a whole workspace.
 */
import type { ModuleModel, Unit } from './model';
import type { Linker } from './link';
import { FlowProgram, type FlowTarget } from '../flow/program';

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
  private readonly unitAt = new Map<string, Map<string, Unit>>();
  private edges?: Map<UnitKey, UnitKey[]>;
  private readonly chosen: Set<string>;

  constructor(
    private readonly all: ReadonlyMap<string, ModuleModel>,
    linker: Linker,
    focus: ModuleModel[],
    private readonly keyOf: (m: ModuleModel, u: Unit) => UnitKey,
    importers: ReadonlyMap<string, Set<string>>,
  ) {
    const chosen = new Map<string, ModuleModel>();
    // callers pass tasks down: the importers of the focus modules, and theirs
    const first = new Set(focus);
    let ring = focus;
    for (let depth = 0; depth < IMPORTER_DEPTH; depth++) {
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
    this.modules = [...chosen.keys()];
    this.chosen = new Set(this.modules);
    this.program = new FlowProgram(chosen.values(), undefined, MAX_STEPS);
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

  /** the units a flow function stands for (same file, same start) */
  private unitOf(t: FlowTarget): UnitKey | undefined {
    if ((t.kind !== 'function' && t.kind !== 'lambda') || !t.file) return undefined;
    const m = this.all.get(t.file);
    if (!m) return undefined;
    let map = this.unitAt.get(t.file);
    if (!map) {
      map = new Map();
      for (const u of m.units) if (u.kind === 'function') map.set(`${u.range.start.line}:${u.range.start.character}`, u);
      this.unitAt.set(t.file, map);
    }
    const u = map.get(`${t.line}:${t.character}`);
    return u ? this.keyOf(m, u) : undefined;
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
