/**
 * Classes and their instances, as far as one file shows: which class `this` is in a
 * method, which class an instance was made from (`const h = new Handler()`,
 * `this.h = new Handler()`), and which method `this.m` / `h.m` names. It lets a call
 * `this.m()` / `h.m()` reach the method unit (through the class's `Cls.m` symbol, which
 * the engine resolves across imports and one level of `extends`), and a handler given as
 * `h.onMessage.bind(h)` be the method itself.
 */
import ts from 'typescript';
import type { Ref } from '../engine/model';
import { climbWrappers, propertyNameText, stringValue, unwrap } from './syntax';
import { Walker } from './walker';

export abstract class ClassMembers extends Walker {
  /** The class whose instance `this` is at `n` (through arrows; a `function` rebinds `this`). */
  protected enclosingClass(n: ts.Node): ts.ClassLikeDeclaration | undefined {
    for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
      if (ts.isClassLike(p)) return p;
      if (ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p)) return undefined;
    }
    return undefined;
  }

  /** The module-level name a class is bound to (`class C`, `const C = class {}`), if any. */
  protected classBindingName(cls: ts.ClassLikeDeclaration): string | undefined {
    let name: string | undefined;
    if (cls.name) name = cls.name.text;
    else {
      const t = climbWrappers(cls);
      if (ts.isVariableDeclaration(t.parent) && ts.isIdentifier(t.parent.name)) name = t.parent.name.text;
    }
    if (!name) return undefined;
    const d = this.moduleScope.decls.get(name);
    return d && d.classNode === cls ? name : undefined;
  }

  /** The method (or function-valued property) `name` declared in `cls` itself. */
  protected ownMethod(cls: ts.ClassLikeDeclaration, name: string): ts.FunctionLikeDeclaration | undefined {
    for (const m of cls.members) {
      if (!m.name || propertyNameText(m.name) !== name) continue;
      if (ts.isMethodDeclaration(m) || ts.isGetAccessorDeclaration(m)) return m.body ? m : undefined;
      if (ts.isPropertyDeclaration(m) && m.initializer) {
        const init = unwrap(m.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
      }
    }
    return undefined;
  }

  /** The class name an `extends` clause names when it is a plain identifier. */
  protected baseClassName(cls: ts.ClassLikeDeclaration): string | undefined {
    for (const h of cls.heritageClauses ?? []) {
      if (h.token !== ts.SyntaxKind.ExtendsKeyword || h.types.length === 0) continue;
      const e = unwrap(h.types[0].expression);
      if (ts.isIdentifier(e)) return e.text;
    }
    return undefined;
  }

  /**
   * The class an object expression is an instance of: `this` (in a method), an identifier
   * or `this.x` bound to `new C(...)` with C a class visible at module level (declared or imported).
   */
  protected instanceClassName(e0: ts.Expression): { name: string; cls?: ts.ClassLikeDeclaration } | undefined {
    const e = unwrap(e0);
    if (e.kind === ts.SyntaxKind.ThisKeyword) {
      const cls = this.enclosingClass(e);
      const name = cls && this.classBindingName(cls);
      return name && cls ? { name, cls } : undefined;
    }
    let init: ts.Expression | undefined;
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      if (d && !d.pattern && (d.kind === 'const' || d.kind === 'let' || d.kind === 'var')) init = d.init;
    } else if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
      init = this.memberInits.get(e.name.text);
    }
    if (!init) return undefined;
    const ne = unwrap(init);
    if (!ts.isNewExpression(ne)) return undefined;
    const c = unwrap(ne.expression);
    if (!ts.isIdentifier(c)) return undefined;
    const d = this.moduleScope.decls.get(c.text);
    if (!d || this.lookup(c.text) !== d) return undefined;
    if (d.classNode) return { name: c.text, cls: d.classNode };
    return d.importFrom && d.importFrom.imported !== '*' ? { name: c.text } : undefined;
  }

  /**
   * `this.m(...)` / `h.m(...)` on an instance of a module-level class: the callee as
   * `Cls.m` (the base class's when `Cls` only inherits `m` from a local `extends` name).
   */
  protected methodCallRef(callee: ts.Expression): Ref | undefined {
    const c = unwrap(callee);
    if (!ts.isPropertyAccessExpression(c) || !ts.isIdentifier(c.name)) return undefined;
    const inst = this.instanceClassName(c.expression);
    if (!inst) return undefined;
    const m = c.name.text;
    if (inst.cls && !this.ownMethod(inst.cls, m)) {
      const base = this.baseClassName(inst.cls);
      const bd = base ? this.moduleScope.decls.get(base) : undefined;
      if (base && bd && (bd.classNode || (bd.importFrom && bd.importFrom.imported !== '*'))) return { name: base, member: m };
      return undefined;
    }
    return { name: inst.name, member: m };
  }

  /** `super(...)` → the base class (its constructor); `super.m(...)` → the base's `m`. */
  protected superCallRef(callee: ts.Expression): Ref | undefined {
    const c = unwrap(callee);
    const isSuper = c.kind === ts.SyntaxKind.SuperKeyword;
    const isSuperMember = ts.isPropertyAccessExpression(c) && c.expression.kind === ts.SyntaxKind.SuperKeyword;
    if (!isSuper && !isSuperMember) return undefined;
    const cls = this.enclosingClass(c);
    const base = cls && this.baseClassName(cls);
    const bd = base ? this.moduleScope.decls.get(base) : undefined;
    if (!base || !bd || !(bd.classNode || (bd.importFrom && bd.importFrom.imported !== '*'))) return undefined;
    return isSuperMember ? { name: base, member: (c as ts.PropertyAccessExpression).name.text } : { name: base };
  }

  /** The function-valued properties of an object literal: `{ run() {}, stop: () => {}, add }`. */
  protected objectFunctions(obj: ts.ObjectLiteralExpression): Array<[string, ts.FunctionLikeDeclaration]> {
    const out: Array<[string, ts.FunctionLikeDeclaration]> = [];
    for (const p of obj.properties) {
      const key = p.name && propertyNameText(p.name);
      if (!key) continue;
      if (ts.isMethodDeclaration(p) && p.body) out.push([key, p]);
      else if (ts.isPropertyAssignment(p)) {
        const init = unwrap(p.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) out.push([key, init]);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        const fn = this.lookup(p.name.text)?.fnNode;
        if (fn) out.push([key, fn]);
      }
    }
    return out;
  }

  /**
   * `handlers.run(...)` / `handlers[msg.type](...)` on a module-level object of functions:
   * the function(s) it can call, as `handlers.key` refs (all of them for a computed key).
   */
  protected objectMethodCalls(callee: ts.Expression): readonly Ref[] {
    const c = unwrap(callee);
    if (!ts.isPropertyAccessExpression(c) && !ts.isElementAccessExpression(c)) return NO_REFS;
    const o = unwrap(c.expression);
    if (!ts.isIdentifier(o)) return NO_REFS;
    const d = this.lookup(o.text);
    if (!d || !d.isModule || d.pattern || !d.init || !ts.isObjectLiteralExpression(d.init)) return NO_REFS;
    const fns = this.objectFunctions(d.init);
    if (ts.isPropertyAccessExpression(c)) {
      const k = c.name.text;
      return fns.some(([key]) => key === k) ? [{ name: o.text, member: k }] : [];
    }
    const lit = stringValue(c.argumentExpression);
    if (lit !== undefined) return fns.some(([key]) => key === lit) ? [{ name: o.text, member: lit }] : [];
    return fns.map(([key]) => ({ name: o.text, member: key }));
  }

  /** `this.m` / `h.m` naming a method of a class declared in this file. */
  protected methodNodeOf(e0: ts.Expression): ts.FunctionLikeDeclaration | undefined {
    const e = unwrap(e0);
    if (!ts.isPropertyAccessExpression(e) || !ts.isIdentifier(e.name)) return undefined;
    const inst = this.instanceClassName(e.expression);
    return inst?.cls ? this.ownMethod(inst.cls, e.name.text) : undefined;
  }
}

/** what most calls reach through an object of functions: nothing (shared, never written) */
const NO_REFS: readonly Ref[] = [];
