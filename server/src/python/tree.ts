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

export class SyntaxNode {
  /** visible children, in order (filled by {@link copyTree}) */
  children: SyntaxNode[] = NO_CHILDREN;
  private named: SyntaxNode[] | null = null;

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
    return this.source.text.slice(this.startIndex, this.endIndex);
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
      n = [];
      for (const c of this.children) if (c.isNamed) n.push(c);
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
 * Copies `tree` (parsed from `text`) into plain objects with one cursor walk.
 * Named-ness is looked up once per node type id.
 */
export function copyTree(tree: Tree, text: string): SyntaxNode {
  const source = new SourceText(text);
  const language = tree.language;
  const types = language.types;
  const fields = language.fields;
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
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    const fieldId = parent ? cursor.currentFieldId : 0;
    const type = types[typeId] || 'ERROR';
    return new SyntaxNode(source, nextId++, type, fieldId ? fields[fieldId] ?? null : null, isNamed, start, end, parent);
  };

  try {
    const root = make(null);
    let cur = root;
    for (;;) {
      if (cursor.gotoFirstChild()) {
        const child = make(cur);
        cur.children = [child];
        cur = child;
        continue;
      }
      for (;;) {
        if (cur === root) return root;
        const parent = cur.parent!;
        if (cursor.gotoNextSibling()) {
          const sib = make(parent);
          parent.children.push(sib);
          cur = sib;
          break;
        }
        cursor.gotoParent();
        cur = parent;
      }
    }
  } finally {
    cursor.delete();
  }
}
