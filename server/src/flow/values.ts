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
  /**
   * the kinds named by one string, each by that string as it is: no key is built for them
   * (external names are most of the values of a minified bundle, and their interning a
   * good part of its solve)
   */
  private readonly exts = new Map<string, number>();
  private readonly builtins = new Map<string, number>();
  private readonly consts = new Map<string, number>();
  private readonly boxes = new Map<string, number>();

  intern(v: Value): number {
    let map: Map<string, number>;
    let key: string;
    switch (v.t) {
      case 'ext':
        map = this.exts;
        key = v.name;
        break;
      case 'builtin':
        map = this.builtins;
        key = v.name;
        break;
      case 'const':
        map = this.consts;
        key = v.key;
        break;
      case 'box':
        map = this.boxes;
        key = v.site;
        break;
      default:
        map = this.keys;
        key = keyOf(v);
    }
    let id = map.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      map.set(key, id);
    }
    return id;
  }

  get(id: number): Value {
    return this.values[id];
  }
}

/** the key of a value of the other kinds (several fields, or none) */
function keyOf(v: Exclude<Value, { t: 'ext' | 'builtin' | 'const' | 'box' }>): string {
  switch (v.t) {
    case 'def':
      return `d${v.m}:${v.d}`;
    case 'inst':
      return `i${v.cls}`;
    case 'bound':
      return `b${v.fn}:${v.self}`;
    case 'mod':
      return `m${v.m}`;
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
