/**
 * Compact forms of the long-lived parts of models and of the linked graph: the language
 * server keeps the model of every file of the workspace, so their size is its memory.
 *
 * - Arrays are copied to exact size: V8 grows an array built by `push` to 17 slots at its
 *   first element (and by half again later); a unit with one call kept four such arrays.
 * - Ranges become {@link Span}s: a `{ start: { line, character }, end: {...} }` object is
 *   three objects, 120 bytes; a span is one of 56. Measured on a 10,000-file workspace the
 *   server kept about 1.3 million ranges (150 MB).
 * - Equal references of a module's calls and accesses (`{ name, member }`, read only) are
 *   one object: 3 in 5 of them are repeats (57,429 references, 22,629 distinct per module, in
 *   the 799 standard-library files of bench/budget.ts).
 */
import type { Binding, ModuleModel, Position, Range, Ref } from './model';

/** `xs`, or an exact-size copy of it when it may have spare room. */
export function exact<T>(xs: T[]): T[] {
  return xs.length === 0 ? xs : xs.slice();
}

/**
 * A range in one object: its ends are made when read (short-lived objects, cheap to
 * allocate and collect). Stored ranges are never changed in place (a change replaces the
 * range), so reading `start` afresh each time is safe. JSON gives the usual range form.
 */
export class Span implements Range {
  constructor(
    private readonly sl: number,
    private readonly sc: number,
    private readonly el: number,
    private readonly ec: number,
  ) {}

  get start(): Position {
    return { line: this.sl, character: this.sc };
  }

  get end(): Position {
    return { line: this.el, character: this.ec };
  }

  toJSON(): Range {
    return { start: this.start, end: this.end };
  }
}

/** `r` as a plain `{ start, end }` object (for what leaves the engine: findings, tests' comparisons). */
export function plainRange(r: Range): Range {
  return r instanceof Span ? r.toJSON() : r;
}

/**
 * The model with its units' arrays copied to exact size and its ranges made {@link Span}s
 * (in place: a model is not shared before it is stored). A model structured-cloned from a
 * worker thread has exact arrays already (`arrays: false`) but plain ranges.
 */
export function compactModel(m: ModuleModel, arrays = true): ModuleModel {
  // ranges a front end shares between records stay shared
  const spans = new Map<Range, Span>();
  const span = (r: Range): Span => {
    if (r instanceof Span) return r;
    let s = spans.get(r);
    if (!s) spans.set(r, (s = new Span(r.start.line, r.start.character, r.end.line, r.end.character)));
    return s;
  };
  const opt = (r: Range | undefined): Span | undefined => (r ? span(r) : undefined);
  const refs = new Map<string, Ref>();
  const ref = (r: Ref): Ref => {
    const key = r.member === undefined ? r.name : `${r.name}\0${r.member}`;
    const hit = refs.get(key);
    if (hit) return hit;
    refs.set(key, r);
    return r;
  };
  for (const u of m.units) {
    if (arrays) {
      u.params = exact(u.params);
      u.accesses = exact(u.accesses);
      u.calls = exact(u.calls);
      if (u.globals) u.globals = exact(u.globals);
    }
    u.range = span(u.range);
    u.nameRange = span(u.nameRange);
    for (const a of u.accesses) {
      a.range = span(a.range);
      a.ref = ref(a.ref);
      if (a.member) a.member.range = span(a.member.range);
    }
    for (const c of u.calls) {
      c.range = span(c.range);
      c.callee = ref(c.callee);
      if (c.started) c.started = span(c.started);
    }
  }
  const binding = (b: Binding): void => {
    b.range = span(b.range);
    if (b.attrs) for (const a of b.attrs.values()) binding(a);
  };
  for (const b of m.bindings.values()) binding(b);
  for (const s of m.spawns) {
    s.range = span(s.range);
    if (s.startRange) s.startRange = opt(s.startRange);
    if (s.endRange) s.endRange = opt(s.endRange);
    for (const t of s.tasks) t.range = span(t.range);
    for (const t of s.flowTasks ?? []) t.range = span(t.range);
    for (const l of s.launches ?? []) l.range = span(l.range);
  }
  for (const p of m.payloads) p.range = span(p.range);
  for (const c of m.flowPoolCalls ?? []) for (const p of c.payloads) p.range = span(p.range);
  for (const p of m.proxySerialized) p.range = span(p.range);
  for (const p of m.problems) p.range = span(p.range);
  return m;
}
