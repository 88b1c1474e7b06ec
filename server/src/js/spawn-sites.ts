/**
 * Spawn sites and worker entry points per system: `new Worker`, `fork`, `cluster.fork`,
 * `new Piscina`/`new Tinypool`, `workerpool.pool`, their worker modules and workerData;
 * `parentPort.on('message')`-style handlers, `workerpool.worker({...})`; pool submissions
 * (`run`, `exec`) and sends, resolved against the pool/child they are made on.
 */
import ts from 'typescript';
import * as nodePath from 'node:path';
import type { Payload, SpawnSite, SystemKind } from '../engine/model';
import { climbWrappers, dottedName, isFunctionExpr, isImportMeta, stringValue, unwrap } from './syntax';
import { CALLBACK_TAKERS, POOLIFIER_POOLS, POOLIFIER_WORKERS, WT, normModule } from './known-names';
import type { Creation, PendingPoolCall, RecvKey } from './scopes';
import { PayloadAnalyzer } from './payloads';

export abstract class SpawnRecognizer extends PayloadAnalyzer {
  // ----- calls, spawns, handlers, payloads

  protected visitCall(call: ts.CallExpression): void {
    const callee = unwrap(call.expression);
    // imports
    if (callee.kind === ts.SyntaxKind.ImportKeyword) {
      const spec = stringValue(call.arguments[0]);
      if (spec !== undefined) {
        this.importSet.add(spec);
        // `await import()` at the top level runs at load time; elsewhere it is deferred
        if (this.unit.kind === 'module' || this.unit.kind === 'worker-branch') this.eagerRequires.add(spec);
        else this.deferredRequires.add(spec);
      }
    } else {
      const spec = this.requireSpec(call);
      if (spec !== undefined) {
        this.importSet.add(spec);
        // a require in a main branch or a function does not run when this module is loaded
        if (this.unit.kind === 'main-branch' || this.unit.kind === 'function') this.deferredRequires.add(spec);
        else this.eagerRequires.add(spec);
        if (normModule(spec) === WT) {
          const p = climbWrappers(call).parent;
          if (ts.isPropertyAccessExpression(p) && p.name.text === 'workerData') this.model.readsWorkerData = true;
        }
      }
    }

    const s = ts.isIdentifier(callee) || ts.isPropertyAccessExpression(callee) ? this.sym(callee) : undefined;
    if (s === 'child_process.fork') {
      this.addSpawn('child_process.fork', 'fork', call, call.arguments[0] ? this.modulePath(call.arguments[0]) : undefined);
    } else if (s === 'cluster.fork') {
      this.addSpawn('cluster', 'cluster.fork', call, 'self');
    } else if (s === 'cluster.setupPrimary' || s === 'cluster.setupMaster') {
      const opts = call.arguments[0] && this.objectLiteralOf(call.arguments[0]);
      if (opts && this.propValue(opts, 'exec')) this.model.clusterExec = true;
    } else if (s === 'workerpool.pool') {
      const site = this.addSpawn(
        'workerpool',
        'workerpool.pool',
        call,
        call.arguments[0] && !ts.isObjectLiteralExpression(unwrap(call.arguments[0])) ? this.modulePath(call.arguments[0]) : undefined,
      );
      const opts = call.arguments.find((a) => ts.isObjectLiteralExpression(unwrap(a)));
      if (opts) {
        const wd = this.findWorkerData(opts, 2);
        if (wd) {
          site.passesState = true;
          this.analyzePayload(wd, 'workerData');
        }
      }
    }

    let method: string | undefined;
    let recvExpr: ts.Expression | undefined;
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)) {
      method = callee.name.text;
      recvExpr = callee.expression;
    }

    // payloads known before visiting
    if (method === 'postMessage' || (ts.isIdentifier(callee) && callee.text === 'postMessage' && !this.lookup('postMessage'))) {
      if (call.arguments[0]) this.analyzeSent(call.arguments[0], call.arguments[1], 'postMessage');
    } else if (method === 'send' && recvExpr && call.arguments[0]) {
      const rs = this.sym(recvExpr);
      if (rs === 'process') this.analyzePayload(call.arguments[0], 'process.send');
      else {
        const payloads: Payload[] = [];
        this.analyzePayload(call.arguments[0], 'process.send', undefined, undefined, payloads);
        if (payloads.length) this.pendingSends.push({ recv: this.recvKey(recvExpr), payloads });
      }
    }

    // `this.m()` / `h.m()` on an instance of a module-level class reaches the method
    const viaInstance = ts.isPropertyAccessExpression(callee) ? (this.superCallRef(callee) ?? this.methodCallRef(callee)) : this.superCallRef(callee);
    if (viaInstance) this.unit.calls.push({ callee: viaInstance, range: this.range(call), offset: call.getStart(this.sf) });
    for (const ref of this.objectMethodCalls(callee)) this.unit.calls.push({ callee: ref, range: this.range(call), offset: call.getStart(this.sf) });
    // a method handed over as a callback (`setTimeout(this.tick.bind(this))`,
    // `port.on('message', this.onMessage)`) runs where the registering code runs
    const calleeName = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    for (const a of call.arguments) {
      let x = unwrap(a);
      const bound = ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'bind';
      if (bound) x = unwrap(((x as ts.CallExpression).expression as ts.PropertyAccessExpression).expression);
      if (!ts.isPropertyAccessExpression(x) || (!bound && !CALLBACK_TAKERS.has(calleeName))) continue;
      const ref = this.methodCallRef(x);
      if (ref) this.unit.calls.push({ callee: ref, range: this.range(a), offset: a.getStart(this.sf) });
    }
    // `super(tasks)` in a subclass of poolifier's ThreadWorker/ClusterWorker
    // `super(...)` in a subclass of Worker / Piscina / a poolifier pool constructs one
    if (callee.kind === ts.SyntaxKind.SuperKeyword) {
      const cls = this.enclosingClass(call);
      const base = cls && this.baseSym(cls);
      if (cls && base && POOLIFIER_WORKERS.has(base)) this.poolifierTasks(call.arguments[0], cls);
      else if (base) this.constructed(base, call.arguments, call);
    }

    // visit children
    this.visit(call.expression);
    for (const a of call.arguments) this.visit(a);

    // handlers
    if (
      method &&
      recvExpr &&
      (method === 'on' || method === 'once' || method === 'addListener' || method === 'prependListener' || method === 'addEventListener') &&
      stringValue(call.arguments[0]) === 'message' &&
      call.arguments[1]
    ) {
      const rs = this.sym(recvExpr);
      if (rs === `${WT}.parentPort` || rs === 'process' || rs === 'cluster.worker') {
        const fn = this.functionNodeOf(call.arguments[1]);
        if (fn) this.pendingHandlers.push(fn);
      }
    }
    if (
      method &&
      recvExpr &&
      (method === 'on' || method === 'once' || method === 'addListener' || method === 'prependListener') &&
      stringValue(call.arguments[0]) === 'exit' &&
      call.arguments[1]
    ) {
      const fn = this.functionNodeOf(call.arguments[1]);
      if (fn) this.pendingExitHandlers.push({ recv: this.sym(recvExpr) === 'cluster' ? 'cluster' : this.recvKey(recvExpr), fn, at: call.getStart(this.sf) });
    }
    if (s === 'workerpool.worker' && call.arguments[0]) this.taskObjectHandlers(call.arguments[0]);
    // pool submissions
    if ((method === 'run' || method === 'exec' || method === 'execute') && recvExpr) {
      const pc: PendingPoolCall = { recv: this.recvKey(recvExpr), method, payloads: [], at: call.getStart(this.sf) };
      const a0 = call.arguments[0];
      if (method === 'run') {
        if (a0) this.analyzeSent(a0, call.arguments[1], 'piscina.run', pc.payloads);
      } else if (method === 'execute') {
        // poolifier: execute(data, name, transferList)
        if (a0) this.analyzeSent(a0, call.arguments[2], 'poolifier.execute', pc.payloads);
      } else if (a0) {
        const fn = this.functionNodeOf(a0);
        if (fn) {
          const u = unwrap(a0);
          pc.execFn = {
            fn,
            range: this.range(a0),
            symbol: ts.isIdentifier(u) ? u.text : this.functionInfo(fn).name,
            inline: isFunctionExpr(u),
          };
        }
        if (call.arguments[1]) this.analyzePayload(call.arguments[1], 'pool.exec', undefined, undefined, pc.payloads);
      }
      if (pc.execFn || pc.payloads.length) this.pendingPoolCalls.push(pc);
    }
  }

  /**
   * A pool/worker constructed: `new X(...)`, or `super(...)` in a subclass of X (`class
   * MyWorker extends Worker { constructor() { super(file) } }`), `ne` being that call.
   */
  protected constructed(s: string, args: readonly ts.Expression[], ne: ts.Node): void {
    const poolifierFile = s ? POOLIFIER_POOLS.get(s) : undefined;
    if (s && poolifierFile !== undefined) {
      const file = args[poolifierFile];
      const site = this.addSpawn('poolifier', `new ${s.slice(s.indexOf('.') + 1)}`, ne, file ? this.modulePath(file) : undefined);
      const opts = args[poolifierFile + 1];
      const wd = opts ? this.findWorkerData(opts, 2) : undefined;
      if (wd) {
        site.passesState = true;
        this.analyzePayload(wd, 'workerData');
      }
    } else if (s && POOLIFIER_WORKERS.has(s)) {
      this.poolifierTasks(args[0], undefined);
    } else if (s === `${WT}.Worker`) {
      const site = this.addSpawn('worker_threads', 'new Worker', ne, args[0] ? this.modulePath(args[0]) : undefined);
      if (args[1]) {
        const wd = this.findWorkerData(args[1], 1);
        if (wd) {
          site.passesState = true;
          // `new Worker(file, { workerData, transferList })`
          const opts = this.objectLiteralOf(args[1]);
          this.analyzeSent(wd, opts && this.propValue(opts, 'transferList'), 'workerData');
        }
      }
    } else if (s === 'piscina.Piscina' || s === 'tinypool.Tinypool') {
      const system: SystemKind = s === 'piscina.Piscina' ? 'piscina' : 'tinypool';
      const site = this.addSpawn(system, system === 'piscina' ? 'new Piscina' : 'new Tinypool', ne, undefined);
      if (args[0]) {
        const opts = this.objectLiteralOf(args[0]);
        if (opts) {
          const fname = this.propValue(opts, 'filename');
          if (fname) site.workerModule = this.modulePath(fname);
          const wd = this.propValue(opts, 'workerData');
          if (wd) {
            site.passesState = true;
            this.analyzePayload(wd, 'workerData');
          }
        } else {
          // piscina also accepts (filename) in older versions
          site.workerModule = this.modulePath(args[0]);
        }
      }
    }
  }

  protected visitNew(ne: ts.NewExpression): void {
    const s = this.sym(ne.expression);
    const args = ne.arguments ?? [];
    if (s) this.constructed(s, args, ne);
    this.visit(ne.expression);
    for (const a of args) this.visit(a);
  }

  /** The functions of a `{ name: fn, ... }` task object (workerpool.worker, poolifier) run in the worker. */
  protected taskObjectHandlers(arg: ts.Expression): void {
    let obj = unwrap(arg);
    if (ts.isIdentifier(obj)) {
      const d = this.lookup(obj.text);
      if (d?.init) obj = d.init;
    }
    if (!ts.isObjectLiteralExpression(obj)) return;
    for (const p of obj.properties) {
      let fn: ts.Node | undefined;
      if (ts.isMethodDeclaration(p)) fn = p;
      else if (ts.isPropertyAssignment(p)) fn = this.functionNodeOf(p.initializer);
      else if (ts.isShorthandPropertyAssignment(p)) fn = this.functionNodeOf(p.name);
      if (fn) this.pendingHandlers.push(fn);
    }
  }

  /**
   * poolifier's `new ThreadWorker(fn | { name: fn })` (or `super(...)` in a subclass, `cls`):
   * the task functions run in the worker, and so does every method of the subclass.
   */
  protected poolifierTasks(arg: ts.Expression | undefined, cls: ts.ClassLikeDeclaration | undefined): void {
    if (arg) {
      const fn = this.functionNodeOf(arg);
      if (fn) this.pendingHandlers.push(fn);
      else this.taskObjectHandlers(arg);
    }
    for (const m of cls?.members ?? []) {
      if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
        if (m.body) this.pendingHandlers.push(m);
      } else if (ts.isPropertyDeclaration(m) && m.initializer && isFunctionExpr(unwrap(m.initializer))) {
        this.pendingHandlers.push(unwrap(m.initializer));
      }
    }
  }

  protected addSpawn(system: SystemKind, label: string, node: ts.Node, workerModule: string | undefined): SpawnSite {
    const site: SpawnSite = {
      system,
      unit: this.unit.id,
      range: this.range(node),
      offset: node.getStart(this.sf),
      label,
      isProcess: true,
      tasks: [],
      initializers: [],
    };
    if (workerModule !== undefined) site.workerModule = workerModule;
    this.model.spawns.push(site);
    return site;
  }

  protected recvKey(e0: ts.Expression): RecvKey {
    const e = unwrap(e0);
    const direct = this.creationOf(e);
    if (direct) return { direct };
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      return d && !d.importFrom ? { decl: d } : { unknown: true };
    }
    if (ts.isPropertyAccessExpression(e)) return { member: e.name.text };
    return { unknown: true };
  }

  protected recvCreation(k: RecvKey): Creation | undefined {
    if (k.direct) return k.direct;
    if (k.decl) {
      if (k.decl.poolSystem || k.decl.proc) return { pool: k.decl.poolSystem, proc: k.decl.proc, cluster: k.decl.poolCluster };
      return undefined;
    }
    if (k.member) return this.memberCreations.get(k.member);
    return undefined;
  }

  /** The worker/child module as written, 'self', or undefined. */
  protected modulePath(e0: ts.Expression, depth = 0): string | undefined {
    const e = unwrap(e0);
    if (depth > 4) return undefined;
    const lit = stringValue(e);
    if (lit !== undefined) return lit;
    if (this.isSelf(e, depth)) return 'self';
    if (ts.isPropertyAccessExpression(e) && (e.name.text === 'href' || e.name.text === 'pathname')) {
      const inner = unwrap(e.expression);
      return ts.isNewExpression(inner) || ts.isCallExpression(inner) ? this.modulePath(inner, depth + 1) : undefined;
    }
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern) return this.modulePath(d.init, depth + 1);
      return undefined;
    }
    if (ts.isNewExpression(e)) {
      const c = dottedName(e.expression);
      const args = e.arguments ?? [];
      if ((c === 'URL' || c?.endsWith('.URL')) && args.length >= 1) {
        const first = stringValue(unwrap(args[0]));
        if (first !== undefined) return args.length >= 2 ? first : first;
      }
      return undefined;
    }
    if (ts.isCallExpression(e)) {
      const name = dottedName(e.expression);
      // `require('node:path').join(...)`: no dotted name, but the method name is what matters
      const callee = unwrap(e.expression);
      const last = name?.split('.').pop() ?? (ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined);
      if (last === 'fileURLToPath' || last === 'pathToFileURL' || name === 'require.resolve') {
        return e.arguments[0] ? this.modulePath(e.arguments[0], depth + 1) : undefined;
      }
      if ((last === 'join' || last === 'resolve') && e.arguments.length >= 1) {
        const parts: string[] = [];
        e.arguments.forEach((a, i) => {
          const v = unwrap(a);
          if (i === 0 && this.isDirname(v, depth)) return;
          const s = stringValue(v);
          parts.push(s ?? '\0');
        });
        if (parts.includes('\0') || parts.length === 0) return undefined;
        return relPath(...parts);
      }
      return undefined;
    }
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const r = stringValue(unwrap(e.right));
      if (r !== undefined && this.isDirname(unwrap(e.left), depth)) return relPath(r.replace(/^[/\\]+/, ''));
      // `import.meta.url + '/../entry/worker.js'`: a URL whose last segment is this file's name
      const l = unwrap(e.left);
      if (r !== undefined && r.startsWith('/') && ts.isPropertyAccessExpression(l) && l.name.text === 'url' && ts.isMetaProperty(l.expression)) {
        const rel = nodePath.posix.normalize(`file${r}`);
        return rel.startsWith('..') ? rel : `./${rel}`;
      }
      return undefined;
    }
    if (ts.isTemplateExpression(e)) {
      if (e.head.text === '' && e.templateSpans.length === 1 && this.isDirname(unwrap(e.templateSpans[0].expression), depth))
        return relPath(e.templateSpans[0].literal.text.replace(/^[/\\]+/, ''));
      return undefined;
    }
    return undefined;
  }

  protected isSelf(e: ts.Expression, depth: number): boolean {
    if (ts.isIdentifier(e)) {
      if (e.text === '__filename' && !this.lookup('__filename')) return true;
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern && depth < 4) return this.isSelf(unwrap(d.init), depth + 1);
      return false;
    }
    if (isImportMeta(e, 'url') || isImportMeta(e, 'filename')) return true;
    if (ts.isNewExpression(e)) {
      const c = dottedName(e.expression);
      const args = e.arguments ?? [];
      return (c === 'URL' || !!c?.endsWith('.URL')) && args.length === 1 && this.isSelf(unwrap(args[0]), depth + 1);
    }
    if (ts.isCallExpression(e)) {
      const last = dottedName(e.expression)?.split('.').pop();
      if ((last === 'fileURLToPath' || last === 'pathToFileURL') && e.arguments[0]) return this.isSelf(unwrap(e.arguments[0]), depth + 1);
      return false;
    }
    if (ts.isElementAccessExpression(e)) {
      const n = dottedName(e.expression);
      const arg = unwrap(e.argumentExpression);
      return n === 'process.argv' && ts.isNumericLiteral(arg) && arg.text === '1';
    }
    return false;
  }

  protected isDirname(e: ts.Expression, depth: number): boolean {
    if (ts.isIdentifier(e)) {
      if (e.text === '__dirname' && !this.lookup('__dirname')) return true;
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern && depth < 4) return this.isDirname(unwrap(d.init), depth + 1);
      return false;
    }
    if (isImportMeta(e, 'dirname')) return true;
    if (ts.isCallExpression(e)) {
      const last = dottedName(e.expression)?.split('.').pop();
      if (last === 'dirname' && e.arguments[0]) return this.isSelf(unwrap(e.arguments[0]), depth + 1);
      if ((last === 'fileURLToPath') && e.arguments[0]) {
        // fileURLToPath(new URL('.', import.meta.url))
        const a = unwrap(e.arguments[0]);
        if (ts.isNewExpression(a) && a.arguments && a.arguments.length === 2 && /^\.\/?$/.test(stringValue(unwrap(a.arguments[0])) ?? 'x'))
          return true;
      }
    }
    return false;
  }
}


function relPath(...parts: string[]): string {
  const joined = nodePath.posix.join(...parts.map((p) => p.replace(/\\/g, '/')));
  if (nodePath.posix.isAbsolute(joined)) return joined;
  return joined.startsWith('.') ? joined : `./${joined}`;
}
