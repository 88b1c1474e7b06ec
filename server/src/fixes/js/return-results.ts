/**
 * lost-global-write (piscina / tinypool task) → "Return what the task adds to NAME and push
 * it in the parent".
 *
 * Worker side: the task pushes into a local array instead of the module-level one and
 * returns `{ result: <what it returned>, pushed: <that array> }`. Parent side: every
 * `pool.run(...)` becomes `pool.run(...).then((r) => { NAME.push(...r.pushed); return r.result; })`,
 * so callers still get the task's own result, and the parent's array receives the items as
 * each task completes.
 *
 * Offered only when: the writes are `NAME.push(...)` statements in the body of the pool's
 * default-export task (not async, not a generator, block body); the workers never read
 * NAME; the pool is kept in a variable used only through `pool.member` (so every `run` is
 * seen) and every `run(...)` is awaited; and the parent reads NAME only after those awaits,
 * in the same function, as the program did. The task module's import of NAME goes when
 * nothing else there uses it.
 */
import ts from 'typescript';
import type { Finding } from '../../engine/findings';
import type { AccessRecord } from '../../engine/contexts';
import type { FileEdit, FixContext, FixProvider, TextEdit } from '../types';
import { accessOf, exprForSymbol, hasCallers, isImportedByAnyModule, isParentSide, singleSpawn, symbolParts, workerReasons } from './graph-lookups';
import { planProvider, type Plan } from './plan-provider';
import { isFunctionLike, isShadowedAt, isValueReference } from './scopes';
import { eol, indentAt, insertAt, jsFile, lineStartOf, nodeAtRange, offsetOf, replace, type JsFile } from './source-file';
import { dropUnusedImport } from './unused-imports';

const KIND = 'return-results';
const POOL_MEMBERS_OK = new Set(['run', 'destroy', 'close', 'threads', 'queueSize', 'completed', 'duration', 'utilization', 'options', 'histogram', 'on', 'once', 'off', 'needsDrain', 'cancelPendingTasks', 'recycleWorkers', 'isolateWorkers', 'waitTime', 'runTime']);

export const returnResults: FixProvider = planProvider(KIND, ['lost-global-write'], build);

function build(ctx: FixContext, f: Finding): Plan | undefined {
  const g = ctx.graph;
  const rec = accessOf(g, f);
  if (!rec || rec.module.language !== 'js' || rec.access.kind !== 'mutate-call' || rec.access.detail !== 'push') return undefined;
  const spawn = singleSpawn(workerReasons(g, rec.key));
  if (!spawn || (spawn.site.system !== 'piscina' && spawn.site.system !== 'tinypool')) return undefined;
  const wm = spawn.workerModule;
  if (!wm || wm === spawn.module || rec.module !== wm) return undefined;
  const task = rec.unit;
  if (task.kind !== 'function' || task.isNested || !(task.exportedAs ?? []).includes('default') || task.isGenerator) return undefined;
  // the task's result changes shape: nothing else may call it directly
  if (hasCallers(g, rec.key) || isImportedByAnyModule(g, wm.path)) return undefined;
  const sym = rec.symbol;
  const { name } = symbolParts(sym);
  const recs = g.accessesBySymbol.get(sym) ?? [];
  const inWorker = (r: AccessRecord) => g.programs.some((p) => p.worker.has(r.key));
  if (recs.some((r) => r.access.kind === 'read' && inWorker(r))) return undefined;
  const writes = recs.filter((r) => r.access.kind !== 'read' && inWorker(r));
  for (const w of writes) {
    if (w.key !== rec.key || w.access.kind !== 'mutate-call' || w.access.detail !== 'push' || isParentSide(g, w.key)) return undefined;
  }

  // ----- worker side
  const wf = jsFile(ctx, wm.path);
  if (!wf) return undefined;
  const fnNode = taskFunction(wf, task.range);
  if (!fnNode || !fnNode.body || !ts.isBlock(fnNode.body)) return undefined;
  if (fnNode.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || fnNode.asteriskToken) return undefined;
  const local = freshName(wf, `${name}Pushed`);
  if (!local) return undefined;
  const workerEdits: TextEdit[] = [];
  const body = fnNode.body;
  if (body.statements.length === 0) return undefined;
  const first = body.statements[0];
  const firstStart = first.getStart(wf.sf);
  const nl = eol(wf.text);
  if (wf.text.slice(lineStartOf(wf.text, firstStart), firstStart).trim() === '') {
    const ls = lineStartOf(wf.text, firstStart);
    workerEdits.push(insertAt(wf.text, ls, `${wf.text.slice(ls, firstStart)}const ${local} = [];${nl}`));
  } else {
    workerEdits.push(insertAt(wf.text, firstStart, `const ${local} = []; `));
  }
  let stateLocal: string | undefined;
  for (const w of writes) {
    const ref = nodeAtRange(wf, w.access.range);
    if (!ref || !ts.isIdentifier(ref)) return undefined;
    stateLocal = ref.text;
    const pa = ref.parent;
    if (!ts.isPropertyAccessExpression(pa) || pa.expression !== ref || pa.name.text !== 'push') return undefined;
    const call = pa.parent;
    if (!ts.isCallExpression(call) || call.expression !== pa || !ts.isExpressionStatement(call.parent)) return undefined;
    if (enclosingFunction(call) !== fnNode) return undefined;
    workerEdits.push(replace(wf.text, ref.getStart(wf.sf), ref.end, local));
  }
  const returns: ts.ReturnStatement[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isReturnStatement(n)) returns.push(n);
    n.forEachChild(visit);
  };
  body.forEachChild(visit);
  for (const r of returns) {
    if (r.expression) {
      const e = r.expression;
      const text = wf.text.slice(e.getStart(wf.sf), e.end);
      const wrapped = ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken ? `(${text})` : text;
      workerEdits.push(replace(wf.text, e.getStart(wf.sf), e.end, `{ result: ${wrapped}, pushed: ${local} }`));
    } else {
      const retEnd = r.getStart(wf.sf) + 'return'.length;
      workerEdits.push(insertAt(wf.text, retEnd, ` { result: undefined, pushed: ${local} }`));
    }
  }
  const last = body.statements[body.statements.length - 1];
  if (!ts.isReturnStatement(last) && !ts.isThrowStatement(last)) {
    const indent = indentAt(wf.text, last.getStart(wf.sf));
    const closeBrace = body.end - 1;
    const ls = lineStartOf(wf.text, closeBrace);
    if (wf.text.slice(ls, closeBrace).trim() === '') {
      workerEdits.push(insertAt(wf.text, ls, `${indent}return { result: undefined, pushed: ${local} };${nl}`));
    } else {
      workerEdits.push(insertAt(wf.text, closeBrace, ` return { result: undefined, pushed: ${local} }; `));
    }
  }

  // ----- parent side
  const pf = jsFile(ctx, spawn.module.path);
  if (!pf) return undefined;
  const parentExpr = exprForSymbol(g, pf.file, sym);
  if (!parentExpr) return undefined;
  const spawnNode = nodeAtRange(pf, spawn.site.range);
  if (!spawnNode || !ts.isNewExpression(spawnNode)) return undefined;
  const decl = spawnNode.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== spawnNode || !ts.isIdentifier(decl.name)) return undefined;
  const poolName = decl.name.text;
  const scope = decl.parent?.parent?.parent;
  if (!scope) return undefined;
  const runs: ts.CallExpression[] = [];
  let ok = true;
  const scan = (n: ts.Node): void => {
    if (!ok) return;
    if (ts.isIdentifier(n) && n.text === poolName && n !== decl.name && isValueReference(n)) {
      const q = n.parent;
      if (!ts.isPropertyAccessExpression(q) || q.expression !== n || !POOL_MEMBERS_OK.has(q.name.text)) ok = false;
      else if (q.name.text === 'run') {
        const call = q.parent;
        if (!ts.isCallExpression(call) || call.expression !== q || call.arguments.length < 1 || call.arguments.length > 2) ok = false;
        else {
          const opts = call.arguments[1];
          if (opts && !(ts.isObjectLiteralExpression(opts) && opts.properties.every((p) => p.name && ts.isIdentifier(p.name) && p.name.text !== 'name'))) ok = false;
          runs.push(call);
        }
      }
    }
    n.forEachChild(scan);
  };
  scope.forEachChild(scan);
  if (!ok || runs.length === 0) return undefined;
  const root = parentExpr.split('.')[0];
  const param = ['r', 'res', 'done'].find((p) => p !== root);
  if (!param) return undefined;
  const awaits: ts.AwaitExpression[] = [];
  const parentEdits: TextEdit[] = [];
  for (const call of runs) {
    const aw = awaitAround(call);
    if (!aw) return undefined;
    if (isShadowedAt(pf.sf, call, root)) return undefined;
    awaits.push(aw);
    parentEdits.push(insertAt(pf.text, call.end, `.then((${param}) => { ${parentExpr}.push(...${param}.pushed); return ${param}.result; })`));
  }
  // parent reads: after every awaited run, in the same function
  const container = enclosingFunction(awaits[0]);
  if (awaits.some((a) => enclosingFunction(a) !== container)) return undefined;
  const lastAwait = Math.max(...awaits.map((a) => a.end));
  for (const r of recs) {
    if (r.access.kind !== 'read' || inWorker(r)) continue;
    if (!g.programs.some((p) => p.parent.has(r.key))) continue;
    if (r.module.path !== pf.file) return undefined;
    const at = offsetOf(pf.text, r.access.range.start);
    const node = nodeAtRange(pf, r.access.range);
    if (!node || at < lastAwait || enclosingFunction(node) !== container) return undefined;
  }

  // the task no longer touches the module-level array: its import may be unused now
  if (stateLocal) workerEdits.push(...dropUnusedImport(ctx, wf, workerEdits, stateLocal));
  const changes: FileEdit[] = [
    { file: pf.file, edits: parentEdits },
    { file: wf.file, edits: workerEdits },
  ];
  return { title: `Return what the task adds to ${name} and push it in the parent`, changes };
}

function taskFunction(f: JsFile, range: { start: { line: number; character: number }; end: { line: number; character: number } }): ts.FunctionLikeDeclaration | undefined {
  const n = nodeAtRange(f, range);
  if (n && isFunctionLike(n)) return n;
  return undefined;
}

function enclosingFunction(n: ts.Node): ts.Node | undefined {
  for (let cur = n.parent; cur; cur = cur.parent) if (isFunctionLike(cur) || ts.isSourceFile(cur)) return cur;
  return undefined;
}

/** The await expression the call's value flows into (through `.map` callbacks, `Promise.all`...). */
function awaitAround(call: ts.Node): ts.AwaitExpression | undefined {
  for (let cur = call.parent; cur; cur = cur.parent) {
    if (ts.isAwaitExpression(cur)) return cur;
    if (ts.isFunctionDeclaration(cur) || ts.isSourceFile(cur) || ts.isBlock(cur) && isFunctionLike(cur.parent) && !isInlineCallback(cur.parent)) return undefined;
    if (ts.isStatement(cur) && !ts.isBlock(cur) && !isInlineCallbackBody(cur)) return undefined;
  }
  return undefined;
}

function isInlineCallback(fn: ts.Node): boolean {
  return (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isCallExpression(fn.parent);
}

function isInlineCallbackBody(s: ts.Statement): boolean {
  // `(n) => { return pool.run(n); }` inside `await Promise.all(xs.map(...))`
  return ts.isReturnStatement(s) && ts.isBlock(s.parent) && isInlineCallback(s.parent.parent);
}

/** `base` if no identifier of the file uses it, else undefined. */
function freshName(f: JsFile, base: string): string | undefined {
  const re = new RegExp(`\\b${base.replace(/\$/g, '\\$')}\\b`);
  return re.test(f.text) ? undefined : base;
}
