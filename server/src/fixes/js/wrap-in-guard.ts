/**
 * unguarded-spawn (Node) → "Start the worker only in the main thread": wraps the top-level
 * statement that starts the worker (and the following top-level statements that depend on
 * it) in `if (isMainThread) { ... }` / `if (cluster.isPrimary) { ... }` /
 * `if (process.send === undefined) { ... }` (a forked child has an IPC channel) — the guard
 * its start's model gives (`mainGuard`).
 *
 * Offered only when the spawn is a whole top-level statement that starts its own line, the
 * wrapped statements are not imports/exports, and nothing outside the wrapped range uses a
 * name they declare.
 */
import ts from 'typescript';
import type { Finding } from '../../engine/findings';
import type { ModuleModel, SpawnSite } from '../../engine/model';
import type { FixContext, FixEdit, FixProvider, TextEdit } from '../types';
import { ensureNamedImport } from './imports';
import { startOfSite } from '../../frameworks/js';
import type { JsStart } from '../../frameworks/js/types';
import { declaredBy, references } from './scopes';
import { endOfLine, eol, indentUnit, insertAt, jsFile, lineStartOf, nodeAtRange, type JsFile } from './source-file';

const KIND = 'wrap-in-guard';

/** The start's guard for unguarded-spawn's fix (its model's `mainGuard`), if it has one. */
function guardOf(site: SpawnSite): NonNullable<JsStart['mainGuard']> | undefined {
  return startOfSite(site)?.mainGuard;
}

function siteOf(m: ModuleModel, f: Finding): SpawnSite | undefined {
  return m.spawns.find(
    (s) => s.workerModule === 'self' && s.range.start.line === f.range.start.line && s.range.start.character === f.range.start.character && guardOf(s) !== undefined,
  );
}

export const wrapInGuard: FixProvider = {
  kind: KIND,
  rules: ['unguarded-spawn'],
  describe(ctx, f) {
    const m = ctx.graph.modules.get(f.file);
    if (!m || m.language !== 'js') return undefined;
    const site = siteOf(m, f);
    if (!site) return undefined;
    // the spawn must be top-level code of the module, not inside a function the top level calls
    if (m.units[site.unit]?.kind !== 'module') return undefined;
    return plan(ctx, f, m, site) ? { kind: KIND, title: guardOf(site)!.title } : undefined;
  },
  compute(ctx, f) {
    const m = ctx.graph.modules.get(f.file);
    if (!m || m.language !== 'js') return undefined;
    const site = siteOf(m, f);
    if (!site || m.units[site.unit]?.kind !== 'module') return undefined;
    const edits = plan(ctx, f, m, site);
    if (!edits) return undefined;
    return { kind: KIND, title: guardOf(site)!.title, changes: [{ file: f.file, edits }] } satisfies FixEdit;
  },
};

function plan(ctx: FixContext, f: Finding, _m: ModuleModel, site: SpawnSite): TextEdit[] | undefined {
  const file = jsFile(ctx, f.file);
  if (!file) return undefined;
  const node = nodeAtRange(file, site.range);
  if (!node) return undefined;
  const stmts = file.sf.statements;
  const i = stmts.findIndex((s) => s.pos <= node.pos && node.end <= s.end);
  if (i < 0) return undefined;
  const range = dependentRange(stmts, i);
  if (!range) return undefined;
  const [from, to] = range;
  for (let k = from; k <= to; k++) if (!wrappable(stmts[k])) return undefined;

  const guard = guardExpression(file, site, node);
  if (!guard) return undefined;

  const first = stmts[from];
  const last = stmts[to];
  const startOff = first.getStart(file.sf);
  const lineStart = lineStartOf(file.text, startOff);
  if (file.text.slice(lineStart, startOff).trim() !== '') return undefined;
  // the rest of the last line must be empty or a line comment
  const lastLineEnd = endOfLine(file.text, last.end);
  const tail = file.text.slice(last.end, lastLineEnd).trim();
  if (tail !== '' && !tail.startsWith('//')) return undefined;
  if (tail.startsWith('//') && /\*\//.test(tail)) return undefined;

  const nl = eol(file.text);
  const baseIndent = file.text.slice(lineStart, startOff);
  const unit = indentUnit(file.text);
  const edits: TextEdit[] = [...guard.edits];
  edits.push(insertAt(file.text, lineStart, `${baseIndent}if (${guard.expr}) {${nl}`));
  edits.push(...indentLines(file, lineStart, last.end, unit));
  const closeAt = lastLineEnd;
  const needsNl = closeAt === file.text.length && !file.text.endsWith('\n');
  edits.push(insertAt(file.text, closeAt, `${needsNl ? nl : ''}${baseIndent}}${nl}`));
  return edits;
}

/**
 * The statements to wrap: the spawn statement and every later top-level statement that uses
 * a name the wrapped statements declare (with the statements in between). Undefined when an
 * earlier statement uses one of those names.
 */
function dependentRange(stmts: readonly ts.Statement[], i: number): [number, number] | undefined {
  let to = i;
  for (;;) {
    const names = new Set<string>();
    for (let k = i; k <= to; k++) for (const n of declaredBy(stmts[k])) names.add(n);
    let next = to;
    for (let k = to + 1; k < stmts.length; k++) {
      for (const n of names) if (references(stmts[k], n)) next = k;
    }
    if (next === to) {
      for (let k = 0; k < i; k++) for (const n of names) if (references(stmts[k], n)) return undefined;
      return [i, to];
    }
    to = next;
  }
}

function wrappable(s: ts.Statement): boolean {
  if (ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s)) return false;
  if (ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DeclareKeyword))
    return false;
  // function/class declarations change scope (and hoisting) inside a block
  if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s))
    return false;
  // top-level await is fine inside a block; `return` at top level is not a thing in modules
  return true;
}

function guardExpression(file: JsFile, site: SpawnSite, node: ts.Node): { expr: string; edits: TextEdit[] } | undefined {
  const guard = guardOf(site);
  if (!guard) return undefined;
  if ('named' in guard) {
    const r = ensureNamedImport(file, guard.named, [`node:${guard.from}`, guard.from]);
    return r ? { expr: r.expr, edits: r.edits } : undefined;
  }
  if ('receiverMember' in guard) {
    // `cluster.fork()` → `cluster.isPrimary`
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const recv = node.expression.expression;
      if (ts.isIdentifier(recv)) return { expr: `${recv.text}.${guard.receiverMember}`, edits: [] };
    }
    return undefined;
  }
  return { expr: guard.expr, edits: [] };
}

/** Indents every line that starts in [from, to) by `unit`, except lines inside multi-line template literals/strings. */
export function indentLines(file: JsFile, from: number, to: number, unit: string): TextEdit[] {
  const inside: Array<[number, number]> = [];
  const visit = (n: ts.Node): void => {
    if (n.end < from || n.pos > to) return;
    if (ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isStringLiteral(n) || ts.isJsxText(n)) {
      const s = n.getStart(file.sf);
      if (file.text.slice(s, n.end).includes('\n')) inside.push([s, n.end]);
      if (!ts.isTemplateExpression(n)) return;
    }
    n.forEachChild(visit);
  };
  file.sf.forEachChild(visit);
  // multi-line comments are left as they are too
  const edits: TextEdit[] = [];
  for (let off = from; off < to; ) {
    const lineEnd = endOfLine(file.text, off);
    const line = file.text.slice(off, lineEnd);
    const inStr = inside.some(([s, e]) => off > s && off < e);
    if (!inStr && line.trim() !== '') edits.push(insertAt(file.text, off, unit));
    off = lineEnd;
    if (lineEnd >= file.text.length) break;
  }
  return edits;
}
