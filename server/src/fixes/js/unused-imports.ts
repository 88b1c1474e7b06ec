/**
 * Removing the import a fix made unused. A fix that stops a worker module from touching the
 * module-level state (it posts messages, or pushes into a local array instead) leaves the
 * `const { results } = require('./results')` that brought the state in; a reviewer would
 * ask for it to go. It goes only when nothing else in the fixed file uses the name, and the
 * whole statement goes only when loading the module has no effect besides defining things
 * (otherwise a bare `require('./results');` / `import './results.js';` keeps its effects).
 */
import { builtinModules } from 'node:module';
import ts from 'typescript';
import type { ProjectGraph } from '../../engine/contexts';
import { applyEdits } from '../apply';
import type { FixContext, TextEdit } from '../types';
import { requireSpecifier } from './imports';
import { declaredBy } from './scopes';
import { scriptKindFor } from '../../js/frontend';
import { endOfLine, jsFile, lineStartOf, offsetOf, replace, type JsFile } from './source-file';

/**
 * The edit that removes the import of `name` from `f` once `edits` (the fix's edits of this
 * file) are applied, or nothing when the name is still used, the import is not one of the
 * simple shapes, or the removal would touch another edit.
 */
export function dropUnusedImport(ctx: FixContext, f: JsFile, edits: readonly TextEdit[], name: string): TextEdit[] {
  const stmt = f.sf.statements.find((s) => declaredBy(s).includes(name));
  if (!stmt) return [];
  const spec = importedModule(stmt);
  if (spec === undefined) return [];
  const fixed = ts.createSourceFile(f.file, applyEdits(f.text, edits), ts.ScriptTarget.Latest, true, scriptKindFor(f.file));
  if (isUsed(fixed, name)) return [];
  const removal = removalOf(ctx, f, stmt, spec, name);
  if (!removal) return [];
  const [s, t] = [offsetOf(f.text, removal.range.start), offsetOf(f.text, removal.range.end)];
  for (const e of edits) {
    const [es, et] = [offsetOf(f.text, e.range.start), offsetOf(f.text, e.range.end)];
    if (es < t && s < et) return [];
    if (es === et && s < es && es < t) return [];
  }
  return [removal];
}

/** The module specifier of an import statement of one of the shapes handled here. */
function importedModule(s: ts.Statement): string | undefined {
  if (ts.isImportDeclaration(s)) {
    if (s.importClause?.isTypeOnly || !ts.isStringLiteral(s.moduleSpecifier)) return undefined;
    return s.moduleSpecifier.text;
  }
  if (ts.isVariableStatement(s) && s.declarationList.declarations.length === 1) {
    let init = s.declarationList.declarations[0].initializer;
    while (init && ts.isPropertyAccessExpression(init)) init = init.expression;
    return requireSpecifier(init);
  }
  return undefined;
}

/** Whether `name` is referenced anywhere in the file other than where an import declares it. */
function isUsed(sf: ts.SourceFile, name: string): boolean {
  let used = false;
  const visit = (n: ts.Node): void => {
    if (used) return;
    if (ts.isIdentifier(n) && n.text === name && !isDeclarationName(n)) {
      used = true;
      return;
    }
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return used;
}

function isDeclarationName(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return true;
  if (ts.isPropertyAssignment(p) && p.name === id) return true;
  if (ts.isBindingElement(p)) return p.name === id || p.propertyName === id;
  if (ts.isVariableDeclaration(p) && p.name === id) return isImportStatementOf(p);
  if (ts.isImportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) return true;
  return false;
}

function isImportStatementOf(d: ts.VariableDeclaration): boolean {
  return ts.isVariableStatement(d.parent.parent) && d.parent.parent.parent.kind === ts.SyntaxKind.SourceFile && importedModule(d.parent.parent) !== undefined;
}

/** The edit that takes `name` out of the import statement `stmt` (the statement itself when it binds nothing else). */
function removalOf(ctx: FixContext, f: JsFile, stmt: ts.Statement, spec: string, name: string): TextEdit | undefined {
  const elements = ts.isImportDeclaration(stmt) ? importElements(stmt) : requireElements(stmt);
  if (!elements) return undefined;
  const i = elements.findIndex((e) => e.name === name);
  if (i < 0) return undefined;
  if (elements.length > 1) {
    // `{ a, results, b }`: the element and the comma after it (before it, for the last one)
    const el = elements[i].node;
    if (!elements.every((e) => e.node.parent === el.parent)) return undefined;
    const start = i < elements.length - 1 ? el.getStart(f.sf) : elements[i - 1].node.end;
    const end = i < elements.length - 1 ? elements[i + 1].node.getStart(f.sf) : el.end;
    return replace(f.text, start, end, '');
  }
  const start = stmt.getStart(f.sf);
  if (!hasNoEffects(ctx, f.file, spec)) {
    const quoted = f.text.slice(specifierNode(stmt).getStart(f.sf), specifierNode(stmt).end);
    return replace(f.text, start, stmt.end, ts.isImportDeclaration(stmt) ? `import ${quoted};` : `require(${quoted});`);
  }
  const lineStart = lineStartOf(f.text, start);
  let lineEnd = endOfLine(f.text, stmt.end);
  const alone = f.text.slice(lineStart, start).trim() === '' && f.text.slice(stmt.end, lineEnd).trim() === '';
  if (!alone) return replace(f.text, start, stmt.end, '');
  // the only import at the top, or one between blank lines: its blank line goes with it
  const blankBefore = lineStart === 0 || f.text.slice(lineStartOf(f.text, lineStart - 1), lineStart).trim() === '';
  const next = endOfLine(f.text, lineEnd);
  if (blankBefore && next > lineEnd && f.text.slice(lineEnd, next).trim() === '') lineEnd = next;
  return replace(f.text, lineStart, lineEnd, '');
}

interface Element {
  name: string;
  node: ts.Node;
}

function importElements(s: ts.ImportDeclaration): Element[] | undefined {
  const c = s.importClause;
  if (!c) return undefined;
  const nb = c.namedBindings;
  // a default import next to named ones: not handled (rare for a state module)
  if (c.name && nb) return undefined;
  if (c.name) return [{ name: c.name.text, node: c.name }];
  if (!nb) return undefined;
  if (ts.isNamespaceImport(nb)) return [{ name: nb.name.text, node: nb }];
  return nb.elements.map((e) => ({ name: e.name.text, node: e }));
}

function requireElements(s: ts.Statement): Element[] | undefined {
  if (!ts.isVariableStatement(s)) return undefined;
  const d = s.declarationList.declarations[0];
  if (ts.isIdentifier(d.name)) return [{ name: d.name.text, node: d }];
  if (!ts.isObjectBindingPattern(d.name)) return undefined;
  const out: Element[] = [];
  for (const e of d.name.elements) {
    if (!ts.isIdentifier(e.name)) return undefined;
    out.push({ name: e.name.text, node: e });
  }
  return out;
}

function specifierNode(s: ts.Statement): ts.Node {
  if (ts.isImportDeclaration(s)) return s.moduleSpecifier;
  let init = (s as ts.VariableStatement).declarationList.declarations[0].initializer!;
  while (ts.isPropertyAccessExpression(init) || ts.isParenthesizedExpression(init) || ts.isAsExpression(init) || ts.isNonNullExpression(init)) init = init.expression;
  return (init as ts.CallExpression).arguments[0];
}

const BUILTINS = new Set(builtinModules);

/**
 * Whether loading `spec` from `from` only defines things: a Node built-in, or an analysed
 * module whose top level (and that of the modules it loads) declares functions, classes
 * and variables, and exports values, with initialisers that run no code of their own.
 */
function hasNoEffects(ctx: FixContext, from: string, spec: string, seen = new Set<string>()): boolean {
  if (spec.startsWith('node:') || BUILTINS.has(spec)) return true;
  const g: ProjectGraph = ctx.graph;
  const m = g.modules.get(from);
  const target = m && g.linker.resolveModule(m, spec);
  if (!target || target.language !== 'js') return false;
  if (seen.has(target.path)) return true;
  seen.add(target.path);
  const tf = jsFile(ctx, target.path);
  if (!tf) return false;
  return tf.sf.statements.every((s) => statementHasNoEffects(s, (sp) => hasNoEffects(ctx, target.path, sp, seen)));
}

function statementHasNoEffects(s: ts.Statement, moduleOk: (spec: string) => boolean): boolean {
  if (ts.isFunctionDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEmptyStatement(s)) return true;
  if (ts.isClassDeclaration(s)) return classHasNoEffects(s);
  if (ts.isVariableStatement(s)) return s.declarationList.declarations.every((d) => !d.initializer || pure(d.initializer, moduleOk));
  if (ts.isImportDeclaration(s)) return !!s.importClause?.isTypeOnly || (ts.isStringLiteral(s.moduleSpecifier) && moduleOk(s.moduleSpecifier.text));
  if (ts.isExportDeclaration(s)) return s.isTypeOnly || !s.moduleSpecifier || (ts.isStringLiteral(s.moduleSpecifier) && moduleOk(s.moduleSpecifier.text));
  if (ts.isExportAssignment(s)) return pure(s.expression, moduleOk);
  if (ts.isExpressionStatement(s)) {
    const e = s.expression;
    if (ts.isStringLiteral(e)) return true; // 'use strict'
    // module.exports = ..., module.exports.x = ..., exports.x = ...
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) return isExportsTarget(e.left) && pure(e.right, moduleOk);
    // Object.defineProperty(exports, '__esModule', { value: true }) of compiled TypeScript
    if (ts.isCallExpression(e) && e.expression.getText() === 'Object.defineProperty' && e.arguments[0]?.getText() === 'exports') return e.arguments.every((a) => pure(a, moduleOk));
  }
  return false;
}

function isExportsTarget(e: ts.Expression): boolean {
  const t = e.getText().replace(/\s+/g, '');
  return t === 'module.exports' || /^(module\.)?exports\.[A-Za-z_$][\w$]*$/.test(t);
}

function classHasNoEffects(c: ts.ClassLikeDeclaration): boolean {
  if (c.heritageClauses?.length || ts.getDecorators(c)?.length) return false;
  return c.members.every((m) => {
    if (ts.isClassStaticBlockDeclaration(m)) return false;
    if (ts.isPropertyDeclaration(m) && m.initializer && ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) return pure(m.initializer, () => false);
    return !(m.name && ts.isComputedPropertyName(m.name));
  });
}

const PURE_CONSTRUCTORS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array', 'Object']);

/** An expression whose evaluation runs no code besides building a value. */
function pure(e: ts.Expression, moduleOk: (spec: string) => boolean): boolean {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  if (ts.isLiteralExpression(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isIdentifier(e)) return true;
  switch (e.kind) {
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
      return true;
  }
  if (ts.isFunctionExpression(e) || ts.isArrowFunction(e)) return true;
  if (ts.isClassExpression(e)) return classHasNoEffects(e);
  if (ts.isPrefixUnaryExpression(e)) return ts.isLiteralExpression(e.operand);
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && pure(x, moduleOk));
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.every((p) => {
      if (p.name && ts.isComputedPropertyName(p.name)) return false;
      if (ts.isPropertyAssignment(p)) return pure(p.initializer, moduleOk);
      return ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p);
    });
  }
  if (ts.isNewExpression(e)) return ts.isIdentifier(e.expression) && PURE_CONSTRUCTORS.has(e.expression.text) && (e.arguments ?? []).every((a) => pure(a, moduleOk));
  const spec = requireSpecifier(ts.isPropertyAccessExpression(e) ? innermost(e) : e);
  if (spec !== undefined) return moduleOk(spec);
  return false;
}

function innermost(e: ts.PropertyAccessExpression): ts.Expression {
  let x: ts.Expression = e;
  while (ts.isPropertyAccessExpression(x)) x = x.expression;
  return x;
}
