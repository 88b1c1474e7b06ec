/**
 * Payload shapes: which values handed to a worker cannot travel (pickling), and Manager
 * proxies given to `json.dump(s)`.
 */
import type { Payload, Ref } from '../engine/model';
import { MP_QUEUES, MP_LOCKLIKE } from './stdlib';
import { callArgs, field, named, toRange, unparen } from './syntax';
import type { Classified, Scope } from './scope';
import type { SyntaxNode as Node } from './tree';
import { UsePass } from './uses';

export abstract class PayloadPass extends UsePass {
  /** what a task-callable expression is: a module-level function ref, or an unsendable payload */
  protected taskOf(node: Node, scope: Scope): { ref?: Ref; payload?: { what: Payload['what']; symbol: string }; bound: Node[]; node?: Node } {
    const n = unparen(node);
    if (n.type === 'lambda') return { payload: { what: 'lambda', symbol: 'lambda' }, bound: [] };
    if (n.type === 'call') {
      const q = this.qualify(field(n, 'function'), scope);
      if (q && (q.q === 'functools.partial' || q.q === 'partial')) {
        const a = callArgs(n);
        if (a.pos[0]) {
          const inner = this.taskOf(a.pos[0], scope);
          return { ...inner, bound: [...inner.bound, ...a.pos.slice(1), ...a.kw.values()], node: inner.node ?? unparen(a.pos[0]) };
        }
      }
      return { bound: [] };
    }
    if (n.type === 'identifier') {
      const r = this.resolve(n.text, scope);
      if (r === null) return { bound: [] };
      if (r === 'module') {
        const b = this.model.bindings.get(n.text);
        if (b && b.kind === 'function' && b.unit !== undefined && this.units[b.unit].name === '<lambda>') {
          return { payload: { what: 'lambda', symbol: n.text }, bound: [] };
        }
        return { ref: { name: n.text }, bound: [], node: n };
      }
      // local name: a nested def or a lambda bound locally
      for (const v of r.values.get(n.text) ?? []) {
        if (v.node.type === 'function_definition') return { payload: { what: 'local-function', symbol: n.text }, bound: [] };
        if (v.index === undefined && unparen(v.node).type === 'lambda') return { payload: { what: 'lambda', symbol: n.text }, bound: [] };
      }
      return { bound: [] };
    }
    if (n.type === 'attribute') {
      const { bottom, steps } = this.chainOf(n);
      if (steps.length === 1 && bottom.type === 'identifier') {
        const r = this.refOfChain(bottom, steps, scope);
        if (r && r.used === 1) return { ref: r.ref, bound: [], node: n };
        // `self.method` in a method of a module-level class: that method of the class
        const fs = this.functionScope(scope);
        const attr = field(steps[0], 'attribute');
        if (!r && attr && fs?.methodOf?.classBinding && fs.selfName === bottom.text && this.resolve(bottom.text, scope) === fs) {
          return { ref: { name: fs.methodOf.classBinding, member: attr.text }, bound: [] };
        }
      }
    }
    return { bound: [] };
  }

  protected payloadWhat(node: Node, scope: Scope): { what: Payload['what']; symbol: string } | null {
    const n = unparen(node);
    if (n.type === 'lambda') return { what: 'lambda', symbol: 'lambda' };
    if (n.type === 'generator_expression') return { what: 'generator', symbol: 'generator expression' };
    if (n.type === 'identifier') {
      const t = this.taskOf(n, scope);
      if (t.payload) return t.payload;
      const c = this.classify(n, scope);
      return this.payloadOfClass(c, n.text);
    }
    if (n.type === 'call') {
      const c = this.classify(n, scope);
      const fnText = field(n, 'function')?.text ?? 'call';
      return this.payloadOfClass(c, `${fnText}(...)`);
    }
    return null;
  }

  protected payloadOfClass(c: Classified, symbol: string): { what: Payload['what']; symbol: string } | null {
    if (c.lambda) return { what: 'lambda', symbol };
    if (c.kind === 'function' && c.localDef) return { what: 'local-function', symbol };
    if (c.generator) return { what: 'generator', symbol };
    if (c.openFile) return { what: 'open-file', symbol };
    if (c.kind === 'thread-primitive') return { what: 'thread-lock', symbol };
    if (c.kind === 'process-primitive' && c.detail) {
      const last = c.detail.split('.').pop() ?? '';
      if (MP_QUEUES.has(last)) return { what: 'process-queue', symbol };
      if (MP_LOCKLIKE.has(last)) return { what: 'process-lock', symbol };
    }
    return null;
  }

  protected addPayload(node: Node, what: Payload['what'], symbol: string, channel: string, extra?: Pick<Payload, 'failsUnder' | 'site'>): void {
    const key = `${node.startIndex}:${what}`;
    if (this.payloadKeys.has(key)) return;
    this.payloadKeys.add(key);
    this.model.payloads.push({ range: toRange(node), symbol, what, channel, ...extra });
  }

  /**
   * The unit of a lambda or local def given directly as a callable (`initializer=lambda: ...`,
   * `target=inner`, `init = lambda: ...` at module level), else undefined: such a unit runs
   * where it is handed, not as a closure of the code that defines it.
   */
  protected localCallableUnit(node: Node, scope: Scope): number | undefined {
    const n = unparen(node);
    if (n.type === 'lambda') return this.funcInfo.get(n.id)?.unit;
    if (n.type !== 'identifier') return undefined;
    const r = this.resolve(n.text, scope);
    if (r === 'module') {
      const b = this.model.bindings.get(n.text);
      return b?.kind === 'function' && b.unit !== undefined && this.units[b.unit].name === '<lambda>' ? b.unit : undefined;
    }
    const vals = r?.values.get(n.text) ?? [];
    if (vals.length !== 1 || vals[0].index !== undefined) return undefined;
    const v = unparen(vals[0].node);
    return v.type === 'lambda' || v.type === 'function_definition' ? this.funcInfo.get(v.id)?.unit : undefined;
  }

  protected checkProxyJson(node: Node, callee: string, scope: Scope, depth: number): void {
    if (depth > 4) return;
    const n = unparen(node);
    switch (n.type) {
      case 'identifier': case 'call': {
        const c = this.classify(n, scope);
        if (c.kind === 'manager-proxy') {
          const key = `${n.startIndex}`;
          if (this.proxyKeys.has(key)) return;
          this.proxyKeys.add(key);
          this.model.proxySerialized.push({ range: toRange(n), symbol: n.type === 'identifier' ? n.text : n.text.slice(0, 60), callee });
        }
        return;
      }
      case 'list': case 'tuple': case 'set':
        for (const k of named(n)) this.checkProxyJson(k, callee, scope, depth + 1);
        return;
      case 'dictionary':
        for (const p of named(n)) {
          if (p.type !== 'pair') continue;
          const v = field(p, 'value');
          if (v) this.checkProxyJson(v, callee, scope, depth + 1);
        }
        return;
      default:
        return;
    }
  }

}
