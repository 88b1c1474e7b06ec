/**
 * lost-global-write (worker_threads) → "Send NAME's updates to the parent with postMessage".
 *
 * Every worker-side write of the state (`results.push(x)`, `count++`, `stats.total += n`,
 * `totals.set(k, v)`, `state.last = v`, `map[k] = v`) becomes
 * `parentPort.postMessage({ type: 'results:push', args: [x] })` (the type names the state
 * and the change: `handled:increment`, `stats.total:add`, `state.last:set`), and the parent
 * gets a `worker.on('message', ...)` handler, next to the `new Worker(...)`, that applies
 * the same change to its own copy. A worker module left with no use of the state's import
 * loses it (unused-imports.ts). Messages a worker posts before it ends are delivered before its
 * 'exit' event, so a parent that read the state in an 'exit' listener now sees the updates.
 *
 * Offered only when: one `new Worker` reaches the writes, the parent has no 'message'
 * listener on that worker (ours would get its messages, and it ours) and the worker object
 * does not escape; every write is a whole expression statement on the state or a property
 * path of it; the workers never read the state; and the parent reads it only inside an
 * 'exit' listener of that worker (so it waits for the updates, as it waited for the worker).
 */
import ts from 'typescript';
import type { Finding } from '../../engine/findings';
import type { AccessRecord, SpawnRecord } from '../../engine/contexts';
import type { FileEdit, FixContext, FixProvider, TextEdit } from '../types';
import { accessOf, exprForSymbol, isParentSide, singleSpawn, symbolParts, workerReasons } from './graph-lookups';
import { WORKER_THREADS, ensureNamedImport } from './imports';
import { planProvider, type Plan } from './plan-provider';
import { isShadowedAt, isValueReference } from './scopes';
import { endOfLine, eol, indentAt, indentUnit, insertAt, jsFile, nodeAtRange, offsetOf, replace, type JsFile } from './source-file';
import { dropUnusedImport } from './unused-imports';

const KIND = 'post-results';

const LISTEN = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);
const MUTATING = new Set(['push', 'unshift', 'set', 'add', 'delete', 'clear', 'splice', 'sort', 'reverse', 'fill', 'pop', 'shift']);

export const postResults: FixProvider = planProvider(KIND, ['lost-global-write'], build);

/** One worker-side write, understood. */
interface WriteShape {
  rec: AccessRecord;
  file: JsFile;
  /** how the worker module names the state (`results`, `state.results`) */
  local: string;
  /** the expression statement's expression (what gets replaced) */
  expr: ts.Expression;
  /** property path after the state (`.a.b`), for the parent's target */
  path: string;
  /** `[key]` sent with the message */
  key?: string;
  op: { kind: 'call'; method: string; args: string } | { kind: 'assign'; operator: string; value: string } | { kind: 'step'; operator: '+=' | '-=' };
}

function build(ctx: FixContext, f: Finding): Plan | undefined {
  const g = ctx.graph;
  const rec = accessOf(g, f);
  if (!rec || rec.module.language !== 'js' || rec.access.kind === 'read') return undefined;
  const reasons = workerReasons(g, rec.key);
  const spawn = singleSpawn(reasons);
  if (!spawn || spawn.site.system !== 'worker_threads' || !spawn.workerModule) return undefined;
  const sym = rec.symbol;
  const { name } = symbolParts(sym);
  const recs = g.accessesBySymbol.get(sym) ?? [];
  const inWorker = (r: AccessRecord) => g.programs.some((p) => p.worker.has(r.key));
  const workerWrites = recs.filter((r) => r.access.kind !== 'read' && inWorker(r));
  // the workers must not read their own copy (the writes go away there)
  if (recs.some((r) => r.access.kind === 'read' && inWorker(r))) return undefined;
  for (const w of workerWrites) {
    if (isParentSide(g, w.key)) return undefined;
    const rs = workerReasons(g, w.key);
    if (singleSpawn(rs)?.site !== spawn.site) return undefined;
  }

  // parent side: the handler next to the spawn
  const parentFile = jsFile(ctx, spawn.module.path);
  if (!parentFile) return undefined;
  const parentExpr = exprForSymbol(g, spawn.module.path, sym);
  if (!parentExpr) return undefined;
  const spawnNode = nodeAtRange(parentFile, spawn.site.range);
  if (!spawnNode || !ts.isNewExpression(spawnNode)) return undefined;
  if (isShadowedAt(parentFile.sf, spawnNode, parentExpr.split('.')[0])) return undefined;
  const listeners = scanListeners(parentFile, spawnNode);
  if (!listeners) return undefined;
  // parent reads: only inside an 'exit' listener of this worker
  for (const r of recs) {
    if (r.access.kind !== 'read' || inWorker(r)) continue;
    if (!g.programs.some((p) => p.parent.has(r.key) && p.spawns.some((s) => s.site === spawn.site))) continue;
    if (r.module.path !== parentFile.file) return undefined;
    const at = offsetOf(parentFile.text, r.access.range.start);
    if (!listeners.exitCallbacks.some((cb) => cb.getStart(parentFile.sf) <= at && at < cb.end)) return undefined;
  }

  // worker side: every write understood
  const shapes: WriteShape[] = [];
  for (const w of workerWrites) {
    const wf = jsFile(ctx, w.module.path);
    if (!wf) return undefined;
    const local = exprForSymbol(g, w.module.path, sym);
    if (!local) return undefined;
    const s = writeShape(wf, w, local);
    if (!s) return undefined;
    // assigning the state itself only works for a binding of the parent's own module
    if (s.op.kind !== 'call' && s.path === '' && !s.key && parentExpr.includes('.')) return undefined;
    if (s.op.kind !== 'call' && s.path === '' && !s.key && symbolParts(sym).file !== parentFile.file) return undefined;
    shapes.push(s);
  }
  if (shapes.length === 0) return undefined;

  const edits = new Map<string, TextEdit[]>();
  const add = (file: string, e: TextEdit[]) => edits.set(file, [...(edits.get(file) ?? []), ...e]);
  const imported = new Map<string, string>();
  /** per worker file, the name its writes went through (its import may now be unused) */
  const locals = new Map<string, { file: JsFile; name: string }>();
  const types = new Map<WriteShape, string>();
  for (const s of shapes) {
    let pp = imported.get(s.file.file);
    if (!pp) {
      const imp = ensureNamedImport(s.file, 'parentPort', WORKER_THREADS);
      if (!imp) return undefined;
      add(s.file.file, imp.edits);
      pp = imp.expr;
      imported.set(s.file.file, pp);
    }
    if (isShadowedAt(s.file.sf, s.expr, pp.split('.')[0])) return undefined;
    // equal types mean equal updates (same target, same operation): one handler line serves both
    const type = typeOf(name, s);
    types.set(s, type);
    locals.set(s.file.file, { file: s.file, name: s.local.split('.')[0] });
    add(s.file.file, [replace(s.file.text, s.expr.getStart(s.file.sf), s.expr.end, `${pp}.postMessage(${messageOf(type, s)})`)]);
  }
  for (const { file, name: local } of locals.values()) {
    if (file.file !== parentFile.file) add(file.file, dropUnusedImport(ctx, file, edits.get(file.file) ?? [], local));
  }

  const param = ['msg', 'message', 'update', 'change'].find((p) => p !== parentExpr.split('.')[0]);
  if (!param) return undefined;
  const applies = [...new Map(shapes.map((s) => [types.get(s)!, s] as const))].map(
    ([type, s]) => `if (${param}?.type === ${quote(type)}) ${applyOf(parentExpr, param, s)};`,
  );
  add(parentFile.file, [handlerEdit(parentFile, spawnNode, listeners, param, applies)]);

  const changes: FileEdit[] = [...edits].map(([file, e]) => ({ file, edits: e }));
  return { title: `Send ${name}'s updates to the parent with postMessage`, changes };
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Words for the compound assignments, so a message says what to do (`stats.total:add`). */
const OPERATOR_VERBS: Record<string, string> = {
  '=': 'set',
  '+=': 'add',
  '-=': 'subtract',
  '*=': 'multiply',
  '/=': 'divide',
  '%=': 'remainder',
  '**=': 'power',
  '<<=': 'shift-left',
  '>>=': 'shift-right',
  '>>>=': 'shift-right-unsigned',
  '&=': 'bitwise-and',
  '|=': 'bitwise-or',
  '^=': 'bitwise-xor',
};

/**
 * The message's `type`: the state (with its property path; `[key]` when the message carries
 * the key) and what to do to it — `results:push`, `handled:increment`, `stats.total:add`,
 * `counts[key]:set`.
 */
function typeOf(name: string, s: WriteShape): string {
  const target = `${name}${s.path}${s.key !== undefined ? '[key]' : ''}`;
  switch (s.op.kind) {
    case 'call':
      return `${target}:${s.op.method}`;
    case 'assign':
      return `${target}:${OPERATOR_VERBS[s.op.operator] ?? s.op.operator}`;
    default:
      return `${target}:${s.op.operator === '+=' ? 'increment' : 'decrement'}`;
  }
}

function messageOf(type: string, s: WriteShape): string {
  const parts = [`type: ${quote(type)}`];
  if (s.key !== undefined) parts.push(`key: ${s.key}`);
  if (s.op.kind === 'call') parts.push(`args: [${s.op.args}]`);
  else if (s.op.kind === 'assign') parts.push(`value: ${s.op.value}`);
  return `{ ${parts.join(', ')} }`;
}

function applyOf(parentExpr: string, param: string, s: WriteShape): string {
  const target = `${parentExpr}${s.path}${s.key !== undefined ? `[${param}.key]` : ''}`;
  switch (s.op.kind) {
    case 'call':
      return `${target}.${s.op.method}(...${param}.args)`;
    case 'assign':
      return `${target} ${s.op.operator} ${param}.value`;
    default:
      return `${target} ${s.op.operator} 1`;
  }
}

/** Understands one write: `local<.path>[key]? op ...` as a whole expression statement. */
function writeShape(file: JsFile, w: AccessRecord, local: string): WriteShape | undefined {
  const ref = nodeAtRange(file, w.access.range);
  if (!ref) return undefined;
  if (ref.getText(file.sf) !== local) return undefined;
  let cur: ts.Node = ref;
  let path = '';
  let key: string | undefined;
  for (;;) {
    const p = cur.parent;
    if (ts.isPropertyAccessExpression(p) && p.expression === cur && !p.questionDotToken) {
      if (key !== undefined) return undefined;
      // the method of a mutating call is not part of the path
      if (ts.isCallExpression(p.parent) && p.parent.expression === p) break;
      path += `.${p.name.text}`;
      cur = p;
      continue;
    }
    if (ts.isElementAccessExpression(p) && p.expression === cur && !p.questionDotToken) {
      if (key !== undefined) return undefined;
      key = p.argumentExpression.getText(file.sf);
      cur = p;
      continue;
    }
    if (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p)) return undefined;
    break;
  }
  const p = cur.parent;
  let expr: ts.Expression;
  let op: WriteShape['op'];
  if (ts.isPropertyAccessExpression(p) && p.expression === cur && ts.isCallExpression(p.parent) && p.parent.expression === p) {
    const method = p.name.text;
    if (!MUTATING.has(method)) return undefined;
    const call = p.parent;
    const args = call.arguments.length ? file.text.slice(call.arguments[0].getStart(file.sf), call.arguments[call.arguments.length - 1].end) : '';
    expr = call;
    op = { kind: 'call', method, args };
    if (key !== undefined) return undefined;
  } else if (ts.isBinaryExpression(p) && p.left === cur && isAssignment(p.operatorToken.kind)) {
    const operator = p.operatorToken.getText(file.sf);
    if (operator === '&&=' || operator === '||=' || operator === '??=') return undefined;
    expr = p;
    op = { kind: 'assign', operator, value: p.right.getText(file.sf) };
  } else if ((ts.isPostfixUnaryExpression(p) || ts.isPrefixUnaryExpression(p)) && p.operand === cur) {
    if (p.operator !== ts.SyntaxKind.PlusPlusToken && p.operator !== ts.SyntaxKind.MinusMinusToken) return undefined;
    expr = p;
    op = { kind: 'step', operator: p.operator === ts.SyntaxKind.PlusPlusToken ? '+=' : '-=' };
  } else {
    return undefined;
  }
  if (!ts.isExpressionStatement(expr.parent)) return undefined;
  // what is sent must survive the structured clone: no functions or classes written inline
  const sent = ts.isCallExpression(expr) ? [...expr.arguments] : ts.isBinaryExpression(expr) ? [expr.right] : [];
  if (sent.some((a) => containsFunction(a))) return undefined;
  return { rec: w, file, local, expr, path, key, op };
}

/** A function/class written as the sent value itself or inside an array/object literal that is sent. */
function containsFunction(n: ts.Node): boolean {
  if (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isSpreadElement(n)) return containsFunction(n.expression);
  if (ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isClassExpression(n)) return true;
  if (ts.isArrayLiteralExpression(n)) return n.elements.some(containsFunction);
  if (ts.isObjectLiteralExpression(n)) {
    return n.properties.some(
      (p) => ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || (ts.isPropertyAssignment(p) && containsFunction(p.initializer)),
    );
  }
  return false;
}

function isAssignment(k: ts.SyntaxKind): boolean {
  return k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;
}

interface Listeners {
  /** the worker variable, when the worker is kept in one */
  variable?: { name: string; statement: ts.VariableStatement };
  /** callbacks of 'exit' listeners on the worker */
  exitCallbacks: ts.Node[];
}

/**
 * The listeners registered on the new worker (its `.on(...)` chain and, if it is kept in a
 * variable, every use of the variable). Undefined when a 'message' listener exists or the
 * worker object is used in a way we cannot follow.
 */
function scanListeners(file: JsFile, spawnNode: ts.NewExpression): Listeners | undefined {
  const out: Listeners = { exitCallbacks: [] };
  let cur: ts.Node = spawnNode;
  // chain: new Worker(...).on('exit', cb).on(...)
  for (;;) {
    const p = cur.parent;
    if (ts.isPropertyAccessExpression(p) && p.expression === cur && ts.isCallExpression(p.parent) && p.parent.expression === p) {
      if (!noteListener(p.name.text, p.parent, out)) return undefined;
      cur = p.parent;
      continue;
    }
    break;
  }
  const p = cur.parent;
  if (ts.isExpressionStatement(p)) return out;
  if (ts.isVariableDeclaration(p) && p.initializer === cur && ts.isIdentifier(p.name)) {
    const list = p.parent;
    const stmt = list.parent;
    if (!ts.isVariableDeclarationList(list) || !ts.isVariableStatement(stmt) || list.declarations.length !== 1) return undefined;
    const name = p.name.text;
    const scope = stmt.parent;
    let ok = true;
    const visit = (n: ts.Node): void => {
      if (!ok) return;
      if (ts.isIdentifier(n) && n.text === name && n !== p.name && isValueReference(n)) {
        const q = n.parent;
        if (ts.isPropertyAccessExpression(q) && q.expression === n) {
          const member = q.name.text;
          if (ts.isCallExpression(q.parent) && q.parent.expression === q) {
            if (LISTEN.has(member)) {
              if (!noteListener(member, q.parent, out)) ok = false;
            } else if (member === 'emit' || member === 'removeAllListeners') ok = false;
          } else if (member === 'onmessage' || member === 'addEventListener') ok = false;
          else if (ts.isBinaryExpression(q.parent) && q.parent.left === q) ok = false;
        } else {
          ok = false; // passed along, reassigned, returned: someone else may listen
        }
      }
      n.forEachChild(visit);
    };
    scope.forEachChild(visit);
    if (!ok) return undefined;
    out.variable = { name, statement: stmt };
    return out;
  }
  return undefined;
}

function noteListener(member: string, call: ts.CallExpression, out: Listeners): boolean {
  if (member === 'addEventListener' || member === 'emit') return false;
  if (!LISTEN.has(member)) return member !== 'removeAllListeners';
  const ev = call.arguments[0];
  if (!ev || !ts.isStringLiteralLike(ev)) return false;
  if (ev.text === 'message') return false;
  if (ev.text === 'exit' && call.arguments[1]) out.exitCallbacks.push(call.arguments[1]);
  return true;
}

function handlerEdit(file: JsFile, spawnNode: ts.NewExpression, l: Listeners, param: string, applies: string[]): TextEdit {
  const nl = eol(file.text);
  if (l.variable) {
    const stmt = l.variable.statement;
    const indent = indentAt(file.text, stmt.getStart(file.sf));
    const unit = indentUnit(file.text);
    const body = applies.map((a) => `${indent}${unit}${a}${nl}`).join('');
    const code = `${indent}${l.variable.name}.on('message', (${param}) => {${nl}${body}${indent}});${nl}`;
    const at = endOfLine(file.text, stmt.end);
    const needsNl = at === file.text.length && !file.text.endsWith('\n');
    return insertAt(file.text, at, (needsNl ? nl : '') + code);
  }
  return insertAt(file.text, spawnNode.end, `.on('message', (${param}) => { ${applies.join(' ')} })`);
}
