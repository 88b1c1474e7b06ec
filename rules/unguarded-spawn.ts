/**
 * unguarded-spawn: processes or workers started at import time.
 */
import { where, type Rule } from '../server/src/engine/rule';
import { unitKey } from '../server/src/engine/contexts';
import type { SystemKind } from '../server/src/engine/model';

const PY_SYSTEMS = new Set<SystemKind>(['mp.Pool', 'mp.Process', 'mp.Manager', 'ProcessPoolExecutor', 'InterpreterPoolExecutor']);
const JS_SELF_SYSTEMS = new Set<SystemKind>(['worker_threads', 'child_process.fork', 'cluster']);

export const unguardedSpawn: Rule = {
  id: 'unguarded-spawn',
  defaultSeverity: 'error',
  description: 'A process or worker is started at import time, so every child starts it again.',
  languages: ['python', 'js'],
  check(ctx) {
    for (const rec of ctx.graph.spawnRecords) {
      const { module: m, site } = rec;
      const unit = m.units[site.unit];
      if (!unit || !ctx.graph.importTime.has(unitKey(m, unit))) continue;
      const file = m.path;
      let viaCall = '';
      if (unit.kind === 'function') {
        const from = ctx.graph.importTimeCaller(unitKey(m, unit));
        const at = from ? `the top level of ${where(file, from.module.path, { start: { line: from.line, character: 0 }, end: { line: from.line, character: 0 } })}` : "a module's top level";
        viaCall = ` (inside '${unit.name}', which ${at} calls)`;
      }
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
