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
  | { kind: 'rest'; from: number };

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
   * the program's start method does not apply: each worker imports every module afresh
   * (sub-interpreters), whatever `set_start_method` says
   */
  freshImports?: boolean;
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

export interface PythonFramework {
  doc: FrameworkDoc;
  /** how tasks and their arguments travel: by reference (pickle) or by value (cloudpickle, dill) */
  serializer: Serializer;
  calls: PyWorkerCall[];
  processClasses?: PyProcessClass[];
  contextFactories?: PyContextFactory[];
  startMethodSetters?: PyStartMethodSetter[];
  /**
   * This framework is another module re-exporting a model's API (`multiprocess` is
   * `multiprocessing` with dill): every name of the model `of` under the prefix `from` is
   * also this framework's name under `to`, with this framework's serializer.
   */
  aliasOf?: { of: string; from: string; to: string };
}
