/**
 * One program (see ./contexts.ts): its parent side (what the root reaches), the spawn sites
 * that side reaches, and their worker side — the task callables, initializers, worker
 * modules and handlers of each start and what they reach (through the value-flow layer
 * for what only it resolves) — with what computing it read, for the cache.
 */
import type { ModuleModel, Range, SpawnSite, TaskRef, Unit } from './model';
import type { Linker, SymbolKey } from './link';
import type { FlowLink } from './flowLink';
import { jsFlowReach, type FlowLinkJs } from './flowLinkJs';
import { processClassSite } from './classes';
import { submitMethod, submitMethodNames } from '../frameworks/python';
import { posOrder, spawnUnitKey, unitKey, type Edges, type Program, type SpawnRecord, type UnitKey, type UnitRef, type WorkerReason } from './contexts';
import { exportsAreTasks, startOfSite } from '../frameworks/js';

/** What computing a program reads of the project graph. */
export interface ProgramSource {
  linker: Linker;
  unitsBySymbol: ReadonlyMap<SymbolKey, UnitKey[]>;
  spawnRecords: readonly SpawnRecord[];
  reach(roots: Iterable<UnitKey>, into?: Set<UnitKey>, callsOnly?: boolean): Set<UnitKey>;
  callees(key: UnitKey): readonly UnitKey[];
  edgesOf(key: UnitKey): Edges | undefined;
  unitsOfTask(m: ModuleModel, t: TaskRef, syms?: Set<SymbolKey>): UnitKey[];
  /** the value-flow program (built on first use), or null when no spawn site needs it */
  flowLink(): FlowLink | null;
  /** a spawn record for a site the engine makes itself (start method from the site, module or setting) */
  spawnRecord(m: ModuleModel, site: SpawnSite): SpawnRecord;
  /** the JS worker sides' value-flow program (./flowLinkJs.ts), or null when no JS start makes workers */
  jsFlowLink(m: ModuleModel): FlowLinkJs | null;
  edges(key: UnitKey): Edges | undefined;
  /** where {@link flowStarts} keeps its result, across patches of the graph */
  flowStarts: { memo?: FlowStartsMemo };
}

/** What computing a program read, to tell whether an edit can change it. */
export interface CachedProgram {
  program: Program;
  /** the root's unit key */
  key: UnitKey;
  /** modules whose model it read (root, spawning and worker modules) */
  modules: string[];
  /** symbols whose function units it looked up (tasks, initializers, pool exports) */
  syms: SymbolKey[];
  /** modules whose interface its resolutions read */
  interfaces: string[];
}

/** One program, with what computing it read (see {@link CachedProgram}). */
export function computeProgram(g: ProgramSource, root: UnitRef, key: UnitKey): CachedProgram {
  const modules = new Set<string>([root.module.path]);
  const syms = new Set<SymbolKey>();
  const reads = new Set<string>();
  const unitsOf = (sym: SymbolKey | undefined): UnitKey[] => {
    if (!sym) return [];
    syms.add(sym);
    return g.unitsBySymbol.get(sym) ?? [];
  };
  // JS: the parent side too follows `this.m()`, handlers in variables and objects, and the
  // callbacks it registers (`worker.on('message', this.onReply.bind(this))`)
  let parent = g.reach([key]);
  const rootFlow = root.module.language === 'js' && g.spawnRecords.some((r) => r.site.isProcess !== false && parent.has(spawnUnitKey(r))) ? g.jsFlowLink(root.module) : null;
  if (rootFlow) {
    parent = jsFlowReach(key, g.edges, rootFlow, true);
    for (const m of rootFlow.modules) modules.add(m);
  }
  // Python: what the parent calls through values only the layer resolves (a handler it
  // registered in a table and dispatches: `for hook in BEFORE: hook()`) is parent code too,
  // placed at the dispatching call for the order of events
  let flowEdges: Map<UnitKey, Edges> | undefined;
  if (root.module.language === 'python') {
    const flow = g.flowLink();
    if (flow && !flow.truncated) ({ parent, flowEdges } = dispatchedReach(g, flow, parent));
    if (flowEdges) for (const m of flow!.modules) modules.add(m);
  }
  const spawns = g.spawnRecords.filter((r) => r.site.isProcess !== false && parent.has(spawnUnitKey(r)));
  if (root.module.language === 'python') {
    for (const rec of flowStarts(g, parent)) {
      spawns.push(rec);
      modules.add(rec.module.path);
    }
  }
  const worker = new Map<UnitKey, WorkerReason>();
  const initRoots: UnitKey[] = [];
  const flowEntries: Array<[UnitKey, WorkerReason]> = [];
  g.linker.reads = reads;
  try {
    for (const rec of spawns) {
      modules.add(rec.module.path);
      const entries: Array<[UnitKey, WorkerReason]> = [];
      const reason = (via: string, range: Range, file = rec.module.path): WorkerReason => ({ spawn: rec, via, range, file });
      for (const t of rec.site.tasks) {
        for (const k of g.unitsOfTask(rec.module, t, syms)) entries.push([k, reason(t.label, t.range)]);
      }
      for (const ref of rec.site.initializers) {
        for (const k of unitsOf(g.linker.resolveCallable(rec.module, ref))) {
          entries.push([k, reason('initializer', rec.site.range)]);
          initRoots.push(k);
        }
      }
      // `self.method`, callable objects, partials, variables: what the value-flow layer says they are;
      // and what a Python process's tasks reach through values (a dict of handlers, a
      // function returned by a helper) is what the layer's calls say, when it solved them all
      const flow = rec.module.language === 'python' && rec.site.isProcess !== false ? g.flowLink() : null;
      const flowReach = !!flow && !flow.truncated && flow.coversModule(rec.module.path);
      if (flow) {
            for (const m of flow.modules) modules.add(m);
        for (const t of rec.site.flowTasks ?? []) {
          for (const k of flow.targets(rec.module, t.offset)) {
            flowEntries.push([k, reason(t.label, t.range)]);
            if (t.initializer) initRoots.push(k);
          }
        }
        // a pool or executor returned by a factory: the tasks submitted to it where the factory is called
        const methods = submitMethodNames(rec.site.system);
        // ... or handed to another function as an argument: the tasks submitted to it there
        const subs = methods ? [
          ...(rec.module.units[rec.site.unit]?.kind === 'function' ? flow.returnedSubmissions(rec.module, rec.site.offset, methods) : []),
          ...flow.passedSubmissions(rec.module, rec.site.offset, methods),
        ] : [];
        for (const s of subs) {
          const sub = submissionRecord(g, rec, s.file, s.argOffset, s.method);
          modules.add(s.file);
          for (const k of s.units) entries.push([k, { spawn: sub, via: `${rec.site.label}.${s.method}`, range: sub.site.range, file: sub.module.path }]);
        }
      }
      for (const id of rec.site.initializerUnits ?? []) {
        const u = rec.module.units[id];
        if (!u) continue;
        entries.push([unitKey(rec.module, u), reason('initializer', rec.site.range)]);
        initRoots.push(unitKey(rec.module, u));
      }
      // a cluster worker re-runs the entry script (this program's root module), not the
      // module that calls cluster.fork()
      const jsStart = rec.module.language === 'js' ? startOfSite(rec.site) : undefined;
      const entryRun = !!jsStart?.runsEntryScript && root.unit.kind !== 'function' && root.module.language === 'js';
      const wm = entryRun ? root.module : rec.workerModule;
      if (wm) {
        modules.add(wm.path);
        const self = wm === rec.module || entryRun;
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
          const via = jsStart?.handlersAreTasks ? `${rec.site.label} task` : `${rec.site.label} → message handler`;
          if (u) entries.push([unitKey(wm, u), reason(via, rec.site.range)]);
        }
        if (!self && exportsAreTasks(rec.site.system)) {
          // jest-worker's `exposedMethods`: only the listed exports are tasks
          const listed = rec.site.taskExports;
          // jest-worker's `setup(...setupArgs)` export: each worker's initializer
          const init = jsStart?.initializerExport;
          const initTarget = init !== undefined ? g.linker.resolveExport(wm, init) : undefined;
          if (initTarget && 'symbol' in initTarget) {
            for (const k of unitsOf(initTarget.symbol)) {
              entries.push([k, reason(`${rec.site.label} ${init}()`, rec.site.range)]);
              initRoots.push(k);
            }
          }
          for (const name of wm.exports.keys()) {
            if (listed && !listed.includes(name)) continue;
            const t = g.linker.resolveExport(wm, name);
            if (t && 'symbol' in t) {
              for (const k of unitsOf(t.symbol)) entries.push([k, reason(`${rec.site.label} task`, rec.site.range)]);
            }
          }
          for (const u of wm.units) {
            if (u.exportedAs?.length && (!listed || u.exportedAs.some((n) => listed.includes(n)))) entries.push([unitKey(wm, u), reason(`${rec.site.label} task`, rec.site.range)]);
          }
          // `module.exports = job.run.bind(job)`, `export default makeTask(...)`: what the layer says the exports are
          if (!listed) for (const k of g.jsFlowLink(wm)?.exportedCallables(wm) ?? []) entries.push([k, reason(`${rec.site.label} task`, rec.site.range)]);
        }
      }
      // JS: `this.m()` reaching overrides, handlers in variables and objects, registered callbacks
      const jsFlow = rec.module.language === 'js' ? g.jsFlowLink(wm ?? rec.module) : null;
      if (jsFlow) for (const m of jsFlow.modules) modules.add(m);
      for (const [k, why] of entries) {
        const reached = jsFlow ? jsFlowReach(k, g.edges, jsFlow) : flowReach ? reachBoth(g, k) : g.reach([k]);
        for (const r of reached) if (!worker.has(r)) worker.set(r, why);
      }
      for (const [k, why] of flowEntries.splice(0)) {
        for (const r of reachWithFlow(g, k)) if (!worker.has(r)) worker.set(r, why);
      }
    }
  } finally {
    g.linker.reads = undefined;
  }
  const init = g.reach(initRoots, new Set(), true);
  // JS: 'exit' handlers on workers the parent got from a factory in another file
  let afterExit: Set<UnitKey> | undefined;
  for (const path of rootFlow?.modules ?? []) {
    const m = g.linker.moduleOf(path);
    if (!m?.flowExitHandlers) continue;
    for (const k of rootFlow!.afterExitUnits(m)) if (parent.has(k)) (afterExit ??= new Set()).add(k);
  }
  const program: Program = afterExit ? { root, parent, spawns, worker, init, afterExit } : { root, parent, spawns, worker, init };
  if (flowEdges) program.flowEdges = flowEdges;
  return { program, key, modules: [...modules], syms: [...syms], interfaces: [...reads] };
}

/**
 * The parent side grown by the calls only the value-flow layer resolves (from the parent's
 * units, transitively, each callee with what the front end's calls reach from it), and
 * those calls as edges at their call's position (see {@link Program.flowEdges}); the
 * same set and no edges when there are none.
 */
function dispatchedReach(g: ProgramSource, flow: FlowLink, parent0: Set<UnitKey>): { parent: Set<UnitKey>; flowEdges?: Map<UnitKey, Edges> } {
  let parent = parent0;
  let flowEdges: Map<UnitKey, Edges> | undefined;
  const stack = [...parent0];
  while (stack.length) {
    const k = stack.pop()!;
    for (const { to, at } of flow.callSites(k)) {
      if (parent.has(to)) continue;
      if (parent === parent0) parent = new Set(parent0);
      flowEdges ??= new Map();
      let e = flowEdges.get(k);
      if (!e) flowEdges.set(k, (e = { to: [], at: [], nested: [], atExit: [] }));
      e.to.push(to);
      e.at.push(at);
      e.nested.push(false);
      e.atExit.push(false);
      for (const r of g.reach([to])) {
        if (parent.has(r)) continue;
        parent.add(r);
        stack.push(r);
      }
    }
  }
  return flowEdges ? { parent, flowEdges } : { parent };
}

/**
 * The starts only the layer finds in one flow program, with the unit each is made in (see
 * {@link flowStarts}), and the modules computing them read: the flow program's own (their
 * units and spawn records) and those whose bindings resolving process classes read. A
 * patched graph keeps it while it keeps the flow program and none of those modules changed
 * (./contexts.ts).
 */
export interface FlowStartsMemo {
  flow: FlowLink;
  starts: Array<{ key: UnitKey; rec: SpawnRecord }>;
  reads: ReadonlySet<string>;
}

/**
 * The starts only the value-flow layer finds — `Process` subclasses instantiated through
 * values, tasks handed to a context's pool or process — that the parent side reaches
 * (directly, or through the layer's calls: `pool.map()` on an instance reaching
 * `self._start_worker()`; what the parent writes stays the front end's).
 */
function flowStarts(g: ProgramSource, parent: ReadonlySet<UnitKey>): SpawnRecord[] {
  const all = allFlowStarts(g);
  if (!all.length) return [];
  let reached: Set<UnitKey> | undefined;
  return all.filter((x) => parent.has(x.key) || (reached ??= reachRoots(g, parent)).has(x.key)).map((x) => x.rec);
}

/**
 * Every start only the value-flow layer finds, with the unit it is made in, whatever
 * reaches it (memoised with the flow program; a caller recording what it reads gets the
 * same reads, cached or not). The graph gives those no root program reaches a library
 * program of their own, as it does the front end's starts in functions (./contexts.ts).
 */
export function allFlowStarts(g: ProgramSource): ReadonlyArray<{ key: UnitKey; rec: SpawnRecord }> {
  const flow = g.flowLink();
  if (!flow || flow.truncated) return [];
  let hit = g.flowStarts.memo;
  const outer = g.linker.reads;
  if (hit?.flow !== flow) {
    const reads = new Set<string>(flow.modules);
    g.linker.reads = reads;
    try {
      hit = { flow, starts: [...flowClassStarts(g, flow), ...flowContextStarts(g, flow)], reads };
    } finally {
      g.linker.reads = outer;
    }
    g.flowStarts.memo = hit;
  }
  if (outer) for (const f of hit.reads) outer.add(f);
  return hit.starts;
}

/**
 * `Process` subclasses instantiated through values the front end cannot name (a class a
 * factory returned, kept in `self.Worker`: mpire's pool): a spawn site per such call, its
 * task the `run()` of every process class the call may make; the start method only when
 * they all pin the same one. Calls the front end already made a site of are left to it.
 */
function flowClassStarts(g: ProgramSource, flow: FlowLink): Array<{ key: UnitKey; rec: SpawnRecord }> {
  const out: Array<{ key: UnitKey; rec: SpawnRecord }> = [];
  const calls = flow.classCalls();
  const known = new Set<string>();
  if (calls.length) for (const r of g.spawnRecords) known.add(`${r.module.path}\0${r.site.offset}`);
  for (const cc of calls) {
    const m = g.linker.moduleOf(cc.file);
    if (!m || known.has(`${m.path}\0${cc.offset}`)) continue;
    const u = m.units.find((x) => x.calls.some((c) => c.offset === cc.offset));
    const c = u?.calls.find((x) => x.offset === cc.offset);
    if (!u || !c) continue;
    let site: SpawnSite | undefined;
    const methods = new Set<string | undefined>();
    for (const sym of cc.classes) {
      const s = processClassSite(g.linker, m, u, c, sym);
      if (!s?.isProcess) continue;
      methods.add(s.startMethod);
      if (!site) site = s;
      else site.tasks[0].symbols = [...new Set([...(site.tasks[0].symbols ?? []), ...(s.tasks[0].symbols ?? [])])];
    }
    if (!site) continue;
    if (methods.size > 1) delete site.startMethod;
    // the whole call: what its arguments read or call happens before the child exists
    if (cc.end !== undefined) site.range = { start: c.range.start, end: fromOrder(cc.end) };
    if (cc.classes.length > 1) {
      // several classes: name the call (`self.Worker`), not one of them
      site.label = c.callee.member ?? c.callee.name;
      site.tasks[0].label = `${site.label}.run`;
    }
    out.push({ key: unitKey(m, u), rec: g.spawnRecord(m, site) });
  }
  return out;
}

/**
 * Tasks handed to pools and processes of a multiprocessing context only the value-flow
 * layer names (`ctx = make_ctx(); ctx.Pool(2).map(f, xs)`, the helper returning
 * `get_context("spawn")`): a spawn record per hand-over, placed there with the context's
 * start method (a blocking `map` is also where those workers are done). Hand-overs the
 * front end already made a site of are left to it.
 */
function flowContextStarts(g: ProgramSource, flow: FlowLink): Array<{ key: UnitKey; rec: SpawnRecord }> {
  const out: Array<{ key: UnitKey; rec: SpawnRecord }> = [];
  for (const cs of flow.contextStarts()) {
    const m = g.linker.moduleOf(cs.file);
    if (!m) continue;
    const known = g.spawnRecords.some((r) => r.module === m && (r.site.offset === cs.offset || r.site.flowTasks?.some((t) => t.offset === cs.argOffset)
      || r.site.tasks.some((t) => posOrder(t.range.start) <= cs.pos && posOrder(t.range.end) >= cs.end)));
    if (known) continue;
    const range = { start: fromOrder(cs.pos), end: fromOrder(cs.end) };
    // the innermost unit holding the call
    let u: Unit | undefined;
    for (const x of m.units) {
      if (posOrder(x.range.start) <= cs.pos && posOrder(x.range.end) >= cs.end && (!u || posOrder(x.range.start) >= posOrder(u.range.start))) u = x;
    }
    if (!u) continue;
    const pool = cs.system === 'mp.Pool';
    const label = cs.initializer ? 'initializer' : pool ? `Pool.${cs.method}` : 'Process(target=)';
    const site: SpawnSite = {
      system: cs.system,
      unit: u.id,
      range,
      offset: cs.offset,
      label: pool ? 'Pool' : 'Process',
      isProcess: true,
      tasks: [],
      initializers: [],
      flowTasks: [{ offset: cs.argOffset, range, label, initializer: !!cs.initializer }],
      startMethod: cs.startMethod,
    };
    if (cs.initializer?.initargs) site.passesState = true;
    if (pool && submitMethod(cs.system, cs.method ?? '')?.blocking) site.endRange = range;
    out.push({ key: unitKey(m, u), rec: g.spawnRecord(m, site) });
  }
  return out;
}

function fromOrder(n: number): { line: number; character: number } {
  return { line: Math.floor(n / 1_000_000), character: n % 1_000_000 };
}

/**
 * The spawn record for a task submitted to a pool or executor a factory returned: the
 * factory's site, placed at the submission (where the caller hands the task over, in the
 * caller's unit), so that the order of events is the caller's. A blocking `Pool.map` /
 * `starmap` / `apply` is also where those workers are done with it; other submissions
 * leave the end unknown. Falls back to the factory's record when the submission is not found.
 */
function submissionRecord(g: ProgramSource, rec: SpawnRecord, file: string, argOffset: number, method: string): SpawnRecord {
  const m = g.linker.moduleOf(file);
  for (const u of m?.units ?? []) {
    const c = u.calls.find((x) => x.offset === argOffset);
    if (!c) continue;
    const site: SpawnSite = { ...rec.site, unit: u.id, range: c.range, offset: c.offset, tasks: [], initializers: [], flowTasks: undefined, initializerUnits: undefined, startRange: undefined };
    site.endRange = submitMethod(rec.site.system, method)?.blocking ? c.range : undefined;
    return { ...rec, module: m!, site };
  }
  return rec;
}

/**
 * What a task the front end resolved reaches: its calls and the value-flow layer's (a dict
 * of handlers, a function returned by a helper, a method called on an instance). Both:
 * the front end knows what the layer does not model (a decorated task is the front end's
 * def, the layer's wrapper), so this is never less than the front end's reach.
 */
function reachBoth(g: ProgramSource, root: UnitKey): Set<UnitKey> {
  const flow = g.flowLink();
  const into = new Set<UnitKey>();
  const stack = [root];
  while (stack.length) {
    const k = stack.pop()!;
    if (into.has(k)) continue;
    into.add(k);
    for (const c of g.callees(k)) if (!into.has(c)) stack.push(c);
    for (const c of flow?.callees(k) ?? []) if (!into.has(c)) stack.push(c);
  }
  return into;
}

/** what `roots` reach through the front end's calls and the value-flow layer's */
function reachRoots(g: ProgramSource, roots: Iterable<UnitKey>): Set<UnitKey> {
  const flow = g.flowLink();
  const into = new Set<UnitKey>();
  const stack = [...roots];
  while (stack.length) {
    const k = stack.pop()!;
    if (into.has(k)) continue;
    into.add(k);
    for (const c of g.callees(k)) if (!into.has(c)) stack.push(c);
    for (const c of flow?.callees(k) ?? []) if (!into.has(c)) stack.push(c);
  }
  return into;
}

/** what a unit the value-flow layer found reaches: through the front end's calls and the layer's */
function reachWithFlow(g: ProgramSource, root: UnitKey): Set<UnitKey> {
  const into = new Set<UnitKey>();
  const stack = [root];
  while (stack.length) {
    const k = stack.pop()!;
    if (into.has(k)) continue;
    into.add(k);
    // inside the flow program the layer's calls replace the front end's (which take
    // `self.m()` as every class's `m`); calls leaving it are the front end's
    // `self.m()` as every class's `m`); calls leaving it are the front end's, and so are
    // closures and registered handlers (`atexit.register(f)`), which the layer does not call
    const flow = g.flowLink();
    const inFlow = flow?.covers(k) ?? false;
    const e = g.edgesOf(k);
    for (let i = 0; i < (e?.to.length ?? 0); i++) {
      const c = e!.to[i];
      if (!into.has(c) && !(inFlow && !e!.nested[i] && flow!.covers(c))) stack.push(c);
    }
    for (const c of flow?.callees(k) ?? []) if (!into.has(c)) stack.push(c);
  }
  return into;
}

