/**
 * dask: which process a task runs in is the scheduler's choice. The threaded scheduler
 * (the default of dask.delayed, dask.array, dask.dataframe; `scheduler="threads"` /
 * `"sync"`) runs tasks in this process: no finding. The processes scheduler
 * (`scheduler="processes"`, dask.bag's default) runs them in a pool of processes started
 * with the 'spawn' context; dask.distributed's `Client.submit` / `Client.map` run them on
 * the cluster's worker processes (LocalCluster starts them). Tasks travel with cloudpickle:
 * lambdas are fine; the script's globals a task reads travel with it, other modules are
 * imported by each worker.
 */
import type { PyScheduler, PythonFramework, PySubmitMethod } from './types';

const SCHEDULER: PyScheduler = {
  kw: 'scheduler',
  processes: ['processes', 'multiprocessing'],
  threads: ['threads', 'threading', 'sync', 'synchronous', 'single-threaded'],
  processCtors: ['distributed.Client', 'dask.distributed.Client', 'distributed.LocalCluster', 'dask.distributed.LocalCluster'],
};

const CLIENT_METHODS: PySubmitMethod[] = [
  // submit(func, *args, **kwargs)
  { name: 'submit', task: { pos: 0, kw: 'func' }, args: { kind: 'rest', from: 1 } },
  // map(func, *iterables, **kwargs)
  { name: 'map', task: { pos: 0, kw: 'func' }, args: { kind: 'iterables', from: 1 } },
  // run(function, *args, **kwargs): on every worker
  { name: 'run', task: { pos: 0, kw: 'function' }, args: { kind: 'rest', from: 1 } },
];

export const dask: PythonFramework = {
  doc: {
    id: 'dask',
    language: 'python',
    title: 'dask',
    runsInWorker: 'delayed functions and bag.map functions under the processes scheduler; functions given to Client.submit / map / run',
    channels: ['task arguments and results', 'scatter / futures (distributed)'],
    detected: ['module state the parent changes and tasks read', 'module state tasks write', 'nothing under the threaded scheduler'],
    fixtures: 'runnable',
    runtime: { debian: ['python3-dask', 'python3-distributed'] },
    references: [
      'https://docs.dask.org/en/stable/scheduling.html',
      'https://docs.dask.org/en/stable/scheduler-overview.html#configuring-the-schedulers',
      'https://distributed.dask.org/en/stable/client.html',
    ],
  },
  serializer: 'cloudpickle',
  separateWorkers: true,
  workers: 'dask worker processes',
  calls: [
    {
      names: ['distributed.Client', 'dask.distributed.Client', 'distributed.client.Client'],
      system: 'dask.distributed', label: 'Client', kind: 'remote', shape: 'executor',
      // Client(address=None, ..., processes=) : a LocalCluster(processes=False) has thread workers
      threadsWhen: [{ slot: { kw: 'processes' }, values: ['False'] }],
      submit: CLIENT_METHODS,
    },
  ],
  remoteDecorators: [{ names: ['dask.delayed', 'dask.delayed.delayed'], system: 'dask', label: 'dask.delayed', submit: ['()'], scheduler: SCHEDULER }],
  shippingMethods: [
    {
      imports: ['dask.bag'],
      methods: ['map', 'map_partitions', 'filter', 'starmap', 'reduction', 'foldby', 'accumulate'],
      task: { pos: 0, kw: 'func' },
      // db.from_sequence(xs), db.read_text(p), dask.bag.from_delayed(parts)
      sources: ['from_sequence', 'read_text', 'from_delayed', 'from_url', 'read_avro', 'from_dataframe'],
      passThrough: ['repartition', 'flatten', 'pluck', 'distinct', 'persist', 'take', 'concat', 'random_sample', 'groupby', 'product', 'join'],
      system: 'dask', label: 'dask.bag',
      scheduler: SCHEDULER,
      defaultProcesses: true,
    },
  ],
};
