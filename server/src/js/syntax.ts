/**
 * Small, scope-free syntactic helpers for the JS/TS front end.
 */
import ts from 'typescript';

/** Strip parentheses and TS-only wrappers (`as`, `satisfies`, `!`, `<T>x`). */
export function unwrap(e: ts.Expression): ts.Expression {
  for (;;) {
    if (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isTypeAssertionExpression(e) ||
      ts.isPartiallyEmittedExpression(e)
    ) {
      e = e.expression;
    } else {
      return e;
    }
  }
}

/** Climb from `n` through wrapper parents (parens, `as`, `!`...), returning the outermost wrapper. */
export function climbWrappers(n: ts.Node): ts.Node {
  for (;;) {
    const p = n.parent;
    if (
      p &&
      (ts.isParenthesizedExpression(p) ||
        ts.isAsExpression(p) ||
        ts.isSatisfiesExpression(p) ||
        ts.isNonNullExpression(p) ||
        ts.isTypeAssertionExpression(p) ||
        ts.isPartiallyEmittedExpression(p))
    ) {
      n = p;
    } else {
      return n;
    }
  }
}

export function isFunctionNode(n: ts.Node): n is ts.FunctionLikeDeclaration {
  switch (n.kind) {
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
    case ts.SyntaxKind.Constructor:
      return true;
    default:
      return false;
  }
}

export function isFunctionExpr(n: ts.Node | undefined): n is ts.ArrowFunction | ts.FunctionExpression {
  return !!n && (ts.isArrowFunction(n) || ts.isFunctionExpression(n));
}

export function stringValue(e: ts.Node | undefined): string | undefined {
  if (!e) return undefined;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  return undefined;
}

/** Text of a property name when static (identifier, string/number literal, private name). */
export function propertyNameText(n: ts.PropertyName | ts.Node | undefined): string | undefined {
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) return n.text;
  if (ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  if (ts.isComputedPropertyName(n)) return stringValue(unwrap(n.expression));
  return undefined;
}

export function hasModifier(n: ts.Node, kind: ts.SyntaxKind): boolean {
  const mods = ts.canHaveModifiers(n) ? ts.getModifiers(n) : undefined;
  return !!mods && mods.some((m) => m.kind === kind);
}

/** Dotted text of an identifier/property-access chain (`a.b.c`), else undefined. */
export function dottedName(e: ts.Expression): string | undefined {
  e = unwrap(e);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.name)) {
    const base = dottedName(e.expression);
    return base === undefined ? undefined : `${base}.${e.name.text}`;
  }
  if (e.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  return undefined;
}

/** `import.meta.<prop>` */
export function isImportMeta(e: ts.Expression, prop: string): boolean {
  e = unwrap(e);
  return (
    ts.isPropertyAccessExpression(e) &&
    ts.isMetaProperty(e.expression) &&
    e.expression.keywordToken === ts.SyntaxKind.ImportKeyword &&
    e.name.text === prop
  );
}

export function isAssignmentOperator(k: ts.SyntaxKind): boolean {
  return k >= ts.SyntaxKind.FirstAssignment && k <= ts.SyntaxKind.LastAssignment;
}

/** All identifier names bound by a binding name (destructuring included). */
export function boundNames(name: ts.BindingName, out: ts.Identifier[] = []): ts.Identifier[] {
  if (ts.isIdentifier(name)) {
    out.push(name);
  } else {
    for (const el of name.elements) {
      if (ts.isBindingElement(el)) boundNames(el.name, out);
    }
  }
  return out;
}

/** Last statement of a block (or the statement itself) leaves the enclosing code. */
export function exits(s: ts.Statement): boolean {
  let last: ts.Statement | undefined = s;
  while (last && ts.isBlock(last)) last = last.statements[last.statements.length - 1];
  if (!last) return false;
  if (ts.isReturnStatement(last) || ts.isThrowStatement(last)) return true;
  if (ts.isExpressionStatement(last)) {
    const e = unwrap(last.expression);
    if (ts.isCallExpression(e)) {
      const n = dottedName(e.expression);
      return n === 'process.exit';
    }
  }
  return false;
}

export function isStatementBoundary(n: ts.Node): boolean {
  return (
    ts.isBlock(n) ||
    ts.isSourceFile(n) ||
    ts.isCaseClause(n) ||
    ts.isDefaultClause(n) ||
    ts.isModuleBlock(n) ||
    isFunctionNode(n) ||
    ts.isClassLike(n)
  );
}

/**
 * Sets `parent` on every node of the tree, exactly the nodes `ts.forEachChild` reaches (what
 * `setParentNodes` does without JSDoc). Tokens (identifiers, literals, keywords) have no
 * children. Recursive: a RangeError on a tree deeper than the stack.
 */
export function setParents(sf: ts.SourceFile): void {
  parentNow = sf;
  ts.forEachChild(sf, bindParent, bindParents);
}

const LAST_TOKEN = ts.SyntaxKind.LastToken;
let parentNow: ts.Node;

function bindParent(child: ts.Node): undefined {
  (child as { parent: ts.Node }).parent = parentNow;
  if (child.kind > LAST_TOKEN) {
    const saved = parentNow;
    parentNow = child;
    ts.forEachChild(child, bindParent, bindParents);
    parentNow = saved;
  }
  return undefined;
}

function bindParents(children: ts.NodeArray<ts.Node>): undefined {
  for (let i = 0; i < children.length; i++) bindParent(children[i]);
  return undefined;
}
