/**
 * stale-global-read: worker-side code reads a module-level binding that the parent sets
 * at run time; the worker has its own copy and sees the import-time value.
 */
import type { Rule, RuleContext } from '../server/src/engine/rule';
import {
  describeWorker,
  initialValue,
  isKnownWrite,
  isWrite,
  readsValue,
  CauseGroups,
  moreText,
  related,
  startMethodWords,
  symbolName,
  where,
} from '../server/src/engine/rule';
import { type AccessRecord, type Program, type WorkerReason } from '../server/src/engine/contexts';
import type { StartMethod } from '../server/src/engine/model';
import { splitSymbolKey } from '../server/src/engine/link';
import { isNotebookPath } from '../server/src/notebook/cells';
import { frameworkOfSystem, separateWorkerMethod } from '../server/src/frameworks/python';

/**
 * The start method a read is judged under: a notebook's globals exist only in forked
 * workers (spawn and forkserver workers cannot import the notebook at all: unimportable-task
 * reports that), so a notebook binding is judged as under fork. Frameworks whose workers are
 * processes they start themselves (Celery, Ray, Spark, dask) take the script's globals a
 * task reads by value when it is shipped (like a fork then), other modules never (like spawn).
 */
function methodFor(sym: string, why: WorkerReason, prog: Program): StartMethod | undefined {
  const file = splitSymbolKey(sym).file;
  if (isNotebookPath(file)) return 'fork';
  return separateWorkerMethod(why.spawn.site.system, file, prog.root.module.path) ?? why.spawn.startMethod;
}

/** Not state a read can be stale on: code, modules, and primitives that other rules cover. */
const NOT_STATE = new Set(['function', 'class', 'import', 'thread-primitive', 'pool']);

export const staleGlobalRead: Rule = {
  id: 'stale-global-read',
  defaultSeverity: 'warning',
  description: 'Worker-side code reads a module-level binding that the parent sets at run time; the worker sees its own, import-time copy.',
  languages: ['python', 'js'],
  check(ctx) {
    const groups = new CauseGroups<{ parentWrites: AccessRecord[]; verdict: Verdict; sym: string; method: StartMethod | undefined }>();
    for (const { prog, sym, recs, binding: b } of ctx.graph.workerSymbols()) {
      if (b && NOT_STATE.has(b.kind)) continue;
      // Python import-time code runs again in every spawned worker (and before a fork): not a run-time write;
      // a write in a worker's 'exit' handler (JS) comes after that worker ran
      const parentWrites = recs.filter(
        (r) =>
          isKnownWrite(ctx.graph, sym, r) &&
          prog.parent.has(r.key) &&
          !prog.worker.has(r.key) &&
          !r.unit.afterWorkerExit &&
          !prog.afterExit?.has(r.key) &&
          !(r.module.language === 'python' && ctx.graph.importTime.has(r.key)),
      );
      if (parentWrites.length === 0) continue;
      // the worker sets it itself: an initializer / worker-module top level, or its own assignment
      // (an assignment that comes after the read in the same function does not help that read)
      const initSets = recs.some((r) => prog.init.has(r.key) && isWrite(r.access.kind));
      if (initSets) continue;
      const workerAssigns = recs.filter((r) => prog.worker.has(r.key) && r.access.kind === 'assign');
      // `STORE[k] = v` / `STORE.append(v)` reads the name first: when the parent re-binds it to a
      // Manager proxy at run time, the worker's copy is the import-time object (lost-global-write
      // leaves writes through a proxy alone), e.g. `None`, and the store fails or goes nowhere
      const rebinds = parentWrites.filter((w) => w.access.kind === 'assign');
      const storesRead = rebinds.length > 0 && recs[0].module.language === 'python' && ctx.graph.holdsProxy(sym);
      for (const r of recs) {
        const storeRead = storesRead && (r.access.kind === 'item-assign' || r.access.kind === 'mutate-call');
        if (!(readsValue(r) || storeRead) || r.access.lazyInit) continue;
        const why = prog.worker.get(r.key);
        if (!why) continue;
        if (sentWithTask(prog, why, r, sym)) continue;
        if (workerAssigns.some((w) => w.key !== r.key || evaluatedBefore(w, r))) continue;
        const method = methodFor(sym, why, prog);
        const verdict = judge(ctx, prog, why, storeRead && !readsValue(r) ? rebinds : parentWrites, method);
        if (!verdict) continue;
        groups.add(sym, r, why, () => ({ parentWrites: verdict.writes, verdict, sym, method }));
      }
    }
    for (const g of groups.entries()) report(ctx, g.first, g.others, g.why, g.data.parentWrites, g.data.sym, g.data.verdict, g.data.method);
  },
};

/**
 * A function cloudpickle sends by value (joblib, loky) travels with the current values of
 * the module globals it names: the worker reads the parent's value at submission, not an
 * import-time copy. By value are the functions it cannot send by reference: those of the
 * entry script (`__main__`), and a lambda or nested def given as the task (with the defs
 * nested in it). Functions they reach in other modules are sent by reference: stale there.
 */
function sentWithTask(prog: Program, why: WorkerReason, r: AccessRecord, sym: string): boolean {
  const site = why.spawn.site;
  if (!site.capturesGlobals || r.module.language !== 'python' || splitSymbolKey(sym).file !== r.module.path) return false;
  if (prog.root.unit.kind !== 'function' && r.module === prog.root.module) return true;
  if (r.module !== why.spawn.module) return false;
  const taskUnits = new Set(site.tasks.map((t) => t.unit).filter((u): u is number => u !== undefined));
  for (let u: number | undefined = r.unit.id; u !== undefined; u = r.module.units[u]?.parent) {
    if (taskUnits.has(u)) return true;
    if (!r.module.units[u]?.isNested) break;
  }
  return false;
}

/** Whether access `a` runs before access `b` of the same unit (the front end lists a unit's accesses in evaluation order). */
function evaluatedBefore(a: AccessRecord, b: AccessRecord): boolean {
  const list = a.unit.accesses;
  const at = (r: AccessRecord): number => {
    const i = list.indexOf(r.access);
    // a class attribute's access is derived from the listed one (same offset)
    return i >= 0 ? i : list.findIndex((x) => x.offset === r.access.offset);
  };
  return at(a) < at(b);
}

interface Verdict {
  /** every parent write happens before the workers start */
  allBefore: boolean;
  /** the first write after the start, when there is one */
  late?: AccessRecord;
  /** the parent's writes that can matter: those before the workers have finished */
  writes: AccessRecord[];
}

/** Decides whether the read is stale under the start method in force; undefined = not a finding. */
function judge(ctx: RuleContext, prog: Program, why: WorkerReason, all: AccessRecord[], method: StartMethod | undefined): Verdict | undefined {
  const rec = why.spawn;
  if (rec.module.language !== 'python') return { allBefore: true, writes: all };
  // a write after the workers have finished (after join(), the pool's with block...) is not one they could see
  const writes = all.filter((w) => !ctx.graph.isAfterEnd(prog, rec, w));
  if (writes.length === 0) return undefined;
  const late = writes.find((w) => !ctx.graph.isBeforeSpawn(prog, rec, w));
  if (method === 'fork' && !late) return undefined;
  return { allBefore: !late, late, writes };
}

function report(
  ctx: RuleContext,
  r: AccessRecord,
  others: AccessRecord[],
  why: WorkerReason,
  writes: AccessRecord[],
  sym: string,
  v: Verdict,
  method: StartMethod | undefined,
): void {
  const name = symbolName(sym);
  const file = r.module.path;
  const first = writes[0];
  const init = initialValue(ctx, sym);
  const value = init ? `the import-time value ${init}` : 'its import-time value';
  const rec = why.spawn;
  const unitName = r.unit.kind === 'function' ? `'${r.unit.name}'` : 'this code';
  const started = `${why.via}, ${where(file, why.file, why.range)}`;
  const setAt = where(file, first.module.path, first.access.range);
  let message: string;
  if (rec.module.language === 'python') {
    const mod = baseName(r.module.path);
    if (frameworkOfSystem(rec.site.system)?.separateWorkers) {
      const symMod = baseName(splitSymbolKey(sym).file);
      message =
        method === 'fork'
          ? `'${name}' is changed by the parent at ${where(file, v.late!.module.path, v.late!.access.range)}, after ${unitName} was shipped to ${describeWorker(rec)} (${started}) with a copy of the script's globals it reads: the workers keep the value it had then.`
          : `'${name}' is set by the parent at run time (${setAt}), but ${unitName} runs in ${describeWorker(rec)} (${started}), which import ${symMod} themselves and read ${value}: the parent's change never reaches them.`;
    } else if (method === 'fork') {
      // 'late' = not provably before the start (the order of two separately called functions is unknown)
      message = `'${name}' is set by the parent at ${where(file, v.late!.module.path, v.late!.access.range)}, which can run after the workers started; ${unitName} runs in ${describeWorker(rec)} (${started}), which were forked earlier and keep the value they had at the fork.`;
    } else if (rec.startMethod) {
      message = `'${name}' is set by the parent at run time (${setAt}), but ${unitName} runs in ${describeWorker(rec)} (${started}): ${startMethodWords(rec.startMethod, undefined, rec.site.startMethodBy)}, each worker re-imports ${mod} and reads ${value}.`;
    } else if (v.allBefore) {
      // short: editors show it above the hover, whose start-method table says what fork sees
      message = `'${name}' is set by the parent at run time (${setAt}), but ${unitName} runs in ${describeWorker(rec)} (${started}), which re-import ${mod} ${startMethodWords(undefined, ctx.pythonVersion)} and read ${value}.`;
    } else {
      const lateAt = where(file, v.late!.module.path, v.late!.access.range);
      const setFirst = first === v.late ? '' : ` (${setAt}, and ${lateAt}, which can run after the workers start)`;
      message = `'${name}' is set by the parent at run time${setFirst || ` (${lateAt}, which can run after the workers start)`}; ${unitName} runs in ${describeWorker(rec)} (${started}) and reads ${value} under spawn and forkserver, and under fork only what was set before the start.`;
    }
  } else {
    const owner = baseName(sym.slice(0, sym.lastIndexOf('#')));
    message = `'${name}' is changed by the parent at run time (${setAt}), but ${unitName} runs in ${describeWorker(rec)} (${started}), which loads its own copy of ${owner} and reads ${value}.`;
  }
  message += moreText(others, 'read', name);
  const rel = writes.slice(0, 3).map((w) => related(w.module.path, w.access.range, `the parent ${verbFor(w)} '${name}' here`));
  rel.push(related(why.file, why.range, `the worker is started here (${why.via})`));
  for (const o of others) rel.push(related(o.module.path, o.access.range, `'${name}' is also read here, in the same workers`));
  ctx.report({
    file,
    range: r.access.range,
    symbol: name,
    message,
    related: rel,
  });
}

function verbFor(w: AccessRecord): string {
  switch (w.access.kind) {
    case 'assign':
      return 'assigns';
    case 'update':
      return 'updates';
    default:
      return 'mutates';
  }
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
