/**
 * The JS/TS framework model: which imports name a framework, which calls start workers
 * and where their worker file, options and `workerData` sit, how work is submitted, what
 * runs on the worker side, and which channels copy by structured clone or by JSON.
 * The JS front end resolves imports to dotted symbols ('worker_threads.Worker',
 * 'piscina.Piscina', 'child_process.fork') and looks those symbols up in these models.
 */
import type { SystemKind } from '../../engine/model';
import type { ArgSlot, FrameworkDoc, Serializer, WorkerKind } from '../types';

/** What a started value is, for the calls later made on it (`pool.run(...)`, `child.send(...)`, `w.on('exit')`). */
export interface JsCreates {
  /** a pool: `run`/`exec`/`execute` on it submit work (see {@link JsSubmit}) */
  pool?: SystemKind;
  /** a pool whose workers are processes talking JSON over IPC (poolifier cluster pools) */
  cluster?: boolean;
  /** one child process ('child': `send` on it is a channel) or one worker thread ('worker') */
  proc?: 'child' | 'worker';
}

/** A call or constructor that starts workers: `new Worker(file, { workerData })`, `fork(file)`, `new Piscina({ filename })`. */
export interface JsStart {
  /** the callee as the front end resolves it: 'worker_threads.Worker', 'child_process.fork' */
  symbol: string;
  /** `new X(...)` (also `super(...)` in a subclass of X, and a parameter typed X) or `x(...)` */
  form: 'new' | 'call';
  system: SystemKind;
  /** the spawn site's label in messages: 'new Worker', 'fork', 'cluster.fork' */
  label: string;
  kind: WorkerKind;
  serializer: Serializer;
  creates: JsCreates;
  /**
   * The worker module: `pos`, an argument (skipped when it is the options object), `kw`, a
   * property of the options object (piscina's `filename`); `inArray`: the first element of the
   * array at `pos` that is not a `-flag` (`spawn(process.execPath, ['--flag', script])`);
   * `command`: the script of a shell command line at `pos` (`exec('node w.js')`);
   * 'self': the entry script runs again.
   */
  workerFile?: (ArgSlot & { inArray?: boolean; command?: boolean }) | 'self';
  /** a start only when the program run at this position is Node itself (`process.execPath`, `'node'`) */
  nodeProgram?: number;
  /**
   * Options whose literal value changes the workers (`enableWorkerThreads: true` in jest-worker):
   * the site then takes the variant's label, kind, serialiser and words.
   */
  variants?: { option: string; value: boolean; label: string; kind: WorkerKind; serializer: Serializer; workerWords: string; systemWords: string }[];
  /**
   * With the file's own path as worker module the child runs this file's top level again and
   * reaches this start again (unguarded-spawn): how the call reads in the message and what happens.
   */
  selfSpawn?: { args: string; consequence: string };
  /** the options object: an argument position, or the first object literal among the arguments */
  options?: number | 'first-object-literal';
  /**
   * `workerData` in the options: `depth` 1 = a property of the options, 2 = also one object
   * down (poolifier's `{ workerOptions: { workerData } }`); `transferList`: the option that moves values.
   */
  workerData?: { depth: number; transferList?: string };
  /** an export of the worker module each worker calls once before any task (jest-worker's `setup(...setupArgs)`): an initializer */
  initializerExport?: string;
  /** an option listing the names of the worker module's exports that are tasks (jest-worker's `exposedMethods`) */
  exposedOption?: string;
  /** argv strings handed to the child (a "am I the child" flag): the position of the args array */
  argv?: number;
  /** env handed to the child: 'options' (its `env` property) or an argument position holding the env object itself */
  env?: 'options' | number;
  /** words for the workers in findings: 'a child process', 'a worker thread' */
  workerWords: string;
  /** words for the workers in explanations: 'a child process (its own copy of every module)' */
  systemWords: string;
  /** the hover's "Fix:" advice for its workers, where the language's default does not fit (a Web Worker has no workerData) */
  fixWords?: { 'stale-global-read'?: string; 'lost-global-write'?: string };
  /**
   * The workers run the program's entry script again (`cluster.fork()`: the primary's
   * `process.argv[1]`), not the module that calls the start.
   */
  runsEntryScript?: boolean;
  /**
   * The functions the worker module registers are the pool's tasks (poolifier's
   * `new ThreadWorker(fn)`): findings say "<label> task", not "<label> → message handler".
   */
  handlersAreTasks?: boolean;
  /**
   * unguarded-spawn's fix wraps the start in `if (<guard>) { ... }`, titled `title`; the guard
   * is a named import (`isMainThread` from worker_threads), a member of the start call's
   * receiver (`cluster.isPrimary`), or an expression (`process.send === undefined`: a forked
   * child has an IPC channel).
   */
  mainGuard?: { title: string } & ({ named: string; from: string } | { receiverMember: string } | { expr: string });
  /**
   * Where the strings of the `argv` array land in the child's `process.argv` (fork: from 2,
   * after the Node binary and the script): stale-global-read's fix passes the parent's value
   * there. Absent where the layout is not known.
   */
  argvIndex?: number;
}

/** A method that submits work to a pool made by a {@link JsStart}: `pool.run(data, { transferList })`. */
export interface JsSubmit {
  method: string;
  /** the data sent (structured clone or JSON) */
  payload?: number;
  /**
   * a transfer list, or an options object holding one; several positions when versions
   * differ (poolifier 4: `execute(data, name, list)`, 5: `execute(data, name, signal, list)`):
   * the first that holds an array literal, else the first given
   */
  transfer?: number[];
  /** a function handed over to run in the worker (`pool.exec(fn, args)`): its free names are a closure finding */
  task?: number;
  /** the channel named in findings */
  channel: string;
  /** the channel's name when the pool's workers are processes talking JSON (nothing is transferred) */
  processChannel?: string;
}

/** A method that sends a message: `port.postMessage(v, [transfer])`, `child.send(v)`. */
export interface JsMessageChannel {
  method: string;
  channel: string;
  /** position of a transfer list (structured clone only) */
  transfer?: number;
  /** also a bare global (`postMessage(v)` in a Web Worker) */
  global?: boolean;
  /** receivers whose sends always cross (`process.send(v)` in a child) */
  receivers?: string[];
  /** otherwise a send counts only on a value made by a start that creates this */
  onCreated?: 'child';
}

/** Code that runs on the worker side. */
export type JsWorkerEntry =
  /**
   * `parentPort.on('message', fn)`, `process.on('message', fn)`, `self.addEventListener('message', fn)`;
   * `global`: also the bare call in the worker's global scope (`addEventListener('message', fn)`)
   */
  | { shape: 'message-handler'; receiver: string; events: string[]; global?: boolean }
  /**
   * `self.onmessage = fn` (a Web Worker's handler properties); `global`: also the bare
   * assignment (`onmessage = fn`, `onconnect = fn`) when the name is not declared
   */
  | { shape: 'handler-property'; receiver: string; properties: string[]; global?: boolean }
  /**
   * `expose(fn | { name: fn } | instance | Class)` (threads.js, comlink): the function, the
   * object's functions, or the class's methods run in the worker when the parent calls them
   */
  | { shape: 'exposed'; symbol: string; arg: number }
  /** `workerpool.worker({ name: fn })`: the object's functions */
  | { shape: 'task-object'; symbol: string; arg: number }
  /**
   * `new ThreadWorker(fn | { name: fn })` or a subclass: the functions and every method of the
   * subclass; `functionKey`: a task given as an object holding the function (`{ name: { taskFunction: fn, priority } }`)
   */
  | { shape: 'task-class'; symbol: string; arg: number; functionKey?: string };

/** A call whose option changes which script a self-spawning start runs (`cluster.setupPrimary({ exec })`). */
export interface JsScriptSetter {
  symbol: string;
  option: string;
}

/**
 * A configuration file that starts processes when a tool reads it (pm2's
 * `ecosystem.config.js`: `module.exports = { apps: [{ script, exec_mode: 'cluster', instances }] }`).
 */
export interface JsConfigStart {
  /** the property of the exported object that lists the apps */
  list: string;
  /** the app's script (the worker module), relative to `cwd` if given, else to the config file */
  script: string;
  cwd?: string;
  /** the app is started this way only when `option` is one of `values` */
  when: { option: string; values: string[] };
  /** how many processes: the app is started once when this option is absent or 1 */
  instances: string;
  system: SystemKind;
  label: string;
  kind: WorkerKind;
  workerWords: string;
  systemWords: string;
}

export interface JsFrameworkModel {
  doc: FrameworkDoc;
  /** module specifiers (without 'node:') whose imports resolve to symbols */
  modules: string[];
  /** what `import * as m` / `require(m)` is when it is not the module itself (piscina's module object is its class) */
  moduleObject?: Record<string, string>;
  /** what the default import is when it is not the module object */
  defaultExport?: Record<string, string>;
  /** member symbols that are another symbol: 'piscina.Piscina.default' → 'piscina.Piscina' */
  aliases?: Record<string, string>;
  starts: JsStart[];
  configStarts?: JsConfigStart[];
  /**
   * The workers are peer instances that share the work of one service (pm2 cluster mode:
   * each request may go to any instance): a write one instance makes while serving that
   * another code path reads is lost to the instances that serve that read (lost-global-write).
   */
  peerSystems?: SystemKind[];
  /** types that, annotating a parameter, say what it was made by (beyond the `new` starts): 'child_process.ChildProcess' */
  instanceTypes?: { symbol: string; creates: JsCreates }[];
  /** submissions to this framework's pools */
  submits?: { pool: SystemKind; submit: JsSubmit }[];
  messages?: JsMessageChannel[];
  workerEntries?: JsWorkerEntry[];
  /** the worker module's exports are its tasks (piscina, tinypool) */
  exportsAreTasks?: SystemKind[];
  scriptSetters?: JsScriptSetter[];
  /** symbols whose truth says "this is the main side" / "this is the worker side" (`isMainThread`, `cluster.isWorker`) */
  mainMarkers?: string[];
  workerMarkers?: string[];
  /** channels copied by structured clone: what can only be moved must be in a transfer list */
  transferChannels?: string[];
  /**
   * global names (neither imported nor declared) that are this framework's symbols, named
   * as themselves: the Web Worker API's 'Worker', 'SharedWorker', 'self'
   */
  globals?: string[];
  /**
   * Calls whose result stands for the worker's exposed API (comlink's `wrap(endpoint)`,
   * threads.js's `await spawn(worker)`): every argument of a method call on it is sent to
   * the worker on `channel`, except those wrapped by a call to one of `passThrough`
   * (`proxy(fn)`: a function called back over a port; `transfer(v, list)`: moved).
   */
  remoteProxies?: JsRemoteProxy[];
  /**
   * Bundler imports that name a worker script by the importing module's specifier with a
   * query (Vite's `import W from './w.js?worker'`, `import url from './w.js?worker&url'`):
   * every token of `query` is among the specifier's; the default import is either a
   * constructor that starts `start` (a symbol of this model's starts) with that script, or
   * the script's URL.
   */
  workerImports?: JsWorkerImport[];
}

/** See {@link JsFrameworkModel.workerImports}. */
export interface JsWorkerImport {
  /** '&'-separated tokens: 'worker', 'worker&url', 'sharedworker' */
  query: string;
  gives: 'constructor' | 'url';
  /** for a constructor: the start it makes ('Worker', 'SharedWorker') */
  start?: string;
}

/** See {@link JsFrameworkModel.remoteProxies}. */
export interface JsRemoteProxy {
  symbol: string;
  channel: string;
  passThrough?: string[];
}
