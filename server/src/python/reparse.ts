/**
 * Incremental parsing for the language server: an edited document is re-parsed from its
 * previous tree (`tree.edit` + `parser.parse(text, oldTree)`), which reuses every subtree the
 * edit did not touch. The edit is the span where the old and new texts differ, so callers
 * need only the two texts, not the editor's change events.
 */
import type { Edit, Parser, Point, Tree } from 'web-tree-sitter';

/** A document's last tree and the text it is the tree of (the caller owns the tree). */
export interface PreviousTree {
  tree: Tree;
  text: string;
}

/**
 * The tree of `text`: `previous.tree` edited to `text` and re-parsed from it (which edits
 * `previous.tree`; the caller still deletes it). A tree with a syntax error is parsed again
 * from scratch: tree-sitter's error recovery may then differ from a fresh parse, and the
 * findings must be those of a fresh analysis.
 */
export function reparse(parser: Parser, previous: PreviousTree, text: string): Tree | null {
  const old = previous.text;
  if (previous.tree.rootNode.hasError) return parser.parse(text);
  const edit = textEdit(old, text);
  previous.tree.edit(edit);
  const tree = parser.parse(text, previous.tree);
  if (!tree || !tree.rootNode.hasError) return tree;
  tree.delete();
  return parser.parse(text);
}

/** The edit turning `before` into `after`: their common prefix and suffix are kept (UTF-16 units, as web-tree-sitter counts). */
export function textEdit(before: string, after: string): Edit {
  const limit = Math.min(before.length, after.length);
  let start = 0;
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  // never split a surrogate pair
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  let tail = 0;
  while (tail < limit - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  if (tail > 0 && isLowSurrogate(before.charCodeAt(before.length - tail))) tail--;
  const oldEnd = before.length - tail;
  const newEnd = after.length - tail;
  const startPosition = pointAt(before, start);
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition,
    oldEndPosition: pointAfter(before, start, oldEnd, startPosition),
    newEndPosition: pointAfter(after, start, newEnd, startPosition),
  };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Row and column (UTF-16 units) of offset `at`. */
function pointAt(text: string, at: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: at - lineStart };
}

/** The point of offset `to`, given the point of offset `from` (≤ `to`). */
function pointAfter(text: string, from: number, to: number, at: Point): Point {
  let { row } = at;
  let lineStart = from - at.column;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: to - lineStart };
}
