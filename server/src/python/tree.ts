/**
 * A plain-JS copy of a tree-sitter syntax tree.
 *
 * Every property access on a web-tree-sitter `Node` (`type`, `children`, `text`,
 * `childForFieldName`, ...) crosses into WASM and allocates; the Python front end makes
 * many of them per node, which made it slow. Here the tree is copied once, with a
 * single `TreeCursor` walk (a handful of cheap calls per node), into {@link SyntaxNode}
 * objects that offer the subset of the `Node` API the front end uses, with the same
 * results:
 *  - `children` are the visible children (named and anonymous, extras included), as
 *    `Node.children`; `namedChildren` the named ones;
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

export interface Point {
  row: number;
  column: number;
}

/** The file text and its line starts, shared by the nodes of one tree. */
export class SourceText {
  private lineStarts: number[] | null = null;

  constructor(readonly text: string) {}

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
}

const NO_CHILDREN: SyntaxNode[] = [];

/**
 * The language's type and field names as internalized strings: the runtime builds them
 * from C strings, and comparing those with the front end's literals (`n.type === 'call'`,
 * `switch (n.type)`) would compare characters instead of pointers.
 */
const namesCache = new WeakMap<object, { types: string[]; fields: Array<string | null> }>();
function languageNames(language: Tree['language']): { types: string[]; fields: Array<string | null> } {
  let names = namesCache.get(language);
  if (!names) {
    const intern = (x: string): string => Object.keys({ [x]: 0 })[0];
    names = {
      types: language.types.map((t) => (typeof t === 'string' ? intern(t) : t)),
      fields: language.fields.map((f) => (typeof f === 'string' ? intern(f) : f)),
    };
    namesCache.set(language, names);
  }
  return names;
}

export class SyntaxNode {
  /** visible children, in order (filled by {@link copyTree}) */
  children: SyntaxNode[] = NO_CHILDREN;
  private named: SyntaxNode[] | null = null;
  private textCache: string | undefined = undefined;

  constructor(
    private readonly source: SourceText,
    /** unique within the tree */
    readonly id: number,
    readonly type: string,
    /** the field this node fills in its parent, or null */
    readonly field: string | null,
    readonly isNamed: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly parent: SyntaxNode | null,
  ) {}

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

  get namedChildren(): SyntaxNode[] {
    let n = this.named;
    if (!n) {
      const all = this.children;
      let count = 0;
      for (const c of all) if (c.isNamed) count++;
      // callers never modify these arrays: when every child is named, it is the same list
      if (count === all.length) n = all;
      else {
        n = [];
        for (const c of all) if (c.isNamed) n.push(c);
      }
      this.named = n;
    }
    return n;
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  childForFieldName(name: string): SyntaxNode | null {
    if (this.type === 'ERROR') return null;
    for (const c of this.children) if (c.field === name) return c;
    if (this.type === 'match_statement' && name === 'alternative') {
      // `ts_node_child_by_field_id` looks through the body (an aliased hidden node)
      return this.childForFieldName('body')?.childForFieldName('alternative') ?? null;
    }
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (const c of this.children) if (c.field === name) out.push(c);
    return out;
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
    parent.children = this.stack.slice(start, this.top);
    this.top = start;
  }
}

/**
 * Copies `tree` (parsed from `text`) into plain objects with one walk: through the
 * runtime's cursor functions directly when {@link enableFastCopy} accepted them, else
 * through the public `TreeCursor`.
 */
export function copyTree(tree: Tree, text: string): SyntaxNode {
  return fast && useFast ? copyTreeFast(fast, tree, text) : copyTreeWithCursor(tree, text);
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
    return new SyntaxNode(source, nextId++, type, fieldId ? fields[fieldId] ?? null : null, isNamed, cursor.startIndex, cursor.endIndex, parent);
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
// Each public `TreeCursor` call copies the cursor's four words into the runtime's
// transfer buffer and back with emscripten's generic setValue/getValue, which costs
// more than the walk itself. The runtime's exported cursor functions read the cursor
// from that buffer and the `goto` ones write it back, so a walk can leave the cursor
// there and call them directly: one WASM call per fact, nothing marshalled. This uses
// web-tree-sitter 0.25's runtime layout (`tree[0]` is the tree's address, `walk()`
// leaves the new cursor in the transfer buffer, `cursor[0..3]` are its words), so it is
// only enabled after a self-check against the public API, and falls back otherwise.

/** The runtime functions the fast copy calls (emscripten exports them on the module object). */
interface RuntimeModule {
  _ts_init(): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_named_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  getValue(ptr: number, type: string): number;
}

const RUNTIME_FUNCTIONS: Array<keyof RuntimeModule> = [
  '_ts_init', '_ts_tree_cursor_goto_first_child_wasm', '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm', '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_current_node_is_named_wasm', '_ts_tree_cursor_current_field_id_wasm',
  '_ts_tree_cursor_start_index_wasm', '_ts_tree_cursor_end_index_wasm', 'getValue',
];

let fast: { m: RuntimeModule; transfer: number } | null = null;
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
];

/**
 * Enables the fast copy when `moduleObject` (the options object given to
 * `Parser.init`, which emscripten fills in) has the runtime functions and the copy
 * matches the public-API copy on a few samples (errors included).
 */
export function enableFastCopy(moduleObject: unknown, parser: { parse(text: string): Tree | null }): boolean {
  fast = null;
  try {
    const m = moduleObject as Partial<RuntimeModule> | null;
    if (!m || RUNTIME_FUNCTIONS.some((f) => typeof m[f] !== 'function')) return false;
    const candidate = { m: m as RuntimeModule, transfer: (m as RuntimeModule)._ts_init() };
    if (!candidate.transfer) return false;
    for (const text of SELF_CHECK) {
      const tree = parser.parse(text);
      if (!tree) return false;
      try {
        if (!sameTree(copyTreeFast(candidate, tree, text), copyTreeWithCursor(tree, text))) return false;
      } finally {
        tree.delete();
      }
    }
    fast = candidate;
    return true;
  } catch {
    fast = null;
    return false;
  }
}

function sameTree(a: SyntaxNode, b: SyntaxNode): boolean {
  if (a.type !== b.type || a.field !== b.field || a.isNamed !== b.isNamed || a.startIndex !== b.startIndex
    || a.endIndex !== b.endIndex || a.children.length !== b.children.length) return false;
  for (let i = 0; i < a.children.length; i++) if (!sameTree(a.children[i], b.children[i])) return false;
  return true;
}

function copyTreeFast(rt: { m: RuntimeModule; transfer: number }, tree: Tree, text: string): SyntaxNode {
  const { m, transfer } = rt;
  const source = new SourceText(text);
  const { types, fields } = languageNames(tree.language);
  const namedByType: Array<boolean | undefined> = [];
  const addr = (tree as unknown as { 0: number })[0];
  // walk() leaves the new cursor in the transfer buffer
  const cursor = tree.walk() as unknown as TreeCursor & { 0: number; 1: number; 2: number; 3: number };
  let nextId = 0;

  const make = (parent: SyntaxNode | null): SyntaxNode => {
    const typeId = m._ts_tree_cursor_current_node_type_id_wasm(addr);
    let isNamed = namedByType[typeId];
    if (isNamed === undefined) {
      isNamed = m._ts_tree_cursor_current_node_is_named_wasm(addr) === 1;
      namedByType[typeId] = isNamed;
    }
    const fieldId = parent ? m._ts_tree_cursor_current_field_id_wasm(addr) : 0;
    const type = types[typeId] || 'ERROR';
    return new SyntaxNode(source, nextId++, type, fieldId ? fields[fieldId] ?? null : null, isNamed,
      m._ts_tree_cursor_start_index_wasm(addr), m._ts_tree_cursor_end_index_wasm(addr), parent);
  };

  try {
    const root = make(null);
    let cur = root;
    const kids = new Children();
    for (;;) {
      if (m._ts_tree_cursor_goto_first_child_wasm(addr) === 1) {
        cur = kids.open(make(cur));
        continue;
      }
      for (;;) {
        if (cur === root) return root;
        const parent = cur.parent!;
        if (m._ts_tree_cursor_goto_next_sibling_wasm(addr) === 1) {
          cur = kids.add(make(parent));
          break;
        }
        m._ts_tree_cursor_goto_parent_wasm(addr);
        kids.close(parent);
        cur = parent;
      }
    }
  } finally {
    // hand the (possibly reallocated) cursor state back so that delete() frees it
    cursor[0] = m.getValue(transfer, 'i32');
    cursor[1] = m.getValue(transfer + 4, 'i32');
    cursor[2] = m.getValue(transfer + 8, 'i32');
    cursor[3] = m.getValue(transfer + 12, 'i32');
    cursor.delete();
  }
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
