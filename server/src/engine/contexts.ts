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
import type { Binding, ModuleModel, Payload, Position, SpawnSite, TaskRef, Unit } from './model';
import type { StartMethodSetting } from './findings';
import { interfaceOf, Linker, splitSymbolKey, type SymbolKey } from './link';
import { chooseFlowModules, flowChoiceKey, keepsFlowChoice, projectFlowLink, type FlowChoice, type FlowLink } from './flowLink';
import { JsFlowPrograms } from './flowLinkJs';
import { happensAfterEnd, happensBeforeSpawn, importTimeCaller, updateImportTime, type OrderView } from './order';
import { computeLink, eachCall, sameLink, sameList, type AccessRecord, type ModuleLink } from './moduleLink';
import { replaceAccesses } from './accessIndex';
import { allFlowStarts, computeProgram, type CachedProgram, type FlowStartsMemo, type ProgramSource } from './programs';
import { inheritedSymbols } from './remoteSites';
import { instanceDefines } from './classes';
import { exact } from './compact';
import { Indexes, type Changes } from './graphIndexes';

export type { AccessRecord, ModuleLink } from './moduleLink';

export { unitKey, type UnitKey, type UnitRef, type SpawnRecord, type WorkerReason, type Program, type Edges, type HappensBefore } from './graphTypes';
import { unitKey, type UnitKey, type UnitRef, type SpawnRecord, type Program, type Edges, type HappensBefore } from './graphTypes';

/**
 * The linked project. A graph is valid until the project changes: {@link Project.graph}
 * then builds the next graph by patching this one's indexes in place (this one is retired).
 */
export class ProjectGraph {
  readonly linker: Linker;
  readonly modules: ReadonlyMap<string, ModuleModel>;
  readonly units: ReadonlyMap<UnitKey, UnitRef>;
  readonly accessesBySymbol: ReadonlyMap<SymbolKey, AccessRecord[]>;
  readonly accessesByUnit: ReadonlyMap<UnitKey, AccessRecord[]>;
  /** file → the analysed files that import it */
  readonly importers: ReadonlyMap<string, Set<string>>;
  readonly programs: Program[] = [];
  /** units that run at import time (module top levels and what they call) */
  readonly importTime: ReadonlySet<UnitKey>;
  /** every resolved spawn site, reached by a program or not */
  readonly spawnRecords: SpawnRecord[] = [];
  private readonly s: Indexes;
  private readonly hbCache = new Map<Program, Map<string, HappensBefore>>();
  /** happens-after-end results, like {@link hbCache} (not carried across patches) */
  private readonly haCache = new Map<Program, Map<string, HappensBefore>>();
  private isRetired = false;
  /** the value-flow program, built when a spawn site has a task only it can resolve (null: none has) */
  private flow?: FlowLink | null;
  /** the value-flow program of the graph this one patched (or of an earlier one), reused when still valid */
  private previousFlow?: FlowLink | null;
  /** JS value-flow programs, one per module closure (./flowLinkJs.ts) */
  private flowJs?: JsFlowPrograms;

  /**
   * Links `modules` from scratch; or, with `previous` (same start method, same set of
   * files), takes over the previous graph's indexes and re-links only the `changed` files
   * (their new models are in `modules`) and what depends on them.
   */
  constructor(
    modules: ReadonlyMap<string, ModuleModel>,
    startMethod: StartMethodSetting = 'portable',
    previous?: { graph: ProjectGraph; changed: Iterable<string> },
  ) {
    const prev = previous?.graph;
    const patch = !!prev && !prev.isRetired && prev.s.startMethod === startMethod && prev.s.modules.size === modules.size;
    if (patch) {
      prev.isRetired = true;
      this.s = prev.s;
      this.previousFlow = prev.flow !== undefined ? prev.flow : prev.previousFlow;
      prev.previousFlow = undefined;
    } else {
      this.s = new Indexes(startMethod);
      for (const [file, m] of modules) {
        this.s.modules.set(file, m);
        this.s.ordinal.set(file, this.s.ordinal.size);
      }
    }
    const s = this.s;
    this.modules = s.modules;
    this.units = s.units;
    this.accessesBySymbol = s.accessesBySymbol;
    this.accessesByUnit = s.accessesByUnit;
    this.importers = s.importers;
    this.importTime = s.importTime;
    this.linker = s.linker;
    if (patch) this.patch(modules, previous!.changed, prev!);
    else this.build();
  }

  /** True once a later graph has taken over (and changed) this graph's indexes. */
  get retired(): boolean {
    return this.isRetired;
  }

  private build(): void {
    const s = this.s;
    const all = new Set(s.modules.keys());
    for (const file of all) this.relink(file, undefined);
    for (const file of all) this.setModuleEdges(s.links.get(file)!, undefined, undefined);
    // lists built by push, kept until the next rebuild: exact size (./compact.ts)
    for (const index of [s.callers, s.accessesBySymbol, s.accessesByUnit, s.unitsBySymbol] as Array<Map<string, unknown[]>>) {
      for (const [k, list] of index) index.set(k, exact(list));
    }
    for (const m of s.modules.values()) this.setSpawnRecords(m);
    this.collectSpawnRecords();
    this.reach([...s.modules.values()].map((m) => unitKey(m, m.units[0])), s.importTime);
    this.updateRoots(all);
    this.buildPrograms(undefined, undefined);
  }

  private patch(models: ReadonlyMap<string, ModuleModel>, changedFiles: Iterable<string>, prev: ProjectGraph): void {
    const s = this.s;
    const ch: Changes = { modules: new Set(), interfaces: new Set(), syms: new Set(), units: new Set(), moved: new Set() };
    for (const file of changedFiles) {
      const now = models.get(file);
      const old = s.modules.get(file);
      if (!now || !old) throw new Error(`incremental update: ${file} is not in both graphs`);
      if (now === old) continue;
      ch.modules.add(file);
      if (interfaceOf(old) !== interfaceOf(now)) ch.interfaces.add(file);
      s.modules.set(file, now);
    }
    // a changed interface can change how its dependents resolve (not those of its importers that never looked)
    const relink = new Set(ch.modules);
    for (const file of ch.interfaces) for (const d of s.dependents.get(file) ?? []) relink.add(d);
    const rootCheck = new Set(ch.modules);
    const olds = new Map<string, ModuleLink>();
    for (const file of relink) {
      const old = s.links.get(file)!;
      if (this.relink(file, old, ch, rootCheck)) olds.set(file, old);
    }
    for (const file of olds.keys()) rootCheck.add(file); // its top-level framework submissions make a root
    const memo = s.flowStarts.memo;
    if (memo && [...ch.modules, ...olds.keys()].some((f) => memo.reads.has(f))) s.flowStarts.memo = undefined;
    // edges: the re-linked modules', and those of other units calling a symbol whose function units changed
    for (const [file, old] of olds) this.setModuleEdges(s.links.get(file)!, old, undefined, ch);
    const owners = new Set<string>();
    for (const sym of ch.syms) owners.add(splitSymbolKey(sym).file);
    const callers = new Map<string, Set<UnitKey>>();
    for (const owner of owners) {
      for (const d of s.dependents.get(owner) ?? []) {
        if (olds.has(d) || callers.has(d)) continue;
        const units = new Set<UnitKey>();
        eachCall(s.links.get(d)!.calls, (from, sym) => ch.syms.has(sym) && units.add(from));
        callers.set(d, units);
      }
    }
    for (const [file, units] of callers) if (units.size) this.setModuleEdges(s.links.get(file)!, undefined, units, ch);

    // spawn records: the changed modules' own, and those loading a changed module as their worker
    const targetsBefore = s.targets;
    // (a re-linked module may instantiate a class that became, or stopped being, a process class)
    for (const file of new Set([...ch.modules, ...olds.keys()])) {
      // (a module re-linked to the same link is not in olds: nothing of it changed)
      if (s.flowChoice && olds.has(file) && !keepsFlowChoice(s.flowChoice, olds.get(file)!, s.links.get(file)!)) s.flowChoice = undefined;
      for (const r of s.spawns.get(file) ?? []) ch.units.add(spawnUnitKey(r));
      const choice = (m: ModuleModel | undefined, l: ModuleLink | undefined): string => (m ? flowChoiceKey(m, l?.classSpawns ?? []) : '');
      if (prev.flow && choice(olds.get(file)?.model ?? prev.s.modules.get(file), olds.get(file) ?? s.links.get(file)) !== choice(s.modules.get(file), s.links.get(file))) ch.flowModules = prev.flow.modules;
      this.setSpawnRecords(s.modules.get(file)!);
      for (const r of s.spawns.get(file) ?? []) ch.units.add(spawnUnitKey(r));
    }
    for (const [file, recs] of s.spawns) {
      if (ch.modules.has(file) || !recs.some((r) => r.workerModule && ch.modules.has(r.workerModule.path))) continue;
      s.spawns.set(file, recs.map((r) => (r.workerModule && ch.modules.has(r.workerModule.path) ? this.spawnRecord(r.module, r.site) : r)));
    }
    this.collectSpawnRecords();
    for (const t of targetsBefore) if (!s.targets.has(t)) rootCheck.add(t);
    for (const t of s.targets) if (!targetsBefore.has(t)) rootCheck.add(t);

    const gone = [...ch.units].filter((k) => !this.s.units.has(k));
    updateImportTime(this.orderView(), this.s.importTime, this.edgeChanges, gone, (k) => this.s.units.get(k)?.unit.id, (k) => this.s.callers.get(k) ?? []);
    this.edgeChanges.length = 0;
    this.updateRoots(rootCheck);
    this.buildPrograms(ch, prev);
  }

  /**
   * Replaces module `file`'s link (`old`, if any) by a fresh one in the indexes other than
   * edges, noting what changed in `ch` and which modules' roots may differ in `rootCheck`.
   * Returns false when the module was only re-linked and that gave the same link.
   */
  private relink(file: string, old: ModuleLink | undefined, ch?: Changes, rootCheck?: Set<string>): boolean {
    const s = this.s;
    const link = computeLink(this.linker, s.modules.get(file)!);
    // most importers of a module whose interface changed resolve as before: nothing to patch
    if (old && sameLink(old, link)) return false;
    s.links.set(file, link);
    const modelChanged = old?.model !== link.model;
    // a module's function units are stored under its own symbols only: its old lists are replaced,
    // overwritten where the key stays (each deletion leaves a hole in a hash table of tens of
    // thousands of entries, and a few hundred per keystroke made V8 rebuild it every few edits)
    const before = new Map<SymbolKey, UnitKey[]>();
    if (old) {
      // unit keys are by id (0..n-1): the new link's overwrite those that stay
      if (modelChanged) for (let i = link.keys.length; i < old.keys.length; i++) s.units.delete(old.keys[i]);
      for (const [sym] of old.unitSymbols) if (!before.has(sym)) before.set(sym, s.unitsBySymbol.get(sym) ?? []);
      for (const t of old.imports) {
        const set = s.importers.get(t);
        if (!set?.delete(file) || set.size) continue;
        s.importers.delete(t);
        rootCheck?.add(t);
      }
      for (const d of old.deps) {
        const set = s.dependents.get(d);
        if (set?.delete(file) && set.size === 0) s.dependents.delete(d);
      }
    }
    if (modelChanged) for (const u of link.model.units) s.units.set(link.keys[u.id], { module: link.model, unit: u });
    const lists = new Map<SymbolKey, UnitKey[]>();
    for (const [sym, key] of link.unitSymbols) {
      const list = lists.get(sym);
      if (!list) lists.set(sym, [key]);
      else if (!list.includes(key)) list.push(key);
    }
    for (const sym of before.keys()) if (!lists.has(sym)) s.unitsBySymbol.delete(sym);
    for (const [sym, list] of lists) {
      const other = before.has(sym) ? undefined : s.unitsBySymbol.get(sym);
      if (!other) s.unitsBySymbol.set(sym, list);
      else for (const key of list) if (!other.includes(key)) other.push(key);
    }
    if (ch) {
      for (const [sym, list] of before) if (!sameList(list, s.unitsBySymbol.get(sym) ?? [])) ch.syms.add(sym);
      for (const [sym] of link.unitSymbols) if (!before.has(sym)) ch.syms.add(sym);
    }
    for (const t of link.imports) {
      const set = s.importers.get(t);
      if (set) set.add(file);
      else {
        s.importers.set(t, new Set([file]));
        rootCheck?.add(t);
      }
    }
    for (const d of link.deps) {
      const set = s.dependents.get(d);
      if (set) set.add(file);
      else s.dependents.set(d, new Set([file]));
    }
    replaceAccesses(s, old, link);
    return true;
  }

  /**
   * Computes the edges out of a module's units (`only` those, if given) and stores them,
   * clearing those of `old`'s units that are gone; with `ch`, notes the units whose edges changed.
   */
  private setModuleEdges(link: ModuleLink, old: ModuleLink | undefined, only: Set<UnitKey> | undefined, ch?: Changes): void {
    const m = link.model;
    const out = new Map<UnitKey, Edges>();
    // a set only for units with many callees: most have a few
    const many = new Map<UnitKey, Set<UnitKey>>();
    const add = (from: UnitKey, to: UnitKey, at: number, nested: boolean, atExit = false): void => {
      if (from === to || (only && !only.has(from))) return;
      let e = out.get(from);
      if (!e) out.set(from, (e = { to: [], at: [], nested: [], atExit: [] }));
      let seen = many.get(from);
      if (seen ? seen.has(to) : e.to.includes(to)) {
        // a function registered (atexit, signal) and also called: the call is what runs first
        const i = nested ? -1 : e.to.indexOf(to);
        if (i >= 0 && e.nested[i]) {
          e.at[i] = at;
          e.nested[i] = false;
          e.atExit[i] = false;
        }
        return;
      }
      if (!seen && e.to.length >= 16) many.set(from, (seen = new Set(e.to)));
      seen?.add(to);
      e.to.push(to);
      e.at.push(at);
      e.nested.push(nested);
      e.atExit.push(atExit);
    };
    eachCall(link.calls, (from, sym, pos, registered) => {
      for (const k of this.s.unitsBySymbol.get(sym) ?? []) add(from, k, pos, registered !== undefined, registered === 'exit');
    });
    // a closure runs in the context of the unit that defines it (callbacks, handlers)
    for (const u of m.units) {
      if (u.parent === undefined || !u.isNested || u.detached || !m.units[u.parent]) continue;
      add(link.keys[u.parent], link.keys[u.id], posOrder(u.range.start), true);
    }
    for (const e of out.values()) {
      e.to = exact(e.to);
      e.at = exact(e.at);
      // most units call and register nothing later: one shared empty list reads as all false
      e.nested = e.nested.includes(true) ? exact(e.nested) : NO_FLAGS;
      e.atExit = e.atExit.includes(true) ? exact(e.atExit) : NO_FLAGS;
    }
    const keys = only ?? new Set([...(old?.keys ?? []), ...link.keys]);
    for (const k of keys) this.setEdges(k, out.get(k), ch);
    if (ch && old && old.model !== link.model) {
      const now = new Set(link.keys);
      for (const k of old.keys) if (!now.has(k)) ch.units.add(k);
    }
  }

  private setEdges(key: UnitKey, next: Edges | undefined, ch?: Changes): void {
    const s = this.s;
    const prev = s.edges.get(key);
    if (next) s.edges.set(key, next);
    else s.edges.delete(key);
    if (!ch) {
      for (const t of next?.to ?? []) addCaller(s.callers, t, key);
      return;
    }
    const before = prev?.to ?? [];
    const after = next?.to ?? [];
    const sameTargets = sameList(before, after) && sameList(prev?.nested ?? [], next?.nested ?? []) && sameList(prev?.atExit ?? [], next?.atExit ?? []);
    if (sameTargets && sameList(prev?.at ?? [], next?.at ?? [])) return;
    ch.moved.add(key);
    if (sameTargets) return;
    ch.units.add(key);
    const a = new Set(after);
    const b = new Set(before);
    for (const t of before) if (!a.has(t)) removeCaller(s.callers, t, key);
    for (const t of after) if (!b.has(t)) addCaller(s.callers, t, key);
    this.edgeChanges.push({ key, before, after });
  }

  /** Edge lists changed by the current patch, for {@link updateImportTime} (./order.ts). */
  private readonly edgeChanges: Array<{ key: UnitKey; before: readonly UnitKey[]; after: readonly UnitKey[] }> = [];

  private collectSpawnRecords(): void {
    const s = this.s;
    const files = [...s.spawns.keys()].sort((a, b) => s.order(a) - s.order(b));
    for (const f of files) this.spawnRecords.push(...s.spawns.get(f)!);
    s.targets = new Set();
    for (const r of this.spawnRecords) if (r.workerModule) s.targets.add(r.workerModule.path);
  }

  /**
   * Recomputes the program roots of `files`, keeping {@link Indexes.rootModules} in project
   * order and dropping the cached programs of roots that are gone.
   */
  private updateRoots(files: Iterable<string>): void {
    const s = this.s;
    for (const file of files) {
      const m = s.modules.get(file);
      const roots: Array<{ key: UnitKey; ref: UnitRef }> = [];
      const root = (unit: Unit): void => {
        roots.push({ key: unitKey(m!, unit), ref: { module: m!, unit } });
      };
      if (m) {
        for (const u of m.units) if (u.kind === 'main-guard' || u.kind === 'main-branch') root(u);
        const isEntry =
          m.language === 'js' &&
          !s.targets.has(m.path) &&
          !s.importers.has(m.path) &&
          !m.units.some((u) => u.kind === 'main-branch' || u.kind === 'worker-branch') &&
          m.workerHandlers.length === 0;
        if (isEntry) root(m.units[0]);
        // a Python module that starts processes at import time (unguarded-spawn) is its own
        // parent: under fork its workers run, and what they write is lost to the top level
        // (so is a script submitting to a framework's workers at its top level: `f.remote(x)`, `task.delay(x)`)
        else if (m.language === 'python' && (m.spawns.some((x) => x.unit === 0 && x.isProcess !== false && x.system !== 'mp.Manager')
          || s.links.get(file)?.classSpawns.some((x) => x.unit === 0 && x.isProcess !== false && x.system !== 'mp.Process'))) root(m.units[0]);
      }
      const had = s.roots.get(file);
      for (const { key } of had ?? []) {
        const c = s.rootPrograms.get(key);
        if (c && !roots.some((r) => r.key === key)) this.forget(c, s.rootPrograms);
      }
      if (roots.length) s.roots.set(file, roots);
      else s.roots.delete(file);
      if (!!had === roots.length > 0) continue;
      // first index whose module comes after this one
      const mine = s.order(file);
      let lo = 0;
      let hi = s.rootModules.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (s.order(s.rootModules[mid]) < mine) lo = mid + 1;
        else hi = mid;
      }
      if (had) s.rootModules.splice(lo, 1);
      else s.rootModules.splice(lo, 0, file);
    }
  }

  /**
   * The programs, in a fresh build's order: one per root, then one per function that
   * starts workers and that no earlier program's parent side reaches. With `ch`, the cached
   * programs nothing in `ch` can affect are kept (with their happens-before results when
   * no call position they depend on moved).
   */
  private buildPrograms(ch: Changes | undefined, prev: ProjectGraph | undefined): void {
    const s = this.s;
    const stale = ch ? this.stalePrograms(ch) : new Set<CachedProgram>();
    const usable = (c: CachedProgram | undefined, root: UnitRef): c is CachedProgram =>
      !!c && !stale.has(c) && c.program.root.module === root.module && c.program.root.unit === root.unit;
    for (const file of s.rootModules) {
      for (const { key, ref } of s.roots.get(file)!) {
        let c = s.rootPrograms.get(key);
        if (!usable(c, ref)) {
          if (c) this.forget(c, s.rootPrograms);
          c = computeProgram(this.programSource(), ref, key);
          this.remember(c, s.rootPrograms);
        }
        this.programs.push(c.program);
      }
    }
    // functions that start workers but that no root reaches (library code): their own program
    const before = s.libraryPrograms;
    s.libraryPrograms = new Map();
    // what the library programs chosen so far reach (one set: checking each program's would be quadratic)
    const reached = new Set<UnitKey>();
    for (const r of this.spawnRecords) {
      const u = r.module.units[r.site.unit];
      if (!u || u.kind !== 'function') continue;
      const k = unitKey(r.module, u);
      if (s.covered.has(k) || reached.has(k)) continue;
      let c = before.get(k);
      if (!usable(c, { module: r.module, unit: u })) c = computeProgram(this.programSource(), { module: r.module, unit: u }, k);
      s.libraryPrograms.set(k, c);
      for (const x of c.program.parent) reached.add(x);
      this.programs.push(c.program);
    }
    // ... and so do those only the value-flow layer finds (a pool class kept in a class
    // attribute, `cls.POOL_TYPE(...)`, whose tasks arrive as parameters), once no program
    // already starts them
    const flowOnes = allFlowStarts(this.programSource());
    if (flowOnes.length) {
      // the records the programs start, gathered only once a flow-only start is a candidate (this runs per edit)
      let started: Set<SpawnRecord> | undefined;
      for (const { key: k, rec } of flowOnes) {
        const u = s.units.get(k)?.unit;
        if (!u || u.kind !== 'function' || s.covered.has(k) || reached.has(k)) continue;
        if (!started) {
          started = new Set<SpawnRecord>();
          for (const p of this.programs) for (const r of p.spawns) started.add(r);
        }
        if (started.has(rec)) continue;
        let c = before.get(k);
        if (!usable(c, { module: rec.module, unit: u })) c = computeProgram(this.programSource(), { module: rec.module, unit: u }, k);
        s.libraryPrograms.set(k, c);
        for (const x of c.program.parent) reached.add(x);
        for (const r of c.program.spawns) started.add(r);
        this.programs.push(c.program);
      }
    }
    for (const [k, c] of before) if (s.libraryPrograms.get(k) !== c) this.forget(c, undefined);
    for (const [k, c] of s.libraryPrograms) if (before.get(k) !== c) this.remember(c, undefined);
    if (!prev || !ch) return;
    for (const [program, hb] of prev.hbCache) {
      const k = unitKey(program.root.module, program.root.unit);
      const kept = s.rootPrograms.get(k)?.program === program || s.libraryPrograms.get(k)?.program === program;
      if (!kept) continue;
      let moved = false;
      for (const u of ch.moved) if ((moved = program.parent.has(u))) break;
      if (!moved) this.hbCache.set(program, hb);
    }
  }

  /** The cached programs that something in `ch` can change. */
  private stalePrograms(ch: Changes): Set<CachedProgram> {
    const s = this.s;
    const out = new Set<CachedProgram>();
    const mark = (read: string): void => {
      for (const c of s.programReads.get(read) ?? []) out.add(c);
    };
    for (const f of ch.modules) mark(`m:${f}`);
    for (const f of ch.interfaces) mark(`i:${f}`);
    for (const sym of ch.syms) mark(`s:${sym}`);
    for (const f of ch.flowModules ?? []) mark(`m:${f}`); // the flow program may hold other modules now
    if (ch.units.size === 0) return out;
    // edges changed: a program is stale when its reach went through one of those units
    const units = [...ch.units];
    for (const programs of [s.rootPrograms, s.libraryPrograms]) {
      for (const c of programs.values()) {
        if (!out.has(c) && units.some((k) => c.program.parent.has(k) || c.program.worker.has(k))) out.add(c);
      }
    }
    return out;
  }

  /** Indexes a new cached program (a root program, when `roots` is given, also counts as coverage). */
  private remember(c: CachedProgram, roots: Map<UnitKey, CachedProgram> | undefined): void {
    const s = this.s;
    const reads = [...c.modules.map((f) => `m:${f}`), ...c.interfaces.map((f) => `i:${f}`), ...c.syms.map((x) => `s:${x}`)];
    for (const r of reads) {
      const set = s.programReads.get(r);
      if (set) set.add(c);
      else s.programReads.set(r, new Set([c]));
    }
    if (!roots) return;
    roots.set(c.key, c);
    count(s.covered, c.program.parent, 1);
  }

  private forget(c: CachedProgram, roots: Map<UnitKey, CachedProgram> | undefined): void {
    const s = this.s;
    const reads = [...c.modules.map((f) => `m:${f}`), ...c.interfaces.map((f) => `i:${f}`), ...c.syms.map((x) => `s:${x}`)];
    for (const r of reads) {
      const set = s.programReads.get(r);
      if (set?.delete(c) && set.size === 0) s.programReads.delete(r);
    }
    if (!roots) return;
    roots.delete(c.key);
    count(s.covered, c.program.parent, -1);
  }

  /**
   * For each program that starts workers, each module-level symbol its worker code touches,
   * with every access to it and its binding: what the cross-process rules examine.
   */
  workerSymbols(): ReadonlyArray<{ prog: Program; sym: SymbolKey; recs: AccessRecord[]; binding: Binding | undefined }> {
    // three rules walk these after every edit: listed once per graph
    if (this.workerSymbolList) return this.workerSymbolList;
    const out: Array<{ prog: Program; sym: SymbolKey; recs: AccessRecord[]; binding: Binding | undefined }> = [];
    for (const prog of this.programs) {
      if (prog.worker.size === 0) continue;
      for (const sym of this.symbolsTouchedBy(prog.worker.keys())) {
        out.push({ prog, sym, recs: this.accessesBySymbol.get(sym) ?? [], binding: this.linker.binding(sym) });
      }
    }
    return (this.workerSymbolList = out);
  }

  private workerSymbolList?: ReturnType<ProjectGraph['workerSymbols']>;

  /** The module-level symbols accessed by any of `units` (what a rule needs to look at for a program). */
  symbolsTouchedBy(units: Iterable<UnitKey>): Set<SymbolKey> {
    const out = new Set<SymbolKey>();
    for (const k of units) for (const r of this.accessesByUnit.get(k) ?? []) out.add(r.symbol);
    return out;
  }

  /** Function units a reference in `m` denotes (a task callable, an initializer). */
  unitsOfRef(m: ModuleModel, ref: { name: string; member?: string }): UnitKey[] {
    const sym = this.linker.resolveCallable(m, ref);
    return sym ? (this.s.unitsBySymbol.get(sym) ?? []) : [];
  }

  /** A module's place in the project's order (the order of {@link modules}). */
  moduleOrder(file: string): number {
    return this.s.order(file);
  }

  /** The analysed modules `file`'s imports resolve to (its link's: kept across edits, so no re-resolving). */
  importsOf(file: string): readonly string[] {
    return this.s.links.get(file)?.imports ?? [];
  }

  callees(key: UnitKey): readonly UnitKey[] {
    return this.s.edges.get(key)?.to ?? [];
  }

  /** What the order-of-events questions (./order.ts) read of the graph. */
  private orderView(program?: Program): OrderView {
    const extra = program?.flowEdges;
    return { edges: extra ? withFlowEdges(this.s.edges, extra) : this.s.edges, modules: this.s.modules, reach: (roots, into, callsOnly) => this.reach(roots, into, callsOnly) };
  }

  /** See {@link importTimeCaller} (./order.ts): the top level whose calls reach `target` at import time. */
  importTimeCaller(target: UnitKey): { module: ModuleModel; line: number } | undefined {
    return importTimeCaller(this.orderView(), target);
  }

  /** All units from which `target` is reachable through calls (`target` included): {@link reach} backwards. */
  reachedBy(target: UnitKey): Set<UnitKey> {
    const into = new Set<UnitKey>();
    const stack = [target];
    while (stack.length) {
      const k = stack.pop()!;
      if (into.has(k)) continue;
      into.add(k);
      for (const c of this.s.callers.get(k) ?? []) if (!into.has(c)) stack.push(c);
    }
    return into;
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
      const e = this.s.edges.get(k);
      if (!e) continue;
      for (let i = 0; i < e.to.length; i++) {
        if (into.has(e.to[i]) || (callsOnly && e.nested[i])) continue;
        stack.push(e.to[i]);
      }
    }
    return into;
  }

  /** What computing a program (./programs.ts) reads of the graph. */
  private programSource(): ProgramSource {
    return {
      linker: this.linker,
      unitsBySymbol: this.s.unitsBySymbol,
      spawnRecords: this.spawnRecords,
      reach: (roots, into, callsOnly) => this.reach(roots, into, callsOnly),
      callees: (key) => this.callees(key),
      edgesOf: (key) => this.s.edges.get(key),
      unitsOfTask: (m, t, syms) => this.unitsOfTask(m, t, syms),
      flowLink: () => this.flowLink(),
      spawnRecord: (m, site) => this.spawnRecord(m, site),
      jsFlowLink: (m) => this.jsFlow().of(m),
      edges: (key) => this.s.edges.get(key),
      flowStarts: this.s.flowStarts,
    };
  }

  private jsFlow(): JsFlowPrograms {
    return (this.flowJs ??= new JsFlowPrograms(this.s.modules, this.linker, unitKey, this.s.importers, this.spawnRecords));
  }

  /** JS: payload problems of `x.run(...)` on a pool `m` does not make, when the value-flow layer finds one in `x` */
  flowPayloads(m: ModuleModel): Payload[] {
    return m.flowPoolCalls ? this.jsFlow().poolPayloads(m) : [];
  }

  private flowLink(): FlowLink | null {
    if (this.flow === undefined) {
      const classSpawns = (m: ModuleModel): readonly SpawnSite[] => this.s.links.get(m.path)?.classSpawns ?? [];
      const choice = (this.s.flowChoice ??= chooseFlowModules(this.s.modules, this.linker, this.s.importers, classSpawns));
      this.flow = projectFlowLink(this.s.modules, this.linker, unitKey, this.s.importers, classSpawns, this.previousFlow, choice);
      this.previousFlow = undefined;
    }
    return this.flow;
  }

  private setSpawnRecords(m: ModuleModel): void {
    const sites = [...m.spawns, ...(this.s.links.get(m.path)?.classSpawns ?? [])];
    if (sites.length) this.s.spawns.set(m.path, sites.map((site) => this.spawnRecord(m, site)));
    else this.s.spawns.delete(m.path);
  }

  /** Function units a task callable denotes: a unit given directly, the engine's symbols (nearest first), or its reference. */
  unitsOfTask(m: ModuleModel, t: TaskRef, syms?: Set<SymbolKey>): UnitKey[] {
    if (t.unit !== undefined) return m.units[t.unit] ? [unitKey(m, m.units[t.unit])] : [];
    for (const sym of t.symbols ?? (t.inherited ? inheritedSymbols(this.linker, m, t) : [this.linker.resolveCallable(m, t.ref)])) {
      if (!sym) continue;
      syms?.add(sym);
      const units = this.s.unitsBySymbol.get(sym);
      if (units?.length) return units;
    }
    return [];
  }

  private spawnRecord(m: ModuleModel, site: SpawnSite): SpawnRecord {
    let startMethod = site.startMethod ?? m.startMethod;
    const pinnedInCode = startMethod !== undefined;
    if (!startMethod && m.language === 'python' && this.s.startMethod !== 'portable') startMethod = this.s.startMethod;
    let workerModule: ModuleModel | undefined;
    if (site.workerModule === 'self') workerModule = m;
    else if (site.workerModule) workerModule = this.linker.resolveWorkerModule(m, site.workerModule);
    return { module: m, site, startMethod, pinnedInCode, workerModule };
  }

  /**
   * Offsets, in the spawn's own unit, before which a parent write "happens before" the
   * spawn: writes in that unit before the spawn call, and anything reached through calls
   * made before it. Returns the set of units fully before and the cut-off per unit.
   */
  happensBefore(program: Program, rec: SpawnRecord): HappensBefore {
    let perProgram = this.hbCache.get(program);
    if (!perProgram) this.hbCache.set(program, (perProgram = new Map()));
    const cacheKey = `${rec.module.path}@${posOrder(rec.site.range.start)}`;
    const hit = perProgram.get(cacheKey);
    if (hit) return hit;
    const result = happensBeforeSpawn(this.orderView(program), program, rec);
    perProgram.set(cacheKey, result);
    return result;
  }

  /**
   * Whether an access in the parent happens after the workers of `rec` have finished
   * ({@link SpawnSite.endRange}): later in the spawn's unit, in what that unit calls later
   * (and nothing calls earlier), or later in the callers on the path from the root.
   */
  isAfterEnd(program: Program, rec: SpawnRecord, a: AccessRecord): boolean {
    const end = rec.site.endRange;
    if (!end) return false;
    let perProgram = this.haCache.get(program);
    if (!perProgram) this.haCache.set(program, (perProgram = new Map()));
    const cacheKey = `${rec.module.path}@${posOrder(rec.site.range.start)}`;
    let hit = perProgram.get(cacheKey);
    if (!hit) perProgram.set(cacheKey, (hit = happensAfterEnd(this.orderView(program), program, rec, posOrder(end.end))));
    const from = hit.cut.get(a.key);
    return hit.fully.has(a.key) || (from !== undefined && posOrder(a.access.range.start) > from);
  }

  /** Python: whether the value-flow layer finds a Manager proxy in module-level `sym` (writes through it are shared) */
  holdsProxy(sym: SymbolKey): boolean {
    const i = sym.lastIndexOf('#');
    if (this.linker.binding(sym)?.laterProxy) return true;
    return this.flowLink()?.holdsProxy(sym.slice(0, i), sym.slice(i + 1)) ?? false;
  }

  /** Python: whether `sym` holds an instance whose class of the project's defines `method` (./flowLink.ts) */
  holdsInstanceWithMethod(sym: SymbolKey, method: string): boolean {
    if (instanceDefines(this.linker, sym, method)) return true;
    const i = sym.lastIndexOf('#');
    return this.flowLink()?.holdsInstanceWithMethod(sym.slice(0, i), sym.slice(i + 1), method) ?? false;
  }

  /** Whether an access in the parent happens before the workers of `rec` start. */
  isBeforeSpawn(program: Program, rec: SpawnRecord, a: AccessRecord): boolean {
    const { fully, cut } = this.happensBefore(program, rec);
    const limit = cut.get(a.key);
    return fully.has(a.key) || (limit !== undefined && posOrder(a.access.range.start) < limit);
  }


}
/** {@link Edges.nested} / {@link Edges.atExit} when no entry is set (read by index: undefined is false) */
const NO_FLAGS: boolean[] = Object.freeze([]) as unknown as boolean[];
/** The call edges with a program's {@link Program.flowEdges} added (read-only: what ./order.ts asks). */
function withFlowEdges(base: ReadonlyMap<UnitKey, Edges>, extra: ReadonlyMap<UnitKey, Edges>): Pick<ReadonlyMap<UnitKey, Edges>, 'get'> {
  const merged = new Map<UnitKey, Edges>();
  const get = (k: UnitKey): Edges | undefined => {
    const x = extra.get(k);
    if (!x) return base.get(k);
    let m = merged.get(k);
    if (!m) {
      const b = base.get(k);
      // flags by index: a unit's flag lists may be the shared empty NO_FLAGS
      const flags = (e: Edges, f: 'nested' | 'atExit'): boolean[] => e.to.map((_, i) => !!e[f][i]);
      merged.set(k, (m = b ? { to: [...b.to, ...x.to], at: [...b.at, ...x.at], nested: [...flags(b, 'nested'), ...flags(x, 'nested')], atExit: [...flags(b, 'atExit'), ...flags(x, 'atExit')] } : x));
    }
    return m;
  };
  return { get };
}

export function spawnUnitKey(r: SpawnRecord): UnitKey {
  return unitKey(r.module, r.module.units[r.site.unit] ?? r.module.units[0]);
}
function count(counts: Map<UnitKey, number>, keys: Iterable<UnitKey>, by: 1 | -1): void {
  for (const k of keys) {
    const n = (counts.get(k) ?? 0) + by;
    if (n > 0) counts.set(k, n);
    else counts.delete(k);
  }
}

function addCaller(callers: Map<UnitKey, UnitKey[]>, to: UnitKey, from: UnitKey): void {
  const list = callers.get(to);
  if (list) list.push(from);
  else callers.set(to, [from]);
}

function removeCaller(callers: Map<UnitKey, UnitKey[]>, to: UnitKey, from: UnitKey): void {
  const list = callers.get(to);
  const i = list ? list.indexOf(from) : -1;
  if (i < 0) return;
  list!.splice(i, 1);
  if (list!.length === 0) callers.delete(to);
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
