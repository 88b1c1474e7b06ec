/**
 * stale-global-read (child_process.fork) → "Pass NAME to the child process as a command-line
 * argument".
 *
 * Parent side: `fork(modulePath[, args][, options])` gets `JSON.stringify(<the parent's
 * expression for the state>)` appended to its argument list. Child side: right after the
 * child module's imports, `Object.assign(obj, JSON.parse(process.argv[K]))`.
 *
 * Offered only for the simple shape: a plain-data object literal (strings, numbers,
 * booleans, null, arrays/objects of those — what JSON carries unchanged) exported by a shared
 * module and imported at the child module's top level; every parent write happens before
 * the fork; one fork reaches the read; the fork's args are absent or an array literal
 * without spreads; and the child module only reads `process.argv[<number>]` (so an extra
 * trailing argument changes nothing it relies on).
 */
import ts from 'typescript';
import type { Finding } from '../../engine/findings';
import type { FixContext, FixProvider, TextEdit } from '../types';
import { isPlainObjectState, parentWritesBeforeSpawn } from './pass-workerdata';
import { accessOf, exprForSymbol, isImportedByAnyModule, singleSpawn, symbolParts, workerReasons } from './graph-lookups';
import { afterImportsOffset } from './imports';
import { planProvider, type Plan } from './plan-provider';
import { declaredBy, isShadowedAt } from './scopes';
import { eol, insertAt, jsFile, nodeAtRange, offsetOf, type JsFile } from './source-file';
import { startOfSite } from '../../frameworks/js';

const KIND = 'pass-argv';

export const passArgv: FixProvider = planProvider(KIND, ['stale-global-read'], build);

function build(ctx: FixContext, f: Finding): Plan | undefined {
  const g = ctx.graph;
  const rec = accessOf(g, f);
  if (!rec || rec.module.language !== 'js' || rec.access.kind !== 'read') return undefined;
  const reasons = workerReasons(g, rec.key);
  const spawn = singleSpawn(reasons);
  // the start hands the child an argv array whose place in the child's process.argv is known (fork)
  const start = spawn ? startOfSite(spawn.site) : undefined;
  if (!spawn || start?.argv === undefined || start.argvIndex === undefined) return undefined;
  const wm = spawn.workerModule;
  if (!wm || wm === spawn.module) return undefined;
  const sym = rec.symbol;
  const { file: symFile, name } = symbolParts(sym);
  if (symFile === wm.path || symFile === spawn.module.path) return undefined;
  if (!isPlainObjectState(ctx, symFile, name)) return undefined;
  if (rec.unit.kind !== 'function' && rec.module !== wm) return undefined;
  if (!parentWritesBeforeSpawn(g, reasons, spawn, sym)) return undefined;

  // parent: fork(path[, args][, options]), the args at `start.argv`
  const pf = jsFile(ctx, spawn.module.path);
  if (!pf) return undefined;
  const parentExpr = exprForSymbol(g, pf.file, sym);
  if (!parentExpr) return undefined;
  const call = nodeAtRange(pf, spawn.site.range);
  const at = start.argv;
  if (!call || !ts.isCallExpression(call) || call.arguments.length < at || call.arguments.length > at + 2) return undefined;
  if (call.arguments.some((a) => ts.isSpreadElement(a))) return undefined;
  if (isShadowedAt(pf.sf, call, parentExpr.split('.')[0]) || isShadowedAt(pf.sf, call, 'JSON')) return undefined;
  const value = `JSON.stringify(${parentExpr})`;
  const args = call.arguments[at];
  let index: number;
  let parentEdit: TextEdit;
  if (!args) {
    index = start.argvIndex;
    parentEdit = insertAt(pf.text, call.arguments[at - 1].end, `, [${value}]`);
  } else if (ts.isArrayLiteralExpression(args)) {
    if (args.elements.some((e) => ts.isSpreadElement(e) || ts.isOmittedExpression(e))) return undefined;
    index = start.argvIndex + args.elements.length;
    parentEdit =
      args.elements.length === 0
        ? insertAt(pf.text, args.getStart(pf.sf) + 1, value)
        : insertAt(pf.text, args.elements[args.elements.length - 1].end, `, ${value}`);
  } else if (ts.isObjectLiteralExpression(args) && call.arguments.length === at + 1) {
    // the options where the args may stand
    index = start.argvIndex;
    parentEdit = insertAt(pf.text, args.getStart(pf.sf), `[${value}], `);
  } else {
    return undefined;
  }

  // child: Object.assign right after the imports
  const cf = jsFile(ctx, wm.path);
  if (!cf) return undefined;
  if (!argvUsesOnlyIndexes(cf)) return undefined;
  // the child module's top level must run only in the forked child
  if (isImportedByAnyModule(g, wm.path)) return undefined;
  const local = exprForSymbol(g, wm.path, sym);
  if (!local) return undefined;
  const { offset } = afterImportsOffset(cf);
  const declStmt = cf.sf.statements.find((s) => declaredBy(s).includes(local.split('.')[0]));
  if (!declStmt || declStmt.end > offset) return undefined;
  if (rec.module === wm && rec.unit.kind !== 'function' && offsetOf(cf.text, rec.access.range.start) < offset) return undefined;
  const nl = eol(cf.text);
  const prefix = offset > 0 && cf.text[offset - 1] !== '\n' ? nl : '';
  const code = `${prefix}${nl}// the parent's ${name}, passed as a command-line argument${nl}Object.assign(${local}, JSON.parse(process.argv[${index}]));${nl}`;
  return {
    title: `Pass ${name} to the child process as a command-line argument`,
    changes: [
      { file: pf.file, edits: [parentEdit] },
      { file: cf.file, edits: [insertAt(cf.text, offset, code)] },
    ],
  };
}

/** Every `process.argv` in the file is `process.argv[<number literal>]`. */
function argvUsesOnlyIndexes(f: JsFile): boolean {
  let ok = true;
  const visit = (n: ts.Node): void => {
    if (!ok) return;
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'argv' && ts.isIdentifier(n.expression) && n.expression.text === 'process') {
      const p = n.parent;
      if (!(ts.isElementAccessExpression(p) && p.expression === n && ts.isNumericLiteral(p.argumentExpression))) ok = false;
    }
    n.forEachChild(visit);
  };
  f.sf.forEachChild(visit);
  return ok;
}
