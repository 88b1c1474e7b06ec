/** Node kind → visitor action for the walker (a numeric switch is much faster than comparing kinds one by one). */
import ts from 'typescript';

export const enum Act {
  ANone = 0,
  AIdentifier,
  APropertyAccessExpression,
  AQualifiedName,
  AFunctionDeclaration,
  AClassDeclaration,
  ABlock,
  AModuleBlock,
  AModuleDeclaration,
  AVariableStatement,
  AForStatement,
  ACatchClause,
  ACaseBlock,
  AIfStatement,
  AVariableDeclaration,
  AParameter,
  APropertyAssignment,
  AShorthandPropertyAssignment,
  AEnumDeclaration,
  ALabeledStatement,
  AAsExpression,
  AExpressionWithTypeArguments,
  AHeritageClause,
  ACallExpression,
  ANewExpression,
  ATaggedTemplateExpression,
  ABinaryExpression,
  AJsxOpeningElement,
  AJsxAttribute,
  AExportAssignment,
  ADecorator,
  AType,
}

/** node kind → visitor action (a numeric switch is much faster than comparing against `ts.SyntaxKind.X` loads) */
export const ACT: Uint8Array = (() => {
  const t = new Uint8Array(ts.SyntaxKind.Count + 1);
  for (let k = ts.SyntaxKind.FirstTypeNode; k <= ts.SyntaxKind.LastTypeNode; k++) t[k] = Act.AType;
  t[ts.SyntaxKind.TypeParameter] = Act.AType;
  t[ts.SyntaxKind.Identifier] = Act.AIdentifier;
  t[ts.SyntaxKind.PropertyAccessExpression] = Act.APropertyAccessExpression;
  t[ts.SyntaxKind.QualifiedName] = Act.AQualifiedName;
  t[ts.SyntaxKind.MetaProperty] = Act.AQualifiedName;
  t[ts.SyntaxKind.InterfaceDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.TypeAliasDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.ImportDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.ExportDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.ImportEqualsDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.BreakStatement] = Act.AQualifiedName;
  t[ts.SyntaxKind.ContinueStatement] = Act.AQualifiedName;
  t[ts.SyntaxKind.JsxClosingElement] = Act.AQualifiedName;
  t[ts.SyntaxKind.DebuggerStatement] = Act.AQualifiedName;
  t[ts.SyntaxKind.IndexSignature] = Act.AQualifiedName;
  t[ts.SyntaxKind.SemicolonClassElement] = Act.AQualifiedName;
  t[ts.SyntaxKind.NamespaceExportDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.MissingDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.FunctionDeclaration] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.FunctionExpression] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.ArrowFunction] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.MethodDeclaration] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.GetAccessor] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.SetAccessor] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.Constructor] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.ClassDeclaration] = Act.AClassDeclaration;
  t[ts.SyntaxKind.ClassExpression] = Act.AClassDeclaration;
  t[ts.SyntaxKind.Block] = Act.ABlock;
  t[ts.SyntaxKind.ModuleBlock] = Act.AModuleBlock;
  t[ts.SyntaxKind.ModuleDeclaration] = Act.AModuleDeclaration;
  t[ts.SyntaxKind.VariableStatement] = Act.AVariableStatement;
  t[ts.SyntaxKind.ForStatement] = Act.AForStatement;
  t[ts.SyntaxKind.ForInStatement] = Act.AForStatement;
  t[ts.SyntaxKind.ForOfStatement] = Act.AForStatement;
  t[ts.SyntaxKind.CatchClause] = Act.ACatchClause;
  t[ts.SyntaxKind.CaseBlock] = Act.ACaseBlock;
  t[ts.SyntaxKind.IfStatement] = Act.AIfStatement;
  t[ts.SyntaxKind.VariableDeclaration] = Act.AVariableDeclaration;
  t[ts.SyntaxKind.Parameter] = Act.AParameter;
  t[ts.SyntaxKind.PropertyAssignment] = Act.APropertyAssignment;
  t[ts.SyntaxKind.ShorthandPropertyAssignment] = Act.AShorthandPropertyAssignment;
  t[ts.SyntaxKind.EnumDeclaration] = Act.AEnumDeclaration;
  t[ts.SyntaxKind.LabeledStatement] = Act.ALabeledStatement;
  t[ts.SyntaxKind.AsExpression] = Act.AAsExpression;
  t[ts.SyntaxKind.SatisfiesExpression] = Act.AAsExpression;
  t[ts.SyntaxKind.TypeAssertionExpression] = Act.AAsExpression;
  t[ts.SyntaxKind.NonNullExpression] = Act.AAsExpression;
  t[ts.SyntaxKind.ExpressionWithTypeArguments] = Act.AExpressionWithTypeArguments;
  t[ts.SyntaxKind.HeritageClause] = Act.AHeritageClause;
  t[ts.SyntaxKind.CallExpression] = Act.ACallExpression;
  t[ts.SyntaxKind.NewExpression] = Act.ANewExpression;
  t[ts.SyntaxKind.TaggedTemplateExpression] = Act.ATaggedTemplateExpression;
  t[ts.SyntaxKind.BinaryExpression] = Act.ABinaryExpression;
  t[ts.SyntaxKind.JsxOpeningElement] = Act.AJsxOpeningElement;
  t[ts.SyntaxKind.JsxSelfClosingElement] = Act.AJsxOpeningElement;
  t[ts.SyntaxKind.JsxAttribute] = Act.AJsxAttribute;
  t[ts.SyntaxKind.ExportAssignment] = Act.AExportAssignment;
  t[ts.SyntaxKind.Decorator] = Act.ADecorator;
  return t;
})();
