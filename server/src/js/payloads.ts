/**
 * Payload shapes: what a value handed to a worker (workerData, postMessage, process.send,
 * pool.run/exec) is, as far as the file shows — functions, class instances, symbols,
 * promises, weak collections — reached through literals and variables.
 */
import ts from 'typescript';
import type { Payload, Range } from '../engine/model';
import { dottedName, isFunctionExpr, propertyNameText, unwrap } from './syntax';
import { CLONE_SAFE } from './known-names';
import { Walker } from './walker';

export abstract class PayloadAnalyzer extends Walker {
  protected objectLiteralOf(e0: ts.Expression, depth = 0): ts.ObjectLiteralExpression | undefined {
    const e = unwrap(e0);
    if (ts.isObjectLiteralExpression(e)) return e;
    if (ts.isIdentifier(e) && depth < 2) {
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern) return this.objectLiteralOf(d.init, depth + 1);
    }
    return undefined;
  }

  protected propValue(obj: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
    for (const p of obj.properties) {
      if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === key) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p) && p.name.text === key) return p.name;
    }
    return undefined;
  }

  protected findWorkerData(opts0: ts.Expression, depth: number): ts.Expression | undefined {
    const opts = this.objectLiteralOf(opts0);
    if (!opts) return undefined;
    const direct = this.propValue(opts, 'workerData');
    if (direct) return direct;
    if (depth > 1) {
      for (const p of opts.properties) {
        if (ts.isPropertyAssignment(p)) {
          const inner = this.findWorkerData(p.initializer, depth - 1);
          if (inner) return inner;
        }
      }
    }
    return undefined;
  }

  protected functionNodeOf(e0: ts.Expression): ts.FunctionLikeDeclaration | undefined {
    let e = unwrap(e0);
    // handler.bind(x)
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind') {
      e = unwrap(e.expression.expression);
    }
    if (isFunctionExpr(e)) return e;
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      return d?.fnNode;
    }
    return undefined;
  }

  /**
   * Find unsendable values in a payload expression. `siteRange`/`siteSymbol` override
   * range and symbol when the value was reached through an identifier's initializer.
   */
  protected analyzePayload(
    e0: ts.Expression,
    channel: string,
    hint?: string,
    site?: { range: Range; symbol: string },
    out: Payload[] = this.model.payloads,
    depth = 0,
  ): void {
    if (depth > 8) return;
    const e = unwrap(e0);
    const add = (what: Payload['what'], symbol: string): void => {
      out.push({ range: site?.range ?? this.range(e), symbol: site?.symbol ?? symbol, what, channel });
    };
    if (isFunctionExpr(e)) {
      add('function', hint ?? (ts.isFunctionExpression(e) && e.name ? e.name.text : '<anonymous>'));
      return;
    }
    if (ts.isClassExpression(e)) {
      add('function', hint ?? e.name?.text ?? '<class>');
      return;
    }
    if (ts.isObjectLiteralExpression(e)) {
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p)) {
          this.analyzePayload(p.initializer, channel, propertyNameText(p.name) ?? hint, site, out, depth + 1);
        } else if (ts.isShorthandPropertyAssignment(p)) {
          this.analyzePayload(p.name, channel, p.name.text, site, out, depth + 1);
        } else if (ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) {
          if (ts.isMethodDeclaration(p)) {
            out.push({
              range: site?.range ?? this.range(p),
              symbol: site?.symbol ?? propertyNameText(p.name) ?? '<method>',
              what: 'function',
              channel,
            });
          }
        } else if (ts.isSpreadAssignment(p)) {
          this.analyzePayload(p.expression, channel, hint, site, out, depth + 1);
        }
      }
      return;
    }
    if (ts.isArrayLiteralExpression(e)) {
      for (const el of e.elements) {
        this.analyzePayload(ts.isSpreadElement(el) ? el.expression : el, channel, hint, site, out, depth + 1);
      }
      return;
    }
    if (ts.isCallExpression(e)) {
      const n = dottedName(e.expression);
      if ((n === 'Symbol' || n === 'Symbol.for') && !this.lookup('Symbol')) {
        add('symbol', hint ?? n);
        return;
      }
      if (n?.startsWith('Promise.') && !this.lookup('Promise')) {
        add('promise', hint ?? n);
        return;
      }
      if (n && ts.isIdentifier(unwrap(e.expression))) {
        const d = this.lookup(n);
        if (d?.isAsync) add('promise', hint ?? `${n}()`);
      }
      return;
    }
    if (ts.isNewExpression(e)) {
      const n = dottedName(e.expression);
      if (!n) return;
      if (n === 'Promise' && !this.lookup('Promise')) {
        add('promise', hint ?? 'Promise');
        return;
      }
      if ((n === 'WeakMap' || n === 'WeakSet' || n === 'WeakRef') && !this.lookup(n)) {
        add('weakmap', hint ?? n);
        return;
      }
      const rootName = n.split('.')[0];
      const last = n.split('.').pop()!;
      const d = this.lookup(rootName);
      if (!d || CLONE_SAFE.has(last)) return;
      if (d.kind === 'class' || d.importFrom || (d.classNode && n === rootName)) add('class-instance', hint ?? n);
      return;
    }
    if (ts.isAwaitExpression(e)) return;
    if (ts.isIdentifier(e) && depth < 6) {
      const d = this.lookup(e.text);
      if (!d) return;
      const s = site ?? { range: this.range(e), symbol: e.text };
      if (d.kind === 'function' || d.kind === 'self') {
        out.push({ range: s.range, symbol: s.symbol, what: 'function', channel });
        return;
      }
      if (d.kind === 'class') {
        out.push({ range: s.range, symbol: s.symbol, what: 'function', channel });
        return;
      }
      if (d.init && !d.pattern && !d.importFrom) this.analyzePayload(d.init, channel, e.text, s, out, depth + 3);
    }
  }
}
