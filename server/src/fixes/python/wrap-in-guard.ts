/**
 * unguarded-spawn → "Move the process start under if __name__ == '__main__':" (Python).
 *
 * The top-level statement that starts the workers (a `with Pool()` block, `Manager()`,
 * `p = Process(...)` / `p.start()`, or a top-level call of a function that starts workers)
 * and every later top-level statement that is not a def/class/import move, in order, into
 * one main guard at the end of the file (an existing main guard among them is merged into
 * it). Defs, classes and imports stay where they are, so the children can still import them.
 *
 * Offered only when: the module is not imported by another analysed module (a guard in an
 * imported module never runs); no kept def/class needs, when it is defined, a name the moved
 * code binds; no moved statement holds a multi-line string (re-indenting would change it) or
 * tests `__name__` other than as a plain main guard.
 */
import type { Node } from 'web-tree-sitter';
import type { Finding } from '../../engine/findings';
import { unitKey } from '../../engine/contexts';
import type { FixContext, FixEdit, FixProvider, TextEdit } from '../types';
import { eol, indentUnit, leadingLine, lines } from './layout';
import { scopeBindings } from './scopes';
import { hasElse, hasMultilineString, isMainGuard, isPython, named, pos, pyRoot, samePos, walk } from './syntax-tree';

const KIND = 'wrap-in-guard';
const TITLE = "Move the process start under if __name__ == '__main__':";

const KEPT = new Set(['function_definition', 'class_definition', 'decorated_definition', 'import_statement', 'import_from_statement', 'future_import_statement']);

function containsRow(n: Node, row: number): boolean {
  return n.startPosition.row <= row && row <= n.endPosition.row;
}

function plan(ctx: FixContext, f: Finding): (() => TextEdit[] | undefined) | undefined {
  if (!isPython(f.file)) return undefined;
  const graph = ctx.graph;
  const rec = graph.spawnRecords.find(
    (r) => r.module.path === f.file && samePos((r.site.startRange ?? r.site.range).start, f.range.start),
  );
  if (!rec) return undefined;
  const m = rec.module;
  // a guard in a module that others import would never run
  for (const other of graph.modules.values()) {
    if (other === m) continue;
    for (const spec of other.imports) if (graph.linker.resolveModule(other, spec) === m) return undefined;
  }
  const text = ctx.text(f.file);
  if (text === undefined) return undefined;
  const root = pyRoot(text);
  if (!root) return undefined;
  const stmts = named(root).filter((s) => s.type !== 'comment');
  const unit = m.units[rec.site.unit];
  if (!unit) return undefined;
  const rows: number[] = [];
  if (unit.kind === 'module') {
    rows.push(rec.site.range.start.line);
    if (rec.site.startRange) rows.push(rec.site.startRange.start.line);
  } else if (unit.kind === 'function') {
    const target = unitKey(m, unit);
    for (const c of m.units[0].calls) {
      if (!graph.linker.holds(m, c)) continue;
      const reaches = graph.unitsOfRef(m, c.callee).some((k) => graph.reach([k]).has(target));
      if (reaches) rows.push(c.range.start.line);
    }
  } else {
    return undefined;
  }
  if (rows.length === 0) return undefined;
  let startIdx = Infinity;
  for (const row of rows) {
    const i = stmts.findIndex((s) => containsRow(s, row));
    if (i < 0) return undefined;
    startIdx = Math.min(startIdx, i);
  }
  const first = stmts[startIdx];
  if (KEPT.has(first.type)) return undefined;

  const moved: Node[] = [];
  const kept: Node[] = [];
  for (const s of stmts.slice(startIdx)) (KEPT.has(s.type) ? kept : moved).push(s);
  const unitText = indentUnit(root, text);
  const movedNames = new Set<string>();
  for (const s of moved) {
    if (s.type === 'if_statement' && /__name__/.test(s.childForFieldName('condition')?.text ?? '')) {
      if (!isMainGuard(s) || hasElse(s)) return undefined;
      const body = s.childForFieldName('body');
      const firstStmt = body?.namedChild(0);
      if (!body || !firstStmt || firstStmt.startPosition.row === s.startPosition.row) return undefined;
      const ind = /^[ \t]*/.exec(lines(text)[firstStmt.startPosition.row] ?? '')![0];
      if (ind !== unitText) return undefined;
    } else if (hasMultilineString(s)) {
      return undefined;
    }
    for (const n of scopeBindings(s)) movedNames.add(n);
  }
  // kept defs/classes must not need moved names when they are defined
  for (const s of kept) {
    const used = new Set<string>();
    walk(s, (x) => {
      if (x.type === 'block' && x.parent?.type === 'function_definition') return false;
      if (x.type === 'identifier') used.add(x.text);
      return true;
    });
    for (const n of used) if (movedNames.has(n)) return undefined;
  }
  const quote = /__name__\s*==\s*'__main__'/.test(text) ? "'" : '"';
  return () => build(text, stmts, startIdx, moved, unitText, quote);
}

function build(text: string, stmts: Node[], startIdx: number, moved: Node[], unit: string, quote: string): TextEdit[] {
  const nl = eol(text);
  const ls = lines(text);
  const tailStart = leadingLine(text, stmts[startIdx]);
  // which lines belong to which top-level statement (with the comment lines right above it)
  const owner = new Map<number, Node>();
  for (const s of stmts.slice(startIdx)) {
    for (let l = leadingLine(text, s); l <= s.endPosition.row; l++) owner.set(l, s);
  }
  const movedSet = new Set(moved.map((s) => s.id));
  const keptLines: string[] = [];
  const guardLines: string[] = [];
  let lastMovedEnd = -1;
  for (let l = tailStart; l < ls.length; l++) {
    const s = owner.get(l);
    if (!s || !movedSet.has(s.id)) {
      keptLines.push(ls[l]);
      continue;
    }
    if (l === leadingLine(text, s) && lastMovedEnd >= 0 && l > lastMovedEnd + 1 && guardLines.length) guardLines.push('');
    if (isMainGuard(s)) {
      if (l < s.startPosition.row) guardLines.push(ls[l].trim() === '' ? '' : unit + ls[l]);
      else if (l === s.startPosition.row) {
        // the `if __name__ == ...:` header goes; a comment on it stays
        const c = /#.*$/.exec(ls[l]);
        if (c) guardLines.push(unit + c[0]);
      } else guardLines.push(ls[l]);
    } else {
      guardLines.push(ls[l].trim() === '' ? '' : unit + ls[l]);
    }
    if (l === s.endPosition.row) lastMovedEnd = l;
  }
  while (keptLines.length && keptLines[keptLines.length - 1].trim() === '') keptLines.pop();
  while (guardLines.length && guardLines[guardLines.length - 1].trim() === '') guardLines.pop();
  const parts: string[] = [];
  if (keptLines.length) parts.push(keptLines.join(nl), '', '');
  parts.push(`if __name__ == ${quote}__main__${quote}:`, ...guardLines);
  const tail = parts.join(nl) + nl;
  const end = pos(ls.length - 1, ls[ls.length - 1].length);
  return [{ range: { start: pos(tailStart, 0), end }, newText: tail }];
}

export const wrapInGuardPython: FixProvider = {
  kind: KIND,
  rules: ['unguarded-spawn'],
  describe(ctx, f) {
    return plan(ctx, f) ? { kind: KIND, title: TITLE } : undefined;
  },
  compute(ctx, f): FixEdit | undefined {
    const p = plan(ctx, f);
    const edits = p?.();
    return edits ? { kind: KIND, title: TITLE, changes: [{ file: f.file, edits }] } : undefined;
  },
};
