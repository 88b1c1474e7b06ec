/**
 * Payload shapes: what a value handed to a worker (workerData, postMessage, process.send,
 * pool.run/exec) is, as far as the file shows — functions, class instances, symbols,
 * promises, weak collections — reached through literals and variables.
 */
import ts from 'typescript';
import type { Payload, Range } from '../engine/model';
import { climbWrappers, dottedName, isFunctionExpr, propertyNameText, unwrap } from './syntax';
import { CLONE_SAFE } from './known-names';
// channels with a transfer list (structured clone between threads); not the JSON IPC of process.send / cluster pools
import { TRANSFER_CHANNELS } from '../frameworks/js';
import { ClassMembers } from './class-members';

export abstract class PayloadAnalyzer extends ClassMembers {
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
    if (ts.isPropertyAccessExpression(e)) return this.methodNodeOf(e);
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
    site?: { range: Range; symbol: string; inObject?: boolean },
    out: Payload[] = this.model.payloads,
    depth = 0,
  ): void {
    if (depth > 8) return;
    if (depth === 0 && site === undefined && this.inExpectedFailure(e0)) return;
    const e = unwrap(e0);
    // listed in the transfer list of the send being analysed: moved, not copied
    if (this.moved && (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) && this.moved.has(e.getText(this.sf))) return;
    const add = (what: Payload['what'], symbol: string): void => {
      out.push({ range: site?.range ?? this.range(e), symbol: site?.symbol ?? symbol, what, channel });
    };
    // a function found inside an object reached through a name (`postMessage(opts)`): the
    // name is an object with a method, not a function
    const addFunction = (name: string, node: ts.Node = e): void => {
      if (site?.inObject) out.push({ range: site.range, symbol: site.symbol, what: 'object-with-method', member: name, channel });
      else out.push({ range: site?.range ?? this.range(node), symbol: site?.symbol ?? name, what: 'function', channel });
    };
    if (isFunctionExpr(e)) {
      addFunction(hint ?? (ts.isFunctionExpression(e) && e.name ? e.name.text : '<anonymous>'));
      return;
    }
    if (ts.isClassExpression(e)) {
      addFunction(hint ?? e.name?.text ?? '<class>');
      return;
    }
    if (ts.isObjectLiteralExpression(e)) {
      const inner = site && { ...site, inObject: true };
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p)) {
          this.analyzePayload(p.initializer, channel, propertyNameText(p.name) ?? hint, inner, out, depth + 1);
        } else if (ts.isShorthandPropertyAssignment(p)) {
          this.analyzePayload(p.name, channel, p.name.text, inner, out, depth + 1);
        } else if (ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) {
          if (ts.isMethodDeclaration(p)) {
            const name = propertyNameText(p.name) ?? '<method>';
            if (site) out.push({ range: site.range, symbol: site.symbol, what: 'object-with-method', member: name, channel });
            else out.push({ range: this.range(p), symbol: name, what: 'function', channel });
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
      const stream = this.streamClass(e.expression);
      if (stream) {
        if (TRANSFER_CHANNELS.has(channel)) this.addNeedsTransfer(out, e, site, hint ?? n, stream, channel);
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
    if (ts.isPropertyAccessExpression(e) && (e.name.text === 'port1' || e.name.text === 'port2') && this.isMessageChannel(e.expression)) {
      if (TRANSFER_CHANNELS.has(channel)) this.addNeedsTransfer(out, e, site, e.getText(this.sf), 'MessagePort', channel);
      return;
    }
    if (ts.isIdentifier(e) && depth < 6) {
      const d = this.lookup(e.text);
      if (!d) return;
      const s = site ?? { range: this.range(e), symbol: e.text };
      if (d.pattern && this.isChannelPort(d.nameNode)) {
        if (TRANSFER_CHANNELS.has(channel)) this.addNeedsTransfer(out, e, site, e.text, 'MessagePort', channel);
        return;
      }
      if (d.kind === 'function' || d.kind === 'self' || d.kind === 'class') {
        if (site?.inObject) out.push({ range: s.range, symbol: s.symbol, what: 'object-with-method', member: e.text, channel });
        else out.push({ range: s.range, symbol: s.symbol, what: 'function', channel });
        return;
      }
      if (d.init && !d.pattern && !d.importFrom) this.analyzePayload(d.init, channel, e.text, s, out, depth + 3);
    }
  }

  /**
   * A value sent with a transfer list — `run(v, { transferList })`, `postMessage(v, [port])`,
   * `postMessage(v, { transfer })`, poolifier `execute(v, name, [buf])`: what is listed is
   * moved to the worker, not copied, so it is no payload problem.
   */
  protected analyzeSent(value: ts.Expression, transfer: ts.Expression | undefined, channel: string, out: Payload[] = this.model.payloads): void {
    const moved = transfer ? this.transferredNames(transfer) : undefined;
    if (!moved?.size) {
      this.analyzePayload(value, channel, undefined, undefined, out);
      return;
    }
    this.moved = moved;
    try {
      this.analyzePayload(value, channel, undefined, undefined, out);
    } finally {
      this.moved = undefined;
    }
  }

  private moved?: Set<string>;

  /** The names (identifiers, `a.b` texts) listed in a transfer list or an options object holding one. */
  private transferredNames(e0: ts.Expression, depth = 0): Set<string> {
    const out = new Set<string>();
    const e = unwrap(e0);
    if (depth > 3) return out;
    if (ts.isArrayLiteralExpression(e)) {
      for (const el of e.elements) {
        const x = unwrap(ts.isSpreadElement(el) ? el.expression : el);
        if (ts.isIdentifier(x)) out.add(x.text);
        else if (ts.isPropertyAccessExpression(x)) {
          out.add(x.name.text);
          out.add(x.getText(this.sf));
        }
      }
    } else if (ts.isObjectLiteralExpression(e)) {
      const list = this.propValue(e, 'transferList') ?? this.propValue(e, 'transfer');
      if (list) return this.transferredNames(list, depth + 1);
    } else if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern) return this.transferredNames(d.init, depth + 1);
    }
    return out;
  }

  /**
   * Inside a callback a test expects to fail — `assert.throws(() => ...)`, `t.throws(...)`,
   * `assert.rejects(...)`, `expect(() => ...).toThrow()` / `.rejects`: the code provokes
   * the clone error on purpose (piscina's "passing invalid workerData does not work").
   */
  private inExpectedFailure(n: ts.Node): boolean {
    let child: ts.Node = n;
    for (let p: ts.Node | undefined = n.parent; p && !ts.isSourceFile(p); child = p, p = p.parent) {
      if (!ts.isCallExpression(p) || !p.arguments.includes(child as ts.Expression)) continue;
      const callee = unwrap(p.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (name === 'throws' || name === 'rejects' || name === 'assertThrows' || name === 'assertRejects') return true;
      if (name === 'expect') {
        // expect(fn).toThrow(...) / expect(promise).rejects...
        let up: ts.Node = p;
        while (ts.isPropertyAccessExpression(up.parent) && up.parent.expression === up) {
          const prop = up.parent.name.text;
          if (prop === 'toThrow' || prop === 'toThrowError' || prop === 'rejects') return true;
          up = up.parent;
          if (ts.isCallExpression(up.parent) && up.parent.expression === up) up = up.parent;
        }
      }
    }
    return false;
  }


  /** `name` is the value itself; `site`, when set, the variable the payload reached it through. */
  private addNeedsTransfer(
    out: Payload[],
    e: ts.Node,
    site: { range: Range; symbol: string; inObject?: boolean } | undefined,
    name: string,
    type: string,
    channel: string,
  ): void {
    const p: Payload = { range: site?.range ?? this.range(e), symbol: site?.symbol ?? name, what: 'needs-transfer', member: type, channel };
    if (site?.inObject) p.value = name;
    out.push(p);
  }

  /** `ReadableStream` / `WritableStream` / `TransformStream`, global or from 'node:stream/web'. */
  private streamClass(c0: ts.Expression): string | undefined {
    const c = unwrap(c0);
    const name = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : undefined;
    if (!name || !STREAM_CLASSES.has(name)) return undefined;
    const root = ts.isIdentifier(c) ? c : unwrap((c as ts.PropertyAccessExpression).expression);
    if (!ts.isIdentifier(root)) return undefined;
    const d = this.lookup(root.text);
    if (!d) return ts.isIdentifier(c) ? name : undefined;
    const spec = d.importFrom?.specifier.replace(/^node:/, '');
    return spec === 'stream/web' ? name : undefined;
  }

  /** `new MessageChannel()` (global or worker_threads'), directly or through a name. */
  private isMessageChannel(e0: ts.Expression, depth = 0): boolean {
    const e = unwrap(e0);
    if (ts.isNewExpression(e)) {
      const c = unwrap(e.expression);
      if (ts.isIdentifier(c) && c.text === 'MessageChannel' && !this.lookup('MessageChannel')) return true;
      return this.sym(c) === 'worker_threads.MessageChannel';
    }
    if (ts.isIdentifier(e) && depth < 3) {
      const d = this.lookup(e.text);
      return !!d?.init && !d.pattern && this.isMessageChannel(d.init, depth + 1);
    }
    return false;
  }

  /** A name bound by `const { port1, port2 } = new MessageChannel()`. */
  private isChannelPort(nameNode: ts.Node): boolean {
    const el = nameNode.parent;
    if (!el || !ts.isBindingElement(el) || !ts.isObjectBindingPattern(el.parent)) return false;
    const key = el.propertyName ? propertyNameText(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
    if (key !== 'port1' && key !== 'port2') return false;
    const decl = el.parent.parent;
    return ts.isVariableDeclaration(decl) && !!decl.initializer && this.isMessageChannel(decl.initializer);
  }
}

/** Platform objects a worker_threads channel can only move (transfer), never copy. */
const STREAM_CLASSES = new Set(['ReadableStream', 'WritableStream', 'TransformStream']);
