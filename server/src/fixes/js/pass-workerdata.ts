/**
 * stale-global-read (Node) → "Pass NAME to the worker through workerData".
 *
 * Parent side: the spawn (`new Worker(file[, opts])`, `new Piscina({...})`,
 * `new Tinypool({...})`) gets `workerData: { NAME: <the parent's expression for the state> }`
 * (merged into an existing object-literal workerData). Worker side, before any read:
 *  - self-spawning file, module-level `let`/`var`: `NAME = workerData.NAME;` first in the
 *    worker branch;
 *  - a plain-data object exported by a shared module and imported by the worker module:
 *    `Object.assign(obj, workerData.NAME);` right after the worker module's imports.
 * `workerData` comes from 'node:worker_threads' (worker_threads, piscina) or
 * `Tinypool.workerData` (tinypool), imported in the file's style when missing.
 *
 * Offered only when every parent write to the state happens before the spawn (so the value
 * at the spawn site is the one the program meant), one spawn reaches the read, and the
 * state's shape is one of the above. child_process.fork, cluster and workerpool: not offered.
 */
import ts from 'typescript';
import type { Finding } from '../../engine/findings';
import type { ModuleModel, Unit } from '../../engine/model';
import { posOrder, type AccessRecord, type Program, type ProjectGraph, type SpawnRecord } from '../../engine/contexts';
import type { FileEdit, FixContext, FixProvider, TextEdit } from '../types';
import { accessOf, exprForSymbol, isImportedByAnyModule, singleSpawn, symbolParts, workerReasons } from './graph-lookups';
import { WORKER_THREADS, afterImportsOffset, ensureDefaultImport, ensureNamedImport } from './imports';
import { planProvider, type Plan } from './plan-provider';
import { declaredBy, isShadowedAt } from './scopes';
import { eol, indentAt, insertAt, jsFile, lineStartOf, nodeAtRange, offsetOf, type JsFile } from './source-file';

const KIND = 'pass-workerdata';

export const passWorkerData: FixProvider = planProvider(KIND, ['stale-global-read'], build);

function build(ctx: FixContext, f: Finding): Plan | undefined {
  const g = ctx.graph;
  const rec = accessOf(g, f);
  if (!rec || rec.module.language !== 'js' || rec.access.kind !== 'read') return undefined;
  const reasons = workerReasons(g, rec.key);
  const spawn = singleSpawn(reasons);
  if (!spawn) return undefined;
  const system = spawn.site.system;
  if (system !== 'worker_threads' && system !== 'piscina' && system !== 'tinypool') return undefined;
  const wm = spawn.workerModule;
  if (!wm) return undefined;
  const self = wm === spawn.module;
  const sym = rec.symbol;
  const { file: symFile, name } = symbolParts(sym);
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;

  if (!parentWritesBeforeSpawn(g, reasons, spawn, sym)) return undefined;

  // how the state looks and how the worker sets it
  let mode: 'assign' | 'object-assign';
  const binding = g.linker.binding(sym);
  if (self && symFile === wm.path) {
    if (!binding || binding.isConst || binding.kind === 'import' || binding.kind === 'function' || binding.kind === 'class') return undefined;
    if (!isLetOrVar(ctx, symFile, name)) return undefined;
    mode = 'assign';
  } else if (!self && symFile !== wm.path && symFile !== spawn.module.path) {
    if (!isPlainObjectState(ctx, symFile, name)) return undefined;
    // the read must not run at import time of some other module (before the worker's set-up)
    if (rec.unit.kind !== 'function' && rec.module !== wm) return undefined;
    mode = 'object-assign';
  } else {
    return undefined;
  }

  const parentExpr = exprForSymbol(g, spawn.module.path, sym);
  if (!parentExpr) return undefined;

  const parentFile = jsFile(ctx, spawn.module.path);
  if (!parentFile) return undefined;
  const parentEdits = spawnEdits(parentFile, spawn, name, parentExpr);
  if (!parentEdits) return undefined;

  const workerFile = self ? parentFile : jsFile(ctx, wm.path);
  if (!workerFile) return undefined;
  const workerEdits = mode === 'assign' ? selfAssignEdits(workerFile, wm, name) : objectAssignEdits(ctx, workerFile, wm, spawn, sym, name, rec);
  if (!workerEdits) return undefined;

  const changes: FileEdit[] = [];
  if (self) changes.push({ file: parentFile.file, edits: [...parentEdits, ...workerEdits] });
  else {
    changes.push({ file: parentFile.file, edits: parentEdits });
    changes.push({ file: workerFile.file, edits: workerEdits });
  }
  return { title: `Pass ${name} to the worker through workerData`, changes };
}

/** Whether every parent-side write of `sym` happens before the spawn starts the workers. */
export function parentWritesBeforeSpawn(
  g: ProjectGraph,
  reasons: Array<{ prog: Program }>,
  spawn: SpawnRecord,
  sym: string,
): boolean {
  for (const { prog } of reasons) {
    const writes = (g.accessesBySymbol.get(sym) ?? []).filter(
      (r) => r.access.kind !== 'read' && prog.parent.has(r.key) && !prog.worker.has(r.key),
    );
    const { fully, cut } = g.happensBefore(prog, spawn);
    for (const w of writes) {
      const limit = cut.get(w.key);
      if (!(fully.has(w.key) || (limit !== undefined && posOrder(w.access.range.start) < limit))) return false;
    }
  }
  return true;
}

/** `let NAME` / `var NAME` declared at the top level of the file. */
function isLetOrVar(ctx: FixContext, file: string, name: string): boolean {
  const jf = jsFile(ctx, file);
  if (!jf) return false;
  for (const s of jf.sf.statements) {
    if (!ts.isVariableStatement(s)) continue;
    if (s.declarationList.flags & ts.NodeFlags.Const) continue;
    for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return true;
  }
  return false;
}

/**
 * The state is an object literal of plain data at the top level of its module:
 * `const NAME = {...}`, `export const NAME = {...}`, `module.exports.NAME = {...}`,
 * `exports.NAME = {...}`, or `module.exports = { NAME: {...} }`.
 */
export function isPlainObjectState(ctx: FixContext, file: string, name: string): boolean {
  const jf = jsFile(ctx, file);
  if (!jf) return false;
  const objects: ts.Expression[] = [];
  for (const s of jf.sf.statements) {
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) objects.push(d.initializer);
      }
    } else if (ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression) && s.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const l = s.expression.left;
      const txt = l.getText(jf.sf);
      if (txt === `module.exports.${name}` || txt === `exports.${name}`) objects.push(s.expression.right);
      if (txt === 'module.exports' && ts.isObjectLiteralExpression(s.expression.right)) {
        for (const p of s.expression.right.properties) {
          if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name) objects.push(p.initializer);
        }
      }
    }
  }
  if (objects.length !== 1) return false;
  let e = objects[0];
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return ts.isObjectLiteralExpression(e) && isPlainData(e);
}

function isPlainData(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  if (ts.isNumericLiteral(e) || ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isBigIntLiteral(e)) return true;
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isIdentifier(e) && e.text === 'undefined') return true;
  if (ts.isPrefixUnaryExpression(e)) return isPlainData(e.operand);
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && !ts.isOmittedExpression(x) && isPlainData(x));
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.every((p) => ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && isPlainData(p.initializer));
  }
  return false;
}

/** Adds `NAME: expr` to the spawn's workerData (creating the option / options object when needed). */
function spawnEdits(file: JsFile, spawn: SpawnRecord, name: string, expr: string): TextEdit[] | undefined {
  const node = nodeAtRange(file, spawn.site.range);
  if (!node || !ts.isNewExpression(node) || !node.arguments) return undefined;
  // the parent's expression must mean the module-level state at the spawn
  const root = expr.split('.')[0];
  if (isShadowedAt(file.sf, node, root)) return undefined;
  const entry = expr === name ? name : `${name}: ${expr}`;
  const args = node.arguments;
  let opts: ts.Expression | undefined;
  if (spawn.site.system === 'worker_threads') {
    if (args.length === 0 || args.length > 2) return undefined;
    if (ts.isSpreadElement(args[0])) return undefined;
    opts = args[1];
    if (!opts) return [insertAt(file.text, args[0].end, `, { workerData: { ${entry} } }`)];
  } else {
    if (args.length !== 1) return undefined;
    opts = args[0];
  }
  if (!ts.isObjectLiteralExpression(opts)) return undefined;
  const wdProps = opts.properties.filter((p) => p.name && propKey(p.name) === 'workerData');
  if (wdProps.length > 1) return undefined;
  const wd = wdProps[0];
  if (!wd) {
    // a spread could carry a workerData of its own
    if (opts.properties.some((p) => ts.isSpreadAssignment(p))) return undefined;
    return [addProperty(file, opts, `workerData: { ${entry} }`)];
  }
  if (!ts.isPropertyAssignment(wd)) return undefined;
  let init = wd.initializer;
  while (ts.isParenthesizedExpression(init)) init = init.expression;
  if (!ts.isObjectLiteralExpression(init)) return undefined;
  if (init.properties.some((p) => p.name && propKey(p.name) === name)) return undefined;
  return [addProperty(file, init, entry)];
}

function propKey(n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return undefined;
}

/** Inserts a property at the end of an object literal, in its layout (one line or one per line). */
function addProperty(file: JsFile, obj: ts.ObjectLiteralExpression, prop: string): TextEdit {
  const props = obj.properties;
  if (props.length === 0) {
    const open = obj.getStart(file.sf);
    return insertAt(file.text, open + 1, ` ${prop} `);
  }
  const last = props[props.length - 1];
  const multiline = file.text.slice(obj.getStart(file.sf), last.getStart(file.sf)).includes('\n');
  if (multiline) {
    const indent = indentAt(file.text, last.getStart(file.sf));
    const after = file.text.slice(last.end).match(/^\s*,/);
    const at = after ? last.end + after[0].length : last.end;
    return insertAt(file.text, at, `${after ? '' : ','}${eol(file.text)}${indent}${prop}${after ? ',' : ''}`);
  }
  return insertAt(file.text, last.end, `, ${prop}`);
}

/** `NAME = workerData.NAME;` first in the (single) worker branch of a self-spawning file. */
function selfAssignEdits(file: JsFile, m: ModuleModel, name: string): TextEdit[] | undefined {
  const branches = m.units.filter((u) => u.kind === 'worker-branch');
  if (branches.length !== 1) return undefined;
  const first = firstStatementOf(file, branches[0]);
  if (!first) return undefined;
  if (isShadowedAt(file.sf, first, name)) return undefined;
  const imp = ensureNamedImport(file, 'workerData', WORKER_THREADS);
  if (!imp) return undefined;
  if (isShadowedAt(file.sf, first, imp.expr.split('.')[0])) return undefined;
  return [...imp.edits, statementBefore(file, first, `${name} = ${imp.expr}.${name};`)];
}

/** The first statement of a branch unit (its block's first statement, or the first top-level statement of the range). */
function firstStatementOf(file: JsFile, u: Unit): ts.Statement | undefined {
  const start = offsetOf(file.text, u.range.start);
  const end = offsetOf(file.text, u.range.end);
  let block: ts.Block | undefined;
  const visit = (n: ts.Node): void => {
    if (block || n.end < start || n.pos > end) return;
    if (ts.isBlock(n) && n.getStart(file.sf) === start && n.end === end) {
      block = n;
      return;
    }
    n.forEachChild(visit);
  };
  file.sf.forEachChild(visit);
  if (block) return block.statements[0];
  return file.sf.statements.find((s) => s.getStart(file.sf) >= start && s.end <= end);
}

/** Inserts a statement before `s`: on its own line when `s` starts a line, inline otherwise. */
function statementBefore(file: JsFile, s: ts.Statement, code: string): TextEdit {
  const start = s.getStart(file.sf);
  const ls = lineStartOf(file.text, start);
  if (file.text.slice(ls, start).trim() === '') {
    const indent = file.text.slice(ls, start);
    return insertAt(file.text, ls, `${indent}${code}${eol(file.text)}`);
  }
  return insertAt(file.text, start, `${code} `);
}

/** `Object.assign(local, workerData.NAME);` right after the worker module's imports. */
function objectAssignEdits(
  ctx: FixContext,
  file: JsFile,
  wm: ModuleModel,
  spawn: SpawnRecord,
  sym: string,
  name: string,
  rec: AccessRecord,
): TextEdit[] | undefined {
  const local = exprForSymbol(ctx.graph, wm.path, sym);
  if (!local) return undefined;
  const root = local.split('.')[0];
  const { offset } = afterImportsOffset(file);
  // the binding must be imported before the insertion point
  const declStmt = file.sf.statements.find((s) => declaredBy(s).includes(root));
  if (!declStmt || declStmt.end > offset) return undefined;
  // a top-level read of the worker module must come after the insertion
  if (rec.module === wm && rec.unit.kind !== 'function' && offsetOf(file.text, rec.access.range.start) < offset) return undefined;
  // the worker module's top level must run only in workers
  if (isImportedByAnyModule(ctx.graph, wm.path)) return undefined;
  let wd: { expr: string; edits: TextEdit[] } | undefined;
  if (spawn.site.system === 'tinypool') {
    const r = ensureDefaultImport(file, 'tinypool', 'Tinypool');
    if (r) wd = { expr: `${r.expr}.workerData`, edits: r.edits };
  } else {
    wd = ensureNamedImport(file, 'workerData', WORKER_THREADS);
  }
  if (!wd) return undefined;
  const nl = eol(file.text);
  const prefix = offset > 0 && file.text[offset - 1] !== '\n' ? nl : '';
  const code = `${prefix}${nl}// the parent's ${name}, passed through workerData${nl}Object.assign(${local}, ${wd.expr}.${name});${nl}`;
  // keep the import (if any) and the assignment at the same offset in this order
  return [...wd.edits, insertAt(file.text, offset, code)];
}
