/**
 * Order of events in the parent, over the call graph: what happens before a spawn's
 * workers start, what happens after they have finished ({@link SpawnSite.endRange}), and
 * which module top level reaches a unit at import time. Functions registered to run
 * later (nested edges: closures, `signal.signal` handlers) are never before a start;
 * `atexit` handlers of the parent run after the workers it waited for. Positions are {@link posOrder}
 * numbers; a unit's call edges carry the position of their first call.
 */
import type { ModuleModel } from './model';
import { posOrder, spawnUnitKey, unitKey, type Edges, type HappensBefore, type Program, type SpawnRecord, type UnitKey } from './contexts';

/** What these questions read of the project graph. */
export interface OrderView {
  edges: Pick<ReadonlyMap<UnitKey, Edges>, 'get'>;
  modules: ReadonlyMap<string, ModuleModel>;
  reach(roots: Iterable<UnitKey>, into?: Set<UnitKey>, callsOnly?: boolean): Set<UnitKey>;
}

/** The shortest call path from the program's root to `target` (both included), or undefined. */
function callPath(g: OrderView, program: Program, target: UnitKey): UnitKey[] | undefined {
  const rootKey = unitKey(program.root.module, program.root.unit);
  const prev = new Map<UnitKey, UnitKey | null>([[rootKey, null]]);
  const queue = [rootKey];
  for (let qi = 0; qi < queue.length && !prev.has(target); qi++) {
    for (const c of g.edges.get(queue[qi])?.to ?? []) {
      if (prev.has(c)) continue;
      prev.set(c, queue[qi]);
      queue.push(c);
    }
  }
  if (!prev.has(target)) return undefined;
  const path: UnitKey[] = [];
  for (let k: UnitKey | null = target; k; k = prev.get(k) ?? null) path.unshift(k);
  return path;
}

/**
 * Offsets, in the units on the path from the root to the spawn's unit, before which a
 * parent write "happens before" the spawn: writes in those units before the call on the
 * way (the spawn call itself, in its unit), and anything reached through calls made
 * before it. Returns the set of units fully before and the cut-off per unit.
 */
export function happensBeforeSpawn(g: OrderView, program: Program, rec: SpawnRecord): HappensBefore {
  const cut = new Map<UnitKey, number>();
  const fully = new Set<UnitKey>();
  const path = callPath(g, program, spawnUnitKey(rec));
  if (!path) return { fully, cut };
  // the spawn call's own arguments are evaluated before the workers start
  let limit = posOrder(rec.site.range.end);
  for (let i = path.length - 1; i >= 0; i--) {
    const k = path[i];
    cut.set(k, limit);
    const e = g.edges.get(k);
    for (let j = 0; j < (e?.to.length ?? 0); j++) {
      // a closure defined before the start (an 'exit' handler) runs later: never "before"
      if (e!.at[j] < limit && !e!.nested[j]) g.reach([e!.to[j]], fully, true);
    }
    if (i > 0) {
      const pe = g.edges.get(path[i - 1]);
      limit = pe?.at[pe.to.indexOf(k)] ?? 0;
    }
  }
  for (const c of cut.keys()) fully.delete(c);
  return { fully, cut };
}

/**
 * After the workers of `rec` have finished (`endPos`, in the spawn's unit): later positions
 * in the units on the path from the root (after the call on the way), and what those
 * units call later and nothing calls earlier. Returns the units fully after and the
 * cut-off per unit (positions greater than it come after).
 */
export function happensAfterEnd(g: OrderView, program: Program, rec: SpawnRecord, endPos: number): HappensBefore {
  const cut = new Map<UnitKey, number>();
  const fully = new Set<UnitKey>();
  const path = callPath(g, program, spawnUnitKey(rec));
  if (!path) return { fully, cut };
  const earlier = new Set<UnitKey>();
  const later: UnitKey[] = [];
  let from = endPos;
  for (let i = path.length - 1; i >= 0; i--) {
    const k = path[i];
    cut.set(k, from);
    const e = g.edges.get(k);
    for (let j = 0; j < (e?.to.length ?? 0); j++) {
      if (e!.nested[j]) continue;
      if (e!.at[j] > from) later.push(e!.to[j]);
      else g.reach([e!.to[j]], earlier, true);
    }
    if (i > 0) {
      const pe = g.edges.get(path[i - 1]);
      from = pe?.at[pe.to.indexOf(k)] ?? Infinity;
    }
  }
  // what the parent registered with atexit runs when it exits: after the workers it waited for
  for (const k of program.parent) {
    const e = g.edges.get(k);
    for (let j = 0; j < (e?.to.length ?? 0); j++) if (e!.atExit[j]) later.push(e!.to[j]);
  }
  for (const k of g.reach(later, new Set(), true)) if (!earlier.has(k) && !cut.has(k)) fully.add(k);
  return { fully, cut };
}

/**
 * For a unit that runs at import time: the module top level whose calls reach it, and
 * where that top level makes the first call on the way (a breadth-first path), or undefined.
 */
export function importTimeCaller(g: OrderView, target: UnitKey): { module: ModuleModel; line: number } | undefined {
  const first = new Map<UnitKey, { module: ModuleModel; at: number }>();
  const queue: UnitKey[] = [];
  for (const m of g.modules.values()) {
    const e = g.edges.get(unitKey(m, m.units[0]));
    for (let i = 0; i < (e?.to.length ?? 0); i++) {
      const k = e!.to[i];
      if (e!.nested[i] || first.has(k)) continue;
      first.set(k, { module: m, at: e!.at[i] });
      queue.push(k);
    }
  }
  for (let qi = 0; qi < queue.length && !first.has(target); qi++) {
    const k = queue[qi];
    const e = g.edges.get(k);
    for (let i = 0; i < (e?.to.length ?? 0); i++) {
      const t = e!.to[i];
      if (e!.nested[i] || first.has(t)) continue;
      first.set(t, first.get(k)!);
      queue.push(t);
    }
  }
  const hit = first.get(target);
  return hit && { module: hit.module, line: Math.floor(hit.at / 1_000_000) };
}

/**
 * Keeps the import-time set equal to what reaches from the module top levels after a patch
 * changed the edge lists `changes` and removed the units `removed`: what lost an edge into
 * it is taken out with what it reaches, put back if something in the set (or a top level,
 * unit id 0) still calls it, and new edges out of the set add what they reach.
 */
export function updateImportTime(
  g: OrderView,
  set: Set<UnitKey>,
  changes: ReadonlyArray<{ key: UnitKey; before: readonly UnitKey[]; after: readonly UnitKey[] }>,
  removed: readonly UnitKey[],
  unitId: (k: UnitKey) => number | undefined,
  callers: (k: UnitKey) => readonly UnitKey[],
): void {
  const seeds: UnitKey[] = [];
  for (const c of changes) {
    if (!set.has(c.key)) continue;
    const after = new Set(c.after);
    for (const t of c.before) if (!after.has(t) && set.has(t)) seeds.push(t);
  }
  for (const k of removed) if (set.has(k)) seeds.push(k);
  const gone = new Set<UnitKey>();
  while (seeds.length) {
    const k = seeds.pop()!;
    if (gone.has(k)) continue;
    gone.add(k);
    for (const c of g.edges.get(k)?.to ?? []) if (set.has(c) && !gone.has(c)) seeds.push(c);
  }
  for (const k of gone) set.delete(k);
  const again: UnitKey[] = [];
  for (const k of gone) {
    const id = unitId(k);
    if (id === undefined) continue;
    if (id === 0 || callers(k).some((c) => set.has(c))) again.push(k);
  }
  g.reach(again, set);
  for (const c of changes) {
    if (!set.has(c.key)) continue;
    for (const t of c.after) if (!set.has(t)) g.reach([t], set);
  }
}
