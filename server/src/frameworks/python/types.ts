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
  /**
   * options that choose the backend, in precedence order: the first with a known value
   * decides (each looked up on the call, then on the innermost config context)
   */
  kindOptions?: PyKindOption[];
  workerCount?: PyWorkerCount;
  configContexts?: PyConfigContext[];
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
}
