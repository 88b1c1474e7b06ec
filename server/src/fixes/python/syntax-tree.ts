/**
 * The syntax trees the Python fix providers work on (tree-sitter, the parser the front end
 * uses, with a tiny cache: describe() and compute() of several findings ask for the same
 * file), positions, and node questions (which node is at a range, what encloses it, is it
 * a main guard).
 *
 * Every helper answers `undefined` when the code is not in a shape it understands; the
 * providers then offer nothing (SPEC §4: a fix is offered only where it is correct).
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { Position, Range } from '../../engine/model';
import { getPythonParser } from '../../python/parser';

interface CachedTree {
  text: string;
  tree: Tree;
}
const TREE_CACHE: CachedTree[] = [];
const TREE_CACHE_SIZE = 6;

/** The syntax tree of `text`, or undefined when the parser is not loaded or the file has syntax errors. */
export function pyRoot(text: string): Node | undefined {
  const hit = TREE_CACHE.find((c) => c.text === text);
  if (hit) return hit.tree.rootNode.hasError ? undefined : hit.tree.rootNode;
  const parser = getPythonParser();
  if (!parser) return undefined;
  const tree = parser.parse(text);
  if (!tree) return undefined;
  TREE_CACHE.unshift({ text, tree });
  while (TREE_CACHE.length > TREE_CACHE_SIZE) {
    const old = TREE_CACHE.pop()!;
    try {
      old.tree.delete();
    } catch {
      /* ignore */
    }
  }
  return tree.rootNode.hasError ? undefined : tree.rootNode;
}

export function isPython(file: string): boolean {
  return /\.pyi?$/.test(file);
}

// ---------------------------------------------------------------------------------------
// positions and nodes

export function pos(line: number, character: number): Position {
  return { line, character };
}

export function nodeRange(n: Node): Range {
  return { start: pos(n.startPosition.row, n.startPosition.column), end: pos(n.endPosition.row, n.endPosition.column) };
}

export function samePos(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

export function sameRange(a: Range, b: Range): boolean {
  return samePos(a.start, b.start) && samePos(a.end, b.end);
}

export function startOf(n: Node): Position {
  return pos(n.startPosition.row, n.startPosition.column);
}

export function endOf(n: Node): Position {
  return pos(n.endPosition.row, n.endPosition.column);
}

/** The node of one of `types` whose range is exactly `r` (innermost first), if any. */
export function nodeAt(root: Node, r: Range, types?: string[]): Node | undefined {
  let n: Node | null = root.descendantForPosition(
    { row: r.start.line, column: r.start.character },
    { row: r.end.line, column: r.end.character },
  );
  while (n) {
    const nr = nodeRange(n);
    if (sameRange(nr, r) && (!types || types.includes(n.type))) return n;
    if (nr.start.line < r.start.line || (nr.start.line === r.start.line && nr.start.character < r.start.character)) {
      if (!types) return undefined;
    }
    n = n.parent;
    if (n && !containsRange(nodeRange(n), r)) return undefined;
  }
  return undefined;
}

function containsRange(outer: Range, inner: Range): boolean {
  const le = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, inner.start) && le(inner.end, outer.end);
}

export function named(n: Node): Node[] {
  const out: Node[] = [];
  for (const c of n.namedChildren) if (c) out.push(c);
  return out;
}

export function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const c of n.children) if (c) out.push(c);
  return out;
}

export function ancestor(n: Node, types: string[]): Node | undefined {
  let p = n.parent;
  while (p) {
    if (types.includes(p.type)) return p;
    p = p.parent;
  }
  return undefined;
}

/** The statement directly under `module` that contains `n`. */
export function topLevelStatement(n: Node): Node | undefined {
  let cur: Node | null = n;
  while (cur && cur.parent && cur.parent.type !== 'module') cur = cur.parent;
  return cur && cur.parent?.type === 'module' ? cur : undefined;
}

/** The innermost enclosing def (function_definition), or undefined at module level. */
export function enclosingFunction(n: Node): Node | undefined {
  return ancestor(n, ['function_definition']);
}

/** The statement (child of a block or the module) that contains `n`. */
export function enclosingStatement(n: Node): Node | undefined {
  let cur: Node | null = n;
  while (cur && cur.parent && cur.parent.type !== 'block' && cur.parent.type !== 'module') cur = cur.parent;
  return cur && cur.parent ? cur : undefined;
}

export function isScopeBoundary(n: Node): boolean {
  return (
    n.type === 'function_definition' ||
    n.type === 'lambda' ||
    n.type === 'class_definition' ||
    n.type === 'list_comprehension' ||
    n.type === 'set_comprehension' ||
    n.type === 'dictionary_comprehension' ||
    n.type === 'generator_expression'
  );
}

/** `if __name__ == '__main__':` (either operand order, either quote). */
export function isMainGuard(n: Node): boolean {
  if (n.type !== 'if_statement') return false;
  const c = n.childForFieldName('condition');
  if (!c || c.type !== 'comparison_operator') return false;
  const t = c.text.replace(/\s+/g, '');
  return /^__name__==(['"])__main__\1$/.test(t) || /^(['"])__main__\1==__name__$/.test(t);
}

export function hasElse(ifNode: Node): boolean {
  return children(ifNode).some((c) => c.type === 'else_clause' || c.type === 'elif_clause');
}

/** Any string literal spanning several lines inside `n` (re-indenting would change it). */
export function hasMultilineString(n: Node): boolean {
  let found = false;
  walk(n, (x) => {
    if (found) return false;
    if ((x.type === 'string' || x.type === 'concatenated_string') && x.startPosition.row !== x.endPosition.row) {
      found = true;
      return false;
    }
    return true;
  });
  return found;
}

/** Pre-order walk; `visit` returns false to skip a node's children. */
export function walk(n: Node, visit: (n: Node) => boolean | void): void {
  if (visit(n) === false) return;
  for (const c of n.namedChildren) if (c) walk(c, visit);
}

/** A module-level `def NAME(...)` of this tree (not decorated), by name. */
export function moduleDef(root: Node, name: string): Node | undefined {
  for (const s of named(root)) {
    if (s.type === 'function_definition' && s.childForFieldName('name')?.text === name) return s;
  }
  return undefined;
}
