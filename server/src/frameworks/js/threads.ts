import type { JsFrameworkModel } from './types';

/**
 * threads.js: `spawn(new Worker('./worker'))` (the path is relative to the calling file,
 * the extension optional) or `Pool(() => spawn(new Worker('./worker')), n)` with
 * `pool.queue(w => w.fn(x))`; the worker file's `expose(fn | { name: fn })` functions run
 * in the worker. On Node each worker is a worker_threads thread with its own module
 * instances; arguments and results travel by structured clone.
 */
export const threads: JsFrameworkModel = {
  doc: {
    id: 'threads',
    language: 'js',
    title: 'threads.js',
    runsInWorker: 'the worker file, and the functions it gives to expose(), in a worker thread with its own copy of every module',
    channels: ['arguments of the exposed functions', 'their return values', 'Transfer() for buffers'],
    detected: ['state read or written by exposed functions', 'unsendable arguments of calls on a spawned worker'],
    fixtures: 'runnable',
    runtime: { npm: ['threads'] },
    references: ['https://threads.js.org/usage', 'https://threads.js.org/usage-pool', 'https://github.com/andywer/threads.js#readme'],
  },
  modules: ['threads', 'threads/worker'],
  starts: [
    {
      symbol: 'threads.Worker',
      form: 'new',
      system: 'threads.js',
      label: 'new Worker',
      kind: 'interpreter',
      serializer: 'structured-clone',
      creates: { proc: 'worker' },
      workerFile: { pos: 0 },
      options: 1,
      workerWords: 'a worker thread',
      systemWords: 'a threads.js worker thread (its own copy of every module)',
      fixWords: {
        'stale-global-read': 'pass it as an argument of the exposed function and use the argument, or set it in the worker.',
        'lost-global-write': 'return it from the exposed function and apply it in the parent.',
      },
    },
  ],
  workerEntries: [
    { shape: 'exposed', symbol: 'threads/worker.expose', arg: 0 },
    { shape: 'exposed', symbol: 'threads.expose', arg: 0 },
  ],
  remoteProxies: [{ symbol: 'threads.spawn', channel: 'threads.js call' }],
};
