import type { JsFrameworkModel } from './types';

/**
 * jest-worker: `new Worker(require.resolve('./w'), { exposedMethods, numWorkers, enableWorkerThreads })`.
 * The module's exported functions (those in `exposedMethods`, when given) are tasks, called
 * as `worker.fn(args)`; they run in child processes (`serialization: 'advanced'`, a structured
 * clone), or in worker threads with `enableWorkerThreads: true`. Each worker loads the module
 * and what it imports afresh; an exported `setup(...setupArgs)` runs once in each.
 */
export const jestWorker: JsFrameworkModel = {
  doc: {
    id: 'jest-worker',
    language: 'js',
    title: 'jest-worker',
    runsInWorker: "the worker module's exported functions (exposedMethods), in child processes or, with enableWorkerThreads, worker threads",
    channels: ['method arguments and return values', 'setupArgs', 'messageParent'],
    detected: ['state read or written by the exposed functions', 'unguarded self-spawn is not applicable (the module is a separate file)'],
    fixtures: 'runnable',
    runtime: { npm: ['jest-worker'] },
    references: ['https://github.com/jestjs/jest/tree/main/packages/jest-worker#readme'],
  },
  modules: ['jest-worker'],
  // jest-worker <= 26: `import JestWorker from 'jest-worker'`
  defaultExport: { 'jest-worker': 'jest-worker.Worker' },
  aliases: { 'jest-worker.default': 'jest-worker.Worker' },
  starts: [
    {
      symbol: 'jest-worker.Worker',
      form: 'new',
      system: 'jest-worker',
      label: 'new Worker',
      kind: 'process',
      serializer: 'structured-clone',
      creates: { pool: 'jest-worker' },
      workerFile: { pos: 0 },
      options: 1,
      exposedOption: 'exposedMethods',
      initializerExport: 'setup',
      workerWords: 'a jest-worker child process',
      systemWords: 'jest-worker child processes (their own copy of every module)',
      variants: [
        {
          option: 'enableWorkerThreads',
          value: true,
          label: 'new Worker (enableWorkerThreads)',
          kind: 'interpreter',
          serializer: 'structured-clone',
          workerWords: 'a jest-worker thread',
          systemWords: 'jest-worker threads (their own copy of every module)',
        },
      ],
    },
  ],
  exportsAreTasks: ['jest-worker'],
};
