/**
 * multiprocess: multiprocessing with dill instead of pickle. The same processes, start
 * methods and state semantics (module state is copied or re-imported; the entry script's
 * globals are the worker's own, dill sends them by reference), but lambdas, nested
 * functions and closures can be sent.
 */
import type { PythonFramework } from './types';

export const multiprocess: PythonFramework = {
  doc: {
    id: 'multiprocess',
    language: 'python',
    title: 'multiprocess',
    runsInWorker: 'as multiprocessing: Pool tasks and initializers, Process targets, run() of Process subclasses',
    channels: ['task arguments and return values', 'initializer/initargs', 'Process args', 'Queue, Pipe, Value, Array', 'Manager proxies'],
    detected: ['as multiprocessing, except lambdas and closures, which dill sends'],
    fixtures: 'runnable',
    runtime: { debian: ['python3-multiprocess'] },
    references: ['https://github.com/uqfoundation/multiprocess', 'https://dill.readthedocs.io/en/latest/'],
  },
  serializer: 'dill',
  calls: [],
  aliasOf: { of: 'multiprocessing', from: 'multiprocessing', to: 'multiprocess' },
};
