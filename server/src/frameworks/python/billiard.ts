/** billiard: Celery's fork of multiprocessing, the same API and semantics (pickle). */
import type { PythonFramework } from './types';

export const billiard: PythonFramework = {
  doc: {
    id: 'billiard',
    language: 'python',
    title: 'billiard',
    runsInWorker: 'as multiprocessing: Pool tasks and initializers, Process targets, run() of Process subclasses',
    channels: ['task arguments and return values', 'initializer/initargs', 'Process args', 'Queue, Pipe, Value, Array', 'Manager proxies'],
    detected: ['as multiprocessing'],
    fixtures: 'runnable',
    runtime: { debian: ['python3-billiard'] },
    references: ['https://github.com/celery/billiard'],
  },
  serializer: 'pickle',
  calls: [],
  aliasOf: { of: 'multiprocessing', from: 'multiprocessing', to: 'billiard' },
};
