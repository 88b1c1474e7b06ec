import type { JsFrameworkModel } from './types';

/** piscina: `new Piscina({ filename, workerData })`; the worker module's exports are tasks, run in worker threads. */
export const piscina: JsFrameworkModel = {
  doc: {
    id: 'piscina',
    language: 'js',
    title: 'piscina',
    runsInWorker: "the worker module's exported functions, in pool threads (their own copy of every module)",
    channels: ['run() arguments', 'workerData', 'transferList'],
    detected: ['state read or written by tasks', 'unsendable run() arguments and workerData'],
    fixtures: 'runnable',
    runtime: { npm: ['piscina'] },
    references: ['https://github.com/piscinajs/piscina#readme'],
  },
  modules: ['piscina'],
  moduleObject: { piscina: 'piscina.Piscina' },
  defaultExport: { piscina: 'piscina.Piscina' },
  aliases: { 'piscina.Piscina.Piscina': 'piscina.Piscina', 'piscina.Piscina.default': 'piscina.Piscina' },
  starts: [
    {
      symbol: 'piscina.Piscina',
      form: 'new',
      system: 'piscina',
      label: 'new Piscina',
      kind: 'interpreter',
      serializer: 'structured-clone',
      creates: { pool: 'piscina' },
      // `new Piscina({ filename })`, or `new Piscina(filename)` in older versions
      workerFile: { kw: 'filename', pos: 0 },
      options: 0,
      workerData: { depth: 1 },
      workerWords: 'a worker thread',
      systemWords: 'pool worker threads (their own copy of every module)',
    },
  ],
  submits: [{ pool: 'piscina', submit: { method: 'run', payload: 0, transfer: [1], channel: 'piscina.run' } }],
  exportsAreTasks: ['piscina'],
  transferChannels: ['piscina.run'],
};
