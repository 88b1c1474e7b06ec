/**
 * The abstract values of the value-flow layer, interned as small integers.
 *
 * One instance value per class (allocation-site insensitive, as PyCG), one container per
 * literal / comprehension site, one bound method per (function, instance).
 */
export type Value =
  /** a function, lambda or class defined in module `m` (`defs[d]`) */
  | { t: 'def'; m: number; d: number }
  | { t: 'inst'; cls: number }
  | { t: 'bound'; fn: number; self: number }
  | { t: 'mod'; m: number }
  /** something from outside the analysed files, by dotted name ('os.path.join', 'ext.Cls') */
  | { t: 'ext'; name: string }
  | { t: 'builtin'; name: string }
  | { t: 'const'; key: string }
  /** a list/tuple/dict/set made at `site` */
  | { t: 'box'; site: string; kind: string }
  /** `functools.partial(fn, ...)` made by the call node `node` of module `m` */
  | { t: 'partial'; fn: number; m: number; node: number }
  /** what calling a generator function gives */
  | { t: 'gen'; fn: number }
  | { t: 'super'; cls: number; self: number }
  /** a method of a container (`d.update`, `handlers.append`) */
  | { t: 'method'; of: number; name: string }
  /** a callable that returns its argument (`functools.wraps(f)`) */
  | { t: 'ident' };

export class ValueTable {
  readonly values: Value[] = [];
  private readonly keys = new Map<string, number>();

  intern(v: Value): number {
    const key = keyOf(v);
    let id = this.keys.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.keys.set(key, id);
    }
    return id;
  }

  get(id: number): Value {
    return this.values[id];
  }
}

function keyOf(v: Value): string {
  switch (v.t) {
    case 'def':
      return `d${v.m}:${v.d}`;
    case 'inst':
      return `i${v.cls}`;
    case 'bound':
      return `b${v.fn}:${v.self}`;
    case 'mod':
      return `m${v.m}`;
    case 'ext':
      return `e${v.name}`;
    case 'builtin':
      return `B${v.name}`;
    case 'const':
      return `c${v.key}`;
    case 'box':
      return `x${v.site}`;
    case 'partial':
      return `p${v.fn}:${v.m}:${v.node}`;
    case 'gen':
      return `g${v.fn}`;
    case 'super':
      return `s${v.cls}:${v.self}`;
    case 'method':
      return `M${v.of}:${v.name}`;
    case 'ident':
      return 'I';
  }
}
