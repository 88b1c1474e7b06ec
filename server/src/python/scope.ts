/**
 * Scopes (Python LEGB) and the small records name resolution and value classification pass around.
 */
import type { Ref, StartMethod, ValueKind } from '../engine/model';
import type { SyntaxNode as Node } from './tree';

export type ScopeKind = 'module' | 'function' | 'class' | 'comprehension';

export interface ValueSrc {
  node: Node;
  /** position when the name was a tuple-unpacking target of `node` */
  index?: number;
}

export interface Scope {
  kind: ScopeKind;
  parent: Scope | null;
  /** the unit whose code runs in this scope */
  unit: number;
  locals: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
  values: Map<string, ValueSrc[]>;
  /** import aliases: local name → dotted module path (+ imported name) */
  imports: Map<string, string>;
  /**
   * function scopes: names bound by an import in the function (`from m import X`: m, 'X';
   * `import m`: m, '*'), for reads and writes of module state through them
   */
  importFrom: Map<string, { specifier: string; imported: string }>;
  className?: string;
  classAttrs?: Map<string, ValueSrc[]>;
  methodOf?: Scope;
  selfName?: string;
  /** a classmethod's first parameter (`cls`): `cls.X` is the class attribute `X` */
  clsName?: string;
  /** class scopes: the first name node of each name the body binds */
  nameNodes?: Map<string, Node>;
  classBinding?: string;
}

/**
 * What scopes without `global`/`nonlocal` declarations or imports share (most function
 * scopes): three empty collections fewer per scope. Added to only through {@link ownNames}
 * and {@link ownImports}, which give the scope its own first.
 */
const NO_NAMES: Set<string> = new Set();
const NO_IMPORTS: Map<string, string> = new Map();
const NO_IMPORT_FROM: Map<string, { specifier: string; imported: string }> = new Map();

/** the scope's own `globals` or `nonlocals` set, to add to */
export function ownNames(s: Scope, which: 'globals' | 'nonlocals'): Set<string> {
  if (s[which] === NO_NAMES) s[which] = new Set();
  return s[which];
}

/** the scope's own {@link Scope.importFrom}, to add to */
export function ownImportFrom(s: Scope): Map<string, { specifier: string; imported: string }> {
  if (s.importFrom === NO_IMPORT_FROM) s.importFrom = new Map();
  return s.importFrom;
}

/** the scope's own import aliases, to add to */
export function ownImports(s: Scope): Map<string, string> {
  if (s.imports === NO_IMPORTS) s.imports = new Map();
  return s.imports;
}

export function newScope(kind: ScopeKind, parent: Scope | null, unit: number): Scope {
  // every field from the start, in one order: scopes then share one shape (hidden class),
  // and the passes' reads of them stay monomorphic (optional fields added later, in
  // different orders, made V8 deoptimise the hottest front-end functions again and again)
  return {
    kind, parent, unit,
    locals: new Set(), globals: NO_NAMES, nonlocals: NO_NAMES,
    values: new Map(), imports: NO_IMPORTS, importFrom: NO_IMPORT_FROM,
    className: undefined, classAttrs: undefined, methodOf: undefined, selfName: undefined,
    clsName: undefined, nameNodes: undefined, classBinding: undefined,
  };
}

export interface Classified {
  kind: ValueKind;
  detail?: string;
  managerObj?: boolean;
  openFile?: boolean;
  generator?: boolean;
  lambda?: boolean;
  localDef?: boolean;
  context?: boolean;
}

export interface Candidate {
  q: string;
  method?: StartMethod;
}

export interface ChainRef {
  ref: Ref;
  /** the ref is the class of a classmethod's `cls` */
  viaCls?: boolean;
  rangeNode: Node;
  /** how many chain steps the ref consumed (1 for `mod.NAME`) */
  used: number;
}
