import type { JsFrameworkModel } from './types';

/** Node's worker_threads: `new Worker(file, { workerData, transferList })`; the worker file runs in a thread with its own module instances. */
export const workerThreads: JsFrameworkModel = {
  doc: {
    id: 'worker_threads',
    language: 'js',
    title: 'worker_threads',
    runsInWorker: 'the worker file (its top level and its message handlers), in a thread with its own copy of every module',
    channels: ['workerData', 'postMessage', 'transferList', 'SharedArrayBuffer'],
    detected: ['state read or written in the worker file', 'unsendable workerData/messages', 'unguarded self-spawn'],
    fixtures: 'runnable',
    references: ['https://nodejs.org/api/worker_threads.html'],
  },
  modules: ['worker_threads'],
  starts: [
    {
      symbol: 'worker_threads.Worker',
      form: 'new',
      system: 'worker_threads',
      label: 'new Worker',
      kind: 'interpreter',
      serializer: 'structured-clone',
      creates: { proc: 'worker' },
      workerFile: { pos: 0 },
      options: 1,
      workerData: { depth: 1, transferList: 'transferList' },
      env: 'options',
      mainGuard: { title: 'Start the worker only in the main thread', named: 'isMainThread', from: 'worker_threads' },
      workerWords: 'a worker thread',
      systemWords: 'a worker thread (its own copy of every module)',
      selfSpawn: {
        args: '__filename',
        consequence: 'Every worker runs this file again and starts another worker, without end: guard it with if (isMainThread).',
      },
    },
  ],
  messages: [{ method: 'postMessage', channel: 'postMessage', transfer: 1, global: true }],
  workerEntries: [{ shape: 'message-handler', receiver: 'worker_threads.parentPort', events: ['message'] }],
  mainMarkers: ['worker_threads.isMainThread'],
  workerMarkers: ['worker_threads.parentPort', 'worker_threads.workerData'],
  transferChannels: ['postMessage', 'workerData'],
};
