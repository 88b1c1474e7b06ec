/**
 * asyncio: `loop.run_in_executor(executor, func, *args)` hands `func` to the executor given
 * (a ProcessPoolExecutor makes it worker code; `None` is the loop's default thread pool);
 * `asyncio.to_thread(func, *args)` runs `func` in a thread of this process.
 */
import type { PythonFramework } from './types';

export const asyncio: PythonFramework = {
  doc: {
    id: 'asyncio',
    language: 'python',
    title: 'asyncio executors',
    runsInWorker: 'functions given to loop.run_in_executor() with a process pool executor',
    channels: ['task arguments and return values'],
    detected: ['what the executor\'s model detects (process pools); nothing for the default thread pool and to_thread'],
    fixtures: 'runnable',
    references: [
      'https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_in_executor',
      'https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread',
    ],
  },
  serializer: 'pickle',
  calls: [
    {
      names: ['asyncio.to_thread', 'asyncio.threads.to_thread'],
      system: 'threads', label: 'asyncio.to_thread', kind: 'thread', shape: 'process',
      task: { pos: 0, kw: 'func' },
    },
  ],
  handOvers: [
    { method: 'run_in_executor', executor: { pos: 0, kw: 'executor' }, task: { pos: 1, kw: 'func' }, args: { kind: 'rest', from: 2 }, none: 'thread' },
  ],
};
