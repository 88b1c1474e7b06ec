/**
 * loky (standalone, and vendored as `joblib.externals.loky`): a reusable process pool
 * executor. Like joblib's default backend its workers start as fresh interpreters, never run
 * the entry script, and receive tasks by cloudpickle; `initializer=`/`initargs=` set up
 * each worker.
 */
import { EXECUTOR_METHODS } from './concurrent_futures';
import type { PythonFramework } from './types';

const PREFIXES = ['loky', 'joblib.externals.loky'];

export const loky: PythonFramework = {
  doc: {
    id: 'loky',
    language: 'python',
    title: 'loky',
    runsInWorker: 'functions submitted to get_reusable_executor() / loky.ProcessPoolExecutor, and their initializers',
    channels: ['task arguments and return values', 'initializer/initargs'],
    detected: ['stale reads of imported modules\' state', 'lost writes', 'thread primitives in processes'],
    fixtures: 'runnable',
    runtime: { debian: ['python3-joblib'] },
    references: ['https://loky.readthedocs.io/en/stable/API.html'],
  },
  serializer: 'cloudpickle',
  calls: [
    {
      // get_reusable_executor(max_workers, context, timeout, kill_workers, reuse, job_reducers, result_reducers, initializer, initargs, env)
      names: PREFIXES.flatMap((p) => [`${p}.get_reusable_executor`, `${p}.reusable_executor.get_reusable_executor`]),
      system: 'loky', label: 'get_reusable_executor', kind: 'process', shape: 'executor',
      fixedStart: { method: 'spawn', by: 'loky' },
      initializer: { pos: 7, kw: 'initializer' }, initargs: { pos: 8, kw: 'initargs' },
      submit: EXECUTOR_METHODS,
    },
    {
      // ProcessPoolExecutor(max_workers, job_reducers, result_reducers, timeout, context, initializer, initargs, env)
      names: PREFIXES.flatMap((p) => [`${p}.ProcessPoolExecutor`, `${p}.process_executor.ProcessPoolExecutor`]),
      system: 'loky', label: 'loky.ProcessPoolExecutor', kind: 'process', shape: 'executor',
      fixedStart: { method: 'spawn', by: 'loky' },
      initializer: { pos: 5, kw: 'initializer' }, initargs: { pos: 6, kw: 'initargs' },
      submit: EXECUTOR_METHODS,
    },
  ],
};
