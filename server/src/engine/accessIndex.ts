/**
 * The graph's access indexes (./contexts.ts): every access record by symbol, in project
 * order, and by unit; patched module by module after an edit.
 */
import type { SymbolKey } from './link';
import type { AccessRecord, ModuleLink } from './moduleLink';
import type { UnitKey } from './graphTypes';

export interface AccessIndexes {
  readonly accessesBySymbol: Map<SymbolKey, AccessRecord[]>;
  readonly accessesByUnit: Map<UnitKey, AccessRecord[]>;
  /** a module's place in the project's order */
  order(file: string): number;
}

/**
 * Puts a link's accesses where a fresh build has them, in place of `old`'s: each symbol's
 * list is in project order with one module's records together, so the module's run is
 * found by a binary search and replaced (not the whole list filtered: the lists of much-used
 * symbols run to thousands of records).
 */
export function replaceAccesses(s: AccessIndexes, old: ModuleLink | undefined, link: ModuleLink): void {
  const file = link.model.path;
  const mine = s.order(file);
  const bySym = new Map<SymbolKey, AccessRecord[]>();
  if (old) for (const r of old.accesses) if (!bySym.has(r.symbol)) bySym.set(r.symbol, []);
  // the module's units' lists are replaced, overwriting the entries of keys that stay (a
  // deleted entry leaves a hole in the hash table, and the holes of every keystroke made V8
  // rebuild the whole table every few edits)
  const byUnit = new Map<UnitKey, AccessRecord[]>();
  for (const rec of link.accesses) {
    const group = bySym.get(rec.symbol);
    if (group) group.push(rec);
    else bySym.set(rec.symbol, [rec]);
    const list = byUnit.get(rec.key);
    if (list) list.push(rec);
    else byUnit.set(rec.key, [rec]);
  }
  if (old) for (const k of old.keys) if (!byUnit.has(k)) s.accessesByUnit.delete(k);
  for (const [k, list] of byUnit) s.accessesByUnit.set(k, list);
  for (const [sym, recs] of bySym) {
    const list = s.accessesBySymbol.get(sym);
    if (!list) {
      if (recs.length) s.accessesBySymbol.set(sym, recs);
      continue;
    }
    // the first record of a module at or after this one in the project's order (a fresh
    // build adds modules in that order: at the end)
    let lo = 0;
    let hi = list.length;
    if (hi > 0 && s.order(list[hi - 1].module.path) < mine) lo = hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s.order(list[mid].module.path) < mine) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < list.length && list[end].module.path === file) end++;
    if (recs.length === 0 && end - lo === list.length) s.accessesBySymbol.delete(sym);
    else list.splice(lo, end - lo, ...recs);
  }
}
