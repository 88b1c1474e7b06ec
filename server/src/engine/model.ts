/**
 * The language-neutral model of one source file ("module").
 *
 * Front ends (TypeScript compiler API for JS/TS, tree-sitter for Python) turn a file's
 * text into a {@link ModuleModel}; they never look at other files. The engine links the
 * models of a project (imports, exports, calls across files), computes the contexts of
 * SPEC §2 (import time / parent run time / worker / initializer) and runs the rules.
 *
 * Positions are 0-based lines and 0-based UTF-16 character offsets (LSP's convention);
 * `offset` fields are UTF-16 offsets into the file text.
 */

import type { ModuleFacts } from '../flow/facts';

export type Language = 'js' | 'python';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/**
 * A reference to something visible at module scope of the module that holds it:
 * `{ name: 'task' }` is the module-level binding `task`; `{ name: 'config', member:
 * 'SETTINGS' }` is `config.SETTINGS` where `config` is a module-level binding bound to an
 * imported module (namespace import, `require`, `import config`). Longer chains
 * (`a.b.c`) are given as `{ name: 'a', member: 'b' }` — the engine only follows one
 * module hop per reference, then follows imports/re-exports of the target module.
 */
export interface Ref {
  name: string;
  member?: string;
  /**
   * Python: `name` is module `from`'s binding, reached through an import inside a function
   * (`def show(): from worker import current; current.id`): no binding of this module
   */
  from?: string;
}

/** What a module-level binding holds, as far as its declaration shows. */
export type ValueKind =
  /** literal number/string/bool/None/null/undefined, a tuple/frozenset of literals, `Object.freeze(...)` */
  | 'constant'
  /** list/dict/set/array/object literal, `new Map()`, `new Set()`, `[]`, `{}`, `collections.defaultdict(...)`, `Counter()`... */
  | 'mutable'
  | 'function'
  | 'class'
  /** bound by an import (see {@link Binding.importFrom}) */
  | 'import'
  /** `threading.Lock()/RLock/Semaphore/BoundedSemaphore/Event/Condition/Barrier`, `queue.Queue()` (Python) */
  | 'thread-primitive'
  /** `multiprocessing.Queue/SimpleQueue/Lock/RLock/Semaphore/Event/Value/Array/Pipe`, shared_memory */
  | 'process-primitive'
  /** `Manager()` or one of its proxies (`manager.list()`, `.dict()`, `.Queue()` ...) */
  | 'manager-proxy'
  /** a pool/executor object (Pool(), ProcessPoolExecutor(), new Piscina(), workerpool.pool()) */
  | 'pool'
  /** declared without a value (`let x;`, `x: int`) or bound to `None`/`null`/`undefined` */
  | 'empty'
  | 'unknown';

export interface ImportFrom {
  /** the module specifier exactly as written: './config.js', 'config', '.config', '..pkg.mod', 'node:worker_threads' */
  specifier: string;
  /**
   * the imported name: a name exported by the target; '*' for the module object itself
   * (namespace import, `require(...)` bound whole, Python `import x` / `import x.y as z`);
   * 'default' for an ES default import (or CommonJS `module.exports` when bound whole).
   */
  imported: string;
}

export interface Binding {
  name: string;
  /** the declaring name's range (first declaration) */
  range: Range;
  kind: ValueKind;
  /** constructor / callee name for kinds derived from a call (e.g. 'threading.Lock', 'Manager().list'), for messages */
  detail?: string;
  /** JS: declared with `const` (cannot be reassigned). Python: always false. */
  isConst: boolean;
  importFrom?: ImportFrom;
  /** the function unit id when kind === 'function' (def / function decl / const f = () => ...) */
  unit?: number;
  /** the class's method unit ids when kind === 'class' (engine treats `Cls.m` / `Cls(...)` calls loosely) */
  methods?: number[];
  /** Python, kind === 'class': the names its body binds (`X = 5`, `def m`), as bindings named `Cls.X` */
  attrs?: Map<string, Binding>;
  /**
   * Python, kind === 'class': a base is a standard-library process class
   * (`multiprocessing.Process`, `ctx.Process`, `multiprocessing.context.SpawnProcess`...),
   * with the start method the base pins. The class's `run()` is worker code.
   */
  processClass?: { startMethod?: StartMethod };
  /**
   * Python: a later assignment (the main guard, `global X` in a function) binds a `Manager()`
   * proxy (`X = Manager().dict()`) though the first value is something else (`X = None`).
   */
  laterProxy?: boolean;
  /** Python, kind === 'class': a base is `threading.Thread`: the class's `run()` is thread code of the process that starts it */
  threadClass?: boolean;
  /** Python, kind === 'class': the other bases that are module-level names (`Base`, `mod.Base`), in order */
  bases?: Ref[];
  /**
   * Python, kind === 'class': bases `NAME['k1']['k2'].Process` — the Process class of a
   * multiprocessing context kept in a dict (mpire's `MP_CONTEXTS['mp']['spawn'].Process`);
   * the engine looks the key path up in the dict `NAME` resolves to ({@link Binding.contexts}).
   */
  contextBases?: Array<{ ref: Ref; keys: string[] }>;
  /**
   * Python: a module-level dict literal holding multiprocessing contexts
   * (`{'mp': {'spawn': mp.get_context('spawn')}}`): the key path to each, with its start
   * method; a binding that is a context itself (`ctx = mp.get_context('fork')`): one, with
   * the empty key path.
   */
  contexts?: Array<{ keys: string[]; startMethod?: StartMethod }>;
  /** Python: the binding's one value is `Cls(...)` (`FLAG = Flag()`): the called name */
  instanceOf?: Ref;
  /**
   * Python: a module-level function (or class) a framework runs in other processes when it
   * is submitted (`@ray.remote`, `@app.task`, `@udf`; ../frameworks/python): the submitting
   * methods, or '()' when calling it submits it. A class with `actors` is an actor class:
   * `Cls.remote()` starts its process, where all its methods run.
   */
  remote?: {
    system: SystemKind;
    label: string;
    submit: string[];
    actors?: boolean;
    isProcess: boolean | 'maybe';
    /** the wrapper form (`remote_f = ray.remote(f)`): the module-level function or class wrapped */
    wraps?: string;
  };
}

/** How a module-level binding is touched. */
export type AccessKind =
  /** plain read of the value (not part of a write on the same binding) */
  | 'read'
  /** `x = ...` (Python needs `global x` inside functions), `x += 1` counts as 'update' */
  | 'assign'
  /** `x += 1`, `x++`, `x -= ...` */
  | 'update'
  /** a mutating method call on the object: append/extend/insert/add/update/setdefault/pop/clear/remove/push/set/delete/splice/unshift/... */
  | 'mutate-call'
  /** `x[k] = v`, `x.attr = v`, `del x[k]`, `x.a.b = v`, `x[k] += v` */
  | 'item-assign';

export interface Access {
  ref: Ref;
  kind: AccessKind;
  /** the range of the name (or `mod.NAME` member) being accessed — what the finding underlines */
  range: Range;
  offset: number;
  /** for 'mutate-call': the method name; for 'item-assign': the key/attribute text when simple */
  detail?: string;
  /**
   * true when this read is guarded lazy initialisation, e.g. `if _conn is None: _conn = connect()`
   * / `if (!cache) cache = new Map()` / `if k not in _cache:`; front ends may set it,
   * the engine also treats "the unit assigns the binding itself" as per-worker state.
   */
  lazyInit?: boolean;
  /**
   * true on an assignment at the head of a function (after its docstring and `global`
   * statements, before anything else) whose value is one of the function's parameters:
   * `global LIMIT; LIMIT = limit`. When the function is a task, the parent handed the
   * value over (Process args, task arguments): worker set-up, like an initializer.
   */
  fromParam?: boolean;
  /**
   * Python: the access goes through an attribute of the binding (`Config.X`, `Config.X += 1`,
   * `Config.items.append(v)`, `cls.X = v` in a classmethod): what it is to that attribute.
   * When the binding is a class, the engine takes the access as one to the class attribute
   * `Config.X`, a symbol of its own (class attributes are module-level state).
   */
  member?: { name: string; kind: AccessKind; detail?: string; range: Range };
  /**
   * Python: `y.m(...)` where `y` comes from `from x import y`, which may be a submodule or a
   * value: the front end records both readings, and the engine keeps this record only when
   * `y` turns out to be (true) or not to be (false) a module (see Linker.importIsModule).
   */
  asModule?: boolean;
}

export interface Call {
  /** what is called: a module-level function/class, or `mod.fn` through an imported module */
  callee: Ref;
  range: Range;
  offset: number;
  /** Python: `Name.method()` on an imported name: a call only when the name turns out to be a class */
  ifClass?: boolean;
  /**
   * Python: `y.m(...)` where `y` comes from `from x import y`, which may be a submodule or a
   * value: the front end records both readings, and the engine keeps this record only when
   * `y` turns out to be (true) or not to be (false) a module (see Linker.importIsModule).
   */
  asModule?: boolean;
  /** Python: `.start()` is called on the value this call returns (`Worker(...).start()`, `w = Worker(); w.start()`): its range */
  started?: Range;
  /**
   * Python: the callee is not called here but registered to run later in this process:
   * 'exit' when the process exits (`atexit.register(f)`), 'later' at some later time
   * (`signal.signal(s, f)`: when the signal arrives).
   */
  registered?: 'exit' | 'later';
  /**
   * Python: not a call of the callee but `callee.<submits>(...)` (`task.delay(x)`,
   * `f.remote(x)`): a submission when the callee turns out to be a remote function
   * ({@link Binding.remote}), never a call edge.
   */
  submits?: string;
  /** JS: a function handed to the callee as an argument (`app.get('/me', me)`): it may run now or later */
  handedOver?: boolean;
}

export type UnitKind =
  /** a module's top-level code outside any main-guard / thread branch (import time) */
  | 'module'
  /** Python `if __name__ == '__main__':` body */
  | 'main-guard'
  /** Node `if (isMainThread)` / `if (cluster.isPrimary|isMaster)` / `if (!cluster.isWorker)` body: parent run time */
  | 'main-branch'
  /** Node `else` of the above / `if (!isMainThread)` / `if (cluster.isWorker)` / `if (parentPort)`: worker side */
  | 'worker-branch'
  /** a named or anonymous function/method/lambda */
  | 'function';

/**
 * A unit of code: the top level, a guarded branch of it, or a function. Nested functions
 * are their own units with `parent` set: the engine assumes a nested function runs in the
 * same context as its enclosing unit (callbacks, closures), unless it is used as a task or
 * handler elsewhere.
 */
export interface Unit {
  id: number;
  kind: UnitKind;
  /** display name: 'task', 'Cache.get', '<module>', '<main>', '<worker branch>', '<lambda>', '<anonymous>' */
  name: string;
  /** whole unit (for a branch: the branch body) */
  range: Range;
  /** the name (or the `function`/`def`/`=>` token / the `if` keyword) — where hover and code lens anchor */
  nameRange: Range;
  /** enclosing unit (for top-level functions: the 'module' unit; for branches: the 'module' unit) */
  parent?: number;
  /** the module-level binding this function is stored in (`def task`, `function task`, `const task = ...`, `exports.task = function...`) */
  binding?: string;
  /** exported names this unit is exported as (`export function f`, `module.exports = fn` → 'default', `module.exports.run = fn` → 'run') */
  exportedAs?: string[];
  params: string[];
  /** this unit's own accesses to module-level bindings (not those of nested units) */
  accesses: Access[];
  calls: Call[];
  /** Python `global X` names declared in this function */
  globals?: string[];
  /** true for lambdas and nested (non-module-level) functions/closures */
  isNested: boolean;
  /** Python generator function / JS generator */
  isGenerator?: boolean;
  /**
   * Python: a lambda handed to a pool or process (`initializer=lambda: ...`, a lambda task):
   * it runs there, not as a closure of the unit that defines it (no closure edge)
   */
  detached?: boolean;
  /**
   * JS: an `'exit'` handler of a worker or child this file starts (`w.on('exit', fn)`,
   * `cluster.on('exit', fn)`), or a function nested in one: it runs after that worker has
   * finished, so its writes never reach it.
   */
  afterWorkerExit?: boolean;
}

/** The process/worker systems of SPEC §2. */
export type SystemKind =
  | 'mp.Pool'
  | 'mp.Process'
  | 'mp.Manager'
  | 'ProcessPoolExecutor'
  | 'InterpreterPoolExecutor'
  /** a ThreadPoolExecutor / threading.Thread / multiprocessing.dummy / ThreadPool — recorded so hover can say "threads share globals"; never a finding */
  | 'threads'
  | 'worker_threads'
  | 'child_process.fork'
  | 'cluster'
  | 'piscina'
  | 'tinypool'
  | 'workerpool'
  /** poolifier's Fixed/Dynamic Thread/Cluster pools; the worker file's `new ThreadWorker(...)` / `ClusterWorker` functions are its tasks */
  | 'poolifier'
  /** joblib `Parallel(...)` on its default loky backend (cloudpickle; the workers do not run `__main__`) */
  | 'joblib'
  /** loky's `get_reusable_executor` / `ProcessPoolExecutor` (also `joblib.externals.loky`) */
  | 'loky'
  /** pathos process pools (`ProcessPool`, `ProcessingPool`): multiprocess with dill, `map(f, *iterables)`, `pipe(f, *args)` */
  | 'pathos'
  /** PyTorch `DataLoader(dataset, num_workers>0)`: the Dataset's methods run in its worker processes */
  | 'torch.DataLoader'
  /** Celery: `@app.task` / `@shared_task` bodies, submitted with `.delay()` / `.apply_async()`, run in worker processes */
  | 'celery'
  /** dask's processes scheduler (`scheduler="processes"`, dask.bag's default) */
  | 'dask'
  /** dask.distributed: `Client.submit` / `Client.map` run on the cluster's worker processes */
  | 'dask.distributed'
  /** Ray: `@ray.remote` functions (`.remote()`) and actor classes run in Ray worker processes */
  | 'ray'
  /** PySpark: functions given to RDD methods and UDFs run on the executors */
  | 'pyspark'
  /** mpire `WorkerPool`: functions given to `map`/`apply`/... run in its worker processes */
  | 'mpire'
  /** `child_process.spawn/execFile/exec` (and their Sync forms) running a Node script: a child process without an IPC channel */
  | 'child_process.spawn'
  /** jest-worker's `new Worker(module, { exposedMethods })`: the module's exports run in child processes (threads with enableWorkerThreads) */
  | 'jest-worker'
  /** Electron's `utilityProcess.fork(modulePath)`: a Node child process; messages over `process.parentPort` */
  | 'electron.utilityProcess'
  /** pm2's `ecosystem.config.js` app with `exec_mode: 'cluster'`: the script runs once per instance, each a process */
  | 'pm2.cluster'
  /** threads.js: `spawn(new Worker('./w'))`, `Pool(() => spawn(...))`; the worker file's `expose(...)` functions run in it */
  | 'threads.js'
  /** the Web Worker API (browsers, Deno, Bun): a global `new Worker(url)` / `new SharedWorker(url)` */
  | 'web-worker';

export type StartMethod = 'fork' | 'spawn' | 'forkserver';

/** A task callable handed to a pool/process (runs in the worker). */
export interface TaskRef {
  ref: Ref;
  /** the submitting call (`pool.map(task, xs)`, `ex.submit(task)`, `Process(target=task)`), for related info */
  range: Range;
  /** e.g. 'Pool.map', 'ProcessPoolExecutor.submit', 'Process(target=)' */
  label: string;
  /** set by the engine for the sites it makes (a `Process` subclass's `run`): the symbols to try, nearest first */
  symbols?: string[];
  /**
   * Python: a function unit of this module given directly (a lambda `initializer=` or task):
   * it runs in the worker, not in the unit that defines it.
   */
  unit?: number;
  /**
   * Python: `ref` is `{ name: Cls, member: m }` for a method of an instance handed to the
   * workers (a DataLoader's Dataset): the engine also looks for `m` along the class's bases.
   */
  inherited?: boolean;
}

/**
 * A task or initializer expression the front end could not resolve to a module-level name
 * (`self.method`, an instance with `__call__`, `functools.partial(...)` of a local, a
 * variable): the engine asks the value-flow layer (../flow) what it holds.
 */
export interface FlowTask {
  /** start offset of the argument expression */
  offset: number;
  /** the submitting call, as {@link TaskRef.range} */
  range: Range;
  label: string;
  initializer?: boolean;
}

/** A value handed to a worker/child that cannot travel (SPEC `unsendable-payload`). */
export interface Payload {
  range: Range;
  /** the payload's name/text for `symbol` (e.g. 'lambda', 'lock', 'onDone') */
  symbol: string;
  what:
    | 'lambda'
    | 'local-function'
    | 'generator'
    | 'open-file'
    | 'thread-lock'
    | 'process-queue'
    | 'process-lock'
    | 'function'
    | 'class-instance'
    | 'symbol'
    | 'promise'
    | 'weakmap'
    /** workerpool `pool.exec(fn)` where fn uses outer-scope names: see `freeNames` */
    | 'closure'
    /** an object (reached through a name) one of whose properties is a function: see `member` */
    | 'object-with-method'
    /** a MessagePort / web stream that must be listed in the transfer list (its type in `member`) */
    | 'needs-transfer';
  /** the channel: 'Pool.map', 'workerData', 'postMessage', 'piscina.run', 'pool.exec', ... */
  channel: string;
  freeNames?: string[];
  /** for 'object-with-method': the method's (property's) name; for 'needs-transfer': the value's type ('MessagePort', 'ReadableStream') */
  member?: string;
  /** for 'needs-transfer' inside an object sent by name (`postMessage(setup)`): the value to list, e.g. 'port2' */
  value?: string;
  /** for 'closure': the function unit id */
  unit?: number;
  /**
   * Python: the start methods under which it fails (a channel pickled only when the child
   * is a fresh interpreter: `Process` target/args, `initializer`/`initargs`); absent = all.
   */
  failsUnder?: StartMethod[];
  /** Python: index in {@link ModuleModel.spawns} of the site it is handed to, for the start method in force */
  site?: number;
}

/**
 * A place where processes/workers are created, with what runs in them. For pools the
 * front end gathers the submissions made on the same pool object (`with Pool() as p:
 * p.map(task, ...)`, `pool = Pool(); pool.apply_async(...)`, `self.pool.map(...)`).
 */
export interface SpawnSite {
  system: SystemKind;
  /** the unit whose code creates the workers */
  unit: number;
  /** the creating call (`Pool(4)`, `new Worker(...)`, `fork('./child.js')`, `cluster.fork()`) */
  range: Range;
  offset: number;
  /** 'Pool', 'ProcessPoolExecutor', 'Process', 'new Worker', 'fork', 'cluster.fork', 'new Piscina', 'workerpool.pool' */
  label: string;
  /** false for thread pools; 'maybe' when the executor class is chosen by an unknown expression */
  isProcess: boolean | 'maybe';
  tasks: TaskRef[];
  initializers: Ref[];
  /** tasks and initializers for the value-flow layer to resolve */
  flowTasks?: FlowTask[];
  /** Python: lambdas (function units of this module) given as `initializer=` */
  initializerUnits?: number[];
  /** Node: the worker/child module as written ('./worker.js', resolved relative to this file); 'self' for `__filename` / `import.meta.url` / `fileURLToPath(import.meta.url)` */
  workerModule?: string;
  /** Python: a start method pinned by `get_context(...)`, `mp_context=`, `set_start_method(...)` in this module; `max_tasks_per_child` without mp_context → 'spawn' */
  startMethod?: StartMethod;
  /** Node: the worker module's exports that are tasks, when the start lists them (jest-worker's `exposedMethods`); absent = every export */
  taskExports?: string[];
  /** Python: who fixes {@link startMethod} when the program cannot change it ('loky', 'sub-interpreters'), for messages */
  startMethodBy?: string;
  /**
   * Python: functions sent by value (those of the entry script, a lambda or nested def
   * task) travel with the current values of the module globals they name (cloudpickle:
   * joblib, loky), so their reads of those globals see the parent's value at submission;
   * module state reached through imported modules is still each worker's own.
   */
  capturesGlobals?: boolean;
  /** Python: functions travel by value (cloudpickle, dill): lambdas, nested defs and a notebook's functions can be sent */
  byValue?: boolean;
  /** Node: a pool's `workerData` option is present / Python: initargs given */
  passesState?: boolean;
  /** for `.start()`-style systems: the range of `p.start()` when it differs from creation (Process) */
  startRange?: Range;
  /**
   * Python: where, in the site's own unit, its workers are known to have finished: the end
   * of its `with` block, `join()`/`terminate()`/`shutdown()`, or the first results event
   * (`wait`, `as_completed`, `.result()`, `.get()`, a blocking `map`/`apply`) after its last
   * submission. Parent code after it does not run while the workers do.
   */
  endRange?: Range;
  /**
   * Python: the site is one submission of a pool that restarts its workers on each
   * (mpire without `keep_alive`): the offset of the pool's creating call, which stands for
   * the pool where one finding per pool is wanted (unguarded-spawn)
   */
  restartOf?: number;
  /**
   * Python: for workers that start when the object is iterated (a DataLoader): where this
   * code iterates it, by unit (`for batch in loader` in `train()`), so that a start at
   * import time is an iteration there, not the creation
   */
  launches?: Array<{ unit: number; range: Range }>;
}

/** Module-local facts that need no cross-file context. */
export interface ProxySerialized {
  range: Range;
  /** the proxy variable name */
  symbol: string;
  /** 'json.dumps' / 'json.dump' */
  callee: string;
}

export interface ExportEntry {
  /** the local module-level binding name, or a re-export from another module */
  local?: string;
  from?: ImportFrom;
}

export interface ParseProblem {
  range: Range;
  message: string;
}

export interface ModuleModel {
  /** absolute file path */
  path: string;
  language: Language;
  /** units[0] is always the 'module' unit */
  units: Unit[];
  bindings: Map<string, Binding>;
  /** exported name → what it is; Python: every module-level binding is implicitly exported (leave this empty for Python) */
  exports: Map<string, ExportEntry>;
  /** `export * from './x'`, Python `from x import *` */
  starExports: string[];
  /** module specifiers imported for side effects or otherwise (for the import graph) */
  imports: string[];
  /**
   * JS: those of {@link imports} that are only required inside a main branch or a function
   * (`if (cluster.isPrimary) require('./lib')`): loading this module does not load them.
   */
  deferredImports?: string[];
  /** Node: this module sets the script cluster workers run (`cluster.setupPrimary({ exec })`), so they do not re-run the entry */
  clusterExec?: boolean;
  spawns: SpawnSite[];
  payloads: Payload[];
  proxySerialized: ProxySerialized[];
  /**
   * Node worker-side message handlers registered at top level or anywhere: `parentPort.on('message', fn)`,
   * `parentPort.once(...)`, `process.on('message', fn)` (child_process child) — unit ids of `fn`.
   */
  workerHandlers: number[];
  /** Node: this module reads `workerData` at import time (so its worker-side globals set from it are initialised) — informational */
  readsWorkerData?: boolean;
  /** Python: `multiprocessing.set_start_method('x')` found at any level of this module */
  startMethod?: StartMethod;
  /**
   * suppression comments: line (0-based) → rule ids disabled on that line ('*' for all); a
   * negative key k disables them from line `-1 - k` to the end of the file (see {@link fromLineKey};
   * FILE_WIDE: the whole file)
   */
  suppressions: Map<number, string[]>;
  problems: ParseProblem[];
  /** value-flow facts (definitions, assignments, calls...) for the value-flow layer (../flow) */
  flow?: ModuleFacts;
  /**
   * JS: `x.run(payload)` calls on a receiver this file does not make (a parameter, a
   * factory's result), with the payload problems found in them: they count when the
   * value-flow layer finds a piscina/tinypool pool in `x` (see engine/flowLinkJs.ts)
   */
  flowPoolCalls?: Array<{ offset: number; payloads: Payload[] }>;
  /**
   * Python: the module puts a function in a table (`handlers.append(f)`,
   * `registry.register(f)`), or calls through a module-level one (`HANDLERS[kind](x)`):
   * only the value-flow layer finds where it runs.
   */
  tableHandlers?: boolean;
  /**
   * JS: `w.on('exit', fn)` on a receiver this file does not make (an imported factory's
   * result, a parameter): `offset` is the call's start, `unit` fn's unit. When the
   * value-flow layer finds a worker or child process in `w`, fn (and what is nested in it)
   * runs after that worker ended, like {@link Unit.afterWorkerExit}.
   */
  flowExitHandlers?: Array<{ offset: number; unit: number }>;
  /**
   * Python: method calls whose callee the front end cannot name — on a local holding what a
   * call made (`s = Service(); s.run()`), on a module-level name bound by a call, on an
   * instance attribute (`self._runner.run()`) — as triples: unit id, the call's start
   * offset, its position (line × 1,000,000 + character). Only the value-flow layer resolves
   * them (engine/flowLink.ts, callSites); they are never call edges of the front end's.
   */
  flowCalls?: number[];
}

/** The `suppressions` key of a file-level directive that applies from `line` (0-based) to the end of the file. */
export function fromLineKey(line: number): number {
  return -1 - line;
}

/** The `suppressions` key of a directive for the whole file (`# crossproc: disable-file=...`). */
export const FILE_WIDE = fromLineKey(0);
