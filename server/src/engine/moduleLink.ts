/**
 * Linking one module: the symbols its function units are stored under, its calls and
 * accesses with resolved symbols, the process-class instantiations it makes (Python). A
 * link is reused while the module's model and the interfaces it read stay the same.
 */
import type { Access, Call, ModuleModel, Ref, SpawnSite, Unit } from './model';
import { symbolKey, type Linker, type SymbolKey } from './link';
import { memberAccess, processClassSite } from './classes';
import { remoteSite } from './remoteSites';
import { posOrder, unitKey, type UnitKey } from './contexts';
import { exact } from './compact';

/** Methods that run when a class is called / instantiated. */
const CONSTRUCTORS = new Set(['__init__', '__new__', '__post_init__', 'constructor']);

/** Linking results of one module, reusable while its model and the interfaces it read stay the same. */
export interface ModuleLink {
  model: ModuleModel;
  /** unit keys by unit id */
  keys: UnitKey[];
  unitSymbols: Array<[SymbolKey, UnitKey]>;
  calls: LinkCalls;
  accesses: AccessRecord[];
  /** paths of the analysed modules it imports */
  imports: string[];
  /** spawn sites the engine makes: instantiations of `Process` subclasses (Python), with the `run` symbols to try, and framework submissions (./remoteSites.ts) */
  classSpawns: SpawnSite[];
  /** other modules whose interface linking it read: a change there re-links this module */
  deps: string[];
}

/**
 * A module's resolved calls, as parallel lists (the i-th call is `from[i]` calling `sym[i]`
 * at `pos[i]`): the graph keeps them for every module of the workspace, to patch edges after
 * an edit, and a list of numbers and two of shared strings take about a third of what an
 * object per call does (about 190,000 calls in the standard library).
 */
export interface LinkCalls {
  from: UnitKey[];
  sym: SymbolKey[];
  pos: number[];
  /** by index, the calls that are registrations, not calls (see {@link Call.registered}); undefined when none is */
  registered: Map<number, NonNullable<Call['registered']>> | undefined;
}

/** Calls `f` with each call of `calls`, in order. */
export function eachCall(calls: LinkCalls, f: (from: UnitKey, sym: SymbolKey, pos: number, registered: Call['registered']) => void): void {
  for (let i = 0; i < calls.sym.length; i++) f(calls.from[i], calls.sym[i], calls.pos[i], calls.registered?.get(i));
}

export interface AccessRecord {
  module: ModuleModel;
  unit: Unit;
  key: UnitKey;
  access: Access;
  symbol: SymbolKey;
}

/**
 * What linking one module yields, from its model and the interfaces of what it imports:
 * the symbols its function units are stored in, its calls and accesses with resolved symbols.
 */
export function computeLink(linker: Linker, m: ModuleModel): ModuleLink {
  // one string per unit key and per symbol, shared by every record of the link (the graph
  // keeps these records for every module: fresh copies per call and access cost tens of MB)
  const keys = m.units.map((u) => unitKey(m, u));
  const interned = new Map<string, string>();
  const intern = (s: string): string => {
    const hit = interned.get(s);
    if (hit !== undefined) return hit;
    interned.set(s, s);
    return s;
  };
  const unitSymbols: Array<[SymbolKey, UnitKey]> = [];
  for (const u of m.units) {
    const key = keys[u.id];
    if (u.binding) unitSymbols.push([intern(symbolKey(m.path, u.binding)), key]);
    for (const e of u.exportedAs ?? []) unitSymbols.push([intern(symbolKey(m.path, e)), key]);
  }
  for (const b of m.bindings.values()) {
    const sym = intern(symbolKey(m.path, b.name));
    if (b.unit !== undefined && m.units[b.unit]) unitSymbols.push([sym, keys[b.unit]]);
    for (const id of b.methods ?? []) {
      const u = m.units[id];
      if (!u) continue;
      const short = u.name.slice(u.name.lastIndexOf('.') + 1);
      // `Cls.m()` / `self.m()` reach that method; calling the class runs its constructor only
      unitSymbols.push([intern(`${sym}.${short}`), keys[id]]);
      if (CONSTRUCTORS.has(short)) unitSymbols.push([sym, keys[id]]);
    }
  }
  const calls: LinkCalls = { from: [], sym: [], pos: [], registered: undefined };
  const call = (from: UnitKey, sym: SymbolKey, pos: number, registered: Call['registered']): void => {
    if (registered !== undefined) (calls.registered ??= new Map()).set(calls.sym.length, registered);
    calls.from.push(from);
    calls.sym.push(sym);
    calls.pos.push(pos);
  };
  const accesses: AccessRecord[] = [];
  const classSpawns: SpawnSite[] = [];
  const reads = new Set<string>();
  linker.reads = reads;
  // A module names the same few symbols again and again (the standard library: 57,429
  // references to 22,629 names): each name is resolved once per link. What the linker
  // answers depends only on the name and the other modules' interfaces, which do not
  // change during a link, and the modules it read are in `reads` from the first answer.
  const refs = new Map<string, SymbolKey | null>();
  const callables = new Map<string, SymbolKey | null>();
  const moduleNames = new Map<string, boolean>();
  const memo = (table: Map<string, SymbolKey | null>, ref: Ref, resolve: (m: ModuleModel, ref: Ref) => SymbolKey | undefined): SymbolKey | undefined => {
    const k = (ref.member === undefined ? ref.name : `${ref.name}\0${ref.member}`) + (ref.from === undefined ? '' : `\0\0${ref.from}`);
    let v = table.get(k);
    if (v === undefined) {
      v = resolve.call(linker, m, ref) ?? null;
      table.set(k, v);
    }
    return v ?? undefined;
  };
  // `holds`: whether the name is a module, once per name
  const holds = (rec: { asModule?: boolean; ref?: Ref; callee?: Ref }): boolean => {
    if (rec.asModule === undefined) return true;
    const name = (rec.callee ?? rec.ref)!.name;
    let v = moduleNames.get(name);
    if (v === undefined) {
      v = linker.importIsModule(m, name);
      moduleNames.set(name, v);
    }
    return v === rec.asModule;
  };
  try {
    // indexed loops: this runs once per module, mostly before V8 optimises it, when each
    // step of a `for...of` allocates a result object
    for (let ui = 0; ui < m.units.length; ui++) {
      const u = m.units[ui];
      const key = keys[u.id];
      for (let ci = 0; ci < u.calls.length; ci++) {
        const c = u.calls[ci];
        if (!holds(c)) continue;
        const found = memo(callables, c.callee, linker.resolveCallable);
        if (!found) continue;
        const sym = intern(found);
        if (c.ifClass && linker.binding(linker.resolveRef(m, { name: c.callee.name }) ?? '')?.kind !== 'class') continue;
        if (m.language === 'python' && (c.submits !== undefined || linker.binding(sym)?.remote)) {
          // a framework submission (`task.delay(x)`, a UDF called in a query): the body runs in the workers
          const r = remoteSite(linker, m, u, c, sym);
          if (r.site) classSpawns.push(r.site);
          if (r.submission) continue;
        }
        call(key, sym, posOrder(c.range.start), c.registered);
        if (m.language === 'python') {
          const site = processClassSite(linker, m, u, c, sym);
          if (site) classSpawns.push(site);
          // a `threading.Thread` subclass's `run()` runs later, in this process (a thread)
          if (site && !site.isProcess) for (const run of site.tasks[0].symbols ?? []) call(key, run, posOrder(c.range.start), 'later');
        }
      }
      for (let ai = 0; ai < u.accesses.length; ai++) {
        const a = u.accesses[ai];
        if (!holds(a)) continue;
        const found = memo(refs, a.ref, linker.resolveRef);
        if (!found) continue;
        const sym = intern(found);
        // class attributes are module-level state of their own: `Config.X` is not `Config`
        if (a.member && linker.binding(sym)?.kind === 'class') {
          accesses.push({ module: m, unit: u, key, access: memberAccess(a, a.member), symbol: intern(`${sym}.${a.member.name}`) });
        } else {
          accesses.push({ module: m, unit: u, key, access: a, symbol: sym });
        }
      }
    }
  } finally {
    linker.reads = undefined;
  }
  reads.delete(m.path);
  const imports: string[] = [];
  for (const spec of m.imports) {
    const t = linker.resolveModule(m, spec);
    if (t && t !== m) imports.push(t.path);
  }
  // `from pkg import checker`: the submodule is imported too (its importers are callers that
  // hand it objects, ./flowLink.ts; a change there may change this module's results)
  if (m.language === 'python') {
    for (const b of m.bindings.values()) {
      if (b.kind !== 'import' || !b.importFrom || b.importFrom.imported === '*') continue;
      const t = linker.resolveImport(m, b.importFrom);
      if (t && 'module' in t && t.module !== m && !imports.includes(t.module.path)) imports.push(t.module.path);
    }
  }
  const linkCalls: LinkCalls = { from: exact(calls.from), sym: exact(calls.sym), pos: exact(calls.pos), registered: calls.registered };
  return { model: m, keys, unitSymbols: exact(unitSymbols), calls: linkCalls, accesses: exact(accesses), imports: exact(imports), deps: [...reads], classSpawns };
}

/** Whether re-linking a module gave what its link already says (same model, same resolutions). */
export function sameLink(a: ModuleLink, b: ModuleLink): boolean {
  if (a.model !== b.model || a.calls.sym.length !== b.calls.sym.length || a.accesses.length !== b.accesses.length) return false;
  const x = a.calls;
  const y = b.calls;
  for (let i = 0; i < x.sym.length; i++) {
    if (x.sym[i] !== y.sym[i] || x.from[i] !== y.from[i] || x.pos[i] !== y.pos[i] || x.registered?.get(i) !== y.registered?.get(i)) return false;
  }
  for (let i = 0; i < a.accesses.length; i++) if (a.accesses[i].symbol !== b.accesses[i].symbol) return false;
  if (!sameList(a.imports, b.imports) || a.deps.length !== b.deps.length) return false;
  if (a.classSpawns.length !== b.classSpawns.length) return false;
  for (let i = 0; i < a.classSpawns.length; i++) {
    const x = a.classSpawns[i];
    const y = b.classSpawns[i];
    if (x.offset !== y.offset || x.startMethod !== y.startMethod || !sameList(x.tasks[0].symbols ?? [], y.tasks[0].symbols ?? [])) return false;
  }
  const deps = new Set(a.deps);
  return b.deps.every((d) => deps.has(d));
}

export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
