/**
 * Accesses to module-level bindings: how each reference is used (read, assign, update,
 * mutating call, item assignment), calls of module-level functions, and guarded lazy
 * initialisation (`if (!cache) cache = new Map()`).
 */
import ts from 'typescript';
import type { AccessKind, Ref } from '../engine/model';
import { newAccess, newCall } from './records';
import {
  climbWrappers,
  dottedName,
  exits,
  isAssignmentOperator,
  isFunctionNode,
  isStatementBoundary,
  stringValue,
  unwrap,
} from './syntax';
import { CALLBACK_TAKERS, MUTATING, WT, normModule } from './known-names';
import { GuardClassifier } from './guards';

export abstract class AccessRecorder extends GuardClassifier {
  // ----- references

  protected onIdentifier(id: ts.Identifier): void {
    const name = id.text;
    const decl = this.lookupRef(name);
    if (!decl) return;
    if (decl.importFrom && decl.isModule) this.valueImportNames.add(name);
    if (decl.importFrom && normModule(decl.importFrom.specifier) === WT) {
      const imp = decl.importFrom.imported;
      if (imp === 'workerData') this.model.readsWorkerData = true;
      else if ((imp === '*' || imp === 'default') && ts.isPropertyAccessExpression(id.parent) && id.parent.expression === id && id.parent.name.text === 'workerData')
        this.model.readsWorkerData = true;
    } else if (!decl.isModule && decl.init && !decl.importFrom) {
      // local alias of workerData (e.g. `const { workerData } = require('worker_threads')` handled via importFrom)
    }
    if (!decl.isModule) return;

    const nsLike = !!decl.importFrom && (decl.importFrom.imported === '*' || decl.importFrom.imported === 'default');
    let refNode: ts.Expression = id;
    const ref: Ref = { name };
    const p = id.parent;
    if (nsLike && ts.isPropertyAccessExpression(p) && p.expression === id && ts.isIdentifier(p.name)) {
      refNode = p;
      ref.member = p.name.text;
    } else if (nsLike && ts.isElementAccessExpression(p) && p.expression === id) {
      const k = stringValue(p.argumentExpression);
      if (k !== undefined) {
        refNode = p;
        ref.member = k;
      }
    }
    const cls = this.classifyRef(refNode);
    const access = newAccess(ref, cls.kind, this.range(refNode), this.nodeStart(refNode), cls.detail);
    if (cls.kind === 'read') {
      if (this.isLazyRead(cls.top, ref)) access.lazyInit = true;
    } else if (cls.lazyOp || this.isLazyWrite(cls.writeNode ?? cls.top, ref)) {
      access.lazyInit = true;
    }
    this.unit.accesses.push(access);
    // `return count++`, `const job = queue.shift()`: the old value (or the removed items) is
    // used, so the write is a read as well
    if (
      cls.writeNode &&
      (cls.kind === 'update' || (cls.kind === 'mutate-call' && VALUE_MUTATORS.has(cls.detail ?? ''))) &&
      valueIsUsed(cls.kind === 'update' ? cls.writeNode.parent : cls.writeNode)
    ) {
      this.unit.accesses.push(newAccess(ref, 'read', access.range, access.offset, undefined));
    }

    // calls
    const top = cls.top;
    const tp = top.parent;
    if (
      ((ts.isCallExpression(tp) || ts.isNewExpression(tp)) && tp.expression === top) ||
      (ts.isTaggedTemplateExpression(tp) && tp.tag === top) ||
      ts.isDecorator(tp)
    ) {
      this.unit.calls.push(newCall(ref, this.range(tp), this.nodeStart(tp), undefined));
    } else if ((ts.isCallExpression(tp) || ts.isNewExpression(tp)) && tp.arguments?.includes(top as ts.Expression)) {
      const b = this.model.bindings.get(name);
      const callee = unwrap(tp.expression);
      const calleeName = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      const isExec = calleeName === 'exec' && ts.isPropertyAccessExpression(callee);
      const isFn = b?.kind === 'function' || (b?.kind === 'import' && (!nsLike || !!ref.member) && CALLBACK_TAKERS.has(calleeName));
      if (isFn && !isExec) this.unit.calls.push(newCall(ref, this.range(top), this.nodeStart(top), true));
    }
  }

  /** How the reference `refNode` (identifier or `ns.member`) is used. Purely syntactic. */
  protected classifyRef(refNode: ts.Node): {
    kind: AccessKind;
    detail?: string;
    top: ts.Node;
    writeNode?: ts.Node;
    lazyOp?: boolean;
  } {
    const top = climbWrappers(refNode);
    const w = writeKindOf(top);
    if (w === 'assign' || w === 'update') {
      return { kind: w, top, writeNode: top, lazyOp: isLogicalAssign(top.parent) };
    }
    // member chain
    let cur: ts.Node = top;
    const path: string[] = [];
    let simple = true;
    for (;;) {
      const p = cur.parent;
      if (ts.isPropertyAccessExpression(p) && p.expression === cur) {
        path.push(p.name.text);
      } else if (ts.isElementAccessExpression(p) && p.expression === cur) {
        const arg = unwrap(p.argumentExpression);
        const k = stringValue(arg) ?? (ts.isNumericLiteral(arg) ? arg.text : ts.isIdentifier(arg) ? arg.text : undefined);
        if (k === undefined) simple = false;
        path.push(k ?? '[]');
      } else {
        break;
      }
      cur = climbWrappers(p);
    }
    if (path.length > 0) {
      const w2 = writeKindOf(cur);
      if (w2) {
        return {
          kind: 'item-assign',
          detail: simple ? path.join('.') : undefined,
          top,
          writeNode: cur,
          lazyOp: isLogicalAssign(cur.parent),
        };
      }
      const cp = cur.parent;
      const last = path[path.length - 1];
      if (ts.isCallExpression(cp) && cp.expression === cur && MUTATING.has(last)) {
        return { kind: 'mutate-call', detail: last, top, writeNode: cp };
      }
      return { kind: 'read', top };
    }
    const tp = top.parent;
    if (ts.isCallExpression(tp) && tp.arguments[0] === top) {
      const callee = dottedName(tp.expression);
      if (
        (callee === 'Object.assign' || callee === 'Object.defineProperty' || callee === 'Object.defineProperties') &&
        !this.lookup('Object')
      ) {
        return { kind: 'item-assign', top, writeNode: tp };
      }
    }
    return { kind: 'read', top };
  }

  // ----- lazy initialisation

  protected refMatches(id: ts.Identifier, ref: Ref): ts.Node | undefined {
    if (id.text !== ref.name) return undefined;
    if (!ref.member) return id;
    const p = id.parent;
    if (ts.isPropertyAccessExpression(p) && p.expression === id && p.name.text === ref.member) return p;
    if (ts.isElementAccessExpression(p) && p.expression === id && stringValue(p.argumentExpression) === ref.member) return p;
    return undefined;
  }

  protected scanRefs(root: ts.Node, ref: Ref, pred: (refNode: ts.Node) => boolean): boolean {
    let found = false;
    const walk = (n: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(n)) {
        const r = this.refMatches(n, ref);
        if (r && pred(r)) found = true;
        return;
      }
      if (isFunctionNode(n) && n !== root) return;
      ts.forEachChild(n, walk);
    };
    walk(root);
    return found;
  }

  protected mentions(root: ts.Node, ref: Ref): boolean {
    return this.scanRefs(root, ref, () => true);
  }

  protected writes(root: ts.Node, ref: Ref): boolean {
    const key = ref.member ? `${ref.name}.${ref.member}` : ref.name;
    let m = this.lazyCache.get(root);
    const cached = m?.get(key);
    if (cached !== undefined) return cached;
    const r = this.scanRefs(root, ref, (n) => this.classifyRef(n).kind !== 'read');
    if (!m) this.lazyCache.set(root, (m = new Map()));
    m.set(key, r);
    return r;
  }

  protected laterSiblingsWrite(s: ts.Statement, ref: Ref): boolean {
    const p = s.parent;
    const list: readonly ts.Statement[] | undefined =
      ts.isBlock(p) || ts.isSourceFile(p) || ts.isModuleBlock(p) || ts.isCaseClause(p) || ts.isDefaultClause(p) ? p.statements : undefined;
    if (!list) return false;
    const i = list.indexOf(s);
    for (let j = i + 1; j < list.length; j++) if (this.writes(list[j], ref)) return true;
    return false;
  }

  protected isLazyRead(top: ts.Node, ref: Ref): boolean {
    let n = top;
    for (let guard = 0; guard < 64; guard++) {
      const p = n.parent;
      if (!p) return false;
      if (ts.isIfStatement(p)) {
        if (p.expression !== n) return false;
        return (
          this.writes(p.thenStatement, ref) ||
          (!!p.elseStatement && this.writes(p.elseStatement, ref)) ||
          (exits(p.thenStatement) && this.laterSiblingsWrite(p, ref))
        );
      }
      if (ts.isBinaryExpression(p) && p.left === n) {
        const op = p.operatorToken.kind;
        if ((op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) && this.writes(p.right, ref))
          return true;
      }
      if (ts.isConditionalExpression(p) && p.condition === n) {
        if (this.writes(p.whenTrue, ref) || this.writes(p.whenFalse, ref)) return true;
      }
      if (isStatementBoundary(p) || ts.isVariableStatement(p) || ts.isExpressionStatement(p) || ts.isReturnStatement(p))
        return false;
      n = p;
    }
    return false;
  }

  protected isLazyWrite(w: ts.Node, ref: Ref): boolean {
    let n = w;
    for (let guard = 0; guard < 256; guard++) {
      const p = n.parent;
      if (!p || isFunctionNode(p) || ts.isSourceFile(p)) return false;
      if (ts.isBinaryExpression(p) && p.right === n) {
        const op = p.operatorToken.kind;
        if ((op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) && this.mentions(p.left, ref))
          return true;
      }
      if (ts.isIfStatement(p) && (p.thenStatement === n || p.elseStatement === n) && this.mentions(p.expression, ref))
        return true;
      if ((ts.isBlock(p) || ts.isCaseClause(p) || ts.isDefaultClause(p)) && ts.isIfStatement(n) === false) {
        const list = p.statements;
        const i = list.indexOf(n as ts.Statement);
        for (let j = i - 1; j >= 0; j--) {
          const s = list[j];
          if (ts.isIfStatement(s) && exits(s.thenStatement) && this.mentions(s.expression, ref)) return true;
        }
      }
      n = p;
    }
    return false;
  }

}

/** Is `t` (already climbed through wrappers) written by its parent? */
export function writeKindOf(t: ts.Node): 'assign' | 'update' | 'delete' | undefined {
  const p = t.parent;
  if (!p) return undefined;
  if (ts.isBinaryExpression(p) && p.left === t && isAssignmentOperator(p.operatorToken.kind)) {
    return p.operatorToken.kind === ts.SyntaxKind.EqualsToken ? 'assign' : 'update';
  }
  if (
    (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) &&
    (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)
  ) {
    return 'update';
  }
  if (ts.isDeleteExpression(p)) return 'delete';
  if ((ts.isForInStatement(p) || ts.isForOfStatement(p)) && p.initializer === t) return 'assign';
  if (isDestructuringTarget(t)) return 'assign';
  return undefined;
}

export function isDestructuringTarget(t: ts.Node): boolean {
  let n: ts.Node = t;
  let climbed = false;
  for (let guard = 0; guard < 64; guard++) {
    const p = n.parent;
    if (!p) return false;
    if (ts.isArrayLiteralExpression(p)) {
      n = p;
      climbed = true;
    } else if (ts.isSpreadElement(p)) {
      n = p;
    } else if (ts.isSpreadAssignment(p) || (ts.isShorthandPropertyAssignment(p) && p.name === n)) {
      n = p.parent;
      climbed = true;
    } else if (ts.isPropertyAssignment(p) && p.initializer === n) {
      n = p.parent;
      climbed = true;
    } else if (ts.isParenthesizedExpression(p) && climbed) {
      n = p;
    } else if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      return climbed;
    } else if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer === n) {
      return climbed;
    } else {
      return false;
    }
  }
  return false;
}

export function isLogicalAssign(p: ts.Node | undefined): boolean {
  if (!p || !ts.isBinaryExpression(p)) return false;
  const k = p.operatorToken.kind;
  return k === ts.SyntaxKind.QuestionQuestionEqualsToken || k === ts.SyntaxKind.BarBarEqualsToken;
}

/** Mutating methods whose result is the old content: `pop()`, `shift()`, `splice()`. */
const VALUE_MUTATORS = new Set(['pop', 'shift', 'splice']);

/** Whether an expression's value is used (not a statement of its own, a for-loop step or `void`). */
function valueIsUsed(n0: ts.Node): boolean {
  const n = climbWrappers(n0);
  const p = n.parent;
  if (!p) return false;
  if (ts.isExpressionStatement(p) || ts.isVoidExpression(p)) return false;
  if (ts.isForStatement(p) && (p.incrementor === n || p.initializer === n)) return false;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.CommaToken) return p.right === n && valueIsUsed(p);
  return true;
}
