import type { JsFrameworkModel } from './types';

/**
 * workerpool: `workerpool.pool(file?, options)`; `pool.exec(fn | 'name', args)` runs a
 * function (sent as source: a closure loses its free names) or a method registered with
 * `workerpool.worker({ name: fn })` in the worker file.
 */
export const workerpool: JsFrameworkModel = {
  doc: {
    id: 'workerpool',
    language: 'js',
    title: 'workerpool',
    runsInWorker: 'functions registered with workerpool.worker({...}) and functions passed to pool.exec, in worker threads or processes',
    channels: ['exec() arguments', 'workerData (workerThreadOpts)'],
    detected: ['state read or written by registered methods', 'closures passed to exec', 'unsendable exec() arguments'],
    fixtures: 'runnable',
    runtime: { npm: ['workerpool'] },
    references: ['https://github.com/josdejong/workerpool#readme'],
  },
  modules: ['workerpool'],
  starts: [
    {
      symbol: 'workerpool.pool',
      form: 'call',
      system: 'workerpool',
      label: 'workerpool.pool',
      kind: 'interpreter',
      serializer: 'structured-clone',
      creates: { pool: 'workerpool' },
      workerFile: { pos: 0 },
      options: 'first-object-literal',
      workerData: { depth: 2 },
      workerWords: 'a worker thread',
      systemWords: 'pool worker threads (their own copy of every module)',
    },
  ],
  submits: [{ pool: 'workerpool', submit: { method: 'exec', task: 0, payload: 1, channel: 'pool.exec' } }],
  workerEntries: [{ shape: 'task-object', symbol: 'workerpool.worker', arg: 0 }],
};
