/**
 * Sites the engine makes for framework submissions the front end cannot judge alone
 * (../frameworks/python/): `task.delay(x)`, `f.remote(x)`, `Actor.remote()` and calls of
 * UDFs / `dask.delayed` functions, once linking shows the callee is a function (or class)
 * a framework decorator made remote ({@link Binding.remote}), in this module or another.
 */
import type { Call, ModuleModel, SpawnSite, TaskRef, Unit } from './model';
import { splitSymbolKey, type Linker, type SymbolKey } from './link';

/**
 * The site a call makes when it submits a remote function or starts an actor, and whether
 * the call is a submission at all (then it is never a call edge: the body runs elsewhere).
 */
export function remoteSite(linker: Linker, m: ModuleModel, u: Unit, c: Call, sym: SymbolKey): { site?: SpawnSite; submission: boolean } {
  const b = linker.binding(sym);
  const r = b?.remote;
  const how = c.submits ?? '()';
  if (!r || !r.submit.includes(how)) return { submission: c.submits !== undefined };
  const name = c.callee.member ?? c.callee.name;
  const label = how === '()' ? `${r.label} ${name}()` : `${name}.${how}`;
  const site: SpawnSite = { system: r.system, unit: u.id, range: c.range, offset: c.offset, label, isProcess: r.isProcess, tasks: [], initializers: [] };
  // the wrapper form (`remote_f = ray.remote(f)`): the wrapped function or class runs there
  const target = r.wraps ? `${splitSymbolKey(sym).file}#${r.wraps}` : sym;
  const tb = r.wraps ? linker.binding(target) : b;
  if (!tb) return { submission: true };
  if (tb.kind === 'class') {
    if (!r.actors) return { submission: true };
    // an actor: every method of the class runs in the actor's process
    const home = linker.moduleOf(splitSymbolKey(target).file);
    for (const id of tb.methods ?? []) {
      const unit = home?.units[id];
      if (!unit) continue;
      const short = unit.name.slice(unit.name.lastIndexOf('.') + 1);
      site.tasks.push({ ref: { name: r.wraps ?? c.callee.name, member: short }, symbols: [`${target}.${short}`], range: c.range, label: `${label} → ${short}` });
    }
  } else {
    site.tasks.push({ ref: r.wraps ? { name: r.wraps } : c.callee, symbols: [target], range: c.range, label });
  }
  return { site, submission: true };
}

/**
 * The symbols of method `t.ref.member` of class `t.ref.name` and of its bases (nearest
 * first), for a task that is a method of an instance ({@link TaskRef.inherited}).
 */
export function inheritedSymbols(linker: Linker, m: ModuleModel, t: TaskRef): SymbolKey[] {
  const member = t.ref.member;
  const cls = member ? linker.resolveRef(m, { name: t.ref.name }) : undefined;
  if (!cls || !member) return [];
  const out: SymbolKey[] = [];
  const seen = new Set<SymbolKey>();
  const walk = (sym: SymbolKey): void => {
    if (seen.has(sym) || seen.size > 16) return;
    seen.add(sym);
    const b = linker.binding(sym);
    if (!b || b.kind !== 'class') return;
    out.push(`${sym}.${member}`);
    const owner = linker.moduleOf(splitSymbolKey(sym).file);
    for (const ref of b.bases ?? []) {
      const base = owner && linker.resolveRef(owner, ref);
      if (base) walk(base);
    }
  };
  walk(cls);
  return out;
}
