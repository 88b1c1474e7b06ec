/**
 * unguarded-spawn: processes or workers started at import time.
 */
import { where, type Rule } from '../server/src/engine/rule';
import * as path from 'node:path';
import { shortPath, unitKey } from '../server/src/engine/contexts';
import type { RuleContext } from '../server/src/engine/rule';
import type { ModuleModel, SystemKind } from '../server/src/engine/model';
import { reimportDefaultsWords } from '../server/src/engine/pythonDefaults';
import { startOfSite } from '../server/src/frameworks/js';
import { startsWhenIterated } from '../server/src/frameworks/python';

// loky's workers (joblib, get_reusable_executor) never run the entry script: not here; a DataLoader's
// and an mpire pool's are multiprocessing's (the workers a framework runs itself, Celery, Ray,
// Spark, a dask cluster, never re-import the script either)
const PY_SYSTEMS = new Set<SystemKind>(['mp.Pool', 'mp.Process', 'mp.Manager', 'ProcessPoolExecutor', 'InterpreterPoolExecutor', 'pathos', 'torch.DataLoader', 'mpire']);

export const unguardedSpawn: Rule = {
  id: 'unguarded-spawn',
  defaultSeverity: 'error',
  description: 'A process or worker is started at import time, so every child starts it again.',
  languages: ['python', 'js'],
  check(ctx) {
    // JS: what a module's own top level runs (a worker re-runs the script, so a start only
    // another module's top level reaches — a library's createWorker() — is not "its own")
    const ownImportTime = new Map<string, Set<string>>();
    const ranByOwnTop = (m: ModuleModel, key: string): boolean => {
      let set = ownImportTime.get(m.path);
      if (!set) ownImportTime.set(m.path, (set = ctx.graph.reach([unitKey(m, m.units[0])])));
      return set.has(key);
    };
    // cluster: a worker re-runs the entry script, so what matters is what loading an entry
    // (a module nothing imports) runs, through the modules it loads, not only the module
    // calling cluster.fork(); unless some module points workers elsewhere (setupPrimary({ exec }))
    let jsEntries: EntryLoads | undefined;
    const entryRunning = (key: string): ModuleModel | undefined => (jsEntries ??= new EntryLoads(ctx.graph, 'js')).entriesReaching(key)[0];
    // Python spawn/forkserver: a child re-imports the main module (the script that was run, as
    // __mp_main__), so what reaches a start is that script's loading: its top level and the
    // modules it imports, which may be another module than the one holding the start
    let pyEntries: EntryLoads | undefined;
    let jsLoads: LoadChains | undefined;
    const reimported = (m: ModuleModel, key: string, caller: ModuleModel | undefined): string => {
      const mains = (pyEntries ??= new EntryLoads(ctx.graph, 'python')).entriesReaching(key);
      if (mains.includes(m) || (mains.length === 0 && (!caller || caller === m))) return 'this module, reaches this line again';
      const names = mains.map((e) => shortPath(e.path, path.dirname(m.path))).sort();
      const main = names.length === 0 ? '' : names.length === 1 ? ` ${names[0]}` : ` (${names.join(' or ')})`;
      return `the main module${main} (the script that was run), whose loading reaches this line again`;
    };

    for (const rec of ctx.graph.spawnRecords) {
      const { module: m, site } = rec;
      // workers that start when their object is iterated (a DataLoader): the first iteration at import time
      const iterated = m.language === 'python' && startsWhenIterated(site.system);
      const launch = iterated ? site.launches?.find((l) => m.units[l.unit] && ctx.graph.importTime.has(unitKey(m, m.units[l.unit]))) : undefined;
      if (iterated && !launch) continue;
      const unit = m.units[launch?.unit ?? site.unit];
      if (!unit || !ctx.graph.importTime.has(unitKey(m, unit))) continue;
      const file = m.path;
      // where the start is reached from, named only for a finding (a breadth-first search)
      const via = (): string => {
        if (unit.kind !== 'function') return '';
        const from = ctx.graph.importTimeCaller(unitKey(m, unit));
        const line = { start: { line: from?.line ?? 0, character: 0 }, end: { line: from?.line ?? 0, character: 0 } };
        const at = from ? `the top level of ${where(file, from.module.path, line)}` : "a module's top level";
        return ` (inside '${unit.name}', which ${at} calls)`;
      };
      if (m.language === 'python') {
        if (!PY_SYSTEMS.has(site.system) || site.isProcess === false || site.restartOf !== undefined) continue;
        if (site.system === 'mp.Process' && !site.startRange) continue;
        const viaCall = via();
        const caller = unit.kind === 'function' ? ctx.graph.importTimeCaller(unitKey(m, unit))?.module : undefined;
        const reimport = reimported(m, unitKey(m, unit), caller);
        const range = launch?.range ?? site.startRange ?? site.range;
        const what = site.system === 'mp.Process' ? 'Process.start()' : launch ? `Iterating a ${site.label} with worker processes` : `${site.label}()`;
        const sm = rec.startMethod;
        const tail =
          sm === 'fork'
            ? ` The 'fork' start method pinned here hides it on Linux, but fork is unavailable on Windows and unsafe on macOS, where this fails.`
            : '';
        ctx.report({
          file,
          range,
          symbol: site.label,
          message: `${what} runs at import time${viaCall}, outside if __name__ == '__main__':. ${sm && sm !== 'fork' ? `Under the '${sm}' start method pinned here,` : `Under spawn and forkserver ${reimportDefaultsWords(ctx.pythonVersion)}`} every child re-imports ${reimport} and fails with "An attempt has been made to start a new process before the current process has finished its bootstrapping phase".${tail}`,
          related: [],
        });
        continue;
      }
      const start = startOfSite(site);
      if (!start?.selfSpawn) continue;
      if (site.workerModule !== 'self') {
        // the worker script loads this module when it starts (`require('./main')` for a
        // constant): the start at this module's top level runs again in every worker
        const w = rec.workerModule;
        if (!w || w === m || start.runsEntryScript || !ranByOwnTop(m, unitKey(m, unit))) continue;
        const chain = (jsLoads ??= new LoadChains(ctx.graph)).path(w, m);
        if (!chain) continue;
        const names = chain.map((x) => shortPath(x.path, path.dirname(file)));
        ctx.report({
          file,
          range: site.range,
          symbol: site.label,
          message: `${site.label}() runs at the top level of ${names[names.length - 1]}${via()}, which its worker script ${names[0]} loads too (${names.join(' → ')}): every worker starts another, without end. Guard the start (if (isMainThread), or a check of how the process was started), or move what the worker needs out of ${names[names.length - 1]}.`,
          related: [],
        });
        continue;
      }
      let entry: ModuleModel | undefined = m;
      if (site.system === 'cluster') entry = entryRunning(unitKey(m, unit));
      else if (!ranByOwnTop(m, unitKey(m, unit))) continue;
      if (!entry) continue;
      const viaCall = via();
      const consequence = start.selfSpawn.consequence;
      ctx.report({
        file,
        range: site.range,
        symbol: site.label,
        message:
          entry === m
            ? `${site.label}(${start.selfSpawn.args}) runs at the top level of its own script${viaCall}. ${consequence}`
            : `cluster.fork() runs when the entry script ${shortPath(entry.path, path.dirname(m.path))} is loaded (inside '${unit.name}', which loading it reaches). Every cluster worker re-runs that entry script, reaches this line too, and cluster.fork is not a function there (TypeError): guard the start with if (cluster.isPrimary).`,
        related: [],
      });
    }
  },
};

/** What JS modules load when they are loaded: their imports, less those required only later (in a function or a branch). */
class LoadChains {
  private readonly loads = new Map<string, ModuleModel[]>();
  constructor(private readonly graph: RuleContext['graph']) {}

  private loadsOf(m: ModuleModel): ModuleModel[] {
    let out = this.loads.get(m.path);
    if (out) return out;
    const deferred = new Set(m.deferredImports ?? []);
    out = [];
    for (const spec of m.imports) {
      if (deferred.has(spec)) continue;
      const t = this.graph.linker.resolveModule(m, spec);
      if (t && t !== m && t.language === 'js') out.push(t);
    }
    this.loads.set(m.path, out);
    return out;
  }

  /** The shortest chain of load-time imports from `from` to `to` (both included), or undefined. */
  path(from: ModuleModel, to: ModuleModel): ModuleModel[] | undefined {
    const prev = new Map<string, ModuleModel | null>([[from.path, null]]);
    const queue = [from];
    for (let i = 0; i < queue.length && !prev.has(to.path) && i < 2000; i++) {
      for (const t of this.loadsOf(queue[i])) {
        if (prev.has(t.path)) continue;
        prev.set(t.path, queue[i]);
        queue.push(t);
      }
    }
    if (!prev.has(to.path)) return undefined;
    const out: ModuleModel[] = [];
    for (let x: ModuleModel | null | undefined = to; x; x = prev.get(x.path)) out.unshift(x);
    return out;
  }
}

/**
 * The entry modules (ones no other analysed module imports) whose loading runs a unit: its
 * top level and the top levels of the modules it loads at load time (not those required only
 * in a main branch or a function), with what they call. Asked backwards from the unit — the
 * units that reach it, the modules whose top level is one of them, the modules that load
 * those — so an analysis costs what the starts at import time reach, not a forward walk from
 * every entry of the workspace (which was most of an edit's analysis in the stdlib).
 * None when a module sends cluster workers to another script (`cluster.setupPrimary({ exec })`).
 */
class EntryLoads {
  /** modules with imports required only later (JS): the analysed modules their loading loads; read per module, when asked */
  private readonly partialLoads = new Map<string, Set<string> | null>();
  private readonly entry = new Map<string, boolean>();
  private readonly none: boolean;

  constructor(private readonly graph: RuleContext['graph'], private readonly language: ModuleModel['language']) {
    // the import edges are the graph's, and modules are looked at only as the search from a
    // start reaches them (this runs after every edit: no pass over every module)
    let none = false;
    if (language === 'js') for (const m of graph.modules.values()) if (m.language === 'js' && m.clusterExec) none = true;
    this.none = none;
  }

  private ofLanguage(file: string): boolean {
    return this.graph.modules.get(file)?.language === this.language;
  }

  /** the analysed modules `file` loads at load time, when some of its imports are deferred (else null: all of them) */
  private loadsOf(file: string): Set<string> | null {
    let loads = this.partialLoads.get(file);
    if (loads !== undefined) return loads;
    const m = this.graph.modules.get(file)!;
    loads = null;
    if (m.deferredImports?.length) {
      const deferred = new Set(m.deferredImports);
      loads = new Set<string>();
      for (const spec of m.imports) {
        const t = deferred.has(spec) ? undefined : this.graph.linker.resolveModule(m, spec);
        if (t && t !== m) loads.add(t.path);
      }
    }
    this.partialLoads.set(file, loads);
    return loads;
  }

  /** a module of this language that no module of this language imports, and that starts something or loads a module */
  private isEntry(file: string): boolean {
    let hit = this.entry.get(file);
    if (hit === undefined) {
      const m = this.graph.modules.get(file)!;
      const loadsAny = (this.loadsOf(file)?.size ?? this.graph.importsOf(file).length) > 0;
      hit = !this.imported(file) && (m.spawns.length > 0 || loadsAny);
      this.entry.set(file, hit);
    }
    return hit;
  }

  /** whether a module of this language imports `file` (at load time or later) */
  private imported(file: string): boolean {
    for (const by of this.graph.importers.get(file) ?? []) if (this.ofLanguage(by)) return true;
    return false;
  }

  /** the modules of this language that load `file` at load time */
  private *loadedBy(file: string): Iterable<string> {
    for (const by of this.graph.importers.get(file) ?? []) {
      if (this.ofLanguage(by) && (this.loadsOf(by)?.has(file) ?? true)) yield by;
    }
  }

  /** The entries whose loading reaches `key`, in project order. */
  entriesReaching(key: string): ModuleModel[] {
    if (this.none) return [];
    const loaded = new Set<string>();
    const stack: string[] = [];
    for (const k of this.graph.reachedBy(key)) {
      const ref = this.graph.units.get(k);
      if (!ref || ref.unit !== ref.module.units[0] || ref.module.language !== this.language || loaded.has(ref.module.path)) continue;
      loaded.add(ref.module.path);
      stack.push(ref.module.path);
    }
    while (stack.length) {
      for (const by of this.loadedBy(stack.pop()!)) {
        if (loaded.has(by)) continue;
        loaded.add(by);
        stack.push(by);
      }
    }
    const entries = [...loaded].filter((p) => this.isEntry(p)).sort((a, b) => this.graph.moduleOrder(a) - this.graph.moduleOrder(b));
    return entries.map((p) => this.graph.modules.get(p)!);
  }
}
