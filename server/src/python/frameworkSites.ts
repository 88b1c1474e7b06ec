/**
 * Framework shapes beyond pools and processes (../frameworks/python/): functions a
 * decorator makes remote (`@ray.remote`, `@app.task`, `@udf`, `@dask.delayed`) and their
 * submissions (`f.remote(x)`, `task.delay(x)`: calls the engine turns into sites once it
 * knows the callee is remote), actor classes, the instance whose methods a call runs in
 * workers (a `DataLoader`'s Dataset), callables shipped by methods of framework objects
 * (`rdd.map(f)`, `bag.map(f)`), per-submission initializers (mpire `worker_init=`), worker
 * counts, thread switches and string start methods of worker-creating calls.
 */
import type { Binding, SpawnSite, SystemKind } from '../engine/model';
import type { Serializer } from '../frameworks/types';
import {
  REMOTE_DECORATORS,
  REMOTE_METHOD_DECORATORS,
  REMOTE_SUBMIT_NAMES,
  SHIPPING_METHODS,
  frameworkOfSystem,
  type PyCallInfo,
} from '../frameworks/python';
import type { PyRemoteDecorator, PyScheduler, PyShippingMethods, PySubmitMethod } from '../frameworks/python/types';
import { argAt, callArgs, field, named, startMethodOf, stringValue, toRange, unparen } from './syntax';
import type { Scope } from './scope';
import type { SyntaxNode as Node } from './tree';
import { SpawnPass } from './spawns';
import { newCall } from './uses';

/** calls that iterate their first argument */
const ITERATING = new Set(['iter', 'enumerate', 'list', 'tuple', 'zip', 'next', 'tqdm', 'sorted', 'sum', 'map', 'filter']);

/** A site whose kind (processes or threads) the module's `scheduler=` choices decide, at the end. */
interface ScheduledSite {
  site: SpawnSite;
  scheduler: PyScheduler;
  defaultProcesses: boolean;
}

export abstract class FrameworkPass extends SpawnPass {
  /** decorated module-level defs (classes are in `moduleClasses`) */
  private decoratedDefs: Node[] = [];
  private scheduled: ScheduledSite[] = [];
  /** bindings a scheduler-dependent decorator made remote, decided with the sites */
  private scheduledBindings: Array<{ remote: NonNullable<Binding['remote']>; scheduler: PyScheduler }> = [];
  /** `scheduler=` strings given anywhere in the module */
  private schedulerNames = new Set<string>();
  /** a site's serializer when an argument changed it (`use_dill=True`) */
  private siteSerializer = new Map<SpawnSite, Serializer>();
  /** non-blocking submissions that restart a pool's workers: they end when the pool does */
  private perSubmission: Array<{ site: SpawnSite; pool: SpawnSite }> = [];

  protected override declareFunction(n: Node, scope: Scope, unit: number): void {
    super.declareFunction(n, scope, unit);
    if (scope.kind === 'module' && n.parent?.type === 'decorated_definition') this.decoratedDefs.push(n);
  }

  /** Module-level functions and classes a framework decorator makes remote ({@link Binding.remote}). */
  protected override finishClasses(): void {
    super.finishClasses();
    for (const n of this.decoratedDefs) if (!this.model.tableHandlers && this.registersIn(n)) this.model.tableHandlers = true;
    for (const n of [...this.decoratedDefs, ...this.moduleClasses]) {
      const name = field(n, 'name')?.text;
      const b = name ? this.model.bindings.get(name) : undefined;
      if (!b || (b.kind !== 'function' && b.kind !== 'class') || n.parent?.type !== 'decorated_definition') continue;
      for (const d of named(n.parent)) {
        if (d.type !== 'decorator') continue;
        const deco = this.remoteDecorator(named(d)[0]);
        if (!deco || (b.kind === 'class' && !deco.actors)) continue;
        b.remote = { system: deco.system, label: deco.label, submit: deco.submit, isProcess: true };
        if (b.kind === 'class') b.remote.actors = true;
        if (deco.scheduler) this.scheduledBindings.push({ remote: b.remote, scheduler: deco.scheduler });
        break;
      }
    }
    // the wrapper form: `remote_f = ray.remote(f)`, `Actor = ray.remote(num_cpus=1)(Cls)`
    for (const [name, decls] of this.moduleDecls) {
      const src = decls.length === 1 ? decls[0].src : null;
      const call = src && src.index === undefined ? unparen(src.node) : undefined;
      if (call?.type !== 'call') continue;
      const arg = callArgs(call).pos[0];
      const wrapped = arg && unparen(arg).type === 'identifier' ? this.model.bindings.get(unparen(arg).text) : undefined;
      if (!wrapped || (wrapped.kind !== 'function' && wrapped.kind !== 'class') || this.resolve(wrapped.name, this.moduleScope) !== 'module') continue;
      const deco = this.remoteDecorator(field(call, 'function') ?? undefined);
      const b = this.model.bindings.get(name);
      if (!deco || !b || (wrapped.kind === 'class' && !deco.actors)) continue;
      b.remote = { system: deco.system, label: deco.label, submit: deco.submit, isProcess: true, wraps: wrapped.name };
      if (wrapped.kind === 'class') b.remote.actors = true;
      if (deco.scheduler) this.scheduledBindings.push({ remote: b.remote, scheduler: deco.scheduler });
    }
  }

  /**
   * `@ROUTER.route("add")` / `@app.get`: a decorator that is a method of a module-level object
   * made here (not an import, a function or a class) registers the function in its table.
   */
  private registersIn(def: Node): boolean {
    for (const d of named(def.parent!)) {
      if (d.type !== 'decorator') continue;
      const e = unparen(named(d)[0] ?? d);
      const at = e.type === 'call' ? field(e, 'function') : e;
      const obj = at?.type === 'attribute' ? field(at, 'object') : null;
      const b = obj?.type === 'identifier' ? this.model.bindings.get(obj.text) : undefined;
      if (b && !b.importFrom && b.kind !== 'function' && b.kind !== 'class' && b.kind !== 'import') return true;
    }
    return false;
  }

  /** The remote decorator an expression names: `ray.remote`, `ray.remote(num_cpus=2)`, `app.task`, `app.task(bind=True)`. */
  private remoteDecorator(expr: Node | undefined): PyRemoteDecorator | undefined {
    if (!expr) return undefined;
    const e = unparen(expr);
    const target = e.type === 'call' ? field(e, 'function') : e;
    if (!target) return undefined;
    const q = this.qualify(target, this.moduleScope);
    const direct = q ? REMOTE_DECORATORS.get(q.q) : undefined;
    if (direct) return direct;
    if (target.type !== 'attribute') return undefined;
    const obj = field(target, 'object');
    const method = field(target, 'attribute')?.text ?? '';
    if (!obj || obj.type !== 'identifier') return undefined;
    // `app = Celery(...)`: the constructor's decorator method
    for (const v of this.valuesOf(obj.text, this.moduleScope)) {
      if (v.index !== undefined || unparen(v.node).type !== 'call') continue;
      const c = this.qualify(field(unparen(v.node), 'function'), this.moduleScope);
      const d = c ? REMOTE_METHOD_DECORATORS.get(c.q)?.get(method) : undefined;
      if (d) return d;
    }
    // `from proj.celery import app` / `import proj; @proj.app.task`: an app made elsewhere.
    // Only `.delay()` / `.apply_async()` on the function make a site, which confirms it.
    const b = this.model.bindings.get(obj.text);
    if (b?.kind !== 'import' || this.resolve(obj.text, this.moduleScope) !== 'module') return undefined;
    for (const by of REMOTE_METHOD_DECORATORS.values()) {
      const d = by.get(method);
      if (d && d.submit.every((s) => s !== '()')) return d;
    }
    return undefined;
  }

  protected override processSpecialCall(n: Node, scope: Scope, unit: number): void {
    super.processSpecialCall(n, scope, unit);
    const fn = field(n, 'function');
    if (!fn) return;
    const a = callArgs(n);
    const sched = a.kw.get('scheduler');
    const sv = sched ? stringValue(sched) : null;
    if (sv !== null) this.schedulerNames.add(sv);
    const made = this.siteByNode.get(n.id);
    if (made) this.refineSite(made.site, made.call, n, scope);
    const inner = unparen(fn);
    // `dask.delayed(f)(x)`: a wrapper called in place
    if (inner.type === 'call') {
      const q = this.qualify(field(inner, 'function'), scope);
      const deco = q ? REMOTE_DECORATORS.get(q.q) : undefined;
      const f = callArgs(inner).pos[0];
      if (deco?.submit.includes('()') && f) this.shipSite(n, f, deco.system, deco.label, scope, unit, deco.scheduler, false);
      return;
    }
    if (inner.type !== 'attribute') return;
    const method = field(inner, 'attribute')?.text ?? '';
    const recv = field(inner, 'object');
    if (!recv) return;
    if (REMOTE_SUBMIT_NAMES.has(method)) this.noteSubmission(n, recv, method, scope, unit);
    for (const sm of SHIPPING_METHODS.get(method) ?? []) {
      if (!this.model.imports.some((i) => sm.imports.some((p) => i === p || i.startsWith(`${p}.`)))) continue;
      if (!sm.anyReceiver && !this.madeBy(recv, sm, scope, 0)) continue;
      const f = argAt(a, sm.task);
      if (f) this.shipSite(n, f, sm.system, `${sm.label}.${method}`, scope, unit, sm.scheduler, sm.defaultProcesses ?? false);
      break;
    }
  }

  /**
   * `task.delay(x)`, `mod.task.remote(x)`, `Actor.remote()`: a call record the engine turns
   * into a site when the callee is remote; never a call edge.
   */
  private noteSubmission(n: Node, recv: Node, method: string, scope: Scope, unit: number): void {
    // `f.options(num_cpus=2).remote(x)`: options for this submission, the same function
    let r0 = unparen(recv);
    const of = r0.type === 'call' ? field(r0, 'function') : null;
    if (of?.type === 'attribute' && field(of, 'attribute')?.text === 'options' && field(of, 'object')) r0 = unparen(field(of, 'object')!);
    const { bottom, steps } = this.chainOf(r0);
    if (bottom.type !== 'identifier') return;
    const r = this.refOfChain(bottom, steps, scope);
    if (!r || r.used !== steps.length || r.viaCls) return;
    const call = newCall(r.ref, toRange(n), n.startIndex);
    call.submits = method;
    this.units[unit].calls.push(call);
  }

  /**
   * Whether an expression is an object of a shipping method's framework: a chain through
   * one of its sources (`sc.parallelize(xs).map(f)`, `df.rdd`), or a name bound to one.
   */
  private madeBy(expr: Node, sm: PyShippingMethods, scope: Scope, depth: number): boolean {
    if (depth > 6) return false;
    const x = unparen(expr);
    if (x.type === 'identifier') {
      return this.valuesOf(x.text, scope).some((v) => v.index === undefined && this.madeBy(v.node, sm, scope, depth + 1));
    }
    const at = x.type === 'call' ? field(x, 'function') : x;
    if (!at || at.type !== 'attribute') return false;
    const name = field(at, 'attribute')?.text ?? '';
    if (sm.sources.includes(name)) return true;
    const obj = field(at, 'object');
    const chained = x.type === 'call' && (sm.methods.includes(name) || !!sm.passThrough?.includes(name));
    return !!obj && chained && this.madeBy(obj, sm, scope, depth + 1);
  }

  /**
   * A callable shipped to workers by a call (`rdd.map(f)`, `bag.map(lambda x: ...)`,
   * `delayed(f)(x)`): a site at the call, when the argument is a function.
   */
  private shipSite(n: Node, f: Node, system: SystemKind, label: string, scope: Scope, unit: number, scheduler: PyScheduler | undefined, defaultProcesses: boolean): void {
    const x = unparen(f);
    if (x.type !== 'lambda' && x.type !== 'identifier' && x.type !== 'attribute') return;
    const site: SpawnSite = { system, unit, range: toRange(n), offset: n.startIndex, label, isProcess: true, tasks: [], initializers: [] };
    const t = this.taskOf(f, scope);
    if (t.ref) site.tasks.push({ ref: t.ref, range: site.range, label });
    else {
      const u = this.localCallableUnit(f, scope);
      if (u === undefined) return;
      // cloudpickle ships lambdas and closures: the body runs in the worker, not here
      site.tasks.push({ ref: { name: this.units[u].name }, unit: u, range: site.range, label });
      this.units[u].detached = true;
    }
    // a function passed here is shipped, not called by this code (see finishSpawns)
    if (t.ref) this.taskArgNodes.add((t.node ?? f).id);
    if (scheduler) this.scheduled.push({ site, scheduler, defaultProcesses });
    this.model.spawns.push(site);
  }

  /** What a worker-creating call's model says beyond the common shapes (./spawns.ts). */
  private refineSite(site: SpawnSite, call: PyCallInfo, n: Node, scope: Scope): void {
    const a = callArgs(n);
    if (call.workersArg) {
      const c = argAt(a, call.workersArg);
      const v = c ? unparen(c) : undefined;
      // `DataLoader(ds, **kwargs)`: the count may be in the kwargs
      if (!v && a.hasStar) site.isProcess = 'maybe';
      else if (!v || (v.type === 'integer' && Number(v.text) === 0)) site.isProcess = false;
      else if (v.type !== 'integer') site.isProcess = 'maybe';
    }
    for (const w of call.serializerWhen ?? []) {
      const v = argAt(a, w.slot);
      if (v && w.values.includes(stringValue(v) ?? unparen(v).text)) this.siteSerializer.set(site, w.serializer);
    }
    for (const t of call.threadsWhen ?? []) {
      const v = argAt(a, t.slot);
      if (v && t.values.includes(stringValue(v) ?? unparen(v).text)) site.isProcess = false;
    }
    if (call.startMethodArg && !site.startMethod) {
      const v = argAt(a, call.startMethodArg);
      const m = v ? startMethodOf(stringValue(v)) ?? this.contextExprMethod(v, scope) : undefined;
      if (m) site.startMethod = m;
    }
    if (call.defaultStartMethod && !site.startMethod && !(call.startMethodArg && argAt(a, call.startMethodArg))) site.startMethod = call.defaultStartMethod;
    if (call.instanceTasks && site.isProcess !== false) {
      const inst = argAt(a, call.instanceTasks.slot);
      const cls = inst ? this.instanceClass(inst, scope) : undefined;
      if (cls) {
        for (const m of call.instanceTasks.methods) {
          site.tasks.push({ ref: { name: cls.name, member: m }, range: site.range, label: `${site.label}(${cls.name}).${m}`, inherited: true });
        }
      }
    }
  }

  /** The module-level class an expression's value is an instance of: `Numbers(...)`, or a name bound to one. */
  private instanceClass(node: Node, scope: Scope, depth = 0): { name: string } | undefined {
    const x = unparen(node);
    if (x.type === 'identifier' && depth < 3) {
      for (const v of this.valuesOf(x.text, scope)) {
        if (v.index !== undefined) continue;
        const c = this.instanceClass(v.node, scope, depth + 1);
        if (c) return c;
      }
      return undefined;
    }
    if (x.type !== 'call') return undefined;
    const fn = field(x, 'function');
    if (!fn) return undefined;
    const { bottom, steps } = this.chainOf(unparen(fn));
    if (bottom.type !== 'identifier') return undefined;
    const r = this.refOfChain(bottom, steps, scope);
    if (!r || r.used !== steps.length || r.ref.member) return undefined;
    const b = this.model.bindings.get(r.ref.name);
    return b && (b.kind === 'class' || b.kind === 'import') ? { name: r.ref.name } : undefined;
  }

  /**
   * mpire's `map(..., worker_init=f)`: an initializer of the site given with the submission;
   * a pool that restarts its workers on every submission: a site of its own at each.
   */
  protected override addSubmission(meta: { site: SpawnSite; call: PyCallInfo }, call: Node, sm: PySubmitMethod, scope: Scope): void {
    const restarts = meta.call.restartsPerSubmission;
    const node = this.siteNodes.get(meta.site);
    const keepAlive = restarts && node ? argAt(callArgs(node), restarts.unless) : undefined;
    let site = meta.site;
    if (restarts && (!keepAlive || unparen(keepAlive).type === 'false')) {
      // the workers are started (forked) by this call: the parent's state of this moment
      site = { ...meta.site, range: toRange(call), offset: call.startIndex, tasks: [], initializers: [...meta.site.initializers], flowTasks: undefined, restartOf: meta.site.offset };
      if (sm.blocking) site.endRange = toRange(call);
      else this.perSubmission.push({ site, pool: meta.site });
      this.model.spawns.push(site);
    }
    // an argument of the pool that changes how tasks travel (`use_dill=True`: lambdas are sent)
    const serializer = this.siteSerializer.get(meta.site);
    if (serializer && site.isProcess !== false) site.byValue = serializer === 'cloudpickle' || serializer === 'dill';
    super.addSubmission({ site, call: serializer ? { ...meta.call, serializer } : meta.call }, call, sm, scope);
    const init = argAt(callArgs(call), sm.initializer);
    if (!init || site.isProcess === false) return;
    const t = this.taskOf(init, scope);
    if (t.ref) {
      site.initializers.push(t.ref);
      this.dropCallback(t.node ?? init);
    }
  }

  /** Decides the scheduler-dependent sites and bindings from the module's `scheduler=` choices, then the common end. */
  protected override finishSpawns(): void {
    const kind = (s: PyScheduler, dflt: boolean): boolean => {
      const names = [...this.schedulerNames];
      if (names.some((n) => s.processes.includes(n))) return true;
      const client = this.model.spawns.some((x) => x.system === 'dask.distributed' && x.isProcess !== false);
      if (client) return true;
      if (names.some((n) => s.threads.includes(n))) return false;
      return dflt;
    };
    for (const x of this.scheduled) x.site.isProcess = kind(x.scheduler, x.defaultProcesses);
    for (const x of this.scheduledBindings) x.remote.isProcess = kind(x.scheduler, false);
    for (const x of this.perSubmission) x.site.endRange ??= x.pool.endRange;
    for (const site of this.model.spawns) if (this.callOf(site)?.startsWhenIterated) this.findLaunches(site);
    super.finishSpawns();
  }

  /**
   * Where the object a site makes is iterated ({@link SpawnSite.launches}): the creating call
   * itself in a `for` / `enumerate(...)`, or the name it is bound to (`loader = DataLoader(...)`)
   * anywhere in the scope that binds it (the module, or the function).
   */
  private findLaunches(site: SpawnSite): void {
    const node = this.siteNodes.get(site);
    if (!node) return;
    const launches: NonNullable<SpawnSite['launches']> = [];
    const iterations: Node[] = [];
    const direct = this.iteration(node);
    if (direct) (launches.push({ unit: site.unit, range: toRange(direct) }), iterations.push(direct));
    const asg = node.parent;
    const left = asg?.type === 'assignment' && field(asg, 'right')?.id === node.id ? field(asg, 'left') : null;
    if (left?.type === 'identifier') {
      let scopeNode: Node | null = asg!;
      while (scopeNode && scopeNode.type !== 'function_definition' && scopeNode.type !== 'module') scopeNode = scopeNode.parent;
      const walk = (n: Node): void => {
        if (n.type === 'identifier' && n.text === left.text && n.id !== left.id) {
          const it = this.iteration(n);
          if (it) (launches.push({ unit: this.unitAt(it), range: toRange(it) }), iterations.push(it));
        }
        for (const c of n.children) if (c) walk(c);
      };
      if (scopeNode) walk(scopeNode);
    }
    if (launches.length) site.launches = launches;
    this.restartPerIteration(site, node, launches, iterations);
  }

  /**
   * A loader whose every iteration starts its workers afresh (a DataLoader without
   * `persistent_workers=True`): a site of its own at each iteration (`for b in loader`,
   * `list(loader)`), started there — under fork those workers copy the parent as it is
   * then — and done when the iteration ends. The creating call keeps its launches (for
   * unguarded-spawn) but no tasks.
   */
  private restartPerIteration(site: SpawnSite, node: Node, launches: NonNullable<SpawnSite['launches']>, iterations: Node[]): void {
    const restarts = this.callOf(site)?.restartsPerIteration;
    if (!restarts || site.isProcess === false || !launches.length || !site.tasks.length) return;
    const keep = argAt(callArgs(node), restarts.unless);
    if (keep && unparen(keep).type !== 'false') return;
    launches.forEach((l, i) => {
      const it = iterations[i];
      // the loop's header (`for b in loader`), not its body: the body runs while the workers do
      const right = it.type === 'for_statement' || it.type === 'for_in_clause' ? field(it, 'right') : null;
      const range = right ? { start: toRange(it).start, end: toRange(right).end } : toRange(it);
      this.model.spawns.push({
        ...site,
        unit: l.unit,
        range,
        offset: it.startIndex,
        tasks: site.tasks.map((t) => ({ ...t, range })),
        initializers: [...site.initializers],
        launches: undefined,
        endRange: toRange(it),
        restartOf: site.offset,
      });
    });
    site.tasks = [];
    site.initializers = [];
    site.flowTasks = undefined;
    site.initializerUnits = undefined;
  }

  /** The statement or call that iterates `n`: `for x in n`, `enumerate(n)`, `iter(n)`, `list(n)`, `tqdm(n)`... */
  private iteration(n: Node): Node | undefined {
    const p = n.parent;
    if (!p) return undefined;
    if ((p.type === 'for_statement' || p.type === 'for_in_clause') && field(p, 'right')?.id === n.id) return p;
    const call = p.type === 'argument_list' ? p.parent : null;
    const fn = call?.type === 'call' ? field(call, 'function') : null;
    const name = fn?.type === 'identifier' ? fn.text : fn?.type === 'attribute' ? field(fn, 'attribute')?.text : undefined;
    if (!call || !name || !ITERATING.has(name) || named(p)[0]?.id !== n.id) return undefined;
    return this.iteration(call) ?? call;
  }

  /** The unit code at `n` belongs to: the innermost def or lambda, a main guard's body, or the top level. */
  private unitAt(n: Node): number {
    let child = n;
    for (let p = n.parent; p; child = p, p = p.parent) {
      if (p.type === 'function_definition' || p.type === 'lambda') {
        const fi = this.funcInfo.get(p.id);
        if (fi && field(p, 'body')?.id === child.id) return fi.unit;
      }
      const mu = this.mainGuards.get(p.id);
      if (mu !== undefined && field(p, 'consequence')?.id === child.id) return mu;
    }
    return 0;
  }
}
