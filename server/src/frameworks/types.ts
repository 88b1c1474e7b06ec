/**
 * Framework models: what each library that runs code in another process, thread,
 * interpreter or machine means to the analysis. A model is plain typed data (plus, where
 * unavoidable, a small predicate); the front ends, the engine and the rules read only the
 * models, so teaching Crossproc a framework is one model file plus fixtures.
 *
 * This file holds what both languages share: the description every model carries (it
 * becomes the README's "Supported frameworks" table) and the small vocabulary of worker
 * kinds, serialisers and argument slots. Each language adds its own call shapes in
 * `python/types.ts` and `js/types.ts`.
 */

/** Where the code a framework runs for you executes. */
export type WorkerKind =
  /** a separate OS process on this machine: module state is a copy (fork) or re-imported (spawn, forkserver) */
  | 'process'
  /** a thread of this process: module state is shared; never a cross-process finding */
  | 'thread'
  /** a sub-interpreter (PEP 734) or a JS worker thread: modules are imported afresh, nothing is shared */
  | 'interpreter'
  /** a process on this or another machine that the framework manages (Ray, Dask distributed, Spark executors, Celery workers) */
  | 'remote';

/** How a task and its arguments travel to the worker, which decides what cannot be sent. */
export type Serializer =
  /** by reference: functions must be importable module-level names (multiprocessing, concurrent.futures) */
  | 'pickle'
  /** by value: lambdas and closures travel (loky, Ray, Dask, PySpark) */
  | 'cloudpickle'
  /** by value: lambdas and closures travel (multiprocess, pathos) */
  | 'dill'
  /** the HTML structured clone algorithm (worker_threads, Web Workers, piscina, tinypool) */
  | 'structured-clone'
  /** JSON over an IPC channel (child_process.fork, cluster, poolifier cluster pools) */
  | 'json'
  /** nothing is serialised: the worker shares the caller's memory (threads) */
  | 'none';

/** Where an argument of a call sits: by position, by keyword (Python) or by property of an options object (JS). */
export interface ArgSlot {
  pos?: number;
  kw?: string;
}

/** The description every model carries; the README's "Supported frameworks" table is made from it. */
export interface FrameworkDoc {
  /** stable id, also the model's file name: 'multiprocessing', 'joblib', 'worker_threads' */
  id: string;
  language: 'python' | 'js';
  /** display name: 'joblib', 'PyTorch DataLoader' */
  title: string;
  /** what runs in a worker, in a few words: 'functions wrapped in delayed(...) under Parallel' */
  runsInWorker: string;
  /** the correct channels for state, in a few words each: 'arguments', 'initializer', 'workerData', 'broadcast variables' */
  channels: string[];
  /** what Crossproc detects for this framework, in a few words each */
  detected: string[];
  /** 'runnable': fixtures run with the real runtime in `npm test`; 'static': checked against the cited docs only */
  fixtures: 'runnable' | 'static';
  /** what the runnable fixtures need installed (Debian packages, npm packages) */
  runtime?: { debian?: string[]; npm?: string[] };
  /** documentation the model is based on */
  references: string[];
}
