/**
 * The value-flow solver: the facts of all modules of a program → the values each node
 * may hold, and the call graph, by a worklist fixpoint. The machinery is split by concern:
 * ./propagation.ts (values, constraints, fixpoint), ./objects.ts (attributes, MROs,
 * items, stores), ./calls.ts (calls, iteration); here, calls of builtins, of external
 * names and of container methods.
 */
import { NO_VALUES, type Args } from './propagation';
import { CallRules } from './calls';

export type { ModuleResolver, SolverModule } from './propagation';

/** `get_context('spawn')` → the context's class in `multiprocessing.context` */
const CONTEXT_CLASSES: Record<string, string> = { 's:spawn': 'SpawnContext', 's:fork': 'ForkContext', 's:forkserver': 'ForkServerContext' };

export class Solver extends CallRules {
  protected externalCall(name: string, v: number, args: Args, out: number, site: string): void {
    switch (name) {
      case 'functools.partial':
        if (args.pos[0] !== undefined) {
          const [m, node] = site.split(':').map(Number);
          this.addCons({ c: 'partial', fn: args.pos[0], out, m, node }, [args.pos[0]]);
        }
        return;
      case 'multiprocessing.get_context': {
        // the context of a literal start method is its class (`ctx.Pool` then names the start method)
        const arg = args.pos[0] ?? args.kw.find(([k]) => k === 'method')?.[1];
        let named = false;
        for (const kv of arg === undefined ? [] : this.pts[arg] ?? NO_VALUES) {
          const x = this.values.get(kv);
          const cls = x.t === 'const' ? CONTEXT_CLASSES[x.key] : undefined;
          if (cls) {
            this.addVal(out, this.ext(`multiprocessing.context.${cls}`));
            named = true;
          }
        }
        if (!named) this.addVal(out, v);
        return;
      }
      case 'functools.wraps':
      case 'functools.update_wrapper':
        this.addVal(out, this.values.intern({ t: 'ident' }));
        return;
      case 'functools.lru_cache':
      case 'functools.cache':
        // `@lru_cache` (no call) and `@lru_cache(maxsize=...)`: calls reach the function
        if (args.pos[0] !== undefined) this.addEdge(args.pos[0], out);
        else this.addVal(out, this.values.intern({ t: 'ident' }));
        return;
      default:
        // `with ext() as x`: context managers give themselves; otherwise an instance of
        // something external is named after it (PyCG's convention)
        if (name.endsWith('.__enter__')) this.addVal(out, this.ext(name.slice(0, -'.__enter__'.length)));
        else this.addVal(out, v);
    }
  }

  protected builtinCall(caller: number, name: string, args: Args, out: number, site: string): void {
    const a0 = args.pos[0];
    switch (name) {
      case 'map':
      case 'filter': {
        if (a0 === undefined) return;
        const box = this.values.intern({ t: 'box', site: `${site}:${name}`, kind: 'list' });
        this.addVal(out, box);
        const elems = args.pos.slice(1).map((a) => this.iterNode(a, caller, `${site}:${name}-iter`));
        const res = this.newNodeSlot();
        this.addCons({ c: 'call', fn: a0, args: { pos: elems, kw: [], star: null, dstar: null }, out: res, caller, site: `${site}:${name}-fn` }, [a0]);
        this.addEdge(name === 'map' ? res : elems[0] ?? res, this.field(box, '[*]'));
        return;
      }
      case 'sorted':
      case 'min':
      case 'max':
      case 'list':
      case 'tuple':
      case 'set':
      case 'frozenset':
      case 'reversed':
      case 'iter':
      case 'next': {
        if (a0 === undefined) return;
        const elems = this.iterNode(a0, caller, `${site}:iter`);
        const key = args.kw.find(([k]) => k === 'key')?.[1];
        if (key !== undefined) this.addCons({ c: 'call', fn: key, args: { pos: [elems], kw: [], star: null, dstar: null }, out: this.newNodeSlot(), caller, site: `${site}:key` }, [key]);
        if (name === 'min' || name === 'max' || name === 'next') {
          this.addEdge(elems, out);
          return;
        }
        const box = this.values.intern({ t: 'box', site: `${site}:${name}`, kind: 'list' });
        this.addVal(out, box);
        this.addEdge(elems, this.field(box, '[*]'));
        return;
      }
      case 'staticmethod':
      case 'classmethod':
      case 'property':
        if (a0 !== undefined) this.addEdge(a0, out);
        return;
      case 'dict': {
        const box = this.values.intern({ t: 'box', site: `${site}:dict`, kind: 'dict' });
        this.addVal(out, box);
        for (const [k, n] of args.kw) this.addEdge(n, this.field(box, `[s:${k}]`));
        if (a0 !== undefined) this.addCons({ c: 'mirror', src: a0, target: box }, [a0]);
        return;
      }
      case 'getattr': {
        const a1 = args.pos[1];
        if (a0 === undefined || a1 === undefined) return;
        for (const kv of this.pts[a1] ?? NO_VALUES) {
          const x = this.values.get(kv);
          if (x.t === 'const' && x.key.startsWith('s:')) this.addCons({ c: 'attr', obj: a0, name: x.key.slice(2), out, caller, site }, [a0]);
        }
        if (args.pos[2] !== undefined) this.addEdge(args.pos[2], out);
        return;
      }
      default:
        return;
    }
  }

  protected containerMethod(box: number, name: string, args: Args, out: number, site: string, caller = -1): void {
    const a0 = args.pos[0];
    switch (name) {
      case 'append':
      case 'add':
      case 'appendleft':
      // JS arrays
      case 'push':
      case 'unshift': {
        if (a0 !== undefined) this.addEdge(a0, this.field(box, '[*]'));
        return;
      }
      case 'insert':
        if (args.pos[1] !== undefined) this.addEdge(args.pos[1], this.field(box, '[*]'));
        return;
      case 'extend':
        if (a0 !== undefined) this.addEdge(this.iterNode(a0), this.field(box, '[*]'));
        return;
      case 'update':
        if (a0 !== undefined) this.addCons({ c: 'mirror', src: a0, target: box }, [a0]);
        for (const [k, n] of args.kw) this.addEdge(n, this.field(box, `[s:${k}]`));
        return;
      case 'get':
      case 'pop':
      case 'setdefault': {
        if (a0 === undefined) {
          this.allElements(box, out);
          return;
        }
        const ks = this.pts[a0] ?? NO_VALUES;
        if (ks.size === 0) this.allElements(box, out);
        for (const k of ks) {
          const x = this.values.get(k);
          this.addEdge(this.field(box, x.t === 'const' ? `[${x.key}]` : '[*]'), out);
          if (name === 'setdefault' && args.pos[1] !== undefined) this.addEdge(args.pos[1], this.field(box, x.t === 'const' ? `[${x.key}]` : '[*]'));
        }
        if (args.pos[1] !== undefined) this.addEdge(args.pos[1], out);
        return;
      }
      case 'forEach':
      case 'map':
      case 'filter':
      case 'find':
      case 'some':
      case 'every':
      case 'flatMap': {
        // JS array callbacks: called with each element
        if (a0 === undefined || this.values.get(box).t !== 'box' || (this.values.get(box) as { kind: string }).kind !== 'list') return;
        const elems = this.newNodeSlot();
        this.allElements(box, elems);
        this.addCons({ c: 'call', fn: a0, args: { pos: [elems], kw: [], star: null, dstar: null }, out: this.newNodeSlot(), caller, site: `${site}:${name}` }, [a0]);
        return;
      }
      case 'popleft':
      case 'popitem':
        this.allElements(box, out);
        return;
      case 'copy':
      case 'values':
        this.addVal(out, box);
        return;
      default:
        void site;
        return;
    }
  }
}
