/**
 * unimportable-task: a function defined in an interactive `__main__` (a Jupyter notebook)
 * is sent to worker processes that cannot import that `__main__`.
 *
 * Pickle sends a function by reference (`__main__.square`). A spawn or forkserver worker
 * starts a fresh interpreter and imports the parent's main module to find it — but a
 * notebook's `__main__` is the kernel's namespace, not a file: the worker's `__main__` has
 * no `square`, and unpickling fails with `AttributeError: Can't get attribute 'square' on
 * <module '__main__'>` (a ProcessPoolExecutor then raises BrokenProcessPool, a Pool waits
 * for ever). Under fork the worker is a copy of the kernel and finds it.
 */
import type { Rule } from '../server/src/engine/rule';
import { related, startMethodWords, where } from '../server/src/engine/rule';
import type { SpawnRecord, UnitKey } from '../server/src/engine/contexts';
import type { ModuleModel, Range, Unit } from '../server/src/engine/model';
import { isNotebookPath } from '../server/src/notebook/cells';

/** The process systems whose tasks are pickled by reference. */
const PICKLING_SYSTEMS = new Set(['mp.Pool', 'mp.Process', 'ProcessPoolExecutor']);

interface Use {
  rec: SpawnRecord;
  label: string;
  range: Range;
  initializer: boolean;
}

export const unimportableTask: Rule = {
  id: 'unimportable-task',
  defaultSeverity: 'error',
  description: "A function defined in a notebook (an interactive __main__) is sent to spawn/forkserver worker processes, which cannot import it.",
  languages: ['python'],
  check(ctx) {
    const graph = ctx.graph;
    const byUnit = new Map<UnitKey, { module: ModuleModel; unit: Unit; uses: Use[] }>();
    const add = (key: UnitKey, use: Use) => {
      const i = key.lastIndexOf('::');
      const module = graph.modules.get(key.slice(0, i));
      const unit = module?.units[Number(key.slice(i + 2))];
      // lambdas and nested functions cannot be pickled at all: unsendable-payload says so
      if (!module || !unit || !isNotebookPath(module.path) || unit.kind !== 'function' || unit.isNested) return;
      const entry = byUnit.get(key) ?? { module, unit, uses: [] };
      entry.uses.push(use);
      byUnit.set(key, entry);
    };
    for (const rec of graph.spawnRecords) {
      if (rec.module.language !== 'python' || !PICKLING_SYSTEMS.has(rec.site.system) || rec.site.isProcess === false) continue;
      // dill (multiprocess) sends a notebook's functions by value
      if (rec.site.byValue) continue;
      // under fork the worker is a copy of the kernel, whose __main__ has the function
      if (rec.startMethod === 'fork') continue;
      for (const t of rec.site.tasks) {
        for (const key of graph.unitsOfTask(rec.module, t)) add(key, { rec, label: t.label, range: t.range, initializer: false });
      }
      for (const ref of rec.site.initializers) {
        for (const key of graph.unitsOfTask(rec.module, { ref, range: rec.site.range, label: 'initializer' })) {
          add(key, { rec, label: 'initializer', range: rec.site.range, initializer: true });
        }
      }
    }
    for (const { module, unit, uses } of byUnit.values()) {
      const file = module.path;
      const first = uses[0];
      const pinned = uses.every((u) => u.rec.startMethod !== undefined) ? first.rec.startMethod : undefined;
      const when = pinned ? startMethodWords(pinned) : startMethodWords(undefined);
      const failure =
        first.rec.site.system === 'ProcessPoolExecutor'
          ? 'and the executor breaks (BrokenProcessPool)'
          : first.rec.site.system === 'mp.Pool'
            ? 'and the pool hangs, waiting for the lost task'
            : 'and the process exits with code 1';
      const sites = [...new Set(uses.map((u) => `${u.label}, ${where(file, u.rec.module.path, u.range)}`))];
      ctx.report({
        file,
        range: unit.nameRange,
        symbol: unit.name,
        // short: editors show it above the hover, which adds the start-method table and the fix
        message:
          `'${unit.name}' is defined in this notebook, which the workers (${sites.join('; ')}) cannot import ${when}: ` +
          `unpickling it fails with "AttributeError: Can't get attribute '${unit.name}' on <module '__main__'>" ${failure}.`,
        related: uses.map((u) => related(u.rec.module.path, u.range, `'${unit.name}' is sent to the workers here (${u.label})`)),
      });
    }
  },
};

/** The hover's start-method table for a finding of this rule: what a worker does with the task under each method. */
export function unimportableTaskByMethod(name: string): { label: string; fork: string; spawn: string; forkserver: string } {
  return { label: 'a worker', fork: `runs \`${name}\``, spawn: 'cannot import the notebook', forkserver: 'cannot import it either' };
}
