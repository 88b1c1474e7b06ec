import type { JsFrameworkModel } from './types';

/**
 * Electron's `utilityProcess.fork(modulePath, args, { env, execArgv })` (main process only):
 * the module runs in a Node child process with its own module state. Messages go by
 * `child.postMessage(msg, [ports])` and `process.parentPort.on('message', (e) => e.data)`
 * — structured clone, MessagePortMain transfer.
 */
export const electron: JsFrameworkModel = {
  doc: {
    id: 'electron',
    language: 'js',
    title: 'Electron utilityProcess',
    runsInWorker: "the forked module (its top level and its process.parentPort 'message' handlers), in a utility process",
    channels: ['args', 'env', 'child.postMessage / process.parentPort.postMessage', 'MessagePortMain'],
    detected: ['state read or written in the utility process module', 'unsendable messages'],
    fixtures: 'static',
    references: ['https://www.electronjs.org/docs/latest/api/utility-process', 'https://www.electronjs.org/docs/latest/api/parent-port'],
  },
  modules: ['electron'],
  starts: [
    {
      symbol: 'electron.utilityProcess.fork',
      form: 'call',
      system: 'electron.utilityProcess',
      label: 'utilityProcess.fork',
      kind: 'process',
      serializer: 'structured-clone',
      creates: { proc: 'child' },
      workerFile: { pos: 0 },
      argv: 1,
      env: 'options',
      workerWords: 'an Electron utility process',
      systemWords: 'an Electron utility process (its own copy of every module)',
    },
  ],
  workerEntries: [{ shape: 'message-handler', receiver: 'process.parentPort', events: ['message'] }],
  workerMarkers: ['process.parentPort'],
};
