/** ES and CommonJS exports of one JS/TS file (`export ...`, `module.exports = ...`, `exports.x = ...`). */
import ts from 'typescript';
import type { ExportEntry } from '../engine/model';
import { boundNames, hasModifier, isFunctionExpr, propertyNameText, stringValue, unwrap } from './syntax';
import { ScopeModel } from './scopes';

export abstract class ExportCollector extends ScopeModel {
  // ----- exports

  protected setExport(name: string, entry: ExportEntry): void {
    if (!this.model.exports.has(name)) this.model.exports.set(name, entry);
  }

  protected addExportFn(fn: ts.Node, name: string): void {
    const list = this.exportFnNames.get(fn);
    if (list) {
      if (!list.includes(name)) list.push(name);
    } else {
      this.exportFnNames.set(fn, [name]);
    }
  }

  protected collectEsmExports(stmts: readonly ts.Statement[]): void {
    for (const s of stmts) {
      if (ts.isExportDeclaration(s)) {
        if (s.isTypeOnly) continue;
        const spec = s.moduleSpecifier ? stringValue(s.moduleSpecifier) : undefined;
        if (spec !== undefined) (this.importSet.add(spec), this.keptImports.add(spec));
        const clause = s.exportClause;
        if (!clause) {
          if (spec !== undefined) this.model.starExports.push(spec);
        } else if (ts.isNamespaceExport(clause)) {
          if (spec !== undefined) this.setExport(clause.name.text, { from: { specifier: spec, imported: '*' } });
        } else {
          for (const el of clause.elements) {
            if (el.isTypeOnly) continue;
            const exported = el.name.text;
            const local = (el.propertyName ?? el.name).text;
            if (spec !== undefined) this.setExport(exported, { from: { specifier: spec, imported: local } });
            else this.setExport(exported, { local });
          }
        }
        continue;
      }
      if (ts.isExportAssignment(s)) {
        const e = unwrap(s.expression);
        if (ts.isIdentifier(e) && this.moduleScope.decls.has(e.text)) this.setExport('default', { local: e.text });
        else {
          this.setExport('default', {});
          if (isFunctionExpr(e)) this.addExportFn(e, 'default');
        }
        continue;
      }
      if (!hasModifier(s, ts.SyntaxKind.ExportKeyword) || hasModifier(s, ts.SyntaxKind.DeclareKeyword)) continue;
      const isDefault = hasModifier(s, ts.SyntaxKind.DefaultKeyword);
      if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations)
          for (const id of boundNames(d.name)) this.setExport(id.text, { local: id.text });
      } else if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) {
        if (ts.isFunctionDeclaration(s) && !s.body) continue;
        const exported = isDefault ? 'default' : s.name?.text;
        if (!exported) continue;
        if (s.name) this.setExport(exported, { local: s.name.text });
        else {
          this.setExport(exported, {});
          if (ts.isFunctionDeclaration(s)) this.addExportFn(s, exported);
        }
      } else if (ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s)) {
        if (ts.isIdentifier(s.name)) this.setExport(s.name.text, { local: s.name.text });
      } else if (ts.isImportEqualsDeclaration(s)) {
        this.setExport(s.name.text, { local: s.name.text });
      }
    }
  }

  /** CommonJS `module.exports = ...`, `module.exports.x = ...`, `exports.x = ...` */
  protected onCjsExport(left: ts.Expression, right0: ts.Expression): void {
    const right = unwrap(right0);
    if (this.isModuleExports(left)) {
      if (ts.isObjectLiteralExpression(right)) {
        this.exportObjectLiteral(right);
      } else if (ts.isIdentifier(right) && this.moduleScope.decls.has(right.text) && this.lookup(right.text) === this.moduleScope.decls.get(right.text)) {
        this.setExport('default', { local: right.text });
        const d = this.moduleScope.decls.get(right.text)!;
        if (d.init && ts.isObjectLiteralExpression(d.init)) this.exportObjectLiteral(d.init);
      } else if (ts.isCallExpression(right) && this.requireSpec(right) !== undefined) {
        const spec = this.requireSpec(right)!;
        this.model.starExports.push(spec);
        this.setExport('default', { from: { specifier: spec, imported: '*' } });
      } else {
        this.setExport('default', {});
        if (isFunctionExpr(right)) this.addExportFn(right, 'default');
      }
      return;
    }
    let name: string | undefined;
    const l = unwrap(left);
    if (ts.isPropertyAccessExpression(l) && this.isExportsObject(l.expression)) name = l.name.text;
    else if (ts.isElementAccessExpression(l) && this.isExportsObject(l.expression)) name = stringValue(l.argumentExpression);
    if (!name) return;
    this.exportValue(name, right);
  }

  protected exportValue(name: string, value: ts.Expression): void {
    const v = unwrap(value);
    if (ts.isIdentifier(v) && this.moduleScope.decls.has(v.text) && this.lookup(v.text) === this.moduleScope.decls.get(v.text)) {
      this.setExport(name, { local: v.text });
    } else {
      this.setExport(name, {});
      if (isFunctionExpr(v)) {
        this.addExportFn(v, name);
        if (!this.moduleScope.decls.has(name)) this.exportFnBinding.set(v, name);
      }
    }
  }

  protected exportObjectLiteral(obj: ts.ObjectLiteralExpression): void {
    for (const p of obj.properties) {
      if (ts.isPropertyAssignment(p)) {
        const k = propertyNameText(p.name);
        if (k) this.exportValue(k, p.initializer);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        this.exportValue(p.name.text, p.name);
      } else if (ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p)) {
        const k = propertyNameText(p.name);
        if (k) {
          this.setExport(k, {});
          if (ts.isMethodDeclaration(p)) this.addExportFn(p, k);
        }
      } else if (ts.isSpreadAssignment(p)) {
        const e = unwrap(p.expression);
        if (ts.isCallExpression(e)) {
          const spec = this.requireSpec(e);
          if (spec !== undefined) this.model.starExports.push(spec);
        }
      }
    }
  }

  protected isModuleExports(e0: ts.Expression): boolean {
    const e = unwrap(e0);
    return (
      ts.isPropertyAccessExpression(e) &&
      e.name.text === 'exports' &&
      ts.isIdentifier(e.expression) &&
      e.expression.text === 'module' &&
      !this.lookup('module')
    );
  }

  protected isExportsObject(e0: ts.Expression): boolean {
    const e = unwrap(e0);
    if (ts.isIdentifier(e)) return e.text === 'exports' && !this.lookup('exports');
    return this.isModuleExports(e);
  }
}

/** `module.exports`, `module.exports.x`, `exports.x`, `exports['x']` (scope checked later) */
export function looksLikeCjsExport(left: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(left) && !ts.isElementAccessExpression(left)) return false;
  const base = unwrap(left.expression);
  if (ts.isIdentifier(base)) return base.text === 'exports' || (base.text === 'module' && ts.isPropertyAccessExpression(left) && left.name.text === 'exports');
  return ts.isPropertyAccessExpression(base) && base.name.text === 'exports' && ts.isIdentifier(base.expression) && base.expression.text === 'module';
}
