/**
 * Spawn sites and worker entry points per system: `new Worker`, `fork`, `cluster.fork`,
 * `new Piscina`/`new Tinypool`, `workerpool.pool`, their worker modules and workerData;
 * `parentPort.on('message')`-style handlers, `workerpool.worker({...})`; pool submissions
 * (`run`, `exec`) and sends, resolved against the pool/child they are made on.
 */
import ts from 'typescript';
import * as nodePath from 'node:path';
import type { Payload, SpawnSite, SystemKind } from '../engine/model';
import type { JsStart } from '../frameworks/js/types';
import { climbWrappers, dottedName, isFunctionExpr, isImportMeta, stringValue, unwrap } from './syntax';
import { CALLBACK_TAKERS, WT, normModule } from './known-names';
import { CONFIG_STARTS, MESSAGE_CHANNELS, MESSAGE_RECEIVERS, SCRIPT_SETTERS, TASK_CLASSES, TASK_OBJECT_CALLS, startOf, submitShape } from '../frameworks/js';
import { EXPOSE_CALLS, GLOBAL_HANDLER_PROPERTIES, GLOBAL_MESSAGE_EVENTS, HANDLER_PROPERTIES, REMOTE_PROXIES, workerImportOf } from '../frameworks/js';
import type { Creation, PendingPoolCall, RecvKey } from './scopes';
import { PayloadAnalyzer } from './payloads';
import { newCall } from './records';

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
    const start = startOf('call', s);
    if (start) this.started(start, call.arguments, call);
    const setter = s ? SCRIPT_SETTERS.get(s) : undefined;
    if (setter) {
      const opts = call.arguments[0] && this.objectLiteralOf(call.arguments[0]);
      if (opts && this.propValue(opts, setter)) this.model.clusterExec = true;
    }

    let method: string | undefined;
    let recvExpr: ts.Expression | undefined;
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)) {
      method = callee.name.text;
      recvExpr = callee.expression;
    }

    // payloads known before visiting
    const bare = ts.isIdentifier(callee) ? MESSAGE_CHANNELS.get(callee.text) : undefined;
    const msg = method ? MESSAGE_CHANNELS.get(method) : bare?.global && !this.lookup(bare.method) ? bare : undefined;
    if (msg && call.arguments[0]) {
      const transfer = msg.transfer !== undefined ? call.arguments[msg.transfer] : undefined;
      if (!msg.onCreated || !recvExpr) this.analyzeSent(call.arguments[0], transfer, msg.channel);
      else if (msg.receivers?.includes(this.sym(recvExpr) ?? '')) this.analyzePayload(call.arguments[0], msg.channel);
      else {
        const payloads: Payload[] = [];
        this.analyzePayload(call.arguments[0], msg.channel, undefined, undefined, payloads);
        if (payloads.length) this.pendingSends.push({ recv: this.recvKey(recvExpr), payloads });
      }
    }

    // `api.m(x)` on a worker's exposed API (comlink's `wrap(...)`, threads.js's `await spawn(...)`): x is sent
    const remote = recvExpr ? this.remoteProxyOf(recvExpr) : undefined;
    if (remote) {
      for (const a of call.arguments) {
        const u = unwrap(a);
        const via = ts.isCallExpression(u) ? this.sym(u.expression) : undefined;
        if (!via || !remote.passThrough?.includes(via)) this.analyzePayload(a, remote.channel);
      }
    }

    // `this.m()` / `h.m()` on an instance of a module-level class reaches the method
    const viaInstance = ts.isPropertyAccessExpression(callee) ? (this.superCallRef(callee) ?? this.methodCallRef(callee)) : this.superCallRef(callee);
    if (viaInstance) this.unit.calls.push(newCall(viaInstance, this.range(call), this.nodeStart(call), undefined));
    const viaObject = this.objectMethodCalls(callee);
    for (let i = 0; i < viaObject.length; i++) this.unit.calls.push(newCall(viaObject[i], this.range(call), this.nodeStart(call), undefined));
    // a method handed over as a callback (`setTimeout(this.tick.bind(this))`,
    // `port.on('message', this.onMessage)`) runs where the registering code runs
    const calleeName = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    for (const a of call.arguments) {
      let x = unwrap(a);
      const bound = ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'bind';
      if (bound) x = unwrap(((x as ts.CallExpression).expression as ts.PropertyAccessExpression).expression);
      if (!ts.isPropertyAccessExpression(x) || (!bound && !CALLBACK_TAKERS.has(calleeName))) continue;
      const ref = this.methodCallRef(x);
      if (ref) this.unit.calls.push(newCall(ref, this.range(a), this.nodeStart(a), undefined));
    }
    // `super(tasks)` in a subclass of a task class (poolifier's ThreadWorker/ClusterWorker)
    // `super(...)` in a subclass of Worker / Piscina / a poolifier pool constructs one
    if (callee.kind === ts.SyntaxKind.SuperKeyword) {
      const cls = this.enclosingClass(call);
      const base = cls && this.baseSym(cls);
      const tc = base ? TASK_CLASSES.get(base) : undefined;
      if (cls && tc) this.classTasks(call.arguments[tc.arg], cls, tc.functionKey);
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
      call.arguments[1]
    ) {
      const ev = stringValue(call.arguments[0]);
      const rs = ev !== undefined ? this.sym(recvExpr) : undefined;
      if (ev !== undefined && rs && MESSAGE_RECEIVERS.get(rs)?.has(ev)) {
        const fn = this.functionNodeOf(call.arguments[1]);
        if (fn) this.pendingHandlers.push(fn);
      }
    } else if (ts.isIdentifier(callee) && callee.text === 'addEventListener' && !this.lookup('addEventListener') && call.arguments[1]) {
      // a Web Worker's global scope: `addEventListener('message', fn)`
      const ev = stringValue(call.arguments[0]);
      const fn = ev !== undefined && GLOBAL_MESSAGE_EVENTS.has(ev) ? this.functionNodeOf(call.arguments[1]) : undefined;
      if (fn) this.pendingHandlers.push(fn);
    }
    if (
      method &&
      recvExpr &&
      (method === 'on' || method === 'once' || method === 'addListener' || method === 'prependListener') &&
      stringValue(call.arguments[0]) === 'exit' &&
      call.arguments[1]
    ) {
      const fn = this.functionNodeOf(call.arguments[1]);
      if (fn) this.pendingExitHandlers.push({ recv: this.sym(recvExpr) === 'cluster' ? 'cluster' : this.recvKey(recvExpr), fn, at: this.nodeStart(call) });
    }
    const taskObj = s ? TASK_OBJECT_CALLS.get(s) : undefined;
    if (taskObj !== undefined && call.arguments[taskObj]) this.taskObjectHandlers(call.arguments[taskObj]);
    const exposed = s ? EXPOSE_CALLS.get(s) : undefined;
    if (exposed !== undefined && call.arguments[exposed]) this.exposedHandlers(call.arguments[exposed]);
    // pool submissions: the slots are the method's; which pool it is (and so the channel) is known at the end
    const sub = method && recvExpr ? submitShape(method) : undefined;
    if (sub && recvExpr) {
      const pc: PendingPoolCall = { recv: this.recvKey(recvExpr), method: sub.method, payloads: [], at: this.nodeStart(call) };
      const taskArg = sub.task !== undefined ? call.arguments[sub.task] : undefined;
      const data = sub.payload !== undefined ? call.arguments[sub.payload] : undefined;
      if (sub.task === undefined) {
        if (data) this.analyzeSent(data, this.transferArg(call.arguments, sub.transfer), sub.channel, pc.payloads);
      } else if (taskArg) {
        const fn = this.functionNodeOf(taskArg);
        if (fn) {
          const u = unwrap(taskArg);
          pc.execFn = {
            fn,
            range: this.range(taskArg),
            symbol: ts.isIdentifier(u) ? u.text : this.functionInfo(fn).name,
            inline: isFunctionExpr(u),
          };
        }
        if (data) this.analyzePayload(data, sub.channel, undefined, undefined, pc.payloads);
      }
      if (pc.execFn || pc.payloads.length) this.pendingPoolCalls.push(pc);
    }
  }

  /**
   * A pool/worker constructed: `new X(...)`, or `super(...)` in a subclass of X (`class
   * MyWorker extends Worker { constructor() { super(file) } }`), `ne` being that call.
   */
  protected constructed(s: string, args: readonly ts.Expression[], ne: ts.Node): void {
    const tc = TASK_CLASSES.get(s);
    if (tc) this.classTasks(args[tc.arg], undefined, tc.functionKey);
    const start = startOf('new', s);
    if (start) this.started(start, args, ne);
  }

  /** The transfer list among a submission's arguments: the first of the positions holding an array, else the first given. */
  private transferArg(args: readonly ts.Expression[], at: number[] | undefined): ts.Expression | undefined {
    const given = (at ?? []).map((i) => args[i]).filter((a): a is ts.Expression => a !== undefined);
    return given.find((a) => this.arrayLiteralOf(a)) ?? given[0];
  }

  /** A start (`new Worker(file, opts)`, `fork(file)`, `workerpool.pool(file, opts)`) as its model places its arguments. */
  protected started(start: JsStart, args: readonly ts.Expression[], node: ts.Node): void {
    const { applies, workerModule, opts } = this.startArgs(start, args);
    if (!applies) return;
    const variant = start.variants?.find((v) => {
      const lit = opts && this.objectLiteralOf(opts);
      const val = lit && this.propValue(lit, v.option);
      return !!val && unwrap(val).kind === (v.value ? ts.SyntaxKind.TrueKeyword : ts.SyntaxKind.FalseKeyword);
    });
    const site = this.addSpawn(start.system, variant?.label ?? start.label, node, workerModule);
    if (start.exposedOption && opts) {
      const lit = this.objectLiteralOf(opts);
      const list = lit && this.propValue(lit, start.exposedOption);
      const arr = list && this.arrayLiteralOf(list);
      const names = arr?.elements.map((el) => stringValue(unwrap(el)));
      if (names && names.every((n) => n !== undefined)) site.taskExports = names as string[];
    }
    if (start.workerData && opts) {
      const wd = this.findWorkerData(opts, start.workerData.depth);
      if (wd) {
        site.passesState = true;
        // `new Worker(file, { workerData, transferList })`
        const tl = start.workerData.transferList;
        const lit = tl ? this.objectLiteralOf(opts) : undefined;
        this.analyzeSent(wd, lit && tl ? this.propValue(lit, tl) : undefined, 'workerData');
      }
    }
  }

  protected override startApplies(start: JsStart, args: readonly ts.Expression[]): boolean {
    return this.startArgs(start, args).applies;
  }

  /**
   * Where a start's worker module and options object are among its arguments; `applies` is
   * false when the call does not start what the model says (`spawn('ls')` runs no Node script).
   */
  protected startArgs(start: JsStart, args: readonly ts.Expression[]): { applies: boolean; workerModule?: string; opts?: ts.Expression } {
    if (start.nodeProgram !== undefined && !(args[start.nodeProgram] && this.isNodeProgram(args[start.nodeProgram]))) return { applies: false };
    let opts: ts.Expression | undefined;
    if (start.options === 'first-object-literal') opts = args.find((a) => ts.isObjectLiteralExpression(unwrap(a)));
    else if (start.options !== undefined) opts = args[start.options];
    else if (start.argv !== undefined) {
      // `fork(file, [args], opts)` / `fork(file, opts)`: the args array is optional
      const arr = args[start.argv];
      opts = arr && this.arrayLiteralOf(arr) ? args[start.argv + 1] : arr;
    }
    const wf = start.workerFile;
    if (wf === 'self') return { applies: true, workerModule: 'self', opts };
    if (!wf) return { applies: true, opts };
    const file = wf.pos !== undefined ? args[wf.pos] : undefined;
    if (wf.inArray) return { applies: true, workerModule: file && this.scriptInArgs(file), opts };
    if (wf.command) {
      const cmd = file && this.nodeCommandScript(file);
      return cmd === undefined ? { applies: false } : { applies: true, workerModule: cmd || undefined, opts };
    }
    const lit = opts && wf.kw ? this.objectLiteralOf(opts) : undefined;
    const named = lit && wf.kw ? this.propValue(lit, wf.kw) : undefined;
    if (named) return { applies: true, workerModule: this.modulePath(named), opts };
    return { applies: true, workerModule: file && !(lit && opts === file) ? this.modulePath(file) : undefined, opts };
  }

  /** The bundler worker import (`'./w.js?worker'`) a name is the default import of, if any. */
  protected workerImport(e0: ts.Expression): ReturnType<typeof workerImportOf> {
    const e = unwrap(e0);
    if (!ts.isIdentifier(e)) return undefined;
    const from = this.lookup(e.text)?.importFrom;
    return from && from.imported === 'default' ? workerImportOf(from.specifier) : undefined;
  }

  /**
   * A Web Worker's handler, `self.onmessage = fn` / `onmessage = fn`: fn runs in the worker.
   * A handler set on a worker this file makes (`worker.onmessage = fn`) runs later in the
   * thread that holds the worker, like a closure of the code that sets it.
   */
  protected override visitBinary(b: ts.BinaryExpression): void {
    let onWorker = false;
    if (b.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = unwrap(b.left);
      const handler = ts.isPropertyAccessExpression(left)
        ? HANDLER_PROPERTIES.get(this.sym(left.expression) ?? '')?.has(left.name.text)
        : ts.isIdentifier(left) && GLOBAL_HANDLER_PROPERTIES.has(left.text) && !this.lookup(left.text);
      const fn = handler ? this.functionNodeOf(b.right) : undefined;
      if (fn) this.pendingHandlers.push(fn);
      onWorker = ts.isPropertyAccessExpression(left) && /^on[a-z]+$/.test(left.name.text) && this.recvCreation(this.recvKey(left.expression))?.proc === 'worker';
    }
    super.visitBinary(b);
    const u = onWorker ? unwrap(b.right) : undefined;
    const id = u && isFunctionExpr(u) ? this.fnUnit.get(u) : undefined;
    if (id !== undefined) this.units[id].isNested = true;
  }

  private arrayLiteralOf(e0: ts.Expression, depth = 0): ts.ArrayLiteralExpression | undefined {
    const e = unwrap(e0);
    if (ts.isArrayLiteralExpression(e)) return e;
    if (ts.isIdentifier(e) && depth < 2) {
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern) return this.arrayLiteralOf(d.init, depth + 1);
    }
    return undefined;
  }

  /** `process.execPath`, `process.argv[0]`, `process.argv0`, `'node'`: the program run is Node. */
  private isNodeProgram(e0: ts.Expression, depth = 0): boolean {
    const e = unwrap(e0);
    const lit = stringValue(e);
    if (lit !== undefined) return /^(.*[/\\])?(node|nodejs)(\.exe)?$/.test(lit);
    const s = this.sym(e);
    if (s === 'process.execPath' || s === 'process.argv0') return true;
    if (ts.isElementAccessExpression(e)) {
      const i = unwrap(e.argumentExpression);
      return this.sym(e.expression) === 'process.argv' && ts.isNumericLiteral(i) && i.text === '0';
    }
    if (ts.isIdentifier(e) && depth < 3) {
      const d = this.lookup(e.text);
      return !!d?.init && !d.pattern && this.isNodeProgram(d.init, depth + 1);
    }
    return false;
  }

  /**
   * The elements of an argument list: an array literal (or a name bound to one), or a
   * `[].concat(flags).concat(script, arg)` chain; an element `null` is a list of unknown
   * length (a spread, or an array concatenated whole).
   */
  private argElements(e0: ts.Expression, depth = 0): Array<ts.Expression | null> | undefined {
    const arr = this.arrayLiteralOf(e0);
    if (arr) return arr.elements.map((el) => (ts.isSpreadElement(el) ? (this.sym(el.expression) === 'process.execArgv' ? el : null) : el));
    const e = unwrap(e0);
    if (depth > 4 || !ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'concat') return undefined;
    const out = this.argElements(e.expression.expression, depth + 1);
    if (!out) return undefined;
    for (const a of e.arguments) {
      const inner = ts.isSpreadElement(a) ? undefined : this.argElements(a, depth + 1);
      // an argument that is not a list is one element when it names a module (`workerPath`)
      if (inner) out.push(...inner);
      else out.push(!ts.isSpreadElement(a) && this.modulePath(a) !== undefined ? a : null);
    }
    return out;
  }

  /**
   * The script in Node's argument list: the first element that is not a `-flag`. After a
   * list of unknown length (`...nodeArgs`), only an element that names a module file by
   * expression (`require.resolve('./worker')`, a name bound to one) or by a `.js` name is
   * taken; anything else: unknown.
   */
  private scriptInArgs(e: ts.Expression): string | undefined {
    const elements = this.argElements(e);
    if (!elements) return undefined;
    let skip = false;
    let unknownBefore = false;
    for (const el of elements) {
      // `...process.execArgv` passes on this process's Node flags
      if (el && ts.isSpreadElement(el)) continue;
      if (el === null) {
        unknownBefore = true;
        skip = false;
        continue;
      }
      const lit = stringValue(unwrap(el));
      if (unknownBefore) {
        if (lit !== undefined ? !/\.[cm]?[jt]s$/.test(lit) : ts.isElementAccessExpression(unwrap(el))) return undefined;
        return this.modulePath(el);
      }
      if (skip) {
        skip = false;
        continue;
      }
      if (lit !== undefined && lit.startsWith('-')) {
        if (EVAL_FLAGS.has(lit)) return undefined;
        skip = VALUE_FLAGS.has(lit);
        continue;
      }
      return this.modulePath(el);
    }
    return undefined;
  }

  /**
   * The script of a shell command that runs Node: `'node worker.js'`, `` `node ${__filename}` ``,
   * `` `"${process.execPath}" ${script}` ``. '' when Node runs a script this file cannot name;
   * undefined when the command does not run Node.
   */
  private nodeCommandScript(e0: ts.Expression): string | undefined {
    const e = unwrap(e0);
    // the command with each `${expr}` as a placeholder, quotes dropped, split into words
    const exprs: ts.Expression[] = [];
    let text = stringValue(e);
    if (text === undefined && ts.isTemplateExpression(e)) {
      text = e.head.text;
      for (const sp of e.templateSpans) text += `\u0001${exprs.push(sp.expression) - 1}\u0001${sp.literal.text}`;
    }
    if (text === undefined) return undefined;
    const words = text.replace(/["']/g, ' ').split(/\s+/).filter((w) => w !== '');
    const exprOf = (w: string): ts.Expression | undefined => {
      const m = /^\u0001(\d+)\u0001$/.exec(w);
      return m ? exprs[Number(m[1])] : undefined;
    };
    const isNode = (w: string): boolean => {
      const x = exprOf(w);
      return x ? this.isNodeProgram(x) : /^(.*[/\\])?(node|nodejs)(\.exe)?$/.test(w);
    };
    if (words.length === 0 || !isNode(words[0])) return undefined;
    let skip = false;
    for (const w of words.slice(1)) {
      if (skip) {
        skip = false;
        continue;
      }
      if (w.startsWith('-')) {
        if (EVAL_FLAGS.has(w)) return '';
        skip = VALUE_FLAGS.has(w);
        continue;
      }
      const x = exprOf(w);
      if (x) return this.modulePath(x) ?? '';
      if (w.includes('\u0001') || !/\.[cm]?[jt]s$/.test(w)) return '';
      return w.startsWith('.') || w.startsWith('/') ? w : `./${w}`;
    }
    return '';
  }


  /**
   * A configuration file that starts processes when a tool reads it: pm2's
   * `module.exports = { apps: [{ script, exec_mode: 'cluster', instances: 4 }] }` (or `export default`).
   */
  protected configStarts(): void {
    if (!CONFIG_STARTS.some((c) => this.text.includes(c.list) && this.text.includes(c.when.option))) return;
    for (const st of this.sf.statements) {
      let exported: ts.Expression | undefined;
      if (ts.isExportAssignment(st)) exported = st.expression;
      else if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        if (dottedName(st.expression.left) === 'module.exports') exported = st.expression.right;
      }
      const obj = exported && this.objectLiteralOf(exported);
      if (!obj) continue;
      for (const c of CONFIG_STARTS) {
        const list = this.propValue(obj, c.list);
        const arr = list && this.arrayLiteralOf(list);
        for (const el of arr?.elements ?? []) {
          const app = this.objectLiteralOf(el);
          if (!app) continue;
          const mode = this.propValue(app, c.when.option);
          if (!mode || !c.when.values.includes(stringValue(unwrap(mode)) ?? '')) continue;
          // one instance shares nothing with anyone; absent means one
          const n = this.propValue(app, c.instances);
          const nu = n && unwrap(n);
          if (!nu || (ts.isNumericLiteral(nu) && nu.text === '1') || stringValue(nu) === '1') continue;
          const scriptExpr = this.propValue(app, c.script);
          const script = scriptExpr && stringValue(unwrap(scriptExpr));
          const cwdExpr = c.cwd ? this.propValue(app, c.cwd) : undefined;
          const cwd = cwdExpr ? stringValue(unwrap(cwdExpr)) : undefined;
          let workerModule: string | undefined;
          if (script !== undefined && !(cwdExpr && cwd === undefined)) workerModule = relPath(cwd ?? '.', script);
          this.addSpawn(c.system, c.label, mode.parent, workerModule);
        }
      }
    }
  }

  protected visitNew(ne: ts.NewExpression): void {
    const s = this.sym(ne.expression);
    const args = ne.arguments ?? [];
    // `new MyWorker()` where `import MyWorker from './w.js?worker'` (Vite): the import names the script
    const imp = this.workerImport(ne.expression);
    if (imp?.gives === 'constructor' && imp.start) this.addSpawn(imp.start.system, imp.start.label, ne, imp.file);
    else if (s) this.constructed(s, args, ne);
    this.visit(ne.expression);
    for (const a of args) this.visit(a);
  }

  /** The functions of a `{ name: fn, ... }` task object (workerpool.worker, poolifier) run in the worker. */
  protected taskObjectHandlers(arg: ts.Expression, functionKey?: string): void {
    let obj = unwrap(arg);
    if (ts.isIdentifier(obj)) {
      const d = this.lookup(obj.text);
      if (d?.init) obj = d.init;
    }
    if (!ts.isObjectLiteralExpression(obj)) return;
    for (const p of obj.properties) {
      let fn: ts.Node | undefined;
      if (ts.isMethodDeclaration(p)) fn = p;
      else if (ts.isPropertyAssignment(p)) {
        fn = this.functionNodeOf(p.initializer);
        // `{ name: { taskFunction: fn, priority } }`
        const holder = !fn && functionKey ? this.objectLiteralOf(p.initializer) : undefined;
        const inner = holder && this.propValue(holder, functionKey!);
        if (inner) fn = this.functionNodeOf(inner);
      } else if (ts.isShorthandPropertyAssignment(p)) fn = this.functionNodeOf(p.name);
      if (fn) this.pendingHandlers.push(fn);
    }
  }

  /**
   * `expose(x)` (threads.js, comlink): x's code runs in the worker when the parent calls it —
   * a function, an object's functions, or the methods of a class (given, or instantiated).
   */
  protected exposedHandlers(arg: ts.Expression): void {
    const fn = this.functionNodeOf(arg);
    if (fn) {
      this.pendingHandlers.push(fn);
      return;
    }
    let e = unwrap(arg);
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      if (d?.classNode) return this.classTasks(undefined, d.classNode);
      if (d?.init && !d.pattern && ts.isNewExpression(d.init)) e = d.init;
    }
    if (ts.isClassExpression(e)) return this.classTasks(undefined, e);
    if (ts.isNewExpression(e)) {
      const c = unwrap(e.expression);
      const cls = ts.isIdentifier(c) ? this.lookup(c.text)?.classNode : ts.isClassExpression(c) ? c : undefined;
      if (cls) this.classTasks(undefined, cls);
      return;
    }
    this.taskObjectHandlers(arg);
  }

  /** The remote-proxy model a receiver was made by: `wrap(ep)` / `await spawn(w)`, directly or through a variable. */
  protected remoteProxyOf(recv: ts.Expression): { channel: string; passThrough?: string[] } | undefined {
    if (REMOTE_PROXIES.size === 0) return undefined;
    let e = unwrap(recv);
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      if (!d?.init || d.pattern) return undefined;
      e = unwrap(d.init);
    }
    if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
    if (!ts.isCallExpression(e)) return undefined;
    const s = this.sym(e.expression);
    return s ? REMOTE_PROXIES.get(s) : undefined;
  }

  /**
   * A task class — poolifier's `new ThreadWorker(fn | { name: fn })` (or `super(...)` in a
   * subclass, `cls`): the task functions run in the worker, and so does every method of the subclass.
   */
  protected classTasks(arg: ts.Expression | undefined, cls: ts.ClassLikeDeclaration | undefined, functionKey?: string): void {
    if (arg) {
      const fn = this.functionNodeOf(arg);
      if (fn) this.pendingHandlers.push(fn);
      else this.taskObjectHandlers(arg, functionKey);
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
      offset: this.nodeStart(node),
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
    // `this._childWorkerPath`, set in the constructor (`this._childWorkerPath = opts.path || require.resolve('./child')`)
    if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const init = this.memberInits.get(e.name.text);
      return init ? this.modulePath(init, depth + 1) : undefined;
    }
    // `options.workerPath || require.resolve('./worker')`: the default this file names
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
      return this.modulePath(e.left, depth + 1) ?? this.modulePath(e.right, depth + 1);
    }
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern) return this.modulePath(d.init, depth + 1);
      // `import url from './w.js?worker&url'` (Vite)
      const imp = this.workerImport(e);
      return imp?.gives === 'url' ? imp.file : undefined;
    }
    if (ts.isNewExpression(e)) {
      const c = dottedName(e.expression);
      const args = e.arguments ?? [];
      if ((c === 'URL' || c?.endsWith('.URL')) && args.length >= 1) {
        const first = stringValue(unwrap(args[0]));
        if (first !== undefined) return args.length >= 2 ? first : first;
        // `new URL(workerUrl, import.meta.url)` with `workerUrl` a bundler's worker URL import
        const imp = this.workerImport(args[0]);
        if (imp?.gives === 'url') return imp.file;
      }
      return undefined;
    }
    if (ts.isCallExpression(e)) {
      const name = dottedName(e.expression);
      // `require('node:path').join(...)`: no dotted name, but the method name is what matters
      const callee = unwrap(e.expression);
      const last = name?.split('.').pop() ?? (ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined);
      // `import.meta.resolve('./worker.js')` (Deno, browsers) is the URL of that module
      const metaResolve = isImportMeta(callee, 'resolve');
      if (last === 'fileURLToPath' || last === 'pathToFileURL' || name === 'require.resolve' || metaResolve) {
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


/** Node flags whose next argument is their value, not the script; flags that run code instead of a script. */
const VALUE_FLAGS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--env-file', '-C', '--conditions', '--title']);
const EVAL_FLAGS = new Set(['-e', '--eval', '-p', '--print']);

function relPath(...parts: string[]): string {
  const joined = nodePath.posix.join(...parts.map((p) => p.replace(/\\/g, '/')));
  if (nodePath.posix.isAbsolute(joined)) return joined;
  return joined.startsWith('.') ? joined : `./${joined}`;
}
