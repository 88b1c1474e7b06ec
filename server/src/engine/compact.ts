/**
 * Compact forms of the long-lived parts of models and of the linked graph: the language
 * server keeps the model of every file of the workspace, so their size is its memory.
 *
 * - Arrays are copied to exact size: V8 grows an array built by `push` to 17 slots at its
 *   first element (and by half again later); a unit with one call kept four such arrays.
 * - Ranges become {@link Span}s: a `{ start: { line, character }, end: {...} }` object is
 *   three objects, 120 bytes; a span is one of 40 (56 past line 2^20 or column 2047).
 *   Measured on a 10,000-file workspace the server kept about 1.3 million ranges.
 * - Equal references of a module's calls and accesses (`{ name, member }`, read only) are
 *   one object: 3 in 5 of them are repeats (57,429 references, 22,629 distinct per module, in
 *   the 799 standard-library files of bench/budget.ts).
 * - Calls, accesses and bindings whose optional fields are all absent are kept without them
 *   ({@link slimCall}, {@link slimAccess}, {@link slimBinding}): the front ends make every
 *   record with every field present (one hidden class per kind while they run), which costs
 *   8 bytes per absent field, and most records have none of them (a call: 6 of its 9 fields).
 *   Each kind then has two hidden classes, the full one and the slim one, so the passes that
 *   read stored records stay polymorphic, not megamorphic.
 */
import type { Access, Binding, Call, ModuleModel, Position, Range, Ref } from './model';

/** `xs`, or an exact-size copy of it when it may have spare room. */
export function exact<T>(xs: T[]): T[] {
  return xs.length === 0 ? xs : xs.slice();
}

/**
 * A range in one object: its ends are made when read (short-lived objects, cheap to
 * allocate and collect). Stored ranges are never changed in place (a change replaces the
 * range), so reading `start` afresh each time is safe. JSON gives the usual range form.
 * Made by {@link toSpan}: most ranges fit {@link PackedSpan} (two small integers, 40 bytes),
 * the rest are {@link WideSpan}s (four, 56 bytes); a field that sometimes held a larger
 * number would make V8 box every instance's numbers.
 */
export abstract class Span implements Range {
  abstract get start(): Position;
  abstract get end(): Position;

  toJSON(): Range {
    return { start: this.start, end: this.end };
  }
}

/** Characters below 2^CHAR_BITS and lines below 2^(31 - CHAR_BITS) pack into one small integer (V8's Smi, 31 bits). */
const CHAR_BITS = 11;
const CHAR_MASK = (1 << CHAR_BITS) - 1;
const MAX_LINE = 2 ** (31 - CHAR_BITS);

/** A position as one small integer, when it fits. */
function packs(line: number, character: number): boolean {
  return (line | 0) === line && (character | 0) === character && line >= 0 && line < MAX_LINE && character >= 0 && character <= CHAR_MASK;
}

/** A span whose ends fit {@link packs}: each end is `line << CHAR_BITS | character`. */
class PackedSpan extends Span {
  constructor(
    private readonly s: number,
    private readonly e: number,
  ) {
    super();
  }

  get start(): Position {
    return { line: this.s >> CHAR_BITS, character: this.s & CHAR_MASK };
  }

  get end(): Position {
    return { line: this.e >> CHAR_BITS, character: this.e & CHAR_MASK };
  }
}

/** A span with an end past {@link packs} (a long line, as in minified JS). */
class WideSpan extends Span {
  constructor(
    private readonly sl: number,
    private readonly sc: number,
    private readonly el: number,
    private readonly ec: number,
  ) {
    super();
  }

  get start(): Position {
    return { line: this.sl, character: this.sc };
  }

  get end(): Position {
    return { line: this.el, character: this.ec };
  }
}

/** The range from (sl, sc) to (el, ec) as a {@link Span}. */
export function toSpan(sl: number, sc: number, el: number, ec: number): Span {
  return packs(sl, sc) && packs(el, ec) ? new PackedSpan((sl << CHAR_BITS) | sc, (el << CHAR_BITS) | ec) : new WideSpan(sl, sc, el, ec);
}

/** `c` without its optional fields when none is set (one shape for every such call; see the file's comment). */
export function slimCall(c: Call): Call {
  if (
    c.ifClass !== undefined ||
    c.asModule !== undefined ||
    c.started !== undefined ||
    c.registered !== undefined ||
    c.submits !== undefined ||
    c.handedOver !== undefined
  )
    return c;
  return { callee: c.callee, range: c.range, offset: c.offset };
}

/** `a` with `detail` but no other optional field when none is set (`detail` is common: mutating calls name their method). */
export function slimAccess(a: Access): Access {
  if (a.lazyInit !== undefined || a.fromParam !== undefined || a.member !== undefined || a.asModule !== undefined) return a;
  return { ref: a.ref, kind: a.kind, range: a.range, offset: a.offset, detail: a.detail };
}

/** `b` with the fields most bindings use (up to `unit`) and no others when those others are all unset. */
export function slimBinding(b: Binding): Binding {
  if (
    b.methods !== undefined ||
    b.attrs !== undefined ||
    b.processClass !== undefined ||
    b.laterProxy !== undefined ||
    b.threadClass !== undefined ||
    b.bases !== undefined ||
    b.contextBases !== undefined ||
    b.contexts !== undefined ||
    b.instanceOf !== undefined ||
    b.remote !== undefined
  )
    return b;
  return { name: b.name, range: b.range, kind: b.kind, detail: b.detail, isConst: b.isConst, importFrom: b.importFrom, unit: b.unit };
}

/** `r` as a plain `{ start, end }` object (for what leaves the engine: findings, tests' comparisons). */
export function plainRange(r: Range): Range {
  return r instanceof Span ? r.toJSON() : r;
}

/** A range's {@link Span}. */
export function spanOf(r: Range): Span {
  return toSpan(r.start.line, r.start.character, r.end.line, r.end.character);
}

/**
 * The model with its units' arrays copied to exact size and its ranges made {@link Span}s
 * (in place: a model is not shared before it is stored). A model structured-cloned from a
 * worker thread has exact arrays already (`arrays: false`). `makeSpan` makes the span of a
 * range met for the first time (cli/modelTransfer.ts: ranges that crossed threads as numbers).
 */
export function compactModel(m: ModuleModel, arrays = true, makeSpan = spanOf): ModuleModel {
  // ranges a front end shares between records stay shared
  const spans = new Map<Range, Span>();
  const span = (r: Range): Span => {
    if (r instanceof Span) return r;
    let s = spans.get(r);
    if (!s) spans.set(r, (s = makeSpan(r)));
    return s;
  };
  const opt = (r: Range | undefined): Span | undefined => (r ? span(r) : undefined);
  const refs = new Map<string, Ref>();
  const ref = (r: Ref): Ref => {
    const key = (r.member === undefined ? r.name : `${r.name}\0${r.member}`) + (r.from === undefined ? '' : `\0\0${r.from}`);
    const hit = refs.get(key);
    if (hit) return hit;
    refs.set(key, r);
    return r;
  };
  for (const u of m.units) {
    // the Python front end gives every unit a `global` list, nearly all empty (150,000 of the
    // 10,000-file workspace's 161,000 units; 32 bytes each); the field stays, for the shape
    if (u.globals?.length === 0) u.globals = undefined;
    if (arrays) {
      u.params = exact(u.params);
      u.accesses = exact(u.accesses);
      u.calls = exact(u.calls);
      if (u.globals) u.globals = exact(u.globals);
    }
    u.range = span(u.range);
    u.nameRange = span(u.nameRange);
    for (let i = 0; i < u.accesses.length; i++) {
      const a = u.accesses[i]!;
      a.range = span(a.range);
      a.ref = ref(a.ref);
      if (a.member) a.member.range = span(a.member.range);
      u.accesses[i] = slimAccess(a);
    }
    for (let i = 0; i < u.calls.length; i++) {
      const c = u.calls[i]!;
      c.range = span(c.range);
      c.callee = ref(c.callee);
      if (c.started) c.started = span(c.started);
      u.calls[i] = slimCall(c);
    }
  }
  const slimAll = (bindings: Map<string, Binding>): void => {
    for (const [name, b] of bindings) {
      b.range = span(b.range);
      if (b.attrs) slimAll(b.attrs);
      const slim = slimBinding(b);
      if (slim !== b) bindings.set(name, slim);
    }
  };
  slimAll(m.bindings);
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
  if (m.flowCalls && arrays) m.flowCalls = exact(m.flowCalls);
  for (const p of m.problems) p.range = span(p.range);
  return m;
}
