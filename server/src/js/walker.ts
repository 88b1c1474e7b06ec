/**
 * The walk over a JS/TS file: statements, blocks and their scopes, functions and classes
 * as units. Calls and `new` are recognised by the spawn-site layer (spawn-sites.ts).
 */
import ts from 'typescript';
import type { Range } from '../engine/model';
import { newUnit } from './records';
import { boundNames, climbWrappers, hasModifier, propertyNameText, unwrap } from './syntax';
import { Act, ACT } from './visit-actions';
import { AccessRecorder } from './accesses';
import { hasLexicalDeclarations, type DeclKind, type Scope, type Frame } from './scopes';
import { looksLikeCjsExport } from './exports';

export abstract class Walker extends AccessRecorder {
  protected abstract visitCall(call: ts.CallExpression): void;
  protected abstract visitNew(ne: ts.NewExpression): void;

  protected visit = (node: ts.Node): void => {
    switch (ACT[node.kind]) {
      case Act.AIdentifier:
        this.onIdentifier(node as ts.Identifier);
        return;
      case Act.APropertyAccessExpression:
        this.visit((node as ts.PropertyAccessExpression).expression);
        return;
      case Act.AQualifiedName:
        return;
      case Act.AFunctionDeclaration:
        this.visitFunction(node as ts.FunctionLikeDeclaration);
        return;
      case Act.AClassDeclaration:
        this.visitClass(node as ts.ClassLikeDeclaration);
        return;
      case Act.ABlock:
        this.visitBlock(node as ts.Block);
        return;
      case Act.AModuleBlock: {
        const s = this.newScope();
        const stmts = (node as ts.ModuleBlock).statements;
        this.hoistLexical(stmts, s);
        this.collectVars(stmts, s);
        this.visitStatements(stmts);
        this.popScope(s);
        return;
      }
      case Act.AModuleDeclaration: {
        const m = node as ts.ModuleDeclaration;
        if (hasModifier(m, ts.SyntaxKind.DeclareKeyword) || !m.body || !ts.isIdentifier(m.name)) return;
        this.visit(m.body);
        return;
      }
      case Act.AVariableStatement:
        if (hasModifier(node, ts.SyntaxKind.DeclareKeyword)) return;
        this.visit((node as ts.VariableStatement).declarationList);
        return;
      case Act.AForStatement:
        this.visitFor(node as ts.ForStatement | ts.ForInOrOfStatement);
        return;
      case Act.ACatchClause: {
        const c = node as ts.CatchClause;
        const s = this.newScope();
        if (c.variableDeclaration) {
          for (const id of boundNames(c.variableDeclaration.name)) this.declare(s, id, 'catch');
          this.visitBindingDefaults(c.variableDeclaration.name);
        }
        this.visit(c.block);
        this.popScope(s);
        return;
      }
      case Act.ACaseBlock: {
        const cb = node as ts.CaseBlock;
        const s = this.newScope();
        for (const c of cb.clauses) this.hoistLexical(c.statements, s);
        for (const c of cb.clauses) {
          if (ts.isCaseClause(c)) this.visit(c.expression);
          this.visitStatements(c.statements);
        }
        this.popScope(s);
        return;
      }
      case Act.AIfStatement:
        this.visitIf(node as ts.IfStatement);
        return;
      case Act.AVariableDeclaration:
        this.visitVariableDeclaration(node as ts.VariableDeclaration);
        return;
      case Act.AParameter: {
        const p = node as ts.ParameterDeclaration;
        this.visitBindingDefaults(p.name);
        if (p.initializer) this.visit(p.initializer);
        return;
      }
      case Act.APropertyAssignment: {
        const p = node as ts.PropertyAssignment;
        if (ts.isComputedPropertyName(p.name)) this.visit(p.name.expression);
        this.visit(p.initializer);
        return;
      }
      case Act.AShorthandPropertyAssignment: {
        const p = node as ts.ShorthandPropertyAssignment;
        this.onIdentifier(p.name);
        if (p.objectAssignmentInitializer) this.visit(p.objectAssignmentInitializer);
        return;
      }
      case Act.AEnumDeclaration: {
        const en = node as ts.EnumDeclaration;
        if (hasModifier(en, ts.SyntaxKind.DeclareKeyword)) return;
        for (const m of en.members) if (m.initializer) this.visit(m.initializer);
        return;
      }
      case Act.ALabeledStatement:
        this.visit((node as ts.LabeledStatement).statement);
        return;
      case Act.AAsExpression:
        this.visit((node as ts.AsExpression).expression);
        return;
      case Act.AExpressionWithTypeArguments:
        this.visit((node as ts.ExpressionWithTypeArguments).expression);
        return;
      case Act.AHeritageClause: {
        const h = node as ts.HeritageClause;
        if (h.token === ts.SyntaxKind.ExtendsKeyword) for (const t of h.types) this.visit(t.expression);
        return;
      }
      case Act.ACallExpression:
        this.visitCall(node as ts.CallExpression);
        return;
      case Act.ANewExpression:
        this.visitNew(node as ts.NewExpression);
        return;
      case Act.ATaggedTemplateExpression: {
        const t = node as ts.TaggedTemplateExpression;
        this.visit(t.tag);
        this.visit(t.template);
        return;
      }
      case Act.ABinaryExpression:
        this.visitBinary(node as ts.BinaryExpression);
        return;
      case Act.AJsxOpeningElement: {
        const j = node as ts.JsxOpeningElement;
        const tag = j.tagName;
        if (ts.isIdentifier(tag)) {
          if (/^[A-Z_$]/.test(tag.text)) this.onIdentifier(tag);
        } else if (ts.isPropertyAccessExpression(tag)) {
          this.visit(tag);
        }
        this.visit(j.attributes);
        return;
      }
      case Act.AJsxAttribute: {
        const a = node as ts.JsxAttribute;
        if (a.initializer) this.visit(a.initializer);
        return;
      }
      case Act.AExportAssignment:
        this.visit((node as ts.ExportAssignment).expression);
        return;
      case Act.ADecorator:
        this.visit((node as ts.Decorator).expression);
        return;
      case Act.AType:
        return;
      default:
        ts.forEachChild(node, this.visit);
    }
  };

  protected visitBlock(b: ts.Block): void {
    if (!hasLexicalDeclarations(b.statements)) {
      this.visitStatements(b.statements);
      return;
    }
    const s = this.newScope();
    this.hoistLexical(b.statements, s);
    this.visitStatements(b.statements);
    this.popScope(s);
  }

  protected visitFor(f: ts.ForStatement | ts.ForInOrOfStatement): void {
    const init = f.initializer;
    let s: Scope | undefined;
    if (init && ts.isVariableDeclarationList(init) && init.flags & ts.NodeFlags.BlockScoped) {
      s = this.newScope();
      const kind: DeclKind = init.flags & ts.NodeFlags.Const ? 'const' : 'let';
      for (const d of init.declarations) this.declareVariable(s, d, kind);
    }
    if (init) this.visit(init);
    if (ts.isForStatement(f)) {
      if (f.condition) this.visit(f.condition);
      if (f.incrementor) this.visit(f.incrementor);
    } else {
      this.visit(f.expression);
    }
    this.visit(f.statement);
    if (s) this.popScope(s);
  }

  protected visitBindingDefaults(name: ts.BindingName): void {
    if (ts.isIdentifier(name)) return;
    for (const el of name.elements) {
      if (!ts.isBindingElement(el)) continue;
      if (el.propertyName && ts.isComputedPropertyName(el.propertyName)) this.visit(el.propertyName.expression);
      this.visitBindingDefaults(el.name);
      if (el.initializer) this.visit(el.initializer);
    }
  }

  protected visitVariableDeclaration(d: ts.VariableDeclaration): void {
    this.visitBindingDefaults(d.name);
    if (!d.initializer) return;
    if (ts.isIdentifier(d.name)) {
      const c = this.creationOf(d.initializer);
      if (c) {
        const decl = this.lookup(d.name.text);
        if (decl) {
          if (c.pool) decl.poolSystem = c.pool;
          if (c.cluster) decl.poolCluster = true;
          if (c.proc) decl.proc = c.proc;
        }
      }
    }
    this.visit(d.initializer);
  }


  protected visitBinary(b: ts.BinaryExpression): void {
    if (b.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = unwrap(b.left);
      if (looksLikeCjsExport(left)) this.onCjsExport(left, b.right);
      const c = this.creationOf(b.right);
      if (c) {
        if (ts.isIdentifier(left)) {
          const decl = this.lookup(left.text);
          if (decl) {
            if (c.pool) decl.poolSystem = c.pool;
            if (c.cluster) decl.poolCluster = true;
            if (c.proc) decl.proc = c.proc;
          }
        } else if (ts.isPropertyAccessExpression(left)) {
          this.memberCreations.set(left.name.text, c);
        }
      }
      if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword)
        this.memberInits.set(left.name.text, b.right);
    }
    this.visit(b.left);
    this.visit(b.right);
  }

  // ----- functions & classes

  protected functionInfo(node: ts.FunctionLikeDeclaration): { name: string; nameNode?: ts.Node; contextual: boolean } {
    const clsName = (c: ts.Node): string | undefined => {
      if (!ts.isClassLike(c)) return undefined;
      if (c.name) return c.name.text;
      const t = climbWrappers(c);
      if (ts.isVariableDeclaration(t.parent) && ts.isIdentifier(t.parent.name)) return t.parent.name.text;
      return undefined;
    };
    const withClass = (c: ts.Node, n: string): string => {
      const cn = clsName(c);
      return cn ? `${cn}.${n}` : n;
    };
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) && node.name) {
      return { name: node.name.text, nameNode: node.name, contextual: true };
    }
    if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
      const k = propertyNameText(node.name) ?? '<computed>';
      return { name: withClass(node.parent, k), nameNode: node.name, contextual: true };
    }
    if (ts.isConstructorDeclaration(node)) {
      return { name: withClass(node.parent, 'constructor'), contextual: true };
    }
    if (ts.isFunctionDeclaration(node)) {
      // `export default function () {}`
      return { name: 'default', contextual: true };
    }
    const t = climbWrappers(node);
    const p = t.parent;
    if (ts.isVariableDeclaration(p) && p.initializer === t && ts.isIdentifier(p.name))
      return { name: p.name.text, nameNode: p.name, contextual: true };
    if (ts.isPropertyAssignment(p) && p.initializer === t) {
      const k = propertyNameText(p.name);
      if (k) return { name: k, nameNode: p.name, contextual: true };
    }
    if (ts.isPropertyDeclaration(p) && p.initializer === t) {
      const k = propertyNameText(p.name);
      if (k) return { name: withClass(p.parent, k), nameNode: p.name, contextual: true };
    }
    if (ts.isBinaryExpression(p) && p.right === t && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const l = unwrap(p.left);
      if (ts.isIdentifier(l)) return { name: l.text, nameNode: l, contextual: true };
      if (this.isModuleExports(l)) return { name: 'module.exports', nameNode: l, contextual: true };
      if (ts.isPropertyAccessExpression(l)) return { name: l.name.text, nameNode: l.name, contextual: true };
    }
    if (ts.isExportAssignment(p)) return { name: 'default', contextual: true };
    return { name: '<anonymous>', contextual: false };
  }

  protected anonNameRange(node: ts.FunctionLikeDeclaration): Range {
    if (ts.isArrowFunction(node)) return this.range(node.equalsGreaterThanToken);
    const start = this.nodeStart(node);
    const word = ts.isConstructorDeclaration(node) ? 'constructor' : 'function';
    const at = this.text.indexOf(word, start);
    const limit = node.body ? this.nodeStart(node.body) : node.end;
    if (at >= 0 && at < limit) return this.spanRange(at, at + word.length);
    return this.spanRange(start, start);
  }

  protected visitFunction(node: ts.FunctionLikeDeclaration): void {
    const decorators = ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined;
    if (decorators) for (const d of decorators) this.visit(d.expression);
    if (node.name && ts.isComputedPropertyName(node.name)) this.visit(node.name.expression);
    if (!node.body) return; // overload signature / abstract / declare

    const info = this.functionInfo(node);
    const parent = this.unit;
    const id = this.units.length;
    const range = this.range(node);
    const nameRange = info.nameNode ? this.range(info.nameNode) : this.anonNameRange(node);
    const unit = newUnit(id, 'function', info.name, range, nameRange, parent.id, this.frames.length > 0 || !info.contextual);
    if (node.asteriskToken) unit.isGenerator = true;
    const exp = this.exportFnNames.get(node);
    if (exp) unit.exportedAs = [...exp];
    const expBinding = this.exportFnBinding.get(node);
    if (expBinding) unit.binding = expBinding;
    this.units.push(unit);
    this.fnUnit.set(node, id);

    const scope = this.newScope();
    let selfName: string | undefined;
    if (ts.isFunctionExpression(node) && node.name) {
      this.declare(scope, node.name, 'self', { fnNode: node });
      selfName = node.name.text;
    } else if (ts.isFunctionDeclaration(node) && node.name) {
      selfName = node.name.text;
    }
    for (const p of node.parameters) {
      for (const idn of boundNames(p.name)) {
        if (idn.text === 'this') continue;
        unit.params.push(idn.text);
        const d = this.declare(scope, idn, 'param');
        const c = ts.isIdentifier(p.name) ? this.typedCreation(p.type) : undefined;
        if (c) {
          if (c.pool) d.poolSystem = c.pool;
          if (c.proc) d.proc = c.proc;
          if (c.cluster) d.poolCluster = true;
        }
      }
    }
    const frame: Frame = { unitId: id, depth: scope.depth, free: new Set(), selfName };
    this.frames.push(frame);
    this.unit = unit;
    try {
      for (const p of node.parameters) this.visit(p);
      const body = node.body;
      if (ts.isBlock(body)) {
        this.hoistLexical(body.statements, scope);
        this.collectVars(body.statements, scope);
        this.visitStatements(body.statements);
      } else {
        this.visit(body);
      }
    } finally {
      this.unit = parent;
      this.frames.pop();
      this.popScope(scope);
    }
    this.freeNames.set(id, frame.free);
  }

  protected visitClass(node: ts.ClassLikeDeclaration): void {
    const decorators = ts.getDecorators(node);
    if (decorators) for (const d of decorators) this.visit(d.expression);
    if (hasModifier(node, ts.SyntaxKind.DeclareKeyword)) return;
    for (const h of node.heritageClauses ?? []) this.visit(h);
    let s: Scope | undefined;
    if (ts.isClassExpression(node) && node.name) {
      s = this.newScope();
      this.declare(s, node.name, 'class', { classNode: node });
    }
    const methods: number[] = [];
    for (const m of node.members) {
      if (
        ts.isMethodDeclaration(m) ||
        ts.isGetAccessorDeclaration(m) ||
        ts.isSetAccessorDeclaration(m) ||
        ts.isConstructorDeclaration(m)
      ) {
        this.visitFunction(m);
        const id = this.fnUnit.get(m);
        if (id !== undefined) methods.push(id);
      } else if (ts.isPropertyDeclaration(m)) {
        const decs = ts.getDecorators(m);
        if (decs) for (const d of decs) this.visit(d.expression);
        if (ts.isComputedPropertyName(m.name)) this.visit(m.name.expression);
        const field = propertyNameText(m.name);
        // `pool = new Piscina(...)` / `private pool: Piscina`: `this.pool` is one
        const made = (m.initializer && this.creationOf(m.initializer)) ?? this.typedCreation(m.type);
        if (field && made) this.memberCreations.set(field, made);
        if (m.initializer) {
          const k = field;
          if (k) this.memberInits.set(k, m.initializer);
          this.visit(m.initializer);
          const init = unwrap(m.initializer);
          const id = this.fnUnit.get(init);
          if (id !== undefined) methods.push(id);
        }
      } else if (ts.isClassStaticBlockDeclaration(m)) {
        this.visit(m.body);
      }
    }
    this.classMethods.set(node, methods);
    if (s) this.popScope(s);
  }
}
