/**
 * Names and scopes in JS/TS code for the fix providers: what a declaration binds, the
 * file's top-level names, whether a name is referenced inside a node or shadowed at it.
 */
import ts from 'typescript';

export function isFunctionLike(n: ts.Node): n is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(n) ||
    ts.isFunctionExpression(n) ||
    ts.isArrowFunction(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n) ||
    ts.isGetAccessor(n) ||
    ts.isSetAccessor(n)
  );
}

/** Names bound by a binding name (identifier or destructuring pattern). */
export function boundNamesOf(name: ts.BindingName, out: string[] = []): string[] {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) boundNamesOf(el.name, out);
  return out;
}

/** Names a top-level statement declares. */
export function declaredBy(s: ts.Statement): string[] {
  const out: string[] = [];
  if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) boundNamesOf(d.name, out);
  else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) out.push(s.name.text);
  else if (ts.isImportDeclaration(s) && s.importClause) {
    const c = s.importClause;
    if (c.name) out.push(c.name.text);
    if (c.namedBindings) {
      if (ts.isNamespaceImport(c.namedBindings)) out.push(c.namedBindings.name.text);
      else for (const e of c.namedBindings.elements) out.push(e.name.text);
    }
  } else if (ts.isImportEqualsDeclaration(s)) out.push(s.name.text);
  return out;
}

/** Every name declared at the top level of the file. */
export function topLevelNames(sf: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  for (const s of sf.statements) for (const n of declaredBy(s)) out.add(n);
  return out;
}

/** Whether an identifier named `name` is referenced (as a value, not a property name) inside `n`. */
export function references(n: ts.Node, name: string): boolean {
  let hit = false;
  const visit = (x: ts.Node): void => {
    if (hit) return;
    if (ts.isIdentifier(x) && x.text === name && isValueReference(x)) {
      hit = true;
      return;
    }
    x.forEachChild(visit);
  };
  visit(n);
  return hit;
}

export function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (!p) return true;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isPropertyAssignment(p) && p.name === id) return false;
  if ((ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isQualifiedName(p) && p.right === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if ((ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) && p.propertyName === id) return false;
  return true;
}

/**
 * Whether `name` is declared by something other than the top level between `at` and the
 * source file (a parameter, a local variable, a nested function's name...), i.e. whether a
 * top-level binding of that name is shadowed at `at`.
 */
export function isShadowedAt(sf: ts.SourceFile, at: ts.Node, name: string): boolean {
  for (let cur: ts.Node | undefined = at.parent; cur && cur !== sf; cur = cur.parent) {
    if (declaresLocally(cur, name)) return true;
  }
  return false;
}

function declaresLocally(scope: ts.Node, name: string): boolean {
  if (isFunctionLike(scope)) {
    for (const p of scope.parameters) if (boundNamesOf(p.name).includes(name)) return true;
    if ((ts.isFunctionExpression(scope) || ts.isFunctionDeclaration(scope)) && scope.name?.text === name && ts.isFunctionExpression(scope)) return true;
    if (scope.body && ts.isBlock(scope.body) && blockDeclares(scope.body, name, true)) return true;
    return false;
  }
  if (ts.isBlock(scope) || ts.isCaseBlock(scope)) return blockDeclares(scope, name, false);
  if (ts.isForStatement(scope) || ts.isForInStatement(scope) || ts.isForOfStatement(scope)) {
    const init = scope.initializer;
    if (init && ts.isVariableDeclarationList(init)) for (const d of init.declarations) if (boundNamesOf(d.name).includes(name)) return true;
    return false;
  }
  if (ts.isCatchClause(scope)) return !!scope.variableDeclaration && boundNamesOf(scope.variableDeclaration.name).includes(name);
  if (ts.isClassExpression(scope)) return scope.name?.text === name;
  return false;
}

/** Declarations directly in a block (and, for function bodies, `var`s anywhere in it). */
function blockDeclares(block: ts.Node, name: string, functionBody: boolean): boolean {
  let hit = false;
  const statements = ts.isCaseBlock(block) ? block.clauses.flatMap((c) => [...c.statements]) : [...(block as ts.Block).statements];
  for (const s of statements) if (declaredBy(s).includes(name)) return true;
  if (functionBody) {
    const visit = (x: ts.Node): void => {
      if (hit || isFunctionLike(x)) return;
      if (ts.isVariableDeclarationList(x) && !(x.flags & ts.NodeFlags.BlockScoped)) {
        for (const d of x.declarations) if (boundNamesOf(d.name).includes(name)) hit = true;
      }
      x.forEachChild(visit);
    };
    block.forEachChild(visit);
  }
  return hit;
}
