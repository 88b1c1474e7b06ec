/**
 * Spawn-site recognition: pools, executors, processes and managers created; tasks
 * submitted to them (resolved after pass B); `.start()`; start methods. What each call
 * means (which argument is the task, the initializer, the context) is the framework
 * models' (../frameworks/python/).
 */
import type { SpawnSite, StartMethod } from '../engine/model';
import {
  CONFIG_CONTEXTS, HAND_OVERS, type PyCallInfo, START_METHOD_SETTERS, SUBMIT_METHOD_NAMES, WORKER_CALLS,
  capturesMainGlobals, sendsFunctionsByValue,
} from '../frameworks/python';
import type { PyBackend, PySubmitMethod } from '../frameworks/python/types';
import type { ArgSlot, Serializer } from '../frameworks/types';
import type { Payload } from '../engine/model';
import { argAt, callArgs, field, named, startMethodOf, stringValue, toRange, unparen } from './syntax';
import type { Candidate, Scope } from './scope';
import type { SyntaxNode as Node } from './tree';
import { PayloadPass } from './payloads';

export abstract class SpawnPass extends PayloadPass {
  /** `.start()` on a name with no known value (a loop variable) */
  private looseStarts: Array<{ unit: number; offset: number }> = [];

  // -------------------------------------------------------------------------------------
  // spawns, submissions, payloads, json

  protected processSpecialCall(n: Node, scope: Scope, unit: number): void {
    const fn = field(n, 'function');
    if (!fn) return;
    const q = this.qualify(fn, scope);
    if (q) {
      const setter = START_METHOD_SETTERS.get(q.q);
      if (setter) {
        const m = startMethodOf(stringValue(argAt(callArgs(n), setter.method)));
        if (m && !this.model.startMethod) this.model.startMethod = m;
      }
      if (q.q === 'json.dumps' || q.q === 'json.dump') {
        const a = callArgs(n);
        const obj = a.pos[0] ?? a.kw.get('obj');
        if (obj) this.checkProxyJson(obj, q.q, scope, 0);
      }
    }
    const cands = this.classCandidates(fn, scope);
    // (a loop: this runs for every call, and almost none names a worker-creating call)
    let systems: { c: Candidate; s: PyCallInfo }[] | undefined;
    for (let i = 0; i < cands.cands.length; i++) {
      const c = cands.cands[i];
      const s = WORKER_CALLS.get(c.q);
      if (s) (systems ??= []).push({ c, s });
    }
    if (systems) {
      this.createSite(n, systems, cands.unknown || systems.length < cands.cands.length, scope, unit);
    }
    // calling a pool object submits to it: `Parallel(n_jobs=2)(delayed(f)(x) for x in xs)`, `parallel(...)`
    const fx = unparen(fn);
    if (fx.type === 'call' || fx.type === 'identifier') {
      const values = this.receiverValues(fx, scope);
      const targets = values.filter((t) => t.type === 'call');
      if (targets.length) this.deferred.push(() => this.submitTo(targets, n, '__call__', scope));
      // a submit method held in a name: `amap = ProcessPool().amap; amap(f, xs)`
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        const m = v.type === 'attribute' ? field(v, 'attribute')?.text ?? '' : '';
        const recv = v.type === 'attribute' ? field(v, 'object') : null;
        if (!recv || !SUBMIT_METHOD_NAMES.has(m) || m === 'start') continue;
        const held = this.receiverValues(recv, scope).filter((t) => t.type === 'call');
        if (held.length) this.deferred.push(() => this.submitTo(held, n, m, scope));
      }
    }
    if (fn.type === 'attribute') {
      const method = field(fn, 'attribute')?.text ?? '';
      const recv = field(fn, 'object');
      if (!recv) return;
      const hand = HAND_OVERS.get(method);
      if (hand) {
        // `loop.run_in_executor(pool, f, *args)`: a submission to `pool` (None: the loop's thread pool)
        const ex = argAt(callArgs(n), hand.executor);
        const targets = ex ? this.receiverValues(ex, scope) : [];
        if (targets.length) {
          const sm: PySubmitMethod = { name: method, task: hand.task, args: hand.args };
          this.deferred.push(() => {
            for (const t of targets) {
              const site = this.siteByNode.get(t.id);
              if (site && site.call.shape === 'executor') return this.addSubmission(site, n, sm, scope);
            }
          });
        }
        return;
      }
      if (SUBMIT_METHOD_NAMES.has(method)) {
        const targets = this.receiverValues(recv, scope);
        if (targets.length === 0) {
          // `for p in procs: p.start()`: some process of this unit is started there
          if (method === 'start' && unparen(recv).type === 'identifier') this.looseStarts.push({ unit, offset: n.startIndex });
          return;
        }
        // mark task args now (so callbacks are not counted as parent calls); resolve sites later
        this.deferred.push(() => {
          for (const t of targets) {
            const site = this.siteByNode.get(t.id);
            if (!site) {
              // `Worker(...).start()` / `w = Worker(); w.start()`: the engine knows whether Worker is a Process subclass
              if (method === 'start' && t.type === 'call' && callArgs(n).pos.length === 0 && !this.startedCalls.has(t.id)) {
                this.startedCalls.set(t.id, toRange(n));
              }
              continue;
            }
            if (method === 'start') {
              if (site.call.launch === method && callArgs(n).pos.length === 0) site.site.startRange = toRange(n);
              return;
            }
            const sm = site.call.submit?.find((x) => x.name === method);
            if (sm) this.addSubmission(site, n, sm, scope);
            return;
          }
        });
      }
    }
  }

  /** A call of a pool object (`Parallel(...)(...)`): a submission when one of `targets` is a site whose model takes it. */
  private submitTo(targets: Node[], n: Node, method: string, scope: Scope): void {
    for (const t of targets) {
      const site = this.siteByNode.get(t.id);
      const sm = site?.call.submit?.find((x) => x.name === method);
      if (site && sm) return this.addSubmission(site, n, sm, scope);
    }
  }

  protected receiverValues(recv: Node, scope: Scope): Node[] {
    const r = unparen(recv);
    if (r.type === 'call') return [r];
    if (r.type === 'identifier') return this.nameValues(r.text, scope, 0);
    if (r.type === 'attribute') {
      const obj = field(r, 'object');
      const attr = field(r, 'attribute');
      const fs = this.functionScope(scope);
      if (obj && attr && obj.type === 'identifier' && fs?.methodOf?.classAttrs && fs.selfName === obj.text) {
        return (fs.methodOf.classAttrs.get(attr.text) ?? []).filter((v) => v.index === undefined).map((v) => unparen(v.node));
      }
    }
    return [];
  }

  /**
   * A name's values, through other names it is bound to (`with ctx as pool:` where
   * `ctx = Pool(n)`; `pool = ctx`), each name read in the scope that binds the one before.
   */
  private nameValues(name: string, scope: Scope, depth: number): Node[] {
    const r = this.resolve(name, scope);
    if (r === null) return [];
    const s = r === 'module' ? this.moduleScope : r;
    const out: Node[] = [];
    for (const v of s.values.get(name) ?? []) {
      if (v.index !== undefined) continue;
      const node = unparen(v.node);
      if (node.type === 'identifier' && node.text !== name && depth < 3) out.push(...this.nameValues(node.text, s, depth + 1));
      else out.push(node);
    }
    return out;
  }

  protected createSite(n: Node, systems: { c: Candidate; s: PyCallInfo }[], unknown: boolean, scope: Scope, unit: number): void {
    const processOnes = systems.filter((x) => x.s.isProcess);
    const first = processOnes[0] ?? systems[0];
    const allSame = systems.every((x) => x.s.system === first.s.system);
    let isProcess: boolean | 'maybe';
    if (unknown || !allSame) isProcess = processOnes.length > 0 && processOnes.length === systems.length && !unknown ? true : 'maybe';
    else isProcess = first.s.isProcess;
    if (processOnes.length === 0 && !unknown) isProcess = false;
    let info = first.s;
    const a = callArgs(n);
    // options that pick another backend (joblib's backend=/prefer=/n_jobs=, or a config context around the call)
    const backend = info.kindOptions || info.workerCount ? this.backendOf(n, info, scope) : undefined;
    if (backend?.kind === 'inline') return; // the tasks run in the caller, one after the other
    if (backend) {
      info = {
        ...info, kind: backend.kind, isProcess: backend.kind !== 'thread', system: backend.system ?? info.system,
        serializer: backend.serializer ?? info.serializer, fixedStart: backend.programStartMethod ? undefined : info.fixedStart,
      };
      if (isProcess !== 'maybe' || !info.isProcess) isProcess = info.isProcess;
    }
    const site: SpawnSite = {
      system: info.system, unit, range: toRange(n), offset: n.startIndex, label: info.label,
      isProcess, tasks: [], initializers: [],
    };
    // a start method given as a string argument (`torch.multiprocessing.spawn(..., start_method="fork")`) is pinned here
    const given = startMethodOf(stringValue(argAt(a, info.startMethodArg)));
    if (info.fixedStart && !given && isProcess !== false) site.startMethodBy = info.fixedStart.by;
    if (capturesMainGlobals(info.serializer) && isProcess !== false) site.capturesGlobals = true;
    if (sendsFunctionsByValue(info.serializer) && isProcess !== false) site.byValue = true;
    let method: StartMethod | undefined = given ?? info.fixedStart?.method ?? first.c.method;
    const initializer = argAt(a, info.initializer);
    const initargs = argAt(a, info.initargs);
    const ctxArg = argAt(a, info.context);
    method ??= this.contextExprMethod(ctxArg, scope);
    if (info.spawnWhenSet && !method && !ctxArg && a.kw.has(info.spawnWhenSet)) {
      const v = a.kw.get(info.spawnWhenSet);
      if (v && v.type !== 'none') method = 'spawn';
    }
    if (info.shape === 'process') {
      // no start method: the processes start at the call (`torch.multiprocessing.spawn(fn)`)
      if (!info.launch) site.startRange = site.range;
      const target = argAt(a, info.task);
      const args = argAt(a, info.args);
      const kwargs = argAt(a, info.kwargs);
      if (args || kwargs) site.passesState = true;
      if (target) {
        const t = this.taskOf(target, scope);
        const label = `${info.label}(${info.task?.kw ?? 'target'}=)`;
        if (t.ref) {
          site.tasks.push({ ref: t.ref, range: toRange(n), label });
          if (isProcess !== false) this.taskArgNodes.add((t.node ?? target).id);
        } else if (isProcess !== false) {
          // a lambda / local def target runs in the child (under fork; spawn cannot pickle it)
          const u = this.localCallableUnit(target, scope);
          if (u !== undefined) {
            site.tasks.push({ ref: { name: this.units[u].name }, unit: u, range: toRange(n), label });
            this.units[u].detached = true;
          } else if (!t.payload) (site.flowTasks ??= []).push({ offset: target.startIndex, range: toRange(n), label });
          if (t.payload && !sendable(t.payload.what, info.serializer)) this.addPayload(target, t.payload.what, t.payload.symbol, label, this.freshChannel());
        }
      }
      if (isProcess !== false) {
        this.checkChannel(args, 'elements', `${info.label}(args=)`, scope, info.serializer);
        this.checkChannel(kwargs, 'values', `${info.label}(kwargs=)`, scope, info.serializer);
      }
    }
    if (initializer) {
      const t = this.taskOf(initializer, scope);
      if (t.ref) {
        site.initializers.push(t.ref);
        if (isProcess !== false) this.taskArgNodes.add((t.node ?? initializer).id);
      } else if (isProcess !== false) {
        // a lambda / local def initializer runs in each worker, not in the code that defines it
        const u = this.localCallableUnit(initializer, scope);
        if (u !== undefined) {
          (site.initializerUnits ??= []).push(u);
          this.units[u].detached = true;
        } else if (!t.payload) (site.flowTasks ??= []).push({ offset: initializer.startIndex, range: toRange(n), label: 'initializer', initializer: true });
        if (t.payload && !sendable(t.payload.what, info.serializer)) this.addPayload(initializer, t.payload.what, t.payload.symbol, `${info.label}(initializer=)`, this.freshChannel());
      }
    }
    if (initargs && isProcess !== false) this.checkChannel(initargs, 'elements', `${info.label}(initargs=)`, scope, info.serializer);
    if (initargs) site.passesState = true;
    if (method) site.startMethod = method;
    this.model.spawns.push(site);
    this.siteByNode.set(n.id, { site, call: info });
    this.siteNodes.set(site, n);
  }

  /**
   * The backend a call's options choose (joblib `Parallel`): the first option of the model
   * with a known string value, looked up on the call and then on the innermost enclosing
   * config context (`with parallel_config(backend="threading"):`); then the worker count.
   * Undefined: the call's own default (or an option given by an expression).
   */
  private backendOf(n: Node, info: PyCallInfo, scope: Scope): PyBackend | undefined {
    const own = callArgs(n);
    const contexts: Array<{ args: ReturnType<typeof callArgs>; options: Record<string, ArgSlot>; countDefault?: 'inline' | 'many' }> = [];
    for (let prev: Node = n, p = n.parent; p; prev = p, p = p.parent) {
      if (p.type === 'function_definition' || p.type === 'class_definition' || p.type === 'lambda') break;
      // the call is in the block of `with parallel_config(...):`
      if (p.type !== 'with_statement' || field(p, 'body')?.id !== prev.id) continue;
      const clause = named(p).find((k) => k.type === 'with_clause');
      for (const item of clause ? named(clause).filter((k) => k.type === 'with_item') : []) {
        let v = field(item, 'value');
        if (v?.type === 'as_pattern') v = named(v)[0] ?? null;
        if (!v || unparen(v).type !== 'call') continue;
        const q = this.qualify(field(unparen(v), 'function'), scope);
        const cc = q && CONFIG_CONTEXTS.get(q.q);
        if (cc && info.configContexts?.includes(cc)) contexts.push({ args: callArgs(unparen(v)), options: cc.options, countDefault: cc.countDefault });
      }
    }
    const optionValue = (slot: ArgSlot): Node | undefined => {
      const mine = argAt(own, slot);
      if (mine && mine.type !== 'none') return mine;
      for (const c of contexts) {
        const cs = slot.kw !== undefined ? c.options[slot.kw] : undefined;
        const v = cs && argAt(c.args, cs);
        if (v && v.type !== 'none') return v;
      }
      return undefined;
    };
    for (const opt of info.kindOptions ?? []) {
      const v = optionValue(opt.slot);
      if (!v) continue;
      const name = stringValue(v);
      // an expression or a backend the model does not know: the call's default kind
      if (name === null || !Object.prototype.hasOwnProperty.call(opt.values, name)) break;
      const b = opt.values[name];
      if (b.kind === 'inline' || b.kind === 'thread') return b;
      return this.countBackend(info, optionValue, contexts) ?? b;
    }
    return this.countBackend(info, optionValue, contexts);
  }

  /** n_jobs: a literal 1 (or absent, where the model says so and no context gives one) runs inline. */
  private countBackend(info: PyCallInfo, optionValue: (slot: ArgSlot) => Node | undefined, contexts: Array<{ countDefault?: 'inline' | 'many' }>): PyBackend | undefined {
    const wc = info.workerCount;
    if (!wc) return undefined;
    const v = optionValue(wc.slot);
    if (!v) {
      const absent = contexts.find((c) => c.countDefault)?.countDefault ?? wc.absent;
      return absent === 'inline' ? { kind: 'inline' } : undefined;
    }
    return v.type === 'integer' && Number(v.text) === 1 ? { kind: 'inline' } : undefined;
  }

  /** The model of the call that created a site of this module. */
  protected callOf(site: SpawnSite): PyCallInfo | undefined {
    const node = this.siteNodes.get(site);
    return node ? this.siteByNode.get(node.id)?.call : undefined;
  }

  /** A process site that a method starts (`p = Process(...); p.start()`), not its creation. */
  protected launchedProcess(site: SpawnSite): boolean {
    const c = this.callOf(site);
    return !!c?.launch && c.kind === 'process';
  }

  /**
   * A `Process` subclass (of this module) is pickled with its attributes when started under
   * spawn/forkserver: what its `__init__` stores on `self` must be picklable.
   */
  private checkProcessInstances(): void {
    for (const n of this.moduleClasses) {
      const name = field(n, 'name')?.text;
      const b = name ? this.model.bindings.get(name) : undefined;
      const cs = this.classInfo.get(n.id);
      if (!b?.processClass || b.processClass.startMethod === 'fork' || !cs?.classAttrs) continue;
      for (const [attr, vals] of cs.classAttrs) {
        for (const v of vals) {
          if (v.index !== undefined || enclosingDefName(v.node) !== '__init__') continue;
          const p = this.payloadWhat(v.node, this.moduleScope);
          if (!p || p.what === 'process-queue' || p.what === 'process-lock') continue;
          this.addPayload(v.node, p.what, p.symbol, `${name}.start() (self.${attr})`, { failsUnder: ['spawn', 'forkserver'] });
        }
      }
    }
  }

  /**
   * Where a payload of the site being created fails: channels pickled only when the child is
   * a fresh interpreter (spawn, forkserver); under fork the child inherits them.
   */
  private freshChannel(): { failsUnder: StartMethod[]; site: number } {
    return { failsUnder: ['spawn', 'forkserver'], site: this.model.spawns.length };
  }

  /**
   * The values of `args=`/`initargs=` (a literal tuple/list: its elements) or `kwargs=` (a
   * literal dict: its values) handed to a process at creation: what cannot be pickled under
   * spawn/forkserver. Multiprocessing queues and locks belong here (inheritance): not reported.
   */
  private checkChannel(node: Node | undefined, part: 'elements' | 'values', channel: string, scope: Scope, serializer: Serializer): void {
    if (!node) return;
    const x = unparen(node);
    let items: Node[] = [];
    if (part === 'elements' && (x.type === 'tuple' || x.type === 'list')) items = named(x).filter((k) => k.type !== 'comment');
    else if (part === 'values' && x.type === 'dictionary') {
      for (const p of named(x)) if (p.type === 'pair') { const v = field(p, 'value'); if (v) items.push(v); }
    }
    for (const item of items) {
      const p = this.payloadWhat(item, scope);
      if (!p || p.what === 'process-queue' || p.what === 'process-lock' || sendable(p.what, serializer)) continue;
      this.addPayload(item, p.what, p.symbol, channel, this.freshChannel());
    }
  }

  protected addSubmission(meta: { site: SpawnSite; call: PyCallInfo }, call: Node, sm: PySubmitMethod, scope: Scope): void {
    const { site } = meta;
    // calling the pool object (`Parallel(n_jobs=2)(...)`) is named as a call of it
    const label = sm.name === '__call__' ? `${site.label}(...)` : `${site.label}.${sm.name}`;
    const a = callArgs(call);
    const lay = sm.args;
    const candidates: Node[] = [];
    if (lay.kind === 'wrapped-calls') {
      // `delayed(f)(x, y=z)`: each element names its task and carries its arguments
      const it = argAt(a, lay.slot);
      for (const e of it ? this.elementsOf(it) : []) {
        const x = unparen(e);
        const inner = x.type === 'call' ? field(x, 'function') : null;
        if (!inner) continue;
        const wraps = (n: Node | null | undefined): boolean => {
          const w = n ? this.qualify(n, scope) : null;
          return !!w && lay.wrappers.includes(w.q);
        };
        const ix = unparen(inner);
        let fnArg: Node | undefined;
        if (ix.type === 'call') fnArg = wraps(field(ix, 'function')) ? callArgs(ix).pos[0] : undefined;
        else if (ix.type === 'identifier') {
          // a function defined under the wrapper: `@delayed def f(...)`, then `f(x)`
          const def = this.valuesOf(ix.text, scope).find((v) => v.node.type === 'function_definition')?.node;
          const dd = def?.parent;
          if (dd?.type === 'decorated_definition' && named(dd).some((d) => d.type === 'decorator' && wraps(named(d)[0]))) fnArg = ix;
        }
        if (!fnArg) continue;
        candidates.push(...this.submitTask(meta, call, fnArg, label, scope));
        const ea = callArgs(x);
        candidates.push(...ea.pos, ...ea.kw.values());
      }
    } else {
      const fnArg = argAt(a, sm.task);
      if (fnArg) candidates.push(...this.submitTask(meta, call, fnArg, label, scope));
    }
    if (site.isProcess !== true) return;
    const items = (x: Node | undefined): Node[] => {
      const u = x && unparen(x);
      return u && (u.type === 'tuple' || u.type === 'list') ? named(u).filter((k) => k.type !== 'comment') : [];
    };
    switch (lay.kind) {
      case 'iterable': {
        const it = argAt(a, lay.slot);
        if (it) candidates.push(...this.elementsOf(it));
        break;
      }
      case 'iterables':
        for (const it of a.pos.slice(lay.from)) candidates.push(...this.elementsOf(it));
        break;
      case 'tuples': {
        const it = argAt(a, lay.slot);
        if (it) for (const e of this.elementsOf(it)) candidates.push(...items(e));
        break;
      }
      case 'args-kwargs': {
        candidates.push(...items(argAt(a, lay.args)));
        const kwds = argAt(a, lay.kwargs);
        if (kwds && unparen(kwds).type === 'dictionary') {
          for (const p of named(unparen(kwds))) if (p.type === 'pair') { const v = field(p, 'value'); if (v) candidates.push(v); }
        }
        break;
      }
      case 'rest':
        candidates.push(...a.pos.slice(lay.from));
        for (const [k, v] of a.kw) if (k !== sm.task.kw) candidates.push(v);
        break;
      default:
        break;
    }
    for (const c of candidates) {
      const p = this.payloadWhat(c, scope);
      if (p && !sendable(p.what, meta.call.serializer)) this.addPayload(c, p.what, p.symbol, label);
    }
  }

  /**
   * One task handed to a pool: a module-level callable becomes a task of the site; a lambda
   * or nested def is unsendable by reference (pickle) and worker code when sent by value
   * (cloudpickle, dill); anything else is left to the value-flow layer. Returns the values a
   * `partial` binds (arguments that travel too).
   */
  private submitTask(meta: { site: SpawnSite; call: PyCallInfo }, call: Node, fnArg: Node, label: string, scope: Scope): Node[] {
    const { site } = meta;
    const t = this.taskOf(fnArg, scope);
    if (t.ref) {
      site.tasks.push({ ref: t.ref, range: toRange(call), label });
      if (site.isProcess !== false) this.dropCallback(t.node ?? fnArg);
    } else if (!t.payload) {
      // `self.method`, a callable object, a partial of one, a variable: for the value-flow layer
      (site.flowTasks ??= []).push({ offset: fnArg.startIndex, range: toRange(call), label });
    }
    if (t.payload && site.isProcess === true) {
      const u = this.localCallableUnit(fnArg, scope);
      if (sendable(t.payload.what, meta.call.serializer)) {
        // sent by value: it runs in the workers
        if (u !== undefined) {
          site.tasks.push({ ref: { name: this.units[u].name }, unit: u, range: toRange(call), label });
          this.units[u].detached = true;
        } else (site.flowTasks ??= []).push({ offset: fnArg.startIndex, range: toRange(call), label });
      } else {
        this.addPayload(fnArg, t.payload.what, t.payload.symbol, label);
        // it never reaches the workers (pickling fails), and it is not code of the submitting function either
        if (u !== undefined) this.units[u].detached = true;
      }
    }
    return t.bound;
  }

  protected elementsOf(it: Node): Node[] {
    const x = unparen(it);
    if (x.type === 'list' || x.type === 'tuple' || x.type === 'set') return named(x).filter((k) => k.type !== 'comment' && k.type !== 'list_splat');
    if (x.type === 'list_comprehension' || x.type === 'generator_expression' || x.type === 'set_comprehension') {
      const body = field(x, 'body');
      return body ? [body] : [];
    }
    return [];
  }

  protected finishSpawns(): void {
    for (const [id, range] of this.startedCalls) {
      const c = this.callOfNode.get(id);
      if (c) c.started = range;
    }
    for (const id of this.taskArgNodes) this.dropCallbackId(id);
    this.checkProcessInstances();
    // a Process bound to a name that is never started pickles nothing: its channels cannot fail
    this.model.payloads = this.model.payloads.filter((p) => {
      const site = p.site !== undefined ? this.model.spawns[p.site] : undefined;
      if (!site || !this.launchedProcess(site) || site.startRange) return true;
      if (this.looseStarts.some((x) => x.unit === site.unit && x.offset > site.offset)) return true;
      const node = this.siteNodes.get(site);
      const parent = node?.parent;
      return !(parent?.type === 'assignment' && field(parent, 'right')?.id === node!.id && field(parent, 'left')?.type === 'identifier');
    });
    if (this.model.startMethod) {
      for (const s of this.model.spawns) {
        // sub-interpreters import every module afresh whatever the program's start method
        if (!s.startMethod && s.isProcess !== false && !this.callOf(s)?.fixedStart) s.startMethod = this.model.startMethod;
      }
    }
  }
}

/** The name of the def a node is in (the innermost), if any. */
function enclosingDefName(n: Node): string | undefined {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return field(p, 'name')?.text;
  return undefined;
}

/** Functions sent by value (cloudpickle, dill) travel: lambdas and nested defs are not unsendable. */
function sendable(what: Payload['what'], serializer: Serializer): boolean {
  return sendsFunctionsByValue(serializer) && (what === 'lambda' || what === 'local-function' || what === 'closure');
}
