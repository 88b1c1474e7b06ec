/**
 * concurrent.futures: process, thread and interpreter pool executors. Process pools
 * pickle tasks by reference (like multiprocessing); an InterpreterPoolExecutor (3.14) runs
 * each task in a sub-interpreter that imports every module afresh, like a spawned process.
 */
import type { PySubmitMethod, PythonFramework } from './types';

export const EXECUTOR_METHODS: PySubmitMethod[] = [
  // submit(fn, /, *args, **kwargs)
  { name: 'submit', task: { pos: 0, kw: 'fn' }, args: { kind: 'rest', from: 1 } },
  // map(fn, *iterables, timeout=None, chunksize=1)
  { name: 'map', task: { pos: 0, kw: 'fn' }, args: { kind: 'iterables', from: 1 } },
];

// Executor(max_workers, <mp_context | thread_name_prefix>, initializer, initargs)
const INIT = { initializer: { pos: 2, kw: 'initializer' }, initargs: { pos: 3, kw: 'initargs' } };

export const concurrentFutures: PythonFramework = {
  doc: {
    id: 'concurrent_futures',
    language: 'python',
    title: 'concurrent.futures',
    runsInWorker: 'functions submitted to a ProcessPoolExecutor or InterpreterPoolExecutor, and their initializers',
    channels: ['task arguments and return values (futures)', 'initializer/initargs'],
    detected: ['stale reads and lost writes of module state', 'unguarded starts', 'unsendable payloads', 'thread primitives in processes'],
    fixtures: 'runnable',
    references: [
      'https://docs.python.org/3/library/concurrent.futures.html',
      'https://docs.python.org/3.14/library/concurrent.futures.html#interpreterpoolexecutor',
    ],
  },
  serializer: 'pickle',
  calls: [
    {
      names: ['concurrent.futures.ProcessPoolExecutor', 'concurrent.futures.process.ProcessPoolExecutor'],
      system: 'ProcessPoolExecutor', label: 'ProcessPoolExecutor', kind: 'process', shape: 'executor',
      ...INIT, context: { pos: 1, kw: 'mp_context' }, spawnWhenSet: 'max_tasks_per_child',
      submit: EXECUTOR_METHODS,
    },
    {
      // each worker is a sub-interpreter: modules are imported afresh in it, whatever the start method
      names: ['concurrent.futures.InterpreterPoolExecutor', 'concurrent.futures.interpreter.InterpreterPoolExecutor'],
      system: 'InterpreterPoolExecutor', label: 'InterpreterPoolExecutor', kind: 'interpreter', shape: 'executor',
      ...INIT, fixedStart: { method: 'spawn', by: 'InterpreterPoolExecutor' },
      submit: EXECUTOR_METHODS,
    },
    {
      names: ['concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.thread.ThreadPoolExecutor'],
      system: 'threads', label: 'ThreadPoolExecutor', kind: 'thread', shape: 'executor',
      ...INIT,
      submit: EXECUTOR_METHODS,
    },
  ],
};
