/**
 * unguarded-spawn: processes or workers started at import time.
 */
import type { Rule } from '../server/src/engine/rule';
import { unitKey } from '../server/src/engine/contexts';
import type { ModuleModel, SystemKind } from '../server/src/engine/model';

const PY_SYSTEMS = new Set<SystemKind>(['mp.Pool', 'mp.Process', 'mp.Manager', 'ProcessPoolExecutor', 'InterpreterPoolExecutor']);
const JS_SELF_SYSTEMS = new Set<SystemKind>(['worker_threads', 'child_process.fork', 'cluster']);

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
    for (const rec of ctx.graph.spawnRecords) {
      const { module: m, site } = rec;
      const unit = m.units[site.unit];
      if (!unit || !ctx.graph.importTime.has(unitKey(m, unit))) continue;
      const file = m.path;
      const viaCall = unit.kind === 'function' ? ` (inside '${unit.name}', which the module's top level calls)` : '';
      if (m.language === 'python') {
        if (!PY_SYSTEMS.has(site.system) || site.isProcess === false) continue;
        if (site.system === 'mp.Process' && !site.startRange) continue;
        const range = site.startRange ?? site.range;
        const what = site.system === 'mp.Process' ? 'Process.start()' : `${site.label}()`;
        const sm = rec.startMethod;
        const tail =
          sm === 'fork'
            ? ` The 'fork' start method pinned here hides it on Linux, but fork is unavailable on Windows and unsafe on macOS, where this fails.`
            : '';
        ctx.report({
          file,
          range,
          symbol: site.label,
          message: `${what} runs at import time${viaCall}, outside if __name__ == '__main__':. Under spawn and forkserver (the default on macOS and Windows, and on Linux from Python 3.14) every child re-imports this module, reaches this line again and fails with "An attempt has been made to start a new process before the current process has finished its bootstrapping phase".${tail}`,
          related: [],
        });
        continue;
      }
      if (!JS_SELF_SYSTEMS.has(site.system) || site.workerModule !== 'self') continue;
      if (!ranByOwnTop(m, unitKey(m, unit))) continue;
      let consequence: string;
      if (site.system === 'cluster') {
        consequence = `Every cluster worker runs this file again and reaches this line too, where cluster.fork is not a function (TypeError): guard it with if (cluster.isPrimary).`;
      } else if (site.system === 'child_process.fork') {
        consequence = `The child runs this file again and forks its own child, without end: guard it (e.g. check process.send === undefined, or an argv/env flag) so only the parent forks.`;
      } else {
        consequence = `Every worker runs this file again and starts another worker, without end: guard it with if (isMainThread).`;
      }
      ctx.report({
        file,
        range: site.range,
        symbol: site.label,
        message: `${site.label}(${site.system === 'cluster' ? '' : '__filename'}) runs at the top level of its own script${viaCall}. ${consequence}`,
        related: [],
      });
    }
  },
};
