/**
 * Value-flow facts: what a front end tells the value-flow layer about one module.
 *
 * A module's facts are a small graph of value nodes (ids local to the module). A node
 * stands for "the values this expression / variable / parameter may hold"; its op says
 * how those values arise. Front ends resolve the language's scoping rules (which
 * definition of a name a read sees) while extracting; the solver (./solver.ts) resolves
 * everything that needs other modules or the values themselves (attributes, calls,
 * imports, iteration) by fixpoint, like PyCG's assignment graph.
 */

export type NodeId = number;

/** 'object': a JS object literal, whose properties are its string-keyed items (`o.a` is `o['a']`) */
export type ContainerKind = 'list' | 'tuple' | 'dict' | 'set' | 'object';

/** How a node gets its values. */
export type FlowOp =
  /** the union of other nodes (reads of a name: the definitions that reach it); `from` may grow while extracting */
  | { k: 'union'; from: NodeId[] }
  /** a builtin name (`len`, `super`, `map`, `Exception`) */
  | { k: 'builtin'; name: string }
  /** an imported module (`name` null) or one of its attributes, `spec` as written ('a.b', '..pkg') */
  | { k: 'import'; spec: string; name: string | null }
  /** the function, lambda or class defined by `defs[def]` */
  | { k: 'def'; def: number }
  /** a literal the layer keeps: 's:text' or 'i:12' (dictionary keys, indexes) */
  | { k: 'const'; key: string }
  /** `obj.name`; `scope` as for calls (reading a property calls its getter) */
  | { k: 'attr'; obj: NodeId; name: string; scope: number }
  /** `obj[key]`; key null = not known (slices are {@link FlowOp} 'slice') */
  | { k: 'item'; obj: NodeId; key: NodeId | null }
  /** `obj[start:]`: a new sequence whose index i is obj's index i + start (start null: not known) */
  | { k: 'slice'; obj: NodeId; start: number | null }
  /**
   * a call; its node holds the call's results. `scope` is the def index of the calling
   * function (-1: module level); `at` the call's start offset. `raise`: `raise X` —
   * instantiates X when it is a class, nothing else. `pos`/`end` (Python calls written as
   * calls): where the call starts and ends, as line × 1,000,000 + character (the engine's
   * position order).
   */
  | { k: 'call'; fn: NodeId; args: NodeId[]; kw: Array<[string, NodeId]>; star: NodeId | null; dstar: NodeId | null; scope: number; at: number; raise?: boolean; pos?: number; end?: number }
  /** a container built here (literal, comprehension); items keyed by constant key, or null */
  | { k: 'new'; kind: ContainerKind; items: Array<[string | null, NodeId]> }
  /** the elements iterating `obj` gives (`for`, unpacking with `*`, comprehensions); may call `__iter__`/`__next__` */
  | { k: 'iter'; obj: NodeId; scope: number; at: number }
  /** `super()` / `super(cls, self)` */
  | { k: 'super'; cls: NodeId; self: NodeId };

export interface ParamFact {
  name: string;
  node: NodeId;
  kind: 'pos' | 'kwonly' | 'star' | 'dstar';
}

export interface DefFact {
  kind: 'function' | 'lambda' | 'class';
  /** qualified within the module: 'C.f', 'outer.inner', '<lambda1>', 'f.<lambda2>' */
  name: string;
  /** start of the def/lambda/class node (not of its decorators): the front end's unit starts here */
  start: number;
  line: number;
  character: number;
  /** enclosing def index, -1 for module level */
  parent: number;
  /** functions: the class whose body holds this def directly */
  inClass?: number;
  /** staticmethod / classmethod / property */
  method?: 'static' | 'class' | 'property';
  params: ParamFact[];
  /** the values `return` gives (a lambda: its body) */
  ret: NodeId;
  /** generators: the values `yield` gives */
  yields?: NodeId;
  /** classes: base class expressions, and the class body's names (class attributes) */
  bases?: NodeId[];
  attrs?: Map<string, NodeId>;
  /** JS functions and methods: params[0] is `this` (a plain call gives it nothing) */
  thisParam?: boolean;
  /** JS arrow functions: `this` is the enclosing function's; never bound to a receiver */
  lexicalThis?: boolean;
}

/** `obj.name = value` (name set) or `obj[key] = value` (key null: not known). */
export interface StoreFact {
  obj: NodeId;
  name?: string;
  key?: NodeId | null;
  value: NodeId;
}

export interface ModuleFacts {
  nodes: FlowOp[];
  defs: DefFact[];
  stores: StoreFact[];
  /** module-level names → the node of all their definitions (what other modules import) */
  vars: Map<string, NodeId>;
  /** `from x import *` specifiers */
  starImports: string[];
  /** pairs (start offset, node) of call arguments (positional and keyword values) and of calls: for queries */
  at: number[];
  /** JS: classes are made by `constructor` (not `__init__`); functions have `bind`/`call`/`apply` */
  js?: boolean;
  /** JS CommonJS: what `require` gives when `module.exports = X` replaces the exports object */
  moduleValue?: NodeId;
  /** JS: the file's line start offsets (to place call offsets as line and character) */
  lineStarts?: readonly number[];
}
