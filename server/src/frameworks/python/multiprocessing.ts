/**
 * multiprocessing: `Pool`, `Process`, `Manager`, contexts (`get_context`), process classes
 * a user class subclasses, and `multiprocessing.dummy` (the same API on threads).
 * Tasks and their arguments are pickled by reference: functions must be importable
 * module-level names; lambdas and nested defs cannot be sent.
 */
import type { PySubmitMethod, PythonFramework } from './types';

/** `Pool`'s submit methods (also `multiprocessing.dummy`'s, `ThreadPool`'s). */
export const POOL_METHODS: PySubmitMethod[] = [
  ...['map', 'map_async', 'imap', 'imap_unordered'].map((name) => ({
    name, task: { pos: 0, kw: 'func' }, args: { kind: 'iterable' as const, slot: { pos: 1, kw: 'iterable' } }, blocking: name === 'map',
  })),
  ...['starmap', 'starmap_async'].map((name) => ({
    name, task: { pos: 0, kw: 'func' }, args: { kind: 'tuples' as const, slot: { pos: 1, kw: 'iterable' } }, blocking: name === 'starmap',
  })),
  ...['apply', 'apply_async'].map((name) => ({
    name, task: { pos: 0, kw: 'func' }, args: { kind: 'args-kwargs' as const, args: { pos: 1, kw: 'args' }, kwargs: { pos: 2, kw: 'kwds' } }, blocking: name === 'apply',
  })),
];

export const multiprocessing: PythonFramework = {
  doc: {
    id: 'multiprocessing',
    language: 'python',
    title: 'multiprocessing',
    runsInWorker: 'Pool tasks and initializers, Process targets, run() of Process subclasses',
    channels: ['task arguments and return values', 'initializer/initargs', 'Process args', 'Queue, Pipe, Value, Array', 'Manager proxies'],
    detected: ['stale reads and lost writes of module state', 'unguarded starts', 'unsendable payloads', 'thread primitives in processes', 'proxies serialised to JSON'],
    fixtures: 'runnable',
    references: ['https://docs.python.org/3/library/multiprocessing.html'],
  },
  serializer: 'pickle',
  calls: [
    {
      names: ['multiprocessing.Pool', 'multiprocessing.pool.Pool', 'multiprocessing.context.BaseContext.Pool'],
      system: 'mp.Pool', label: 'Pool', kind: 'process', shape: 'pool',
      // Pool(processes, initializer, initargs, maxtasksperchild, context)
      initializer: { pos: 1, kw: 'initializer' }, initargs: { pos: 2, kw: 'initargs' }, context: { pos: 4, kw: 'context' },
      submit: POOL_METHODS,
    },
    {
      names: ['multiprocessing.dummy.Pool', 'multiprocessing.pool.ThreadPool', 'multiprocessing.dummy.ThreadPool'],
      system: 'threads', label: 'ThreadPool', kind: 'thread', shape: 'pool',
      initializer: { pos: 1, kw: 'initializer' }, initargs: { pos: 2, kw: 'initargs' }, context: { pos: 4, kw: 'context' },
      submit: POOL_METHODS,
    },
    {
      names: ['multiprocessing.Process', 'multiprocessing.process.Process', 'multiprocessing.context.Process'],
      system: 'mp.Process', label: 'Process', kind: 'process', shape: 'process',
      // Process(group, target, name, args, kwargs)
      task: { pos: 1, kw: 'target' }, args: { pos: 3, kw: 'args' }, kwargs: { pos: 4, kw: 'kwargs' }, launch: 'start',
    },
    {
      names: ['multiprocessing.dummy.Process'],
      system: 'threads', label: 'Thread', kind: 'thread', shape: 'process',
      task: { pos: 1, kw: 'target' }, args: { pos: 3, kw: 'args' }, kwargs: { pos: 4, kw: 'kwargs' }, launch: 'start',
    },
    {
      names: ['multiprocessing.Manager', 'multiprocessing.managers.SyncManager'],
      system: 'mp.Manager', label: 'Manager', kind: 'process', shape: 'manager',
    },
  ],
  processClasses: [
    { name: 'multiprocessing.Process' },
    { name: 'multiprocessing.process.BaseProcess' },
    { name: 'multiprocessing.context.Process' },
    { name: 'multiprocessing.context.SpawnProcess', startMethod: 'spawn' },
    { name: 'multiprocessing.context.ForkProcess', startMethod: 'fork' },
    { name: 'multiprocessing.context.ForkServerProcess', startMethod: 'forkserver' },
  ],
  contextFactories: [{ name: 'multiprocessing.get_context', method: { pos: 0, kw: 'method' }, module: 'multiprocessing' }],
  startMethodSetters: [{ name: 'multiprocessing.set_start_method', method: { pos: 0, kw: 'method' } }],
};
