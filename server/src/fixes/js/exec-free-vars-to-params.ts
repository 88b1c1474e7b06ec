/**
 * unsendable-payload (workerpool `pool.exec(fn, args)` where fn uses outer-scope names) →
 * "Pass NAMES to the function as arguments": the free names become extra parameters of the
 * inline function and their values are appended to the argument array (created when absent).
 *
 * Offered only when fn is written inline (a function expression or arrow), has no rest
 * parameter, does not assign the free names, the argument array is an array literal without
 * spreads that does not outnumber fn's parameters, and every free name is a `const` whose
 * value is plain data (literals, arrays/objects of literals) — anything else might not
 * survive workerpool's structured copy.
 */
import ts from 'typescript';
import type { Finding } from '../../engine/findings';
import type { Payload } from '../../engine/model';
import type { FixContext, FixEdit, FixProvider, TextEdit } from '../types';
import { boundNamesOf, isFunctionLike } from './scopes';
import { insertAt, jsFile, nodeAtRange, type JsFile } from './source-file';

const KIND = 'exec-free-vars-to-params';

function payloadOf(ctx: FixContext, f: Finding): Payload | undefined {
  const m = ctx.graph.modules.get(f.file);
  if (!m || m.language !== 'js') return undefined;
  return m.payloads.find(
    (p) =>
      p.what === 'closure' &&
      p.range.start.line === f.range.start.line &&
      p.range.start.character === f.range.start.character &&
      p.range.end.line === f.range.end.line &&
      p.range.end.character === f.range.end.character,
  );
}

function title(names: string[]): string {
  const list = names.map((n) => `'${n}'`).join(', ');
  return `Pass ${list} to the function as ${names.length > 1 ? 'arguments' : 'an argument'}`;
}

export const execFreeVarsToParams: FixProvider = {
  kind: KIND,
  rules: ['unsendable-payload'],
  describe(ctx, f) {
    const p = payloadOf(ctx, f);
    if (!p || !p.freeNames?.length) return undefined;
    return plan(ctx, f, p) ? { kind: KIND, title: title(p.freeNames) } : undefined;
  },
  compute(ctx, f) {
    const p = payloadOf(ctx, f);
    if (!p || !p.freeNames?.length) return undefined;
    const edits = plan(ctx, f, p);
    if (!edits) return undefined;
    return { kind: KIND, title: title(p.freeNames), changes: [{ file: f.file, edits }] } satisfies FixEdit;
  },
};

function plan(ctx: FixContext, f: Finding, p: Payload): TextEdit[] | undefined {
  const file = jsFile(ctx, f.file);
  if (!file) return undefined;
  let fn = nodeAtRange(file, p.range);
  while (fn && ts.isParenthesizedExpression(fn)) fn = fn.expression;
  if (!fn || !(ts.isFunctionExpression(fn) || ts.isArrowFunction(fn))) return undefined;
  let outer: ts.Node = fn;
  while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
  const call = outer.parent;
  if (!call || !ts.isCallExpression(call) || call.arguments[0] !== outer) return undefined;
  if (!ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'exec') return undefined;
  const names = p.freeNames!;
  if (new Set(names).size !== names.length) return undefined;
  if (fn.parameters.some((x) => x.dotDotDotToken)) return undefined;
  // the function's own name / parameters must not already use the names
  const own = new Set(fn.parameters.flatMap((x) => boundNamesOf(x.name)));
  if (ts.isFunctionExpression(fn) && fn.name) own.add(fn.name.text);
  if (names.some((n) => own.has(n))) return undefined;
  for (const n of names) {
    if (!/^[A-Za-z_$][\w$]*$/.test(n)) return undefined;
    if (writes(fn, n)) return undefined;
    const decl = declarationVisibleAt(file, call, n);
    if (!decl || !isPlainConst(decl)) return undefined;
  }

  const edits: TextEdit[] = [];
  // parameters
  const params = fn.parameters;
  const added = names.join(', ');
  if (params.length === 0) {
    const open = findToken(file, fn, ts.SyntaxKind.OpenParenToken);
    if (open === undefined) {
      return undefined;
    }
    edits.push(insertAt(file.text, open + 1, added));
  } else {
    const last = params[params.length - 1];
    const simpleArrow = ts.isArrowFunction(fn) && params.length === 1 && !hasParenBefore(file, last);
    if (simpleArrow) {
      edits.push(insertAt(file.text, last.getStart(file.sf), '('));
      edits.push(insertAt(file.text, last.end, `, ${added})`));
    } else {
      edits.push(insertAt(file.text, last.end, `, ${added}`));
    }
  }
  // arguments
  const argsNode = call.arguments[1];
  if (!argsNode) {
    const pad = Array(params.length).fill('undefined');
    edits.push(insertAt(file.text, outer.end, `, [${[...pad, ...names].join(', ')}]`));
  } else {
    if (!ts.isArrayLiteralExpression(argsNode)) return undefined;
    const els = argsNode.elements;
    if (els.some((e) => ts.isSpreadElement(e) || ts.isOmittedExpression(e))) return undefined;
    if (els.length > params.length) return undefined;
    const pad = Array(params.length - els.length).fill('undefined');
    const items = [...pad, ...names].join(', ');
    if (els.length === 0) edits.push(insertAt(file.text, argsNode.getStart(file.sf) + 1, items));
    else edits.push(insertAt(file.text, els[els.length - 1].end, `, ${items}`));
  }
  return edits;
}

function findToken(file: JsFile, fn: ts.SignatureDeclaration, kind: ts.SyntaxKind): number | undefined {
  for (const c of fn.getChildren(file.sf)) if (c.kind === kind) return c.getStart(file.sf);
  return undefined;
}

function hasParenBefore(file: JsFile, param: ts.ParameterDeclaration): boolean {
  const fn = param.parent;
  return fn.getChildren(file.sf).some((c) => c.kind === ts.SyntaxKind.OpenParenToken);
}

/** Whether fn assigns/updates the name (as a free variable). */
function writes(fn: ts.Node, name: string): boolean {
  let hit = false;
  const isName = (e: ts.Expression) => ts.isIdentifier(e) && e.text === name;
  const visit = (n: ts.Node): void => {
    if (hit) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment && isName(n.left)) hit = true;
    if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) && isName(n.operand)) hit = true;
    n.forEachChild(visit);
  };
  fn.forEachChild(visit);
  return hit;
}

/** The VariableDeclaration of `name` visible at `at` (locals first, then the top level). */
function declarationVisibleAt(file: JsFile, at: ts.Node, name: string): ts.VariableDeclaration | undefined {
  for (let cur: ts.Node | undefined = at.parent; cur; cur = cur.parent) {
    let stmts: readonly ts.Statement[] | undefined;
    if (ts.isSourceFile(cur) || ts.isBlock(cur) || ts.isModuleBlock(cur)) stmts = cur.statements;
    if (isFunctionLike(cur)) {
      for (const prm of cur.parameters) if (boundNamesOf(prm.name).includes(name)) return undefined; // a parameter: value unknown
    }
    if (ts.isCatchClause(cur) && cur.variableDeclaration && boundNamesOf(cur.variableDeclaration.name).includes(name)) return undefined;
    if ((ts.isForStatement(cur) || ts.isForOfStatement(cur) || ts.isForInStatement(cur)) && cur.initializer && ts.isVariableDeclarationList(cur.initializer)) {
      if (cur.initializer.declarations.some((d) => boundNamesOf(d.name).includes(name))) return undefined;
    }
    if (!stmts) continue;
    for (const s of stmts) {
      if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.name.text === name) return d;
          if (!ts.isIdentifier(d.name) && boundNamesOf(d.name).includes(name)) return undefined;
        }
      } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name?.text === name) {
        return undefined;
      } else if (ts.isImportDeclaration(s)) {
        const c = s.importClause;
        const names: string[] = [];
        if (c?.name) names.push(c.name.text);
        if (c?.namedBindings) {
          if (ts.isNamespaceImport(c.namedBindings)) names.push(c.namedBindings.name.text);
          else for (const e of c.namedBindings.elements) names.push(e.name.text);
        }
        if (names.includes(name)) return undefined;
      }
    }
  }
  return undefined;
}

function isPlainConst(d: ts.VariableDeclaration): boolean {
  const list = d.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return false;
  return !!d.initializer && isPlainData(d.initializer);
}

function isPlainData(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  if (ts.isNumericLiteral(e) || ts.isBigIntLiteral(e) || ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return true;
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken)) return isPlainData(e.operand);
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && !ts.isOmittedExpression(x) && isPlainData(x));
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.every((pr) => ts.isPropertyAssignment(pr) && !ts.isComputedPropertyName(pr.name) && isPlainData(pr.initializer));
  }
  return false;
}
