/**
 * Pools and executors handed to another function as an argument: the tasks submitted to
 * them there. `with ProcessPoolExecutor() as ex: schedule(ex)` and, in `schedule(executor)`,
 * `executor.map(work, xs)` or `loop.run_in_executor(executor, work, x)` (black's
 * `reformat_many` → `schedule_formatting`). The front end sees the creating call as a
 * spawn site without tasks (it follows names within one scope only); the value-flow layer
 * tells which calls receive it.
 *
 * Values of the layer are per class, not per creating call (an instance of
 * `concurrent.futures.ProcessPoolExecutor` is the same value wherever it was made), so the
 * link from a submission back to its creating call is found on the facts instead: from the
 * receiver, through the names it reads, parameters to the arguments of the calls the layer
 * found calling that function (or making a `functools.partial` of it), factories to what
 * they return, attributes of an instance to what was stored in them on an
 * instance of the same class (`self._pool = pool`), and `with ... as`, to the creating call. Only paths through
 * at least one parameter count: the other receivers are the front end's (a local, `with`)
 * or {@link FlowLink.returnedSubmissions}' (a factory's result).
 */
import type { DefFact, FlowOp } from '../flow/facts';
import type { FlowProgram } from '../flow/program';
import { HAND_OVERS, SUBMIT_METHOD_NAMES } from '../frameworks/python';

/** a submission found: the method, the task argument's node, where (module index of the program) */
export interface PassedSubmission {
  method: string;
  /** module index in the program, and the task argument's node there */
  m: number;
  task: number;
}

/** how far the walk from a receiver back to its creating call goes (names, parameters, `with`) */
const MAX_DEPTH = 12;

/** a parameter of a function of the program: its def and position */
interface ParamAt {
  def: number;
  index: number;
  name: string;
  kind: 'pos' | 'kwonly' | 'star' | 'dstar';
}

/**
 * The submissions reaching each creating call through a parameter: `${m}:${node}` of the
 * creating call → what is submitted to what it made.
 */
export function passedSubmissions(program: FlowProgram): Map<string, PassedSubmission[]> {
  const solver = program.solver;
  const facts = solver.modules.map((x) => x.facts);
  // parameters by node, per module
  const params = facts.map((f) => {
    const byNode = new Map<number, ParamAt>();
    f.defs.forEach((d, di) => d.params.forEach((p, index) => byNode.set(p.node, { def: di, index, name: p.name, kind: p.kind })));
    return byNode;
  });
  // callers of each function: `${m}:${def}` → the calls (module, node). The layer records
  // a method called through an instance under the method's def, as it does a plain call
  // (`partial`: the call is `functools.partial(f, ...)` making it, whose arguments come first)
  const callers = new Map<string, Array<{ m: number; node: number; partial?: true }>>();
  const addCaller = (key: string, c: { m: number; node: number; partial?: true }) => {
    const list = callers.get(key);
    if (list) list.push(c);
    else callers.set(key, [c]);
  };
  // functions a call reaches through a partial: the partial's arguments go first, so the
  // calling site's own positions do not say which parameter an argument is
  const throughPartial = new Set<string>();
  for (const val of solver.values.values) {
    if (val.t !== 'partial') continue;
    const fn = solver.values.get(val.fn);
    if (fn.t !== 'def') continue;
    addCaller(`${fn.m}:${fn.d}`, { m: val.m, node: val.node, partial: true });
    throughPartial.add(`${fn.m}:${fn.d}`);
  }
  for (const [site, callees] of solver.siteCallees) {
    const colon = site.indexOf(':');
    const m = Number(site.slice(0, colon));
    const node = Number(site.slice(colon + 1));
    for (const v of callees) {
      const val = solver.values.get(v);
      if (val.t === 'def') addCaller(`${val.m}:${val.d}`, { m, node });
    }
  }
  /** whether the call's callee is a partial of the function `key` (its arguments are the partial's and the call's) */
  const callsPartialOf = (m: number, call: FlowOp & { k: 'call' }, key: string): boolean => {
    if (!throughPartial.has(key)) return false;
    for (const v of solver.valuesOf(solver.node(m, call.fn))) {
      const val = solver.values.get(v);
      if (val.t !== 'partial') continue;
      const fn = solver.values.get(val.fn);
      if (fn.t === 'def' && `${fn.m}:${fn.d}` === key) return true;
    }
    return false;
  };

  /**
   * Whether a call of method `d` gives it its first parameter (`self`, `cls`) itself: a call
   * through an instance, `super()`, or a class made (`__init__`); not `C.method(obj, x)`.
   */
  const bindsFirst = (d: DefFact, call: FlowOp & { k: 'call' }, m: number): boolean => {
    if (d.kind !== 'function' || d.inClass === undefined || d.method === 'static') return false;
    if (d.method === 'class') return true;
    const fn = facts[m].nodes[call.fn];
    if (fn.k !== 'attr') return true;
    const objs = solver.valuesOf(solver.node(m, fn.obj));
    if (objs.size === 0) return true;
    for (const v of objs) {
      const val = solver.values.get(v);
      if (!(val.t === 'def' && solver.def(val).kind === 'class')) return true;
    }
    return false;
  };

  // attribute stores by name: `self._pool = pool` in `__init__`, read as `self._pool` in another method
  const stores = new Map<string, Array<{ m: number; obj: number; value: number }>>();
  facts.forEach((f, m) => {
    for (const st of f.stores) {
      if (st.name === undefined) continue;
      const list = stores.get(st.name);
      if (list) list.push({ m, obj: st.obj, value: st.value });
      else stores.set(st.name, [{ m, obj: st.obj, value: st.value }]);
    }
  });
  // property getters by class and name: `${m}:${class def}:${name}` → the getter's def
  const properties = new Map<string, number>();
  facts.forEach((f, m) => f.defs.forEach((d, di) => {
    if (d.method === 'property' && d.inClass !== undefined) properties.set(`${m}:${d.inClass}:${d.name.slice(d.name.lastIndexOf('.') + 1)}`, di);
  }));
  const sameObject = (a: ReadonlySet<number>, m: number, obj: number): boolean => {
    for (const v of solver.valuesOf(solver.node(m, obj))) if (a.has(v) && solver.values.get(v).t === 'inst') return true;
    return false;
  };

  /** the argument a call gives a parameter (undefined: none, or through `*args`/`**kw`) */
  const argumentFor = (call: FlowOp & { k: 'call' }, p: ParamAt, bound: boolean): number | undefined => {
    if (p.kind === 'star' || p.kind === 'dstar') return undefined;
    const kw = call.kw.find(([k]) => k === p.name)?.[1];
    if (kw !== undefined) return kw;
    if (p.kind !== 'pos') return undefined;
    const i = bound ? p.index - 1 : p.index;
    return i >= 0 && i < call.args.length ? call.args[i] : undefined;
  };

  /** the creating calls (`${m}:${node}`) the values of node `n` of module `m` come from through at least one parameter */
  const origins = (m: number, n: number): Set<string> => {
    const out = new Set<string>();
    const seen = new Set<string>();
    const walk = (mi: number, node: number, crossed: boolean, depth: number): void => {
      const key = `${mi}:${node}:${+crossed}`;
      if (depth > MAX_DEPTH || seen.has(key)) return;
      seen.add(key);
      const f = facts[mi];
      const p = params[mi].get(node);
      if (p) {
        const key = `${mi}:${p.def}`;
        for (const c of callers.get(key) ?? []) {
          const call = facts[c.m].nodes[c.node];
          if (call.k !== 'call') continue;
          let arg: number | undefined;
          // `functools.partial(f, a, k=b)`: its arguments after the function are f's first ones
          if (c.partial) arg = argumentFor({ ...call, args: call.args.slice(1) }, p, false);
          else if (callsPartialOf(c.m, call, key)) arg = call.kw.find(([k]) => k === p.name)?.[1];
          else arg = argumentFor(call, p, bindsFirst(f.defs[p.def], call, c.m));
          if (arg !== undefined) walk(c.m, arg, true, depth + 1);
        }
        return;
      }
      const op = f.nodes[node];
      if (op.k === 'union') {
        for (const x of op.from) walk(mi, x, crossed, depth + 1);
        return;
      }
      if (op.k === 'attr') {
        // an instance's attribute: what was stored in it, on an instance of the same class
        const objs = solver.valuesOf(solver.node(mi, op.obj));
        for (const st of stores.get(op.name) ?? []) if (sameObject(objs, st.m, st.obj)) walk(st.m, st.value, crossed, depth + 1);
        // a property's getter (`self.executor` making `self._executor` on first use): what it
        // returns; the front end does not follow properties, so this counts as a hand-over
        for (const v of objs) {
          const inst = solver.values.get(v);
          const cls = inst.t === 'inst' ? solver.values.get(inst.cls) : undefined;
          if (cls?.t !== 'def') continue;
          const getter = properties.get(`${cls.m}:${cls.d}:${op.name}`);
          if (getter !== undefined) walk(cls.m, facts[cls.m].defs[getter].ret, true, depth + 1);
        }
        return;
      }
      if (op.k !== 'call') return;
      const fn = f.nodes[op.fn];
      // `with make() as x`: x is what `make()` gives (`__enter__` of a pool returns the pool)
      if (fn.k === 'attr' && fn.name === '__enter__') {
        walk(mi, fn.obj, crossed, depth + 1);
        return;
      }
      if (crossed) out.add(`${mi}:${node}`);
      // a factory's result (`executor=make_executor()`): what its `return` gives
      for (const v of solver.siteCallees.get(`${mi}:${node}`) ?? []) {
        const val = solver.values.get(v);
        if (val.t === 'def' && solver.def(val).kind === 'function') walk(val.m, facts[val.m].defs[val.d].ret, crossed, depth + 1);
      }
    };
    walk(m, n, false, 0);
    return out;
  };

  const found = new Map<string, PassedSubmission[]>();
  facts.forEach((f, m) => {
    f.nodes.forEach((op) => {
      if (op.k !== 'call') return;
      const fn = f.nodes[op.fn];
      if (fn.k !== 'attr') return;
      let receiver: number | undefined;
      let task: number | undefined;
      const handOver = HAND_OVERS.get(fn.name);
      if (handOver) {
        // `loop.run_in_executor(executor, func, *args)`: the executor is an argument
        const slot = (s: { pos?: number; kw?: string }) => (s.kw !== undefined ? op.kw.find(([k]) => k === s.kw)?.[1] : undefined) ?? (s.pos !== undefined ? op.args[s.pos] : undefined);
        receiver = slot(handOver.executor);
        task = slot(handOver.task);
      } else if (SUBMIT_METHOD_NAMES.has(fn.name)) {
        receiver = fn.obj;
        task = op.args[0] ?? op.kw.find(([k]) => k === 'func' || k === 'fn')?.[1];
      }
      if (receiver === undefined || task === undefined) return;
      for (const origin of origins(m, receiver)) {
        const list = found.get(origin);
        const sub = { method: fn.name, m, task };
        if (list) list.push(sub);
        else found.set(origin, [sub]);
      }
    });
  });
  return found;
}
