import type { JsFrameworkModel } from './types';

/**
 * pm2's ecosystem file: `module.exports = { apps: [{ script: './server.js', exec_mode: 'cluster',
 * instances: 4 }] }` starts the script once per instance, each a Node process with its own
 * module state; pm2's cluster mode shares incoming connections among them, so the instances
 * are peers: state one request leaves in memory is not there for a request another instance serves.
 */
export const pm2: JsFrameworkModel = {
  doc: {
    id: 'pm2',
    language: 'js',
    title: 'pm2 cluster mode',
    runsInWorker: "the app's script, once per instance (exec_mode 'cluster'), each a process with its own module state",
    channels: ['a shared store (Redis, a database)', 'pm2 messages (process.send / pm2.sendDataToProcessId)'],
    detected: ['in-memory state written while serving and read elsewhere (sessions, counters, caches read by other handlers)'],
    fixtures: 'static',
    references: ['https://pm2.keymetrics.io/docs/usage/application-declaration/', 'https://pm2.keymetrics.io/docs/usage/cluster-mode/'],
  },
  modules: [],
  starts: [],
  configStarts: [
    {
      list: 'apps',
      script: 'script',
      cwd: 'cwd',
      when: { option: 'exec_mode', values: ['cluster', 'cluster_mode'] },
      instances: 'instances',
      system: 'pm2.cluster',
      label: "pm2 exec_mode 'cluster'",
      kind: 'process',
      workerWords: 'each pm2 cluster instance',
      systemWords: 'pm2 cluster instances (each its own copy of every module)',
    },
  ],
  peerSystems: ['pm2.cluster'],
};
