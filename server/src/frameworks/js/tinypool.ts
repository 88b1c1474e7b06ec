import type { JsFrameworkModel } from './types';

/** tinypool: piscina's shape (`new Tinypool({ filename, workerData })`, `pool.run(data)`); tasks are the worker module's exports. */
export const tinypool: JsFrameworkModel = {
  doc: {
    id: 'tinypool',
    language: 'js',
    title: 'tinypool',
    runsInWorker: "the worker module's exported functions, in pool threads (their own copy of every module)",
    channels: ['run() arguments', 'workerData', 'transferList'],
    detected: ['state read or written by tasks', 'unsendable run() arguments and workerData'],
    fixtures: 'runnable',
    runtime: { npm: ['tinypool'] },
    references: ['https://github.com/tinylibs/tinypool#readme'],
  },
  modules: ['tinypool'],
  defaultExport: { tinypool: 'tinypool.Tinypool' },
  aliases: { 'tinypool.default': 'tinypool.Tinypool' },
  starts: [
    {
      symbol: 'tinypool.Tinypool',
      form: 'new',
      system: 'tinypool',
      label: 'new Tinypool',
      kind: 'interpreter',
      serializer: 'structured-clone',
      creates: { pool: 'tinypool' },
      workerFile: { kw: 'filename', pos: 0 },
      options: 0,
      workerData: { depth: 1 },
      workerWords: 'a worker thread',
      systemWords: 'pool worker threads (their own copy of every module)',
    },
  ],
  submits: [{ pool: 'tinypool', submit: { method: 'run', payload: 0, transfer: [1], channel: 'tinypool.run' } }],
  exportsAreTasks: ['tinypool'],
  transferChannels: ['tinypool.run'],
};
