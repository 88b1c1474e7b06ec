/**
 * Spawn-site recognition: pools, executors, processes and managers created; tasks
 * submitted to them (resolved after pass B); `.start()`; start methods.
 */
import type { SpawnSite, StartMethod } from '../engine/model';
import { type SystemInfo, SYSTEMS, POOL_SUBMIT, EXECUTOR_SUBMIT } from './stdlib';
import { callArgs, field, named, startMethodOf, stringValue, toRange, unparen } from './syntax';
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
      if (q.q === 'multiprocessing.set_start_method' || (q.q === 'multiprocessing.set_start_method')) {
        const a = callArgs(n);
        const m = startMethodOf(stringValue(a.pos[0] ?? a.kw.get('method')));
        if (m && !this.model.startMethod) this.model.startMethod = m;
      }
      if (q.q === 'json.dumps' || q.q === 'json.dump') {
        const a = callArgs(n);
        const obj = a.pos[0] ?? a.kw.get('obj');
        if (obj) this.checkProxyJson(obj, q.q, scope, 0);
      }
    }
    const cands = this.classCandidates(fn, scope);
    const systems = cands.cands.map((c) => ({ c, s: SYSTEMS.get(c.q) })).filter((x) => !!x.s) as { c: Candidate; s: SystemInfo }[];
    if (systems.length > 0) {
      this.createSite(n, systems, cands.unknown || systems.length < cands.cands.length, scope, unit);
    }
    if (fn.type === 'attribute') {
      const method = field(fn, 'attribute')?.text ?? '';
      const recv = field(fn, 'object');
      if (!recv) return;
      if (POOL_SUBMIT.has(method) || EXECUTOR_SUBMIT.has(method) || method === 'start') {
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
              if ((site.shape === 'process') && callArgs(n).pos.length === 0) site.site.startRange = toRange(n);
              return;
            }
            if (site.shape === 'pool' && POOL_SUBMIT.has(method)) this.addSubmission(site, n, method, scope);
            else if (site.shape === 'executor' && EXECUTOR_SUBMIT.has(method)) this.addSubmission(site, n, method, scope);
            return;
          }
        });
      }
    }
  }

  protected receiverValues(recv: Node, scope: Scope): Node[] {
    const r = unparen(recv);
    if (r.type === 'call') return [r];
    if (r.type === 'identifier') return this.valuesOf(r.text, scope).filter((v) => v.index === undefined).map((v) => unparen(v.node));
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

  protected createSite(n: Node, systems: { c: Candidate; s: SystemInfo }[], unknown: boolean, scope: Scope, unit: number): void {
    const processOnes = systems.filter((x) => x.s.isProcess);
    const first = processOnes[0] ?? systems[0];
    const allSame = systems.every((x) => x.s.system === first.s.system);
    let isProcess: boolean | 'maybe';
    if (unknown || !allSame) isProcess = processOnes.length > 0 && processOnes.length === systems.length && !unknown ? true : 'maybe';
    else isProcess = first.s.isProcess;
    if (processOnes.length === 0 && !unknown) isProcess = false;
    const info = first.s;
    const a = callArgs(n);
    const site: SpawnSite = {
      system: info.system, unit, range: toRange(n), offset: n.startIndex, label: info.label,
      isProcess, tasks: [], initializers: [],
    };
    let method: StartMethod | undefined = first.c.method;
    let initializer: Node | undefined;
    let initargs: Node | undefined;
    if (info.shape === 'pool') {
      initializer = a.kw.get('initializer') ?? a.pos[1];
      initargs = a.kw.get('initargs') ?? a.pos[2];
      method ??= this.contextExprMethod(a.kw.get('context') ?? a.pos[4], scope);
    } else if (info.shape === 'executor') {
      const isPPE = info.system === 'ProcessPoolExecutor';
      initializer = a.kw.get('initializer') ?? a.pos[2];
      initargs = a.kw.get('initargs') ?? a.pos[3];
      const ctxArg = isPPE ? a.kw.get('mp_context') ?? a.pos[1] : undefined;
      method ??= this.contextExprMethod(ctxArg, scope);
      if (isPPE && !method && !ctxArg && a.kw.has('max_tasks_per_child')) {
        const v = a.kw.get('max_tasks_per_child');
        if (v && v.type !== 'none') method = 'spawn';
      }
    } else if (info.shape === 'process') {
      const target = a.kw.get('target') ?? a.pos[1];
      const args = a.kw.get('args') ?? a.pos[3];
      const kwargs = a.kw.get('kwargs') ?? a.pos[4];
      if (args || kwargs) site.passesState = true;
      if (target) {
        const t = this.taskOf(target, scope);
        const label = `${info.label}(target=)`;
        if (t.ref) {
          site.tasks.push({ ref: t.ref, range: toRange(n), label });
          if (isProcess !== false) this.taskArgNodes.add((t.node ?? target).id);
        } else if (isProcess !== false) {
          // a lambda / local def target runs in the child (under fork; spawn cannot pickle it)
          const u = this.localCallableUnit(target, scope);
          if (u !== undefined) {
            site.tasks.push({ ref: { name: this.units[u].name }, unit: u, range: toRange(n), label });
            this.units[u].detached = true;
          }
          if (t.payload) this.addPayload(target, t.payload.what, t.payload.symbol, label, this.freshChannel());
        }
      }
      if (isProcess !== false) {
        this.checkChannel(args, 'elements', `${info.label}(args=)`, scope);
        this.checkChannel(kwargs, 'values', `${info.label}(kwargs=)`, scope);
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
        }
        if (t.payload) this.addPayload(initializer, t.payload.what, t.payload.symbol, `${info.label}(initializer=)`, this.freshChannel());
      }
    }
    if (initargs && isProcess !== false) this.checkChannel(initargs, 'elements', `${info.label}(initargs=)`, scope);
    if (initargs) site.passesState = true;
    if (method) site.startMethod = method;
    this.model.spawns.push(site);
    this.siteByNode.set(n.id, { site, shape: info.shape });
    this.siteNodes.set(site, n);
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
  private checkChannel(node: Node | undefined, part: 'elements' | 'values', channel: string, scope: Scope): void {
    if (!node) return;
    const x = unparen(node);
    let items: Node[] = [];
    if (part === 'elements' && (x.type === 'tuple' || x.type === 'list')) items = named(x).filter((k) => k.type !== 'comment');
    else if (part === 'values' && x.type === 'dictionary') {
      for (const p of named(x)) if (p.type === 'pair') { const v = field(p, 'value'); if (v) items.push(v); }
    }
    for (const item of items) {
      const p = this.payloadWhat(item, scope);
      if (!p || p.what === 'process-queue' || p.what === 'process-lock') continue;
      this.addPayload(item, p.what, p.symbol, channel, this.freshChannel());
    }
  }

  protected addSubmission(meta: { site: SpawnSite }, call: Node, method: string, scope: Scope): void {
    const { site } = meta;
    const label = `${site.label}.${method}`;
    const a = callArgs(call);
    const fnArg = a.pos[0] ?? a.kw.get('func') ?? a.kw.get('fn');
    const candidates: Node[] = [];
    if (fnArg) {
      const t = this.taskOf(fnArg, scope);
      if (t.ref) {
        site.tasks.push({ ref: t.ref, range: toRange(call), label });
        if (site.isProcess !== false) this.dropCallback(t.node ?? fnArg);
      }
      if (t.payload && site.isProcess === true) {
        this.addPayload(fnArg, t.payload.what, t.payload.symbol, label);
        // it never reaches the workers (pickling fails), and it is not code of the submitting function either
        const u = this.localCallableUnit(fnArg, scope);
        if (u !== undefined) this.units[u].detached = true;
      }
      candidates.push(...t.bound);
    }
    if (site.isProcess !== true) return;
    switch (method) {
      case 'map': case 'map_async': case 'imap': case 'imap_unordered': {
        const iters = site.system === 'mp.Pool' ? [a.pos[1] ?? a.kw.get('iterable')] : a.pos.slice(1);
        for (const it of iters) if (it) candidates.push(...this.elementsOf(it));
        break;
      }
      case 'starmap': case 'starmap_async': {
        const it = a.pos[1] ?? a.kw.get('iterable');
        if (it) {
          for (const e of this.elementsOf(it)) {
            const x = unparen(e);
            if (x.type === 'tuple' || x.type === 'list') candidates.push(...named(x).filter((k) => k.type !== 'comment'));
          }
        }
        break;
      }
      case 'apply': case 'apply_async': {
        const args = a.pos[1] ?? a.kw.get('args');
        if (args) {
          const x = unparen(args);
          if (x.type === 'tuple' || x.type === 'list') candidates.push(...named(x).filter((k) => k.type !== 'comment'));
        }
        const kwds = a.pos[2] ?? a.kw.get('kwds');
        if (kwds && unparen(kwds).type === 'dictionary') {
          for (const p of named(unparen(kwds))) if (p.type === 'pair') { const v = field(p, 'value'); if (v) candidates.push(v); }
        }
        break;
      }
      case 'submit': {
        candidates.push(...a.pos.slice(1));
        for (const [k, v] of a.kw) if (k !== 'fn' && k !== 'func') candidates.push(v);
        break;
      }
      default: break;
    }
    for (const c of candidates) {
      const p = this.payloadWhat(c, scope);
      if (p) this.addPayload(c, p.what, p.symbol, label);
    }
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
      if (!site || site.system !== 'mp.Process' || site.startRange) return true;
      if (this.looseStarts.some((x) => x.unit === site.unit && x.offset > site.offset)) return true;
      const node = this.siteNodes.get(site);
      const parent = node?.parent;
      return !(parent?.type === 'assignment' && field(parent, 'right')?.id === node!.id && field(parent, 'left')?.type === 'identifier');
    });
    if (this.model.startMethod) {
      for (const s of this.model.spawns) {
        if (!s.startMethod && s.isProcess !== false && s.system !== 'InterpreterPoolExecutor') s.startMethod = this.model.startMethod;
      }
    }
  }
}

/** The name of the def a node is in (the innermost), if any. */
function enclosingDefName(n: Node): string | undefined {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return field(p, 'name')?.text;
  return undefined;
}
