/**
 * A plain-JS copy of a tree-sitter syntax tree.
 *
 * Every property access on a web-tree-sitter `Node` (`type`, `children`, `text`,
 * `childForFieldName`, ...) crosses into WASM and allocates; the Python front end makes
 * many of them per node, which made it slow. Here the tree is copied once, read from the
 * WASM memory (or, failing that, with one `TreeCursor` walk), into {@link SyntaxNode}
 * objects that offer the subset of the `Node` API the front end uses, with the same
 * results:
 *  - `children` are the visible children (named and anonymous, extras included), as
 *    `Node.children`; `namedChildren` the named ones. The anonymous leaves (a third of
 *    the nodes: punctuation, keywords, operators) are kept as numbers and become nodes
 *    only when a node's `children` are read: the passes read `namedChildren`;
 *  - `childrenForFieldName` uses the field name the cursor reports for each child (as
 *    web-tree-sitter's own implementation does); `childForFieldName` the same, except
 *    under ERROR nodes, where `ts_node_child_by_field_id` finds no field (an ERROR
 *    node's production has no field map) although the cursor reports the field of a
 *    hidden intermediate node, and `match_statement`'s `alternative`, which
 *    `ts_node_child_by_field_id` finds inside the body block;
 *  - `text` is the source slice `[startIndex, endIndex)` (web-tree-sitter's indices are
 *    UTF-16 code units when parsing a JS string), `startPosition`/`endPosition` are
 *    computed from the indices (rows advance on '\n' only, columns are UTF-16 units, as
 *    tree-sitter reports them for UTF-16 input);
 *  - no `hasError`/`isMissing`: tree-sitter's `has_error` is an error *cost* that also
 *    counts hidden nodes and skips some error leaves, so it cannot be rebuilt from the
 *    visible tree; the front end collects syntax problems on the WASM tree itself.
 *
 * bench/verify-tree.ts checks all of this node by node against the WASM API.
 */
import type { Tree, TreeCursor } from 'web-tree-sitter';
import { DECLARING_TYPES } from './syntax';

export interface Point {
  row: number;
  column: number;
}

/**
 * What the nodes of one tree share: the file text and its line starts, and the
 * anonymous leaves (punctuation, keywords, operators), which are kept as numbers until
 * something asks for a node's `children` (see {@link SyntaxNode.children}).
 */
export class SourceText {
  private lineStarts: number[] | null = null;
  /**
   * per node with anonymous leaves, at its `anon` index: their count, then per leaf
   * id, type id, field id, start, end, and its index among the node's children
   */
  anon: Int32Array = NO_RECORDS;
  /** all visible children of the nodes that have anonymous ones, once built (few nodes: kept here, not in a field of every node) */
  private readonly all = new Map<SyntaxNode, SyntaxNode[]>();

  constructor(
    readonly text: string,
    private readonly types: readonly string[] = [],
    private readonly fields: ReadonlyArray<string | null> = [],
  ) {}

  allOf(node: SyntaxNode): SyntaxNode[] | undefined {
    return this.all.get(node);
  }

  setAll(node: SyntaxNode, all: SyntaxNode[]): void {
    this.all.set(node, all);
  }

  /** row/column (0-based, UTF-16 columns) of a UTF-16 index */
  point(index: number): Point {
    let starts = this.lineStarts;
    if (!starts) {
      starts = [0];
      const t = this.text;
      let i = t.indexOf('\n');
      while (i !== -1) {
        starts.push(i + 1);
        i = t.indexOf('\n', i + 1);
      }
      this.lineStarts = starts;
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo] };
  }

  /** whether one of the anonymous leaves recorded at `at` fills field `name` */
  anonHasField(at: number, name: string): boolean {
    const a = this.anon;
    for (let k = 0, r = at + 1; k < a[at]; k++, r += ANON_RECORD) if (a[r + 2] !== 0 && this.fields[a[r + 2]] === name) return true;
    return false;
  }

  /** all visible children of `node`: its named children with its anonymous leaves (recorded at `node.anon`) put back in place */
  children(node: SyntaxNode, at: number): SyntaxNode[] {
    const a = this.anon;
    const named = node.namedChildren;
    const count = a[at];
    const total = named.length + count;
    // built by `push` in order (the records are in slot order): a packed array like every
    // other children array, where `new Array(n)` made a holey one, a map that the passes'
    // loops had not seen (V8 then threw their optimised code away)
    const out: SyntaxNode[] = [];
    for (let i = 0, j = 0, k = 0, r = at + 1; i < total; i++) {
      if (k < count && a[r + 5] === i) {
        const f = a[r + 2];
        out.push(new SyntaxNode(this, a[r], this.types[a[r + 1]] || 'ERROR', f ? this.fields[f] ?? null : null, false, a[r + 3], a[r + 4], node));
        k++;
        r += ANON_RECORD;
      } else out.push(named[j++]);
    }
    return out;
  }
}

/** numbers per anonymous leaf in {@link SourceText.anon} */
const ANON_RECORD = 6;
const NO_RECORDS = new Int32Array(0);

/**
 * The shared empty children list. Made by `slice` so that it has the elements kind of
 * every other children list (packed, of objects): an empty literal has another map, and
 * the first empty block or file a pass met after V8 had optimised it threw that code away.
 */
const NO_CHILDREN: SyntaxNode[] = [null as unknown as SyntaxNode].slice(1);

/**
 * The language's type and field names as internalized strings: the runtime builds them
 * from C strings, and comparing those with the front end's literals (`n.type === 'call'`,
 * `switch (n.type)`) would compare characters instead of pointers.
 */
const namesCache = new WeakMap<object, { types: string[]; fields: Array<string | null>; declaring: Uint8Array }>();
function languageNames(language: Tree['language']): { types: string[]; fields: Array<string | null>; declaring: Uint8Array } {
  let names = namesCache.get(language);
  if (!names) {
    const intern = (x: string): string => Object.keys({ [x]: 0 })[0];
    const types = language.types.map((t) => (typeof t === 'string' ? intern(t) : t));
    // by type id (ERROR's is 0xffff); 1: a type in DECLARING_TYPES
    const declaring = new Uint8Array(0x10000);
    types.forEach((t, id) => {
      if (DECLARING_TYPES.has(t)) declaring[id] = 1;
    });
    names = {
      types,
      fields: language.fields.map((f) => (typeof f === 'string' ? intern(f) : f)),
      declaring,
    };
    namesCache.set(language, names);
  }
  return names;
}

export class SyntaxNode {
  /** the named children, in order (the node's own array: callers never modify it) */
  namedChildren: SyntaxNode[] = NO_CHILDREN;
  /**
   * `slot * 4 + (holdsDeclaring ? 2 : 0) + (isNamed ? 0 : 1)`: `slot` is 0 when the node's
   * children are all in `namedChildren`, 1 when all its visible children are kept in
   * `source` (it has anonymous ones), else `anon + 2`, where `anon` is where its anonymous
   * leaves are recorded in `source.anon`. One field for all of this: a node is 8 bytes per
   * field, and the standard library makes 1.6 million of them.
   */
  private info: number;
  private textCache: string | undefined = undefined;

  constructor(
    private readonly source: SourceText,
    /** unique within the tree */
    readonly id: number,
    readonly type: string,
    /** the field this node fills in its parent, or null */
    readonly field: string | null,
    isNamed: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly parent: SyntaxNode | null,
  ) {
    this.info = isNamed ? 0 : 1;
  }

  get isNamed(): boolean {
    return (this.info & 1) === 0;
  }

  /**
   * Whether a node below this one is of a type in {@link DECLARING_TYPES} (the cursor copy
   * does not work it out and says true): pass A skips subtrees without one.
   */
  get holdsDeclaring(): boolean {
    return (this.info & 2) !== 0;
  }

  markHoldsDeclaring(): void {
    this.info |= 2;
  }

  /** where the node's anonymous leaves are recorded in `source.anon`, or -1 */
  get anon(): number {
    return this.info >= 8 ? (this.info >> 2) - 2 : -1;
  }

  set anon(at: number) {
    this.info = (at + 2) * 4 + (this.info & 3);
  }

  /**
   * The visible children (named and anonymous, extras included), in order. Most passes
   * only read `namedChildren`: the anonymous leaves become nodes when this is first read.
   */
  get children(): SyntaxNode[] {
    const info = this.info;
    if (info < 4) return this.namedChildren;
    if (info < 8) return this.source.allOf(this)!;
    const all = this.source.children(this, (info >> 2) - 2);
    this.keepAll(all);
    return all;
  }

  /** keeps `all` as the node's visible children (in `source`: few nodes have anonymous ones) */
  private keepAll(all: SyntaxNode[]): void {
    this.source.setAll(this, all);
    this.info = 4 + (this.info & 3);
  }

  /** the copy's result: all children, when the node has anonymous ones that are not recorded as leaves */
  setChildren(all: SyntaxNode[]): void {
    let count = 0;
    for (const c of all) if (c.isNamed) count++;
    if (count === all.length) {
      this.namedChildren = all;
      this.info &= 3;
      return;
    }
    this.keepAll(all);
    if (count === 0) this.namedChildren = NO_CHILDREN;
    else {
      const named: SyntaxNode[] = [];
      for (const c of all) if (c.isNamed) named.push(c);
      this.namedChildren = named;
    }
  }

  get isError(): boolean {
    return this.type === 'ERROR';
  }

  get text(): string {
    return (this.textCache ??= ownText(this.source.text, this.startIndex, this.endIndex));
  }

  get startPosition(): Point {
    return this.source.point(this.startIndex);
  }

  get endPosition(): Point {
    return this.source.point(this.endIndex);
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  childForFieldName(name: string): SyntaxNode | null {
    if (this.type === 'ERROR') return null;
    // indexed loops here and in the passes' walks: code that V8 has not optimised yet
    // (most of a run's, with the CLI's raised tier-up budget) allocates a result object per
    // step of a `for...of`
    const kids = this.withField(name);
    for (let i = 0; i < kids.length; i++) if (kids[i].field === name) return kids[i];
    if (this.type === 'match_statement' && name === 'alternative') {
      // `ts_node_child_by_field_id` looks through the body (an aliased hidden node)
      return this.childForFieldName('body')?.childForFieldName('alternative') ?? null;
    }
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    const kids = this.withField(name);
    for (let i = 0; i < kids.length; i++) if (kids[i].field === name) out.push(kids[i]);
    return out;
  }

  /** the children among which those filling field `name` are, in order: the named ones unless an anonymous leaf fills it */
  private withField(name: string): SyntaxNode[] {
    const info = this.info;
    if (info < 4) return this.namedChildren;
    if (info < 8) return this.source.allOf(this)!;
    return this.source.anonHasField((info >> 2) - 2, name) ? this.children : this.namedChildren;
  }
}

/**
 * The children lists of the nodes open in a depth-first walk, kept on one stack and
 * copied into each node's own exact-size array when the walk leaves it (an array grown by
 * `push` would keep room for 17 children, and most nodes have two or three).
 */
class Children {
  private readonly stack: SyntaxNode[] = [];
  /** the stack's length in use (slots above it are stale, overwritten as the walk goes on) */
  private top = 0;
  private readonly starts: number[] = [];

  /** the first child of the node being entered */
  open(child: SyntaxNode): SyntaxNode {
    this.starts.push(this.top);
    this.stack[this.top++] = child;
    return child;
  }

  add(sibling: SyntaxNode): SyntaxNode {
    this.stack[this.top++] = sibling;
    return sibling;
  }

  /** the walk goes back up to `parent`: its children are complete */
  close(parent: SyntaxNode): void {
    const start = this.starts.pop()!;
    parent.setChildren(this.stack.slice(start, this.top));
    this.top = start;
  }
}

/**
 * Copies `tree` (parsed from `text`) into plain objects with one walk: read from the WASM
 * memory directly when {@link enableFastCopy} accepted that, else through the public
 * `TreeCursor`.
 */
export function copyTree(tree: Tree, text: string): SyntaxNode {
  return fast && useFast ? copyTreeFromMemory(fast, tree, text) : copyTreeWithCursor(tree, text);
}

/** The copy through the public `TreeCursor` API (a few calls per node). */
export function copyTreeWithCursor(tree: Tree, text: string): SyntaxNode {
  const source = new SourceText(text);
  const { types, fields } = languageNames(tree.language);
  const namedByType: Array<boolean | undefined> = [];
  const cursor: TreeCursor = tree.walk();
  let nextId = 0;

  const make = (parent: SyntaxNode | null): SyntaxNode => {
    const typeId = cursor.nodeTypeId;
    let isNamed = namedByType[typeId];
    if (isNamed === undefined) {
      isNamed = cursor.nodeIsNamed;
      namedByType[typeId] = isNamed;
    }
    const fieldId = parent ? cursor.currentFieldId : 0;
    const type = types[typeId] || 'ERROR';
    const node = new SyntaxNode(source, nextId++, type, fieldId ? fields[fieldId] ?? null : null, isNamed, cursor.startIndex, cursor.endIndex, parent);
    // not worked out here: pass A then walks every subtree
    node.markHoldsDeclaring();
    return node;
  };

  try {
    const root = make(null);
    let cur = root;
    const kids = new Children();
    for (;;) {
      if (cursor.gotoFirstChild()) {
        cur = kids.open(make(cur));
        continue;
      }
      for (;;) {
        if (cur === root) return root;
        const parent = cur.parent!;
        if (cursor.gotoNextSibling()) {
          cur = kids.add(make(parent));
          break;
        }
        cursor.gotoParent();
        kids.close(parent);
        cur = parent;
      }
    }
  } finally {
    cursor.delete();
  }
}

// ---------------------------------------------------------------------------------------
// fast path
//
// Each public `TreeCursor` call crosses into WASM and marshals the cursor through the
// runtime's transfer buffer; a cursor walk cost about as much as a third of the parse.
// The tree is plain data in the WASM memory, so the fast copy reads it there directly
// and makes no call at all: it visits the subtrees exactly as the cursor does
// (tree_cursor.c: hidden nodes are looked through, aliases make a node visible and
// rename it, a child's field is found in its parent's production, or in a hidden
// ancestor's), with the struct layouts of web-tree-sitter 0.25's runtime (wasm32,
// lib/subtree.h, lib/parser.h). It is only enabled after a self-check against the
// public-API copy, and falls back to that copy otherwise.

/** What the fast copy reads from the runtime module (emscripten's views of the WASM memory). */
interface RuntimeModule {
  HEAPU8: Uint8Array;
  HEAPU16: Uint16Array;
  HEAPU32: Uint32Array;
}

let fast: RuntimeModule | null = null;
let useFast = true;

/** Turns the fast copy off/on (tests and bench/verify-tree.ts compare both). Returns whether it is available. */
export function setFastCopy(enabled: boolean): boolean {
  useFast = enabled;
  return fast !== null;
}

const SELF_CHECK = [
  'import os, sys as s\nfrom .a import (b as c, d)\n@dec(1)\nclass K(B, metaclass=M):\n    x: int = 1\n    def f(self, a, *r, k=2, **kw) -> "T":\n        global g\n        return [i for i in a if i not in r] + {**kw}\n',
  'if __name__ == "__main__":\n    match x:\n        case [1, *y] if y: pass\n        case {"k": v}: pass\nx = f"a{b!r:>{w}}" "é😀" \\\n  + 1\nlambda a=1: a\n',
  'def f(:\n  return )\nclass\n\tx = [1, 2\ny = "\\ud800"\n',
  'async def g():\n    async with a as (b, c), d:\n        await x\n    try:\n        pass\n    except* (E, F) as e:\n        del e[0], f.g\n    print(*a, sep="", **k); yield from z\n',
];

/**
 * Enables the fast copy when `moduleObject` (the options object given to
 * `Parser.init`, which emscripten fills in) has the memory views and the copy
 * matches the public-API copy on a few samples (errors included).
 */
export function enableFastCopy(moduleObject: unknown, parser: { parse(text: string): Tree | null }): boolean {
  fast = null;
  try {
    const m = moduleObject as Partial<RuntimeModule> | null;
    if (!m || !(m.HEAPU8 instanceof Uint8Array) || !(m.HEAPU16 instanceof Uint16Array) || !(m.HEAPU32 instanceof Uint32Array)) return false;
    const candidate = m as RuntimeModule;
    // start the self-check with buffers too small for it, so that their growing runs here,
    // before V8 optimises the copy: a path it has never seen run (the first large file's)
    // makes it throw the optimised code away and compile it again (about a tenth of a
    // second of compiling)
    leafBuffer = new Int32Array(ANON_RECORD);
    anonBuffer = new Int32Array(ANON_RECORD);
    for (const text of SELF_CHECK) {
      const tree = parser.parse(text);
      if (!tree) return false;
      try {
        if (!sameTree(copyTreeFromMemory(candidate, tree, text), copyTreeWithCursor(tree, text))) return false;
      } finally {
        tree.delete();
      }
    }
    fast = candidate;
    return true;
  } catch {
    fast = null;
    return false;
  } finally {
    if (leafBuffer.length < LEAF_BUFFER) leafBuffer = new Int32Array(LEAF_BUFFER);
    if (anonBuffer.length < ANON_BUFFER) anonBuffer = new Int32Array(ANON_BUFFER);
  }
}

function sameTree(a: SyntaxNode, b: SyntaxNode): boolean {
  if (a.type !== b.type || a.field !== b.field || a.isNamed !== b.isNamed || a.startIndex !== b.startIndex
    || a.endIndex !== b.endIndex || a.id !== b.id || a.children.length !== b.children.length) return false;
  for (let i = 0; i < a.children.length; i++) if (!sameTree(a.children[i], b.children[i])) return false;
  return true;
}

/** the fast copy's buffer of anonymous leaves (grown as needed, reused by every copy) */
const LEAF_BUFFER = 4096;
let leafBuffer = new Int32Array(LEAF_BUFFER);
/**
 * the fast copy's {@link SourceText.anon} records while it runs (grown as needed, reused by
 * every copy): the tree's own array is one exact copy at the end, where growing it per tree
 * had allocated (and zeroed) about twice what it kept
 */
const ANON_BUFFER = 1 << 16;
let anonBuffer = new Int32Array(ANON_BUFFER);

/** tree-sitter's symbol of ERROR nodes (`ts_builtin_sym_error`) */
const SYM_ERROR = 0xffff;

function copyTreeFromMemory(m: RuntimeModule, tree: Tree, text: string): SyntaxNode {
  // the views are taken after the parse (which may have grown the memory); nothing below allocates in WASM
  const u8 = m.HEAPU8;
  const u16 = m.HEAPU16;
  const u32 = m.HEAPU32;
  const { types, fields, declaring } = languageNames(tree.language);
  const source = new SourceText(text, types, fields);
  // struct TSTree { Subtree root; const TSLanguage *language; ... }
  const treeAddr = (tree as unknown as { 0: number })[0];
  const lang = u32[(treeAddr + 8) >> 2];
  // struct TSLanguage (parser.h): nine uint32 counts, max_alias_sequence_length, then pointers
  const fieldCount = u32[(lang + 32) >> 2];
  const maxAlias = u16[(lang + 36) >> 1];
  const fieldSlices = u32[(lang + 64) >> 2];
  const fieldEntries = u32[(lang + 68) >> 2];
  const metadata = u32[(lang + 72) >> 2];
  const publicMap = u32[(lang + 76) >> 2];
  const aliasSequences = u32[(lang + 84) >> 2];
  /** the named children of the nodes being filled (and anonymous ones with children) */
  const stack: SyntaxNode[] = [];
  /** their anonymous leaves, as {@link SourceText.anon} records */
  let leaves = leafBuffer;
  // the lengths in use of `stack`, `leaves` and `hidden` (setting an array's length is a runtime call)
  let stackTop = 0;
  let leavesTop = 0;
  let hiddenTop = 0;
  let anonTop = 0;
  /** the nodes with anonymous children on `stack` (see `fill`) */
  const mixedNodes: SyntaxNode[] = [];
  /** the index of the next child of the node being filled, and whether it has anonymous children on `stack` */
  let slot = 0;
  let mixed = false;
  /** whether a node read so far among the children of the node being filled is, or holds, a {@link DECLARING_TYPES} node */
  let declares = false;
  /**
   * the hidden subtrees open in the walk, as (parent's production, structural index, extra)
   * triples; those above a visible node's `base` are between it and the children being read
   */
  const hidden: number[] = [];
  let nextId = 0;

  /** the non-inherited field of structural child `index` in production `production` (ts_language_field_map) */
  const fieldIn = (production: number, index: number): number => {
    if (fieldCount === 0) return 0;
    const slice = fieldSlices + 4 * production;
    const from = u16[slice >> 1];
    const count = u16[(slice + 2) >> 1];
    for (let e = fieldEntries + 4 * from, end = e + 4 * count; e < end; e += 4) {
      if (u8[e + 3] === 0 && u8[e + 2] === index) return u16[e >> 1];
    }
    return 0;
  };

  /**
   * Appends to `stack` the visible nodes among the children of heap subtree `p` (starting
   * at byte `start`), whose visible parent is `parent` (entered when `hidden` had length
   * `base`); a hidden child with visible children is looked through
   * (ts_tree_cursor_goto_first_child/next_sibling).
   */
  const readChildren = (p: number, start: number, parent: SyntaxNode, base: number): void => {
    const childCount = u32[(p + 36) >> 2];
    const production = u16[(p + 66) >> 1];
    const aliases = production ? aliasSequences + 2 * production * maxAlias : 0;
    let structural = 0;
    let pos = start;
    for (let i = 0, s = p - 8 * childCount; i < childCount; i++, s += 8) {
      const inline = (u8[s] & 1) === 1;
      const q = inline ? 0 : u32[s >> 2];
      if (i > 0) pos += inline ? u8[s + 6] : u32[(q + 4) >> 2];
      const end = pos + (inline ? u8[s + 7] : u32[(q + 16) >> 2]);
      const flags = inline ? u8[s] >> 1 : u8[q + 44];
      // bits of `flags`: 1 visible, 2 named, 4 extra
      const extra = (flags & 4) !== 0;
      const index = structural;
      let alias = 0;
      if (!extra) {
        if (aliases) alias = u16[(aliases >> 1) + index];
        structural++;
      }
      if ((flags & 1) !== 0 || alias !== 0) {
        let fieldId = 0;
        if (!extra) {
          fieldId = fieldIn(production, index);
          for (let h = hiddenTop - 3; fieldId === 0 && h >= base && hidden[h + 2] === 0; h -= 3) fieldId = fieldIn(hidden[h], hidden[h + 1]);
        }
        const symbol = alias || (inline ? u8[s + 1] : u16[(q + 40) >> 1]);
        const typeId = symbol === SYM_ERROR ? SYM_ERROR : u16[(publicMap >> 1) + symbol];
        const isNamed = alias ? u8[metadata + 3 * alias + 1] !== 0 : (flags & 2) !== 0;
        const hasChildren = !inline && u32[(q + 36) >> 2] > 0 && u32[(q + 48) >> 2] > 0;
        if (!isNamed && !hasChildren) {
          if (leavesTop + ANON_RECORD > leaves.length) {
            const grown = new Int32Array(2 * leaves.length);
            grown.set(leaves);
            leaves = leafBuffer = grown;
          }
          leaves[leavesTop++] = nextId++;
          leaves[leavesTop++] = typeId;
          leaves[leavesTop++] = fieldId;
          leaves[leavesTop++] = pos >>> 1;
          leaves[leavesTop++] = end >>> 1;
          leaves[leavesTop++] = slot++;
        } else {
          const node = new SyntaxNode(source, nextId++, types[typeId] || 'ERROR', fieldId ? fields[fieldId] ?? null : null,
            isNamed, pos >>> 1, end >>> 1, parent);
          stack[stackTop++] = node;
          slot++;
          if (!isNamed) mixed = true;
          if (hasChildren) fill(node, q, pos);
          if (declaring[typeId] === 1 || node.holdsDeclaring) declares = true;
        }
      } else if (!inline && u32[(q + 36) >> 2] > 0 && u32[(q + 48) >> 2] > 0) {
        hidden[hiddenTop++] = production;
        hidden[hiddenTop++] = index;
        hidden[hiddenTop++] = extra ? 1 : 0;
        readChildren(q, pos, parent, base);
        hiddenTop -= 3;
      }
      pos = end;
    }
  };

  /** reads the children of `node` (heap subtree `p` at byte `start`): the named ones into its own array, the anonymous leaves into `source.anon` */
  const fill = (node: SyntaxNode, p: number, start: number): void => {
    const from = stackTop;
    const leavesFrom = leavesTop;
    const outerSlot = slot;
    const outerMixed = mixed;
    const outerDeclares = declares;
    slot = 0;
    mixed = false;
    declares = false;
    readChildren(p, start, node, hiddenTop);
    if (declares) node.markHoldsDeclaring();
    if (stackTop > from) node.namedChildren = stack.slice(from, stackTop);
    stackTop = from;
    if (leavesTop > leavesFrom) {
      const count = leavesTop - leavesFrom;
      if (anonTop + 1 + count > anonBuffer.length) {
        const grown = new Int32Array(Math.max(2 * anonBuffer.length, anonTop + 1 + count));
        grown.set(anonBuffer.subarray(0, anonTop));
        anonBuffer = grown;
      }
      const a = anonBuffer;
      node.anon = anonTop;
      a[anonTop++] = count / ANON_RECORD;
      // a loop, not `set(subarray(...))`: most nodes have a few leaves, and each `subarray` was a new typed-array object
      for (let i = leavesFrom; i < leavesTop; i++) a[anonTop++] = leaves[i];
      leavesTop = leavesFrom;
    }
    // an anonymous node with visible children is kept as a node (on `stack`): then all
    // children are built once the records are in `source.anon`
    if (mixed) mixedNodes.push(node);
    slot = outerSlot;
    mixed = outerMixed;
    declares = outerDeclares;
  };

  // the root: the tree's root subtree, at its padding (ts_tree_root_node)
  const rootInline = (u8[treeAddr] & 1) === 1;
  const r = rootInline ? 0 : u32[treeAddr >> 2];
  const rootStart = rootInline ? u8[treeAddr + 6] : u32[(r + 4) >> 2];
  const rootEnd = rootStart + (rootInline ? u8[treeAddr + 7] : u32[(r + 16) >> 2]);
  const rootSymbol = rootInline ? u8[treeAddr + 1] : u16[(r + 40) >> 1];
  const rootType = rootSymbol === SYM_ERROR ? SYM_ERROR : u16[(publicMap >> 1) + rootSymbol];
  const rootNamed = ((rootInline ? u8[treeAddr] >> 1 : u8[r + 44]) & 2) !== 0;
  const root = new SyntaxNode(source, nextId++, types[rootType] || 'ERROR', null, rootNamed, rootStart >>> 1, rootEnd >>> 1, null);
  if (!rootInline && u32[(r + 36) >> 2] > 0) fill(root, r, rootStart);
  if (anonTop > 0) source.anon = anonBuffer.slice(0, anonTop);
  for (const node of mixedNodes) node.setChildren(node.children);
  return root;
}

/**
 * `text.slice(start, end)`, copied when short: V8 makes a slice of 13 characters or more a
 * view into the whole text, so a name kept in a model (most are node texts) would keep
 * the file's whole text alive after the project dropped it.
 */
function ownText(text: string, start: number, end: number): string {
  const s = text.slice(start, end);
  return s.length >= 13 && s.length <= 256 ? flatCopy(s) : s;
}

/** A copy of `s` that shares no memory with the string it was sliced from. */
function flatCopy(s: string): string {
  // a cons string flattened by the slice: the result views this short copy, not the text
  return (' ' + s).slice(1);
}
