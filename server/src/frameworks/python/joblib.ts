/**
 * joblib: `Parallel(n_jobs=...)(delayed(f)(x) for x in xs)`. The default backend, loky,
 * runs the tasks in worker processes that start as fresh interpreters and never run the
 * entry script; tasks travel with cloudpickle, which sends the entry script's functions by
 * value with the current values of the script globals they name (lambdas and closures
 * too), and imported functions by reference (their module is imported afresh in the worker,
 * at its import-time state). Writes made in a worker are lost either way.
 * `prefer="threads"`, `backend="threading"`, `require="sharedmem"` run threads;
 * `n_jobs=1` (and no n_jobs outside a config context) runs the tasks in the caller.
 */
import type { PyBackend, PythonFramework } from './types';

const WRAPPERS = ['joblib.delayed', 'joblib.parallel.delayed', 'sklearn.utils.parallel.delayed', 'sklearn.utils.fixes.delayed'];
const THREADS: PyBackend = { kind: 'thread', system: 'threads' };
const PROCESSES: PyBackend = { kind: 'process' };

export const joblib: PythonFramework = {
  doc: {
    id: 'joblib',
    language: 'python',
    title: 'joblib',
    runsInWorker: 'functions wrapped in delayed(...) under Parallel (loky processes by default)',
    channels: ['task arguments and return values'],
    detected: ['stale reads of imported modules\' state', 'lost writes', 'thread primitives in processes'],
    fixtures: 'runnable',
    runtime: { debian: ['python3-joblib'] },
    references: [
      'https://joblib.readthedocs.io/en/stable/parallel.html',
      'https://joblib.readthedocs.io/en/stable/generated/joblib.Parallel.html',
      'https://joblib.readthedocs.io/en/stable/generated/joblib.parallel_config.html',
    ],
  },
  serializer: 'cloudpickle',
  calls: [
    {
      names: ['joblib.Parallel', 'joblib.parallel.Parallel', 'sklearn.utils.parallel.Parallel', 'sklearn.utils.fixes.Parallel'],
      system: 'joblib', label: 'Parallel', kind: 'process', shape: 'pool',
      fixedStart: { method: 'spawn', by: 'loky' },
      // Parallel(n_jobs=None, backend=None, ..., prefer=None, require=None)
      kindOptions: [
        { slot: { kw: 'require' }, values: { sharedmem: THREADS } },
        {
          slot: { pos: 1, kw: 'backend' },
          values: {
            loky: PROCESSES,
            // a multiprocessing pool under the program's start method, pickle; joblib runs nested
            // Parallel calls inline in its daemonic workers, so a top-level call is not an unguarded start
            multiprocessing: { kind: 'process', serializer: 'pickle', programStartMethod: true },
            threading: THREADS,
            sequential: { kind: 'inline' },
          },
        },
        { slot: { kw: 'prefer' }, values: { processes: PROCESSES, threads: THREADS } },
      ],
      workerCount: { slot: { pos: 0, kw: 'n_jobs' }, absent: 'inline' },
      configContexts: [
        {
          names: ['joblib.parallel_config', 'joblib.parallel.parallel_config'],
          options: { backend: { pos: 0, kw: 'backend' }, n_jobs: { kw: 'n_jobs' }, prefer: { kw: 'prefer' }, require: { kw: 'require' } },
        },
        {
          // parallel_backend(backend, n_jobs=-1, ...)
          names: ['joblib.parallel_backend', 'joblib.parallel.parallel_backend'],
          options: { backend: { pos: 0, kw: 'backend' }, n_jobs: { pos: 1, kw: 'n_jobs' } },
          countDefault: 'many',
        },
      ],
      submit: [
        { name: '__call__', task: { pos: 0 }, args: { kind: 'wrapped-calls', slot: { pos: 0, kw: 'iterable' }, wrappers: WRAPPERS }, blocking: true },
      ],
    },
  ],
};
