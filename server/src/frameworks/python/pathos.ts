/**
 * pathos: pools on top of multiprocess (dill). `ProcessPool`/`ProcessingPool` start their
 * processes when created (a pool is cached per size and reused) and map over several
 * iterables like the built-in `map`; `pipe(f, *args)` runs one call. Lambdas and closures
 * can be sent; module state is still each worker's own. `ThreadPool` runs threads,
 * `SerialPool` runs in the caller.
 */
import { POOL_METHODS } from './multiprocessing';
import type { PySubmitMethod, PythonFramework } from './types';

const METHODS: PySubmitMethod[] = [
  ...['map', 'imap', 'uimap', 'amap'].map((name) => ({ name, task: { pos: 0, kw: 'f' }, args: { kind: 'iterables' as const, from: 1 }, blocking: name === 'map' })),
  ...['pipe', 'apipe'].map((name) => ({ name, task: { pos: 0, kw: 'f' }, args: { kind: 'rest' as const, from: 1 }, blocking: name === 'pipe' })),
];
const PROCESS_POOLS = ['ProcessPool', 'ProcessingPool'].flatMap((c) => [`pathos.multiprocessing.${c}`, `pathos.pools.${c}`]);

export const pathos: PythonFramework = {
  doc: {
    id: 'pathos',
    language: 'python',
    title: 'pathos',
    runsInWorker: 'functions mapped or piped by ProcessPool / ProcessingPool',
    channels: ['task arguments and return values', 'initializer/initargs'],
    detected: ['stale reads and lost writes of module state', 'unguarded starts', 'thread primitives in processes'],
    fixtures: 'static',
    references: ['https://pathos.readthedocs.io/en/latest/pathos.html#module-pathos.multiprocessing'],
  },
  serializer: 'dill',
  calls: [
    {
      // ProcessPool(nodes, **kwds): kwds go to multiprocess.Pool (initializer, initargs, maxtasksperchild)
      names: PROCESS_POOLS,
      system: 'pathos', label: 'ProcessPool', kind: 'process', shape: 'pool',
      initializer: { kw: 'initializer' }, initargs: { kw: 'initargs' }, context: { kw: 'context' },
      submit: METHODS,
    },
    {
      names: ['pathos.threading.ThreadPool', 'pathos.pools.ThreadPool'],
      system: 'threads', label: 'ThreadPool', kind: 'thread', shape: 'pool',
      submit: METHODS,
    },
    {
      // the raw multiprocess pools pathos re-exports
      names: ['pathos.pools._ProcessPool', 'pathos.helpers.ProcessPool', 'pathos.multiprocessing._ProcessPool'],
      system: 'mp.Pool', label: 'Pool', kind: 'process', shape: 'pool',
      initializer: { pos: 1, kw: 'initializer' }, initargs: { pos: 2, kw: 'initargs' }, context: { pos: 4, kw: 'context' },
      submit: POOL_METHODS,
    },
  ],
};
