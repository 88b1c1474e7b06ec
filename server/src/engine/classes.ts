/**
 * Python classes, as the engine sees them across files: which classes are `Process`
 * (or `threading.Thread`) subclasses (through bases in other modules) and where
 * instantiating one starts a process (a thread); and class attributes as module-level
 * symbols of their own (`Config.X`).
 */
import type { Access, Call, ModuleModel, SpawnSite, StartMethod, Unit } from './model';
import { splitSymbolKey, type Linker, type SymbolKey } from './link';

/**
 * A spawn site for a call that instantiates a `Process` subclass (directly or through
 * module-level bases, across files): its `run` is the task, the nearest definition first.
 * A `threading.Thread` subclass gives a thread site the same way: its `run()` is thread
 * code of the process that instantiates it (the rules tell threads from processes by
 * {@link SpawnSite.isProcess}).
 */
export function processClassSite(linker: Linker, m: ModuleModel, u: Unit, c: Call, sym: SymbolKey): SpawnSite | undefined {
  const pc = processClassOf(linker, sym, new Set());
  if (!pc) return undefined;
  const label = splitSymbolKey(sym).name;
  const site: SpawnSite = {
    system: pc.thread ? 'threads' : 'mp.Process',
    unit: u.id,
    range: c.range,
    offset: c.offset,
    label,
    isProcess: !pc.thread,
    tasks: [{ ref: { name: c.callee.name, member: 'run' }, symbols: pc.runs, range: c.range, label: `${label}.run` }],
    initializers: [],
  };
  if (pc.startMethod) site.startMethod = pc.startMethod;
  if (c.started) site.startRange = c.started;
  return site;
}

function processClassOf(linker: Linker, sym: SymbolKey, seen: Set<SymbolKey>): { startMethod?: StartMethod; runs: SymbolKey[]; thread?: boolean } | undefined {
  const c = classOf(linker, sym, seen);
  if (c?.isProcess) return { startMethod: c.startMethod, runs: c.runs };
  return c?.isThread ? { runs: c.runs, thread: true } : undefined;
}

/**
 * A class and its module-level bases: whether one is a process (thread) class, and every
 * `run` along the way, the nearest first — a mixin's `run()` (mpire's `AbstractWorker`,
 * listed before the context's `Process`) is the one a process subclass runs.
 */
function classOf(linker: Linker, sym: SymbolKey, seen: Set<SymbolKey>): { isProcess: boolean; isThread: boolean; startMethod?: StartMethod; runs: SymbolKey[] } | undefined {
  if (seen.has(sym) || seen.size > 16) return undefined;
  seen.add(sym);
  const b = linker.binding(sym);
  if (!b || b.kind !== 'class') return undefined;
  let isProcess = !!b.processClass;
  let isThread = !!b.threadClass;
  let startMethod = b.processClass?.startMethod;
  const runs = [`${sym}.run`];
  const owner = b.bases?.length ? linker.moduleOf(splitSymbolKey(sym).file) : undefined;
  for (const ref of b.bases ?? []) {
    const base = owner && linker.resolveRef(owner, ref);
    // `ctx.Process` with `ctx` a context another module made (`from util import context as ctx`)
    const ctx = base && ref.member === 'Process' ? linker.binding(base)?.contexts?.find((c) => c.keys.length === 0) : undefined;
    if (ctx) {
      isProcess = true;
      startMethod ??= ctx.startMethod;
      continue;
    }
    const r = base ? classOf(linker, base, seen) : undefined;
    if (!r) continue;
    isThread ||= r.isThread;
    isProcess ||= r.isProcess;
    startMethod ??= r.startMethod;
    runs.push(...r.runs);
  }
  // `MP_CONTEXTS['mp']['spawn'].Process`: a process class when that path of the dict holds a context
  const home = b.contextBases?.length ? linker.moduleOf(splitSymbolKey(sym).file) : undefined;
  for (const cb of b.contextBases ?? []) {
    const dict = home && linker.resolveRef(home, cb.ref);
    const hit = dict ? linker.binding(dict)?.contexts?.find((c) => c.keys.join('\0') === cb.keys.join('\0')) : undefined;
    if (!hit) continue;
    isProcess = true;
    startMethod ??= hit.startMethod;
  }
  return { isProcess, isThread, startMethod, runs };
}

/**
 * Whether module-level `sym` holds an instance (`FLAG = Flag()`, {@link Binding.instanceOf})
 * of a class of the project's that defines `method`, itself or in a base of the project's.
 */
export function instanceDefines(linker: Linker, sym: SymbolKey, method: string): boolean {
  const b = linker.binding(sym);
  const owner = b?.instanceOf ? linker.moduleOf(splitSymbolKey(sym).file) : undefined;
  const cls = owner && linker.resolveRef(owner, b!.instanceOf!);
  return !!cls && classDefines(linker, cls, method, new Set());
}

function classDefines(linker: Linker, sym: SymbolKey, method: string, seen: Set<SymbolKey>): boolean {
  if (seen.has(sym) || seen.size > 16) return false;
  seen.add(sym);
  const b = linker.binding(sym);
  if (!b || b.kind !== 'class') return false;
  const { file, name } = splitSymbolKey(sym);
  const m = linker.moduleOf(file);
  if (m && (b.methods ?? []).some((id) => m.units[id]?.name === `${name}.${method}`)) return true;
  for (const ref of b.bases ?? []) {
    const base = m && linker.resolveRef(m, ref);
    if (base && classDefines(linker, base, method, seen)) return true;
  }
  return false;
}

/** The access a chain makes to a class attribute, from the front end's {@link Access.member} hint. */
export function memberAccess(a: Access, m: NonNullable<Access['member']>): Access {
  const out: Access = { ref: a.ref.from === undefined ? { name: a.ref.name, member: m.name } : { name: a.ref.name, member: m.name, from: a.ref.from }, kind: m.kind, range: m.range, offset: a.offset };
  if (m.detail !== undefined) out.detail = m.detail;
  if (a.lazyInit) out.lazyInit = true;
  if (a.fromParam && m.kind === 'assign') out.fromParam = true;
  return out;
}
