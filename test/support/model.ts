/**
 * Queries on a front end's ModuleModel, for the front-end tests.
 */
import { strict as assert } from 'node:assert';
import type { Access, ModuleModel, Unit } from '../../server/src/engine/model';

/** The unit named `name`; fails listing the units there are. */
export function unit(m: ModuleModel, name: string): Unit {
  const u = m.units.find((x) => x.name === name);
  assert.ok(u, `unit ${name} not found; have ${m.units.map((x) => x.name).join(', ')}`);
  return u;
}

/** `u`'s accesses to `name` (and `member`, or the whole binding when none is given). */
export function acc(u: Unit, name: string, member?: string): Access[] {
  return u.accesses.filter((a) => a.ref.name === name && a.ref.member === member);
}

/** The kinds of `u`'s accesses to `name` / `member`, in order. */
export function kinds(u: Unit, name: string, member?: string): string[] {
  return acc(u, name, member).map((a) => a.kind);
}
