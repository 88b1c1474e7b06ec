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
    // Debian's billiard 4.1 pool hangs now and then at shutdown on Python 3.11 (1 run in 30): static, not flaky
    fixtures: 'static',
    references: ['https://github.com/celery/billiard', 'https://docs.python.org/3/library/multiprocessing.html#programming-guidelines'],
  },
  serializer: 'pickle',
  calls: [],
  aliasOf: { of: 'multiprocessing', from: 'multiprocessing', to: 'billiard' },
};
