/**
 * thread-primitive-in-process: a module-level threading primitive or queue.Queue used by
 * code that runs in other processes: every process has its own, so it coordinates nothing.
 */
import type { Rule } from '../server/src/engine/rule';
import { CauseGroups, describeWorker, isSetUp, moreText, related, symbolName, where } from '../server/src/engine/rule';
import type { Binding } from '../server/src/engine/model';
import type { AccessRecord, ProjectGraph, UnitKey } from '../server/src/engine/contexts';

/** the units Python threads run: thread targets, `Thread` subclasses' `run()`, thread-pool tasks, and what they call */
function threadSide(g: ProjectGraph): Set<UnitKey> {
  const roots: UnitKey[] = [];
  for (const rec of g.spawnRecords) {
    if (rec.site.isProcess !== false || rec.module.language !== 'python') continue;
    for (const t of rec.site.tasks) roots.push(...g.unitsOfTask(rec.module, t));
  }
  return g.reach(roots);
}

const LOCKS = /\b(?:Lock|RLock|Semaphore|BoundedSemaphore|Condition)$/;

/**
 * Every use is in a unit of the lock's own module that also writes another of that module's
 * globals, or state of a module it imports (`os.environ[k] = v`, `os.environ.pop(k)`,
 * `sys.path.append(p)`): state each process has its own of.
 */
function guardsProcessState(sym: string, b: Binding, uses: AccessRecord[]): boolean {
  if (!LOCKS.test(b.detail ?? '') || uses.length === 0) return false;
  const file = sym.slice(0, sym.lastIndexOf('#'));
  const name = symbolName(sym);
  return uses.every((r) => r.module.path === file && r.unit.accesses.some((a) => {
    if (a.kind === 'read' || a.ref.name === name || a.ref.from !== undefined) return false;
    if (a.ref.member === undefined) return r.module.bindings.has(a.ref.name);
    return r.module.bindings.get(a.ref.name)?.kind === 'import';
  }));
}

export const threadPrimitiveInProcess: Rule = {
  id: 'thread-primitive-in-process',
  defaultSeverity: 'warning',
  description: 'A threading lock/event/queue.Queue is used by process-side code: each process has its own copy, so it excludes nothing and carries nothing.',
  languages: ['python'],
  check(ctx) {
    const groups = new CauseGroups<{ sym: string; b: Binding }>();
    let threads: Set<UnitKey> | undefined;
    for (const { prog, sym, recs, binding: b } of ctx.graph.workerSymbols()) {
      if (!b || b.kind !== 'thread-primitive') continue;
      // threads also take it (a `threading.Thread` target or subclass `run()`, a thread pool's
      // task): it is meant to exclude the threads of one process, and each process having
      // its own is by design (luigi's `fork_lock` keeps a process's threads from forking mid-call)
      threads ??= threadSide(ctx.graph);
      if (recs.some((r) => threads!.has(r.key))) continue;
      // an initializer or a task head rebinding it (to a primitive passed from the parent) fixes the worker's copy
      if (recs.some((r) => r.access.kind === 'assign' && isSetUp(ctx.graph, prog, r))) continue;
      // a lock that guards its own module's state (every worker-side use is in code writing
      // that module's globals: loky's `_executor_lock` around `_executor`), or the process's
      // (sqlfluff's `_env_lock` around `os.environ.pop(...)`): that state is per process too,
      // and so is the lock, by design
      if (guardsProcessState(sym, b, recs.filter((r) => prog.worker.has(r.key)))) continue;
      for (const r of recs) {
        const why = prog.worker.get(r.key);
        if (!why || why.spawn.site.isProcess === false) continue;
        groups.add(sym, r, why, () => ({ sym, b }));
      }
    }
    for (const { first: r, others, why, data } of groups.entries()) {
      const { sym, b } = data;
      const name = symbolName(sym);
      const declFile = sym.slice(0, sym.lastIndexOf('#'));
      const what = b.detail ?? 'threading primitive';
      const isQueue = /queue/i.test(what);
      const file = r.module.path;
      const effect = isQueue
        ? `items put into it stay in that process and the parent's queue stays empty`
        : `it excludes or signals nothing across processes`;
      ctx.report({
        file,
        range: r.access.range,
        symbol: name,
        message: `'${name}' is a ${what} created at import time (${where(file, declFile, b.range)}) and used here in ${describeWorker(why.spawn)} (${why.via}, ${where(file, why.file, why.range)}): each process has its own copy, so ${effect}. Use a multiprocessing (or Manager) ${isQueue ? 'Queue' : 'primitive'} created in the parent and passed with initializer/initargs or Process args.${moreText(others, 'use', name)}`,
        related: [
          related(declFile, b.range, `'${name}' is created here, once per process`),
          related(why.file, why.range, `the worker is started here (${why.via})`),
          ...others.map((o) => related(o.module.path, o.access.range, `'${name}' is also used here, in the same workers`)),
        ],
      });
    }
  },
};
