/**
 * What the Node.js fix providers ask the engine's project graph: the access a finding is
 * about, which spawns run it in a worker, which side a unit runs on, how a module names a
 * symbol, who imports or calls what.
 */
import type { Finding } from '../../engine/findings';
import type { Range } from '../../engine/model';
import type { AccessRecord, Program, ProjectGraph, SpawnRecord, WorkerReason } from '../../engine/contexts';

const accessIndex = new WeakMap<ProjectGraph, Map<string, AccessRecord>>();

function rangeKey(file: string, r: Range): string {
  return `${file}:${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}`;
}

/** The access record a finding is about (same file and range); indexed once per graph. */
export function accessOf(graph: ProjectGraph, f: Finding): AccessRecord | undefined {
  let index = accessIndex.get(graph);
  if (!index) {
    index = new Map();
    for (const recs of graph.accessesBySymbol.values()) {
      for (const r of recs) {
        const k = rangeKey(r.module.path, r.access.range);
        if (!index.has(k)) index.set(k, r);
      }
    }
    accessIndex.set(graph, index);
  }
  return index.get(rangeKey(f.file, f.range));
}

/** Every (program, reason) that runs the access's unit in a worker. */
export function workerReasons(graph: ProjectGraph, key: string): Array<{ prog: Program; why: WorkerReason }> {
  const out: Array<{ prog: Program; why: WorkerReason }> = [];
  for (const prog of graph.programs) {
    const why = prog.worker.get(key);
    if (why) out.push({ prog, why });
  }
  return out;
}

/** The single spawn record behind all the worker reasons, or undefined when several spawns reach it. */
export function singleSpawn(reasons: Array<{ why: WorkerReason }>): SpawnRecord | undefined {
  const spawns = new Set(reasons.map((r) => r.why.spawn.site));
  if (spawns.size !== 1) return undefined;
  return reasons[0].why.spawn;
}

/** Whether a unit key is parent-side in any program. */
export function isParentSide(graph: ProjectGraph, key: string): boolean {
  return graph.programs.some((p) => p.parent.has(key) && !p.worker.has(key));
}

/**
 * How module `m` (by path) can name the symbol `sym` at its top level: `name` (a local
 * binding or a named import of it) or `ns.name` (a namespace / whole-module require).
 */
export function exprForSymbol(graph: ProjectGraph, modulePath: string, sym: string): string | undefined {
  const m = graph.modules.get(modulePath);
  if (!m) return undefined;
  const hash = sym.lastIndexOf('#');
  const symFile = sym.slice(0, hash);
  const symName = sym.slice(hash + 1);
  if (symFile === modulePath && m.bindings.has(symName)) return symName;
  for (const b of m.bindings.values()) {
    if (graph.linker.resolveRef(m, { name: b.name }) === sym && b.kind === 'import') return b.name;
  }
  for (const b of m.bindings.values()) {
    if (b.kind !== 'import') continue;
    if (graph.linker.resolveRef(m, { name: b.name, member: symName }) === sym && /^[A-Za-z_$][\w$]*$/.test(symName)) return `${b.name}.${symName}`;
  }
  return undefined;
}

/** Whether any analysed module imports `m` (then code inserted at its top level also runs there). */
export function isImportedByAnyModule(graph: ProjectGraph, path: string): boolean {
  for (const other of graph.modules.values()) {
    if (other.path === path) continue;
    for (const spec of other.imports) if (graph.linker.resolveModule(other, spec)?.path === path) return true;
  }
  return false;
}

/** Whether any unit calls the unit `key` (other than through the pool that runs it). */
export function hasCallers(graph: ProjectGraph, key: string): boolean {
  for (const k of graph.units.keys()) if (k !== key && graph.callees(k).includes(key)) return true;
  return false;
}

export function symbolParts(sym: string): { file: string; name: string } {
  const i = sym.lastIndexOf('#');
  return { file: sym.slice(0, i), name: sym.slice(i + 1) };
}
