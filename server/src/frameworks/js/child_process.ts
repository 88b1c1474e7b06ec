import type { JsFrameworkModel } from './types';

/** Node's child_process: `fork(file, args, { env, execArgv })` starts a Node child process; messages are JSON over IPC. */
export const childProcess: JsFrameworkModel = {
  doc: {
    id: 'child_process',
    language: 'js',
    title: 'child_process',
    runsInWorker: "the forked script (its top level and its process.on('message') handlers), in a process with its own module state",
    channels: ['argv', 'env', 'child.send / process.send (JSON)'],
    detected: ['state read or written in the child script', 'unsendable messages', 'unguarded self-spawn'],
    fixtures: 'runnable',
    references: ['https://nodejs.org/api/child_process.html'],
  },
  modules: ['child_process'],
  starts: [
    {
      symbol: 'child_process.fork',
      form: 'call',
      system: 'child_process.fork',
      label: 'fork',
      kind: 'process',
      serializer: 'json',
      creates: { proc: 'child' },
      workerFile: { pos: 0 },
      argv: 1,
      env: 'options',
      workerWords: 'a child process',
      systemWords: 'a child process (its own copy of every module)',
    },
  ],
  instanceTypes: [{ symbol: 'child_process.ChildProcess', creates: { proc: 'child' } }],
  messages: [{ method: 'send', channel: 'process.send', receivers: ['process'], onCreated: 'child' }],
  workerEntries: [{ shape: 'message-handler', receiver: 'process', events: ['message'] }],
  workerMarkers: ['process.send'],
};
