/**
 * lost-global-write: worker-side code writes module-level state that the parent reads
 * after the workers start (or that nothing in the workers reads): the write lands in the
 * worker's own copy.
 */
import type { Rule } from '../server/src/engine/rule';
import { accessVerb, CauseGroups, describeWorker, initialValue, isKnownWrite, isSetUp, isWrite, moreText, readsValue, related, symbolName, where } from '../server/src/engine/rule';
import type { AccessRecord } from '../server/src/engine/contexts';
import type { ModuleModel } from '../server/src/engine/model';
import { peerInstances } from '../server/src/frameworks/js';

/** Bindings whose writes do reach the parent, or that other rules cover. */
const SHARED_KINDS = new Set(['function', 'class', 'import', 'manager-proxy', 'process-primitive', 'thread-primitive', 'pool']);

export const lostGlobalWrite: Rule = {
  id: 'lost-global-write',
  defaultSeverity: 'error',
  description: 'Worker-side code writes module-level state the parent reads (or nothing reads); the parent keeps its initial value.',
  languages: ['python', 'js'],
  check(ctx) {
    const groups = new CauseGroups<{ readsAfter: AccessRecord[]; peerReads?: AccessRecord[]; sym: string; parentSets?: boolean }>();
    for (const { prog, sym, recs, binding: b } of ctx.graph.workerSymbols()) {
      if (b && SHARED_KINDS.has(b.kind)) continue;
      let writes = recs.filter((r) => prog.worker.has(r.key) && isKnownWrite(ctx.graph, sym, r));
      if (writes.length === 0) continue;
      // a Manager proxy (also one a helper returned): writes through it reach the manager, only rebinding is local
      if (writes.some((w) => w.access.kind !== 'assign') && writes[0].module.language === 'python' && ctx.graph.holdsProxy(sym)) {
        writes = writes.filter((w) => w.access.kind === 'assign');
        if (writes.length === 0) continue;
      }
      // the initializer hands the worker its object (a proxy, a queue): writes through it reach the parent
      const initAssigns = recs.some((r) => r.access.kind === 'assign' && isSetUp(ctx.graph, prog, r));
      // the parent sets the binding itself: its own value is authoritative, worker set-up only mirrors it
      const parentWrites = recs.some((r) => isWrite(r.access.kind) && prog.parent.has(r.key) && !prog.worker.has(r.key));
      // the parent re-binds or changes it at run time: what it reads back is its own value, not the initial one
      const parentSets = recs.some(
        (r) => isWrite(r.access.kind) && prog.parent.has(r.key) && !prog.worker.has(r.key) && !(r.module.language === 'python' && ctx.graph.importTime.has(r.key)),
      );
      const parentReads = recs.filter((r) => r.access.kind === 'read' && prog.parent.has(r.key) && !prog.worker.has(r.key));
      const workerReads = recs.some((r) => readsValue(r) && prog.worker.has(r.key));
      // read in code no program is known to run (a function no analysed code calls: a
      // plugin's, an API's): it may run in the workers, so "nothing reads it" is not known
      // (asked only when it decides: a walk over every program per read, on every edit)
      let otherReadsMemo: boolean | undefined;
      const otherReads = (): boolean => (otherReadsMemo ??= recs.some(
        (r) => readsValue(r) && !prog.worker.has(r.key) && !prog.parent.has(r.key) && !ctx.graph.importTime.has(r.key)
          && !ctx.graph.programs.some((p) => p.parent.has(r.key) || p.worker.has(r.key)),
      ));
      // the workers use it beyond assigning it (what a task stores from its parameter is then used)
      const workerUses = recs.some((r) => r.access.kind !== 'assign' && prog.worker.has(r.key));
      const writers = new Set(writes.map((w) => w.key));
      for (const w of writes) {
        const why = prog.worker.get(w.key)!;
        // peer instances of one service (pm2 cluster mode): what one instance stores while serving,
        // another code path reads, and that request may be served by an instance that never saw it
        // (a get-or-set cache reads and writes in one function: each instance refills its own).
        // Start-up code (the top level and the functions it calls by name, not what it registers) is each instance's own set-up.
        const serving = (r: AccessRecord): boolean => r.unit.kind === 'function' && !startupUnits(r.module).has(r.unit.id);
        // only values held in this process's memory (a Map, an array, a counter): a client object
        // (`createClient()`, `new Pool()`) writes to where it is connected
        const inMemory = !!b && (b.kind === 'mutable' || b.kind === 'constant' || b.kind === 'empty');
        if (peerInstances(why.spawn.site.system) && inMemory && serving(w)) {
          const peerReads = recs.filter((r) => readsValue(r) && prog.worker.has(r.key) && serving(r) && !writers.has(r.key));
          if (peerReads.length) {
            groups.add(sym, w, why, () => ({ readsAfter: [], peerReads, sym }));
            continue;
          }
        }
        // reads made before the workers start (e.g. building workerData/initargs) cannot see their writes
        const readsAfter = parentReads.filter((r) => !ctx.graph.isBeforeSpawn(prog, why.spawn, r));
        // a task, or a setter it calls, storing what it was handed (`global X; X = param`,
        // mpire's `TqdmManager.set_connection_details(details)`) for code of its own process,
        // which nobody here reads back: the parent had the value already
        if (w.access.fromParam && readsAfter.length === 0) continue;
        // code the parent runs too (`Config.parse(path)` in both): the worker repeats the parent's set-up, it reports nothing
        if (w.access.kind === 'assign' && prog.parent.has(w.key)) continue;
        if (prog.init.has(w.key) || (workerUses && isSetUp(ctx.graph, prog, w))) {
          // worker set-up (initializer, worker top level / branch, a task storing what it was
          // handed) is the right place for worker state, unless the parent expects to read what it produced
          if (readsAfter.length === 0 || parentWrites) continue;
        } else if (initAssigns && (w.access.kind === 'mutate-call' || w.access.kind === 'item-assign')) {
          continue;
        } else if (readsAfter.length === 0 && (workerReads || otherReads())) {
          continue;
        }
        groups.add(sym, w, why, () => ({ readsAfter, sym, parentSets }));
      }
    }
    for (const { first: w, others, why, data } of groups.entries()) {
      const { readsAfter, peerReads, sym, parentSets } = data;
      const name = symbolName(sym);
      const init = initialValue(ctx, sym);
      const file = w.module.path;
      const who = `${describeWorker(why.spawn)} (${why.via}, ${where(file, why.file, why.range)})`;
      const verb = accessVerb(w.access);
      const initial = init ? ` (${init})` : '';
      let message: string;
      if (peerReads?.length) {
        const pr = peerReads[0];
        message = `This ${verb} '${name}' in ${who}, which has its own copy of it; '${pr.unit.name}' reads '${name}' at ${where(file, pr.module.path, pr.access.range)}, and the instance that serves it may not be the one that made this change: keep state the instances share in a store (Redis, a database).`;
      } else if (readsAfter.length) {
        const pr = readsAfter[0];
        message = `This ${verb} '${name}' in ${who}, which has its own copy of it; the parent reads its own '${name}' at ${where(file, pr.module.path, pr.access.range)} and sees ${parentSets ? 'only the value it set itself' : `the initial value${initial}`}: the change is lost.`;
      } else {
        message = `This ${verb} '${name}' in ${who}, which has its own copy of it; nothing in the workers reads it and the parent never sees it: the change is lost when the worker exits.`;
      }
      message += moreText(others, 'change', name);
      const rel = readsAfter.slice(0, 3).map((r) => related(r.module.path, r.access.range, `the parent reads its own '${name}' here`));
      for (const r of (peerReads ?? []).slice(0, 3)) rel.push(related(r.module.path, r.access.range, `read here, maybe in another instance`));
      rel.push(related(why.file, why.range, `the worker is started here (${why.via})`));
      for (const o of others) rel.push(related(o.module.path, o.access.range, `the same workers also ${accessVerb(o.access)} '${name}' here: lost too`));
      ctx.report({ file, range: w.access.range, symbol: name, message, related: rel });
    }
  },
};

const startupCache = new WeakMap<ModuleModel, Set<number>>();
/**
 * The units of a module that run when it starts: its top level (and worker branches) and the
 * functions of the module they call by name, transitively. A function handed over as a
 * callback (`app.get('/me', me)`) is registered, not called: it is not start-up code.
 */
function startupUnits(m: ModuleModel): Set<number> {
  let hit = startupCache.get(m);
  if (hit) return hit;
  const byName = new Map<string, number[]>();
  for (const u of m.units) if (u.kind === 'function') byName.set(u.name, [...(byName.get(u.name) ?? []), u.id]);
  hit = new Set(m.units.filter((u) => u.kind !== 'function').map((u) => u.id));
  const stack = [...hit];
  while (stack.length) {
    const u = m.units[stack.pop()!];
    for (const c of u?.calls ?? []) {
      if (c.callee.member || c.handedOver) continue;
      for (const id of byName.get(c.callee.name) ?? []) if (!hit.has(id)) (hit.add(id), stack.push(id));
    }
  }
  startupCache.set(m, hit);
  return hit;
}
