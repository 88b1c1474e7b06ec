/**
 * The contexts of SPEC §2, computed across files.
 *
 * Code is split into units (top level, guarded branches, functions). A call graph links
 * them across modules. A *program* starts at a parent root (a Python main guard, a Node
 * `isMainThread`/`isPrimary` branch, a Node entry module's top level, or a function that
 * starts workers and that no root reaches); its parent side is everything reachable from
 * the root, its worker side is everything reachable from the task callables, worker
 * modules and handlers of the spawn sites the parent side reaches. Rules compare what the
 * two sides of one program do to the same module-level symbol, so two unrelated scripts in
 * one folder never mix.
 */
import * as path from 'node:path';
import type { Access, Binding, ModuleModel, Position, Range, SpawnSite, StartMethod, Unit } from './model';
import type { StartMethodSetting } from './findings';
import { Linker, type SymbolKey, symbolKey } from './link';

export type UnitKey = string;

/** Methods that run when a class is called / instantiated. */
const CONSTRUCTORS = new Set(['__init__', '__new__', '__post_init__', 'constructor']);

export function unitKey(m: ModuleModel, u: Unit): UnitKey {
  return `${m.path}::${u.id}`;
}

export interface UnitRef {
  module: ModuleModel;
  unit: Unit;
}

export interface SpawnRecord {
  module: ModuleModel;
  site: SpawnSite;
  /** the pinned start method, if any (site, module, or the `--start-method` assumption) */
  startMethod?: StartMethod;
  /** true when the start method comes from the code rather than the user's assumption */
  pinnedInCode: boolean;
  /** the worker module a Node spawn loads, when resolved */
  workerModule?: ModuleModel;
}

/** Why a unit runs in a worker: the spawn that reaches it and how the worker enters. */
export interface WorkerReason {
  spawn: SpawnRecord;
  /** 'Pool.map', 'new Worker', 'parentPort message handler', 'initializer'... */
  via: string;
  /** where the worker enters: the submitting call or the spawn call */
  range: Range;
  file: string;
}

export interface Program {
  root: UnitRef;
  parent: Set<UnitKey>;
  spawns: SpawnRecord[];
  /** worker-side units (tasks, worker modules, handlers, and what they call) */
  worker: Map<UnitKey, WorkerReason>;
  /** units reachable from initializers (and Node worker modules' top level): worker set-up */
  init: Set<UnitKey>;
}

/** Linking results of one module, reusable while its model and what it imports keep their interfaces. */
export interface ModuleLink {
  model: ModuleModel;
  /** unit keys by unit id */
  keys: UnitKey[];
  unitSymbols: Array<[SymbolKey, UnitKey]>;
  calls: Array<{ from: UnitKey; sym: SymbolKey; pos: number }>;
  accesses: AccessRecord[];
  /** paths of the analysed modules it imports */
  imports: string[];
}

export interface AccessRecord {
  module: ModuleModel;
  unit: Unit;
  key: UnitKey;
  access: Access;
  symbol: SymbolKey;
}

export class ProjectGraph {
  readonly linker: Linker;
  readonly units = new Map<UnitKey, UnitRef>();
  /** symbol → the function units stored in it (def/function/const arrow/exported fn/class methods) */
  private readonly unitsBySymbol = new Map<SymbolKey, UnitKey[]>();
  private readonly edges = new Map<UnitKey, UnitKey[]>();
  /** closure edges (a unit → the nested functions it defines); they run later, e.g. as handlers */
  private readonly nestedEdges = new Set<string>();
  /** first call offset of each edge, for "happens before" questions */
  /** position of the first call of each edge, per caller, for "happens before" questions */
  private readonly edgeOffsets = new Map<UnitKey, Map<UnitKey, number>>();
  readonly accessesBySymbol = new Map<SymbolKey, AccessRecord[]>();
  readonly accessesByUnit = new Map<UnitKey, AccessRecord[]>();
  /** file → the analysed files that import it */
  readonly importers = new Map<string, Set<string>>();
  readonly programs: Program[] = [];
  /** units that run at import time (module top levels and what they call) */
  readonly importTime: Set<UnitKey>;
  /** every resolved spawn site, reached by a program or not */
  readonly spawnRecords: SpawnRecord[] = [];

  constructor(
    readonly modules: ReadonlyMap<string, ModuleModel>,
    private readonly startMethod: StartMethodSetting = 'portable',
    /** per-module link results kept between graphs (see {@link Project}); entries for other models are recomputed */
    linkCache: Map<string, ModuleLink> = new Map(),
  ) {
    this.linker = new Linker(modules);
    for (const [file, link] of linkCache) if (link.model !== modules.get(file)) linkCache.delete(file);
    const links: ModuleLink[] = [];
    for (const m of modules.values()) {
      let link = linkCache.get(m.path);
      if (!link) {
        link = this.computeLink(m);
        linkCache.set(m.path, link);
      }
      links.push(link);
    }
    for (const link of links) this.mergeSymbols(link);
    for (const link of links) this.mergeLink(link);
    for (const m of modules.values()) {
      for (const site of m.spawns) this.spawnRecords.push(this.spawnRecord(m, site));
    }
    this.importTime = this.reach(
      [...modules.values()].map((m) => unitKey(m, m.units[0])),
    );
    this.buildPrograms();
  }

  /**
   * What linking one module yields, from its model and the exports of what it imports:
   * the symbols its function units are stored in, its calls and accesses with resolved symbols.
   */
  private computeLink(m: ModuleModel): ModuleLink {
    const unitSymbols: Array<[SymbolKey, UnitKey]> = [];
    for (const u of m.units) {
      const key = unitKey(m, u);
      if (u.binding) unitSymbols.push([symbolKey(m.path, u.binding), key]);
      for (const e of u.exportedAs ?? []) unitSymbols.push([symbolKey(m.path, e), key]);
    }
    for (const b of m.bindings.values()) {
      const sym = symbolKey(m.path, b.name);
      if (b.unit !== undefined && m.units[b.unit]) unitSymbols.push([sym, unitKey(m, m.units[b.unit])]);
      for (const id of b.methods ?? []) {
        const u = m.units[id];
        if (!u) continue;
        const short = u.name.slice(u.name.lastIndexOf('.') + 1);
        // `Cls.m()` / `self.m()` reach that method; calling the class runs its constructor only
        unitSymbols.push([`${sym}.${short}`, unitKey(m, u)]);
        if (CONSTRUCTORS.has(short)) unitSymbols.push([sym, unitKey(m, u)]);
      }
    }
    const calls: ModuleLink['calls'] = [];
    const accesses: AccessRecord[] = [];
    for (const u of m.units) {
      const key = unitKey(m, u);
      for (const c of u.calls) {
        let sym = this.linker.resolveRef(m, c.callee);
        if (!sym) continue;
        if (c.callee.member && this.linker.binding(sym)?.kind === 'class') sym = `${sym}.${c.callee.member}`;
        calls.push({ from: key, sym, pos: posOrder(c.range.start) });
      }
      for (const a of u.accesses) {
        const sym = this.linker.resolveRef(m, a.ref);
        if (sym) accesses.push({ module: m, unit: u, key, access: a, symbol: sym });
      }
    }
    const imports: string[] = [];
    for (const spec of m.imports) {
      const t = this.linker.resolveModule(m, spec);
      if (t && t !== m) imports.push(t.path);
    }
    return { model: m, keys: m.units.map((u) => unitKey(m, u)), unitSymbols, calls, accesses, imports };
  }

  private mergeSymbols(link: ModuleLink): void {
    const m = link.model;
    for (const u of m.units) this.units.set(link.keys[u.id], { module: m, unit: u });
    for (const [sym, key] of link.unitSymbols) {
      const list = this.unitsBySymbol.get(sym);
      if (!list) this.unitsBySymbol.set(sym, [key]);
      else if (!list.includes(key)) list.push(key);
    }
    for (const target of link.imports) {
      const set = this.importers.get(target);
      if (set) set.add(m.path);
      else this.importers.set(target, new Set([m.path]));
    }
  }

  private addEdge(from: UnitKey, to: UnitKey, pos: number): boolean {
    if (from === to) return false;
    let offsets = this.edgeOffsets.get(from);
    if (!offsets) {
      offsets = new Map();
      this.edgeOffsets.set(from, offsets);
      this.edges.set(from, []);
    }
    if (offsets.has(to)) return false;
    offsets.set(to, pos);
    this.edges.get(from)!.push(to);
    return true;
  }

  private mergeLink(link: ModuleLink): void {
    const m = link.model;
    for (const c of link.calls) {
      for (const k of this.unitsBySymbol.get(c.sym) ?? []) this.addEdge(c.from, k, c.pos);
    }
    for (const rec of link.accesses) {
      const list = this.accessesBySymbol.get(rec.symbol);
      if (list) list.push(rec);
      else this.accessesBySymbol.set(rec.symbol, [rec]);
      const byUnit = this.accessesByUnit.get(rec.key);
      if (byUnit) byUnit.push(rec);
      else this.accessesByUnit.set(rec.key, [rec]);
    }
    // a closure runs in the context of the unit that defines it (callbacks, handlers)
    for (const u of m.units) {
      if (u.parent === undefined || !u.isNested || !m.units[u.parent]) continue;
      const pk = link.keys[u.parent];
      const k = link.keys[u.id];
      if (this.addEdge(pk, k, posOrder(u.range.start))) this.nestedEdges.add(`${pk}>${k}`);
    }
  }

  /**
   * For each program that starts workers, each module-level symbol its worker code touches,
   * with every access to it and its binding: what the cross-process rules examine.
   */
  *workerSymbols(): Generator<{ prog: Program; sym: SymbolKey; recs: AccessRecord[]; binding: Binding | undefined }> {
    for (const prog of this.programs) {
      if (prog.worker.size === 0) continue;
      for (const sym of this.symbolsTouchedBy(prog.worker.keys())) {
        yield { prog, sym, recs: this.accessesBySymbol.get(sym) ?? [], binding: this.linker.binding(sym) };
      }
    }
  }

  /** The module-level symbols accessed by any of `units` (what a rule needs to look at for a program). */
  symbolsTouchedBy(units: Iterable<UnitKey>): Set<SymbolKey> {
    const out = new Set<SymbolKey>();
    for (const k of units) for (const r of this.accessesByUnit.get(k) ?? []) out.add(r.symbol);
    return out;
  }

  /** Function units a reference in `m` denotes (a task callable, an initializer). */
  unitsOfRef(m: ModuleModel, ref: { name: string; member?: string }): UnitKey[] {
    const sym = this.linker.resolveRef(m, ref);
    return sym ? (this.unitsBySymbol.get(sym) ?? []) : [];
  }

  callees(key: UnitKey): readonly UnitKey[] {
    return this.edges.get(key) ?? [];
  }

  /**
   * All units reachable from `roots` through calls (roots included). With `callsOnly`,
   * closures defined along the way are not followed (they run later, not during set-up).
   */
  reach(roots: Iterable<UnitKey>, into = new Set<UnitKey>(), callsOnly = false): Set<UnitKey> {
    const stack = [...roots];
    while (stack.length) {
      const k = stack.pop()!;
      if (into.has(k)) continue;
      into.add(k);
      for (const c of this.callees(k)) {
        if (into.has(c) || (callsOnly && this.nestedEdges.has(`${k}>${c}`))) continue;
        stack.push(c);
      }
    }
    return into;
  }

  private spawnRecord(m: ModuleModel, site: SpawnSite): SpawnRecord {
    let startMethod = site.startMethod ?? m.startMethod;
    const pinnedInCode = startMethod !== undefined;
    if (!startMethod && m.language === 'python' && this.startMethod !== 'portable') startMethod = this.startMethod;
    let workerModule: ModuleModel | undefined;
    if (site.workerModule === 'self') workerModule = m;
    else if (site.workerModule) workerModule = this.linker.resolveModule(m, site.workerModule);
    return { module: m, site, startMethod, pinnedInCode, workerModule };
  }

  private buildPrograms(): void {
    const roots: UnitRef[] = [];
    const targets = new Set<ModuleModel>();
    for (const r of this.spawnRecords) if (r.workerModule) targets.add(r.workerModule);
    for (const m of this.modules.values()) {
      for (const u of m.units) {
        if (u.kind === 'main-guard' || u.kind === 'main-branch') roots.push({ module: m, unit: u });
      }
      const isEntry =
        m.language === 'js' &&
        !targets.has(m) &&
        !this.importers.has(m.path) &&
        !m.units.some((u) => u.kind === 'main-branch' || u.kind === 'worker-branch') &&
        m.workerHandlers.length === 0;
      if (isEntry) roots.push({ module: m, unit: m.units[0] });
    }
    const covered = new Set<UnitKey>();
    for (const root of roots) {
      const p = this.program(root);
      for (const k of p.parent) covered.add(k);
      this.programs.push(p);
    }
    // functions that start workers but that no root reaches (library code): their own program
    for (const r of this.spawnRecords) {
      const u = r.module.units[r.site.unit];
      if (!u || u.kind !== 'function') continue;
      const k = unitKey(r.module, u);
      if (covered.has(k)) continue;
      const p = this.program({ module: r.module, unit: u });
      for (const x of p.parent) covered.add(x);
      this.programs.push(p);
    }
  }

  private program(root: UnitRef): Program {
    const parent = this.reach([unitKey(root.module, root.unit)]);
    const spawns = this.spawnRecords.filter(
      (r) => r.site.isProcess !== false && parent.has(unitKey(r.module, r.module.units[r.site.unit] ?? r.module.units[0])),
    );
    const worker = new Map<UnitKey, WorkerReason>();
    const initRoots: UnitKey[] = [];
    for (const rec of spawns) {
      const entries: Array<[UnitKey, WorkerReason]> = [];
      const reason = (via: string, range: Range, file = rec.module.path): WorkerReason => ({ spawn: rec, via, range, file });
      for (const t of rec.site.tasks) {
        for (const k of this.unitsOfRef(rec.module, t.ref)) entries.push([k, reason(t.label, t.range)]);
      }
      for (const ref of rec.site.initializers) {
        for (const k of this.unitsOfRef(rec.module, ref)) {
          entries.push([k, reason('initializer', rec.site.range)]);
          initRoots.push(k);
        }
      }
      const wm = rec.workerModule;
      if (wm) {
        const self = wm === rec.module;
        const spawnedBy = reason(rec.site.label, rec.site.range);
        if (!self) {
          const top = unitKey(wm, wm.units[0]);
          entries.push([top, spawnedBy]);
          initRoots.push(top);
        }
        for (const u of wm.units) {
          if (u.kind !== 'worker-branch') continue;
          // a worker branch runs once when the worker starts: like a worker module's top level, it is set-up
          entries.push([unitKey(wm, u), spawnedBy]);
          initRoots.push(unitKey(wm, u));
        }
        for (const id of wm.workerHandlers) {
          const u = wm.units[id];
          if (u) entries.push([unitKey(wm, u), reason(`${rec.site.label} → message handler`, rec.site.range)]);
        }
        if (!self && (rec.site.system === 'piscina' || rec.site.system === 'tinypool')) {
          for (const name of wm.exports.keys()) {
            const t = this.linker.resolveExport(wm, name);
            if (t && 'symbol' in t) {
              for (const k of this.unitsBySymbol.get(t.symbol) ?? []) entries.push([k, reason(`${rec.site.label} task`, rec.site.range)]);
            }
          }
          for (const u of wm.units) {
            if (u.exportedAs?.length) entries.push([unitKey(wm, u), reason(`${rec.site.label} task`, rec.site.range)]);
          }
        }
      }
      for (const [k, why] of entries) {
        for (const r of this.reach([k])) if (!worker.has(r)) worker.set(r, why);
      }
    }
    const init = this.reach(initRoots, new Set(), true);
    return { root, parent, spawns, worker, init };
  }

  /**
   * Offsets, in the spawn's own unit, before which a parent write "happens before" the
   * spawn: writes in that unit before the spawn call, and anything reached through calls
   * made before it. Returns the set of units fully before and the cut-off per unit.
   */
  happensBefore(program: Program, rec: SpawnRecord): { fully: Set<UnitKey>; cut: Map<UnitKey, number> } {
    const cacheKey = `${program.root.module.path}::${program.root.unit.id}|${rec.module.path}@${posOrder(rec.site.range.start)}`;
    const hit = this.hbCache.get(cacheKey);
    if (hit) return hit;
    const result = this.computeHappensBefore(program, rec);
    this.hbCache.set(cacheKey, result);
    return result;
  }

  /** Whether an access in the parent happens before the workers of `rec` start. */
  isBeforeSpawn(program: Program, rec: SpawnRecord, a: AccessRecord): boolean {
    const { fully, cut } = this.happensBefore(program, rec);
    const limit = cut.get(a.key);
    return fully.has(a.key) || (limit !== undefined && posOrder(a.access.range.start) < limit);
  }

  private readonly hbCache = new Map<string, { fully: Set<UnitKey>; cut: Map<UnitKey, number> }>();

  private computeHappensBefore(program: Program, rec: SpawnRecord): { fully: Set<UnitKey>; cut: Map<UnitKey, number> } {
    const spawnUnit = unitKey(rec.module, rec.module.units[rec.site.unit] ?? rec.module.units[0]);
    const rootKey = unitKey(program.root.module, program.root.unit);
    // shortest call path root → spawn unit
    const prev = new Map<UnitKey, UnitKey | null>([[rootKey, null]]);
    const queue = [rootKey];
    while (queue.length && !prev.has(spawnUnit)) {
      const k = queue.shift()!;
      for (const c of this.callees(k)) {
        if (!prev.has(c)) {
          prev.set(c, k);
          queue.push(c);
        }
      }
    }
    const cut = new Map<UnitKey, number>();
    const fully = new Set<UnitKey>();
    if (!prev.has(spawnUnit)) return { fully, cut };
    let k: UnitKey | null = spawnUnit;
    // the spawn call's own arguments are evaluated before the workers start
    let limit = posOrder(rec.site.range.end);
    while (k) {
      cut.set(k, limit);
      for (const callee of this.callees(k)) {
        const off = this.edgeOffsets.get(k)!.get(callee)!;
        // a closure defined before the start (an 'exit' handler) runs later: never "before"
        if (off < limit && !this.nestedEdges.has(`${k}>${callee}`)) this.reach([callee], fully, true);
      }
      const p: UnitKey | null = prev.get(k) ?? null;
      if (p) limit = this.edgeOffsets.get(p)?.get(k) ?? 0;
      k = p;
    }
    for (const c of cut.keys()) fully.delete(c);
    return { fully, cut };
  }
}

/** A number that orders positions within one file. */
export function posOrder(p: Position): number {
  return p.line * 1_000_000 + p.character;
}

/** Relative, forward-slash path for messages. */
export function shortPath(file: string, base: string): string {
  const rel = path.relative(base, file) || path.basename(file);
  return rel.split(path.sep).join('/');
}
