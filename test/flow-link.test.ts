/**
 * The engine's flow program (server/src/engine/flowLink.ts): which modules fill its size
 * cap depends only on the import graph (groups, distance from the starts, ties by path),
 * not on the order the project's modules or importer sets were built in.
 */
import { strict as assert } from 'node:assert';
import { initPython, parsePython } from '../server/src/python/frontend';
import { Linker } from '../server/src/engine/link';
import { chooseModules } from '../server/src/engine/flowLink';
import type { ModuleModel } from '../server/src/engine/model';

const ROOT = '/proj-flowlink';

/** 60 modules starting pools, each imported by a caller and importing a helper: 180 candidates for 80 places */
function project(): ModuleModel[] {
  const out: ModuleModel[] = [];
  for (let i = 0; i < 60; i++) {
    const n = String(i).padStart(2, '0');
    out.push(parsePython(`${ROOT}/start${n}.py`, `from multiprocessing import Pool\nfrom helper${n} import task\ndef run(xs):\n    with Pool(2) as p:\n        return p.map(task, xs)\n`));
    out.push(parsePython(`${ROOT}/helper${n}.py`, 'def task(x):\n    return x\n'));
    out.push(parsePython(`${ROOT}/caller${n}.py`, `from start${n} import run\nrun([1])\n`));
  }
  return out;
}

function choose(models: ModuleModel[], reverseImporters: boolean): string[] {
  const all = new Map(models.map((m) => [m.path, m] as [string, ModuleModel]));
  const linker = new Linker(all);
  const importers = new Map<string, Set<string>>();
  for (const m of models) {
    for (const spec of [...m.imports, ...[...m.bindings.values()].flatMap((b) => (b.importFrom ? [b.importFrom.specifier] : []))]) {
      const t = linker.resolveModule(m, spec);
      if (!t) continue;
      let set = importers.get(t.path);
      if (!set) importers.set(t.path, (set = new Set()));
      set.add(m.path);
    }
  }
  if (reverseImporters) for (const [k, v] of importers) importers.set(k, new Set([...v].reverse()));
  const starts = models.filter((m) => m.spawns.length > 0);
  return chooseModules(all, linker, [{ seeds: starts, importerDepth: 2 }], importers);
}

describe('flow program: the modules under the size cap', () => {
  before(async () => {
    await initPython();
  });

  it('are the same whatever order the modules come in, nearest the starts first, ties by path', () => {
    const models = project();
    const a = choose(models, false);
    const b = choose([...models].reverse(), true);
    assert.equal(a.length, 80);
    assert.deepEqual([...b].sort(), [...a].sort());
    // the 60 starts (distance 0) first; then distance 1 (callers, helpers) by path: caller00..caller19
    assert.ok(a.slice(0, 60).every((p) => /start\d\d\.py$/.test(p)));
    assert.deepEqual(a.slice(60).map((p) => p.slice(ROOT.length + 1)), Array.from({ length: 20 }, (_, i) => `caller${String(i).padStart(2, '0')}.py`));
  });
});
