import type { JsFrameworkModel, JsStart } from './types';

/**
 * Node's child_process: `fork(file, args, { env, execArgv })` starts a Node child process
 * (messages are JSON over IPC); `spawn`/`execFile`/`exec` (and their Sync forms) of
 * `process.execPath` or `node` with a script start one too, without an IPC channel.
 */
export const childProcess: JsFrameworkModel = {
  doc: {
    id: 'child_process',
    language: 'js',
    title: 'child_process',
    runsInWorker: "the forked or spawned Node script (its top level and its process.on('message') handlers), in a process with its own module state",
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
      argvIndex: 2,
      env: 'options',
      mainGuard: { title: 'Fork the child only in the parent process', expr: 'process.send === undefined' },
      workerWords: 'a child process',
      systemWords: 'a child process (its own copy of every module)',
      selfSpawn: {
        args: '__filename',
        consequence:
          'The child runs this file again and forks its own child, without end: guard it (e.g. check process.send === undefined, or an argv/env flag) so only the parent forks.',
      },
    },
    ...(['spawn', 'spawnSync', 'execFile', 'execFileSync'] as const).map((fn): JsStart => ({
      symbol: `child_process.${fn}`,
      form: 'call',
      system: 'child_process.spawn',
      label: fn,
      kind: 'process',
      serializer: 'none',
      creates: { proc: 'child' },
      // `spawn(process.execPath, [...execArgv, script, ...args], opts)`
      nodeProgram: 0,
      workerFile: { pos: 1, inArray: true },
      argv: 1,
      env: 'options',
      workerWords: 'a child process',
      systemWords: 'a child process (its own copy of every module)',
      selfSpawn: {
        args: 'process.execPath, [__filename]',
        consequence:
          'The child runs this file again and starts its own child, without end: guard it with an argv or env flag the parent passes (process.argv.includes(...), process.env.X) so only the parent spawns.',
      },
    })),
    ...(['exec', 'execSync'] as const).map((fn): JsStart => ({
      symbol: `child_process.${fn}`,
      form: 'call',
      system: 'child_process.spawn',
      label: fn,
      kind: 'process',
      serializer: 'none',
      creates: { proc: 'child' },
      // `exec('node worker.js')`, `execSync(`"${process.execPath}" ${__filename}`)`
      workerFile: { pos: 0, command: true },
      options: 1,
      env: 'options',
      workerWords: 'a child process',
      systemWords: 'a child process (its own copy of every module)',
      selfSpawn: {
        args: '`node ${__filename}`',
        consequence:
          'The child runs this file again and starts its own child, without end: guard it with an argv or env flag the parent passes (process.argv.includes(...), process.env.X) so only the parent spawns.',
      },
    })),
  ],
  instanceTypes: [{ symbol: 'child_process.ChildProcess', creates: { proc: 'child' } }],
  messages: [{ method: 'send', channel: 'process.send', receivers: ['process'], onCreated: 'child' }],
  workerEntries: [{ shape: 'message-handler', receiver: 'process', events: ['message'] }],
  workerMarkers: ['process.send'],
};
