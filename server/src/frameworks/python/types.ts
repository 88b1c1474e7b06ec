/**
 * The shape of a Python framework model: which calls start workers or submit work, where
 * the task, its arguments and the initializer sit, what changes the worker kind or pins a
 * start method, which classes' `run()` is worker code. The Python front end reads these
 * through the registry (./index.ts); a model is plain data.
 */
import type { StartMethod, SystemKind } from '../../engine/model';
import type { ArgSlot, FrameworkDoc, Serializer, WorkerKind } from '../types';

/** Where a submit method's task arguments are (the values that are pickled to the workers). */
export type PyArgLayout =
  /** `Pool.map(f, iterable)`: each element of one iterable is an argument */
  | { kind: 'iterable'; slot: ArgSlot }
  /** `Executor.map(fn, *iterables)`: each element of every positional argument from `from` on */
  | { kind: 'iterables'; from: number }
  /** `Pool.starmap(f, iterable)`: the items of each (literal) tuple of the iterable */
  | { kind: 'tuples'; slot: ArgSlot }
  /** `Pool.apply(f, args, kwds)`: the items of a literal tuple and the values of a literal dict */
  | { kind: 'args-kwargs'; args: ArgSlot; kwargs: ArgSlot }
  /** `Executor.submit(fn, *args, **kwargs)`: every positional argument from `from` on and every keyword but the task's */
  | { kind: 'rest'; from: number }
  /**
   * joblib `Parallel(...)(delayed(f)(x) for x in xs)`: each element of the iterable is a
   * call of a wrapper call (`delayed(f)`) whose argument is the task; the element's
   * arguments are the task's (the submit method's own task slot is not used)
   */
  | { kind: 'wrapped-calls'; slot: ArgSlot; wrappers: string[] };

/** A method of a pool/executor object that hands a task to its workers. */
export interface PySubmitMethod {
  name: string;
  /** the task callable */
  task: ArgSlot;
  args: PyArgLayout;
  /** returns only when its tasks are done (`Pool.map`): a results event for the order of events */
  blocking?: boolean;
  /** a callable this submission runs once in each worker it starts (mpire's `map(..., worker_init=)`) */
  initializer?: ArgSlot;
}

/**
 * A choice a call's options make (joblib's `backend=`, `prefer=`): where the tasks run
 * ('inline': in the caller, one after the other — no workers at all), and what changes
 * with it.
 */
export interface PyBackend {
  kind: WorkerKind | 'inline';
  /** the system when it differs from the call's (`backend="multiprocessing"`: a multiprocessing Pool) */
  system?: SystemKind;
  serializer?: Serializer;
  /** the choice uses the program's start method, not the call's fixed one */
  programStartMethod?: boolean;
}

/** An option of the call (or of an enclosing config context) that picks a backend by its string value. */
export interface PyKindOption {
  /** the option's keyword (also its name in a config context) and position */
  slot: ArgSlot;
  values: Record<string, PyBackend>;
}

/** How many workers: a literal 1 runs the tasks in the caller; absent or None means `absent`. */
export interface PyWorkerCount {
  slot: ArgSlot;
  absent: 'inline' | 'many';
}

/**
 * A context manager that sets a call's options for the calls in its block
 * (`with parallel_config(backend="threading"):`): the option names are the call's keywords.
 */
export interface PyConfigContext {
  names: string[];
  /** option keyword of the call → where it is in the context manager's call */
  options: Record<string, ArgSlot>;
  /** the worker count a context implies when it does not give one (`parallel_backend`'s n_jobs=-1) */
  countDefault?: 'inline' | 'many';
}

/**
 * What a worker-creating call makes: a pool (submit methods), an executor (submit
 * methods), a process (one task, started by a method) or a manager (a server process).
 */
export type PyShape = 'pool' | 'executor' | 'process' | 'manager';

/** A call (a class or a factory) that creates workers. */
export interface PyWorkerCall {
  /** the qualified names it is called by: 'multiprocessing.Pool', 'multiprocessing.pool.Pool' */
  names: string[];
  /** the engine's system kind (SPEC §2) */
  system: SystemKind;
  /** how findings and hovers name it: 'Pool', 'ProcessPoolExecutor' */
  label: string;
  kind: WorkerKind;
  shape: PyShape;
  /** process shape: the task run in the child (`Process(target=)`), its arguments */
  task?: ArgSlot;
  args?: ArgSlot;
  kwargs?: ArgSlot;
  /** the method that starts the worker (`Process.start`); absent: workers start at creation */
  launch?: string;
  /** a callable run once in each worker at start-up, and its arguments */
  initializer?: ArgSlot;
  initargs?: ArgSlot;
  /** a multiprocessing context argument (`context=`, `mp_context=`): pins its start method */
  context?: ArgSlot;
  /** a keyword that, given a value other than None with no context, pins 'spawn' (`max_tasks_per_child`) */
  spawnWhenSet?: string;
  /** the methods that submit tasks */
  submit?: PySubmitMethod[];
  /**
   * the program's start method does not apply: the workers always start this way
   * (sub-interpreters and loky's processes import every module afresh), and `by` says who
   * fixes it, for messages
   */
  fixedStart?: { method: StartMethod; by: string };
  /** an argument naming the start method by string or context, pinning it (`start_method="fork"`, `multiprocessing_context=`) */
  startMethodArg?: ArgSlot;
  /**
   * options that choose the backend, in precedence order: the first with a known value
   * decides (each looked up on the call, then on the innermost config context)
   */
  kindOptions?: PyKindOption[];
  workerCount?: PyWorkerCount;
  configContexts?: PyConfigContext[];
  /**
   * how many worker processes: absent, or the literal 0, runs the tasks in this process
   * (PyTorch `DataLoader(num_workers=0)`, the default): no worker at all; another
   * expression (or `**kwargs`): maybe processes
   */
  workersArg?: ArgSlot;
  /** literal values of an argument that make the workers threads (`start_method='threading'`, `processes=False`) */
  threadsWhen?: Array<{ slot: ArgSlot; values: string[] }>;
  /**
   * the workers start when the object is iterated (`for batch in loader`, `iter(loader)`),
   * not when it is made: a start at import time is an iteration there
   */
  startsWhenIterated?: boolean;
  /**
   * with {@link startsWhenIterated}: each iteration starts the workers afresh (and they are
   * done when it ends) unless this argument is true (a DataLoader's `persistent_workers=True`
   * keeps the first iteration's workers for every later one)
   */
  restartsPerIteration?: { unless: ArgSlot };
  /** literal values of an argument that change how tasks travel (mpire `use_dill=True`: lambdas travel) */
  serializerWhen?: Array<{ slot: ArgSlot; values: string[]; serializer: Serializer }>;
  /**
   * each submission starts the workers afresh unless this argument is true (mpire restarts
   * its workers on every map call unless `keep_alive=True`): under fork each submission
   * sees the parent's state of that moment
   */
  restartsPerSubmission?: { unless: ArgSlot };
  /** the start method the library uses when none is given (mpire: 'fork' where fork exists) */
  defaultStartMethod?: StartMethod;
  /**
   * an argument holding an instance whose methods run in the workers (the Dataset of a
   * `DataLoader`): the class of the instance, and these methods of it (along its bases)
   */
  instanceTasks?: { slot: ArgSlot; methods: string[] };
}

/**
 * A decorator (or wrapper) that makes a function run in another process when it is
 * submitted: `@ray.remote` + `f.remote(x)`, `@app.task` + `f.delay(x)`, `@udf` + `f(col)`.
 */
export interface PyRemoteDecorator {
  /** qualified names of the decorator: 'ray.remote', 'celery.shared_task' */
  names?: string[];
  /** or a method of an object a constructor made: `@app.task` where `app = celery.Celery(...)` */
  methodOf?: { ctors: string[]; method: string };
  system: SystemKind;
  label: string;
  /**
   * what submits the decorated function: a method called on it (`delay`, `apply_async`,
   * `remote`), or '()' when calling it does (a UDF called in a query, a `dask.delayed` call)
   */
  submit: string[];
  /** a decorated class is an actor: `Cls.remote()` starts its process, and all its methods run there */
  actors?: boolean;
  /**
   * the scheduler decides whether calls run in processes (dask): processes only when the
   * module names one of `processes` as `scheduler=` (compute, persist, config.set) or makes a
   * distributed client
   */
  scheduler?: PyScheduler;
}

/** dask-style schedulers chosen by a `scheduler=` keyword. */
export interface PyScheduler {
  kw: string;
  processes: string[];
  threads: string[];
  /** calls whose presence in the module makes processes the default (a distributed `Client`) */
  processCtors?: string[];
}

/**
 * Methods of a framework's objects that ship a callable to the workers, recognised by
 * name in modules that import the framework (the objects come from chains the front end
 * does not type: `sc.parallelize(xs).map(f).collect()`).
 */
export interface PyShippingMethods {
  /** the module imports one of these (a prefix: 'pyspark' covers 'pyspark.sql') */
  imports: string[];
  methods: string[];
  task: ArgSlot;
  /**
   * the receiver must be the framework's object: a chain through one of these names
   * (`sc.parallelize(xs)`, `df.rdd`, `db.from_sequence(xs)`), possibly through these
   * methods or {@link passThrough} ones, directly or through a variable bound to it
   */
  sources: string[];
  /** the method names are the framework's own (`mapInPandas`): any receiver, in a module importing it */
  anyReceiver?: boolean;
  /** methods that return the same kind of object (`cache`, `repartition`, `union`) */
  passThrough?: string[];
  system: SystemKind;
  label: string;
  /** see {@link PyRemoteDecorator.scheduler}; absent: always processes */
  scheduler?: PyScheduler;
  /** with a scheduler: whether no `scheduler=` anywhere means processes (dask.bag) */
  defaultProcesses?: boolean;
}

/** A class a user class may subclass: its `run()` is worker code. */
export interface PyProcessClass {
  name: string;
  /** the start method the class pins (`SpawnProcess`) */
  startMethod?: StartMethod;
}

/** A call that returns a context object pinning a start method (`multiprocessing.get_context('spawn')`). */
export interface PyContextFactory {
  name: string;
  /** the start method argument */
  method: ArgSlot;
  /** the module whose names the context object offers (`ctx.Pool` is `multiprocessing.Pool`) */
  module: string;
}

/** A call that sets the program's start method: `multiprocessing.set_start_method(m)`. */
export interface PyStartMethodSetter {
  name: string;
  /** the start method argument */
  method: ArgSlot;
}

/**
 * A call that hands a task to an executor given as an argument, not as the receiver:
 * asyncio's `loop.run_in_executor(executor, func, *args)`. The executor's site gets the
 * submission; with `None` (or no executor) the task runs on `none` (the loop's default
 * thread pool) and nothing is recorded.
 */
export interface PyHandOver {
  /** the method name (on any receiver: an event loop) */
  method: string;
  executor: ArgSlot;
  task: ArgSlot;
  args: PyArgLayout;
  none: WorkerKind;
}

export interface PythonFramework {
  doc: FrameworkDoc;
  /**
   * how tasks and their arguments travel: by reference (pickle) or by value (cloudpickle,
   * dill: lambdas and closures can be sent; cloudpickle also sends the entry script's
   * functions with the current values of the globals they name)
   */
  serializer: Serializer;
  calls: PyWorkerCall[];
  processClasses?: PyProcessClass[];
  /** classes a user class may subclass whose `run()` is thread code of the process that starts it (`threading.Thread`) */
  threadClasses?: string[];
  contextFactories?: PyContextFactory[];
  startMethodSetters?: PyStartMethodSetter[];
  handOvers?: PyHandOver[];
  /**
   * This framework is another module re-exporting a model's API (`multiprocess` is
   * `multiprocessing` with dill): every name of the model `of` under the prefix `from` is
   * also this framework's name under `to`, with this framework's serializer.
   */
  aliasOf?: { of: string; from: string; to: string };
  /** decorators and wrappers that make functions (or classes: actors) remote */
  remoteDecorators?: PyRemoteDecorator[];
  /** methods of the framework's objects that ship a callable (`rdd.map(f)`) */
  shippingMethods?: PyShippingMethods[];
  /**
   * each worker imports the modules itself, in a process the framework started (a Celery
   * worker, a Ray worker, a Spark executor): the parent's run-time changes never reach it,
   * whatever the start method
   */
  separateWorkers?: boolean;
  /**
   * objects that really are shared with the workers, made by these methods in modules that
   * import the framework (Spark's `sc.accumulator(0)`, `sc.broadcast(v)`): writes to them and
   * reads of them are the channel, never a finding
   */
  channelFactories?: { imports: string[]; methods: string[] };
  /** how findings name the workers: 'Celery worker processes' (default: 'worker processes') */
  workers?: string;
  /** when a site whose kind an expression decides makes processes: 'if num_workers > 0' (default: 'if the executor is a process pool') */
  maybeWhen?: string;
}
