/**
 * mpire `WorkerPool`: functions given to `map`, `imap`, `apply`, ... run in its worker
 * processes, started by each map call (fork where it exists, unless `start_method=` says
 * 'spawn', 'forkserver' or 'threading'); with `keep_alive=True` workers outlive the call.
 * `shared_objects` is handed to the workers once (the task's first argument) and
 * `worker_init=` runs once in each worker.
 */
import type { PythonFramework, PySubmitMethod } from './types';

const MAP_INIT = { initializer: { kw: 'worker_init' } };
const METHODS: PySubmitMethod[] = [
  ...['map', 'map_unordered', 'imap', 'imap_unordered'].map((name) => ({
    name, task: { pos: 0, kw: 'func' }, args: { kind: 'iterable' as const, slot: { pos: 1, kw: 'iterable_of_args' } }, blocking: name.startsWith('map'), ...MAP_INIT,
  })),
  ...['apply', 'apply_async'].map((name) => ({
    name, task: { pos: 0, kw: 'func' }, args: { kind: 'args-kwargs' as const, args: { pos: 1, kw: 'args' }, kwargs: { pos: 2, kw: 'kwargs' } }, blocking: name === 'apply', ...MAP_INIT,
  })),
];

export const mpire: PythonFramework = {
  doc: {
    id: 'mpire',
    language: 'python',
    title: 'mpire',
    runsInWorker: 'functions given to WorkerPool.map / imap / apply ..., and worker_init',
    channels: ['shared_objects', 'worker_init / worker state', 'task arguments and results'],
    detected: ['stale reads and lost writes of module state', 'unguarded pools'],
    fixtures: 'static',
    references: [
      'https://sybrenjansen.github.io/mpire/master/usage/workerpool/shared_objects.html',
      'https://sybrenjansen.github.io/mpire/master/usage/workerpool/start_method.html',
      'https://sybrenjansen.github.io/mpire/master/usage/workerpool/keep_alive.html',
    ],
  },
  serializer: 'pickle',
  workers: 'mpire worker processes',
  calls: [
    {
      names: ['mpire.WorkerPool', 'mpire.pool.WorkerPool'],
      system: 'mpire', label: 'WorkerPool', kind: 'process', shape: 'pool',
      // WorkerPool(n_jobs, daemon, cpu_ids, shared_objects, pass_worker_id, use_worker_state, start_method, keep_alive, use_dill, ...)
      startMethodArg: { pos: 6, kw: 'start_method' },
      threadsWhen: [{ slot: { pos: 6, kw: 'start_method' }, values: ['threading'] }],
      defaultStartMethod: 'fork',
      serializerWhen: [{ slot: { pos: 8, kw: 'use_dill' }, values: ['True'], serializer: 'dill' }],
      restartsPerSubmission: { unless: { pos: 7, kw: 'keep_alive' } },
      submit: METHODS,
    },
  ],
};
