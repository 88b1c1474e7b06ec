/**
 * Where and how the Python fix providers insert text: lines and line endings, the file's
 * indentation unit, a module-level block before a statement (with the file's blank lines
 * between top-level defs), an import
 * after the leading imports, the top of a def's body.
 */
import type { Node } from 'web-tree-sitter';
import type { FixContext, TextEdit } from '../types';
import { named, pos, walk } from './syntax-tree';

export function lines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, ''));
}

export function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** The file's indentation unit (the first indented block's step), default four spaces. */
export function indentUnit(root: Node, text: string): string {
  const ls = lines(text);
  let found: string | undefined;
  walk(root, (n) => {
    if (found !== undefined) return false;
    if (n.type === 'block' && n.parent) {
      const first = n.namedChild(0);
      if (first && first.startPosition.row !== n.parent.startPosition.row) {
        const outer = /^[ \t]*/.exec(ls[n.parent.startPosition.row] ?? '')![0];
        const inner = /^[ \t]*/.exec(ls[first.startPosition.row] ?? '')![0];
        if (inner.length > outer.length && inner.startsWith(outer)) found = inner.slice(outer.length);
        return false;
      }
    }
    return true;
  });
  return found ?? '    ';
}

export function lineIndent(text: string, line: number): string {
  return /^[ \t]*/.exec(lines(text)[line] ?? '')![0];
}

/**
 * The first line of a top-level statement including the comment lines directly above it
 * (they belong to it), for inserting something before it.
 */
export function leadingLine(text: string, stmt: Node): number {
  return leadingLineIn(lines(text), stmt);
}

/** {@link leadingLine} on the text's lines, split once by the caller. */
function leadingLineIn(ls: readonly string[], stmt: Node): number {
  let l = stmt.startPosition.row;
  while (l > 0 && /^\s*#/.test(ls[l - 1] ?? '')) l--;
  return l;
}

/**
 * How many blank lines the file puts before its top-level defs and classes: 1 when most of
 * them have one, else 2 (PEP 8, and Black's and Ruff's formatters).
 */
export function topLevelBlankLines(root: Node, text: string): 1 | 2 {
  const ls = lines(text);
  const stmts = named(root).filter((s) => s.type !== 'comment');
  let one = 0;
  let two = 0;
  for (let i = 1; i < stmts.length; i++) {
    const s = stmts[i];
    if (s.type !== 'function_definition' && s.type !== 'class_definition' && s.type !== 'decorated_definition') continue;
    let blanks = 0;
    // the lines split once: splitting per def made a file of 7,000 defs cost 17 s
    for (let l = leadingLineIn(ls, s) - 1; l > stmts[i - 1].endPosition.row && (ls[l] ?? '').trim() === ''; l--) blanks++;
    if (blanks === 1) one++;
    else if (blanks >= 2) two++;
  }
  return one > two ? 1 : 2;
}

/**
 * An edit that inserts a module-level block (a def, without trailing newline) before the
 * top-level statement `stmt`, separated by the file's blank lines between top-level defs on
 * both sides (two unless the file uses one: `topLevelBlankLines`).
 */
export function insertBeforeTopLevel(text: string, stmt: Node, block: string): TextEdit {
  const nl = eol(text);
  const ls = lines(text);
  const at = leadingLine(text, stmt);
  const want = stmt.parent ? topLevelBlankLines(stmt.parent, text) : 2;
  let prefix = '';
  if (at > 0) {
    let blanks = 0;
    for (let l = at - 1; l >= 0 && (ls[l] ?? '').trim() === ''; l--) blanks++;
    if (blanks < want && at - blanks > 0) prefix = nl.repeat(want - blanks);
  }
  const body = block.split('\n').join(nl);
  return { range: { start: pos(at, 0), end: pos(at, 0) }, newText: `${prefix}${body}${nl}${nl.repeat(want)}` };
}

/** Inserts a line at the top of the module, after the docstring, `__future__` imports and the leading import block. */
export function addImportEdit(root: Node, text: string, line: string): TextEdit {
  const nl = eol(text);
  let after: Node | undefined;
  for (const s of named(root)) {
    if (s.type === 'comment') continue;
    if (s.type === 'expression_statement' && s.namedChild(0)?.type === 'string' && !after) {
      after = s;
      continue;
    }
    if (s.type === 'import_statement' || s.type === 'import_from_statement' || s.type === 'future_import_statement') {
      after = s;
      continue;
    }
    break;
  }
  if (!after) return { range: { start: pos(0, 0), end: pos(0, 0) }, newText: line + nl };
  const l = after.endPosition.row + 1;
  return { range: { start: pos(l, 0), end: pos(l, 0) }, newText: line + nl };
}

/**
 * How to name `multiprocessing.<attr>` in this module: an existing `import multiprocessing`
 * (or `as mp`) binding, or `from multiprocessing import <attr>`; otherwise adds
 * `import multiprocessing`.
 */
export function mpName(ctx: FixContext, file: string, root: Node, text: string, attr: string): { expr: string; edit?: TextEdit } | undefined {
  const m = ctx.graph.modules.get(file);
  if (m) {
    for (const b of m.bindings.values()) {
      if (b.kind !== 'import' || !b.importFrom) continue;
      if (b.importFrom.specifier === 'multiprocessing' && b.importFrom.imported === '*') return { expr: `${b.name}.${attr}` };
    }
    for (const b of m.bindings.values()) {
      if (b.kind === 'import' && b.importFrom?.specifier === 'multiprocessing' && b.importFrom.imported === attr && b.name === attr) return { expr: attr };
    }
    if (m.bindings.has('multiprocessing')) return undefined;
  }
  let clash = false;
  walk(root, (x) => {
    if (x.type === 'import_from_statement') return false;
    if (x.type === 'identifier' && x.text === 'multiprocessing') clash = true;
    return !clash;
  });
  if (clash) return undefined;
  return { expr: `multiprocessing.${attr}`, edit: addImportEdit(root, text, 'import multiprocessing') };
}

/** Where statements go at the top of a def's body: after its docstring. Undefined for one-line bodies. */
export function bodyInsertPoint(fn: Node, text: string): { line: number; indent: string } | undefined {
  const body = fn.childForFieldName('body');
  if (!body) return undefined;
  const stmts = named(body).filter((s) => s.type !== 'comment');
  if (stmts.length === 0) return undefined;
  const first = stmts[0];
  if (first.startPosition.row === fn.startPosition.row) return undefined;
  const indent = lineIndent(text, first.startPosition.row);
  if (first.type === 'expression_statement' && first.namedChild(0)?.type === 'string') {
    const next = stmts[1];
    if (next && next.startPosition.row === first.endPosition.row) return undefined;
    return { line: first.endPosition.row + 1, indent };
  }
  // the first statement must start its line (no `x = 1; y = 2` tricks before it)
  if ((lines(text)[first.startPosition.row] ?? '').slice(0, first.startPosition.column).trim() !== '') return undefined;
  return { line: first.startPosition.row, indent };
}
