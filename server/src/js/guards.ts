/**
 * Guards of self-spawning files: top-level `if (isMainThread)` / `if (cluster.isPrimary)` /
 * `if (parentPort)`... and early-exit forms split the top level into main-side and
 * worker-side branch units.
 */
import ts from 'typescript';
import type { Range, UnitKind } from '../engine/model';
import { newUnit } from './records';
import { dottedName, exits, propertyNameText, stringValue, unwrap } from './syntax';
import type { JsStart } from '../frameworks/js/types';
import { MAIN_MARKERS, WORKER_MARKERS, startOf } from '../frameworks/js';
import { ExportCollector } from './exports';

export type BranchKind = 'main' | 'worker';
export interface CondClass {
  then?: BranchKind;
  else?: BranchKind;
}

export function invertKind(k: BranchKind | undefined): BranchKind | undefined {
  return k === 'main' ? 'worker' : k === 'worker' ? 'main' : undefined;
}

export abstract class GuardClassifier extends ExportCollector {
  /** the walker's entry point (walker.ts) */
  protected abstract readonly visit: (node: ts.Node) => void;
  /** the worker/child module a spawn names (spawn-sites.ts) */
  protected abstract modulePath(e0: ts.Expression, depth?: number): string | undefined;
  protected abstract startArgs(start: JsStart, args: readonly ts.Expression[]): { applies: boolean; workerModule?: string; opts?: ts.Expression };

  protected visitStatements(stmts: readonly ts.Statement[]): void {
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      if (this.unit.kind === 'module' && ts.isIfStatement(s) && !s.elseStatement && i + 1 < stmts.length) {
        const cls = this.classifyCond(s.expression);
        if (cls.else && exits(s.thenStatement)) {
          this.visit(s);
          const rest = stmts.slice(i + 1);
          const body = this.spanRange(this.nodeStart(rest[0]), rest[rest.length - 1].end);
          this.withBranch(cls.else, body, this.ifKeywordRange(s), () => {
            for (const r of rest) this.visit(r);
          });
          return;
        }
      }
      this.visit(s);
    }
  }

  protected ifKeywordRange(s: ts.IfStatement): Range {
    const start = this.nodeStart(s);
    return this.spanRange(start, start + 2);
  }

  protected withBranch(kind: BranchKind, range: Range, nameRange: Range, f: () => void): void {
    const parent = this.unit;
    const ukind: UnitKind = kind === 'main' ? 'main-branch' : 'worker-branch';
    const u = newUnit(this.units.length, ukind, kind === 'main' ? '<main>' : '<worker branch>', range, nameRange, 0, false);
    this.units.push(u);
    this.unit = u;
    try {
      f();
    } finally {
      this.unit = parent;
    }
  }

  protected classifyCond(e0: ts.Expression, depth = 0): CondClass {
    const e = unwrap(e0);
    if (depth > 4) return {};
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
      const c = this.classifyCond(e.operand, depth);
      return { then: c.else, else: c.then };
    }
    // an alias: `const isChild = process.send != null` / `const isMain = isMainThread`
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      if (d && d.kind === 'const' && d.init && !d.pattern && !d.importFrom && !this.leafCond(e)) return this.classifyCond(d.init, depth + 1);
    }
    const flag = this.childFlagCond(e);
    if (flag) return flag;
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
        const a = this.classifyCond(e.left, depth);
        const b = this.classifyCond(e.right, depth);
        if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
          const then = a.then && b.then && a.then !== b.then ? undefined : (a.then ?? b.then);
          const els = a.else && b.else && a.else === b.else ? a.else : undefined;
          return { then, else: els };
        }
        const then = a.then && b.then && a.then === b.then ? a.then : undefined;
        const els = a.else && b.else && a.else !== b.else ? undefined : (a.else ?? b.else);
        return { then, else: els };
      }
      const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
      const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
      if (eq || ne) {
        let subject = e.left;
        let other = unwrap(e.right);
        let c = this.leafCond(subject);
        if (!c) {
          subject = e.right;
          other = unwrap(e.left);
          c = this.leafCond(subject);
        }
        if (!c) return {};
        let truthy: boolean | undefined;
        if (other.kind === ts.SyntaxKind.TrueKeyword) truthy = true;
        else if (
          other.kind === ts.SyntaxKind.FalseKeyword ||
          other.kind === ts.SyntaxKind.NullKeyword ||
          ts.isVoidExpression(other) ||
          (ts.isIdentifier(other) && other.text === 'undefined')
        )
          truthy = false;
        if (truthy === undefined) return {};
        const positive = eq ? truthy : !truthy;
        return positive ? { then: c, else: invertKind(c) } : { then: invertKind(c), else: c };
      }
      return {};
    }
    const k = this.leafCond(e);
    return k ? { then: k, else: invertKind(k) } : {};
  }

  protected leafCond(e: ts.Expression): BranchKind | undefined {
    const s = this.sym(e);
    if (s && MAIN_MARKERS.has(s)) return 'main';
    if (s && WORKER_MARKERS.has(s)) return 'worker';
    return undefined;
  }


  protected visitIf(s: ts.IfStatement): void {
    if (this.unit.kind === 'module' && this.frames.length === 0) {
      const cls = this.classifyCond(s.expression);
      if (cls.then || cls.else) {
        this.visit(s.expression);
        const kw = this.ifKeywordRange(s);
        if (cls.then) this.withBranch(cls.then, this.range(s.thenStatement), kw, () => this.visit(s.thenStatement));
        else this.visit(s.thenStatement);
        const els = s.elseStatement;
        if (els) {
          if (cls.else) {
            const elseKw = this.text.lastIndexOf('else', this.nodeStart(els));
            const nr = elseKw >= s.thenStatement.end ? this.spanRange(elseKw, elseKw + 4) : kw;
            this.withBranch(cls.else, this.range(els), nr, () => this.visit(els));
          } else {
            this.visit(els);
          }
        }
        return;
      }
    }
    ts.forEachChild(s, this.visit);
  }

  /**
   * Flags the parent hands its child (collected over the file by {@link collectChildFlags}):
   * `process.env.IS_CHILD` (set in a fork's/Worker's `env`, or `cluster.fork({...})`),
   * `process.argv.includes('--child')` / `process.argv[2] === 'child'` (in a fork's args).
   * Testing one of them is testing "am I the child".
   */
  private childFlagCond(e: ts.Expression): CondClass | undefined {
    if (this.childEnv.size === 0 && this.childArgs.size === 0) return undefined;
    const worker: CondClass = { then: 'worker', else: 'main' };
    const envKey = (x: ts.Expression): string | undefined => {
      const u = unwrap(x);
      if (ts.isPropertyAccessExpression(u) && dottedName(u.expression) === 'process.env' && !this.lookup('process')) return u.name.text;
      if (ts.isElementAccessExpression(u) && dottedName(u.expression) === 'process.env' && !this.lookup('process'))
        return stringValue(u.argumentExpression);
      return undefined;
    };
    const k = envKey(e);
    if (k !== undefined) return this.childEnv.has(k) ? worker : undefined;
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'includes') {
      const arg = stringValue(e.arguments[0]);
      if (dottedName(e.expression.expression) === 'process.argv' && arg !== undefined && this.childArgs.has(arg)) return worker;
      return undefined;
    }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
      const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
      if (!eq && !ne) return undefined;
      for (const [a, b] of [[e.left, e.right], [e.right, e.left]] as const) {
        const lit = stringValue(unwrap(b));
        if (lit === undefined) continue;
        const ua = unwrap(a);
        const ek = envKey(ua);
        const isArg = ts.isElementAccessExpression(ua) && dottedName(ua.expression) === 'process.argv' && this.childArgs.has(lit);
        if ((ek !== undefined && this.childEnv.get(ek)?.has(lit)) || isArg) return eq ? worker : { then: 'main', else: 'worker' };
      }
    }
    return undefined;
  }

  /** The env keys (with their literal values) and argv strings the file's forks/Workers hand their children. */
  protected collectChildFlags(root: ts.Node): void {
    const envOf = (opts: ts.Expression | undefined, envIsObject: boolean): void => {
      if (!opts) return;
      let obj: ts.Expression | undefined = unwrap(opts);
      if (!envIsObject) {
        if (!ts.isObjectLiteralExpression(obj)) return;
        const p = obj.properties.find((x) => ts.isPropertyAssignment(x) && propertyNameText(x.name) === 'env');
        obj = p && ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
      }
      if (!obj || !ts.isObjectLiteralExpression(obj)) return;
      for (const p of obj.properties) {
        if (!ts.isPropertyAssignment(p)) continue;
        const key = propertyNameText(p.name);
        if (!key) continue;
        const vals = this.childEnv.get(key) ?? new Set<string>();
        const v = unwrap(p.initializer);
        const s = stringValue(v) ?? (ts.isNumericLiteral(v) ? v.text : v.kind === ts.SyntaxKind.TrueKeyword ? 'true' : undefined);
        if (s !== undefined) vals.add(s);
        this.childEnv.set(key, vals);
      }
    };
    const walk = (n: ts.Node): void => {
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const start = startOf(ts.isNewExpression(n) ? 'new' : 'call', this.sym(n.expression, this.moduleScope));
        const args = n.arguments ?? [];
        // only what the file hands a copy of itself is a test of "am I the child" here
        const { workerModule, opts } = start ? this.startArgs(start, args) : {};
        if (start && workerModule === 'self') {
          const arr = start.argv !== undefined ? args[start.argv] && unwrap(args[start.argv]) : undefined;
          if (arr && ts.isArrayLiteralExpression(arr)) for (const el of arr.elements) {
            const v = stringValue(el);
            if (v !== undefined) this.childArgs.add(v);
          }
          if (typeof start.env === 'number') envOf(args[start.env], true);
          else if (start.env === 'options') envOf(opts, false);
        }
      }
      ts.forEachChild(n, walk);
    };
    walk(root);
  }
}
