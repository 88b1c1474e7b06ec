import type { JsFrameworkModel } from './types';

/** Node's cluster: `cluster.fork(env)` runs the entry script again in a worker process (or `setupPrimary({ exec })`'s script). */
export const cluster: JsFrameworkModel = {
  doc: {
    id: 'cluster',
    language: 'js',
    title: 'cluster',
    runsInWorker: 'the entry script again, in each worker process (its own module state)',
    channels: ['env', 'worker.send / process.send (JSON)'],
    detected: ['state set by the primary and read in workers', 'writes lost in workers', 'unguarded cluster.fork'],
    fixtures: 'runnable',
    references: ['https://nodejs.org/api/cluster.html'],
  },
  modules: ['cluster'],
  starts: [
    {
      symbol: 'cluster.fork',
      form: 'call',
      system: 'cluster',
      label: 'cluster.fork',
      kind: 'process',
      serializer: 'json',
      creates: { proc: 'child' },
      workerFile: 'self',
      runsEntryScript: true,
      mainGuard: { title: 'Fork cluster workers only in the primary process', receiverMember: 'isPrimary' },
      env: 0,
      workerWords: 'a cluster worker process',
      systemWords: 'cluster worker processes',
      selfSpawn: {
        args: '',
        consequence:
          'Every cluster worker runs this file again and reaches this line too, where cluster.fork is not a function (TypeError): guard it with if (cluster.isPrimary).',
      },
    },
  ],
  scriptSetters: [
    { symbol: 'cluster.setupPrimary', option: 'exec' },
    { symbol: 'cluster.setupMaster', option: 'exec' },
  ],
  workerEntries: [{ shape: 'message-handler', receiver: 'cluster.worker', events: ['message'] }],
  mainMarkers: ['cluster.isPrimary', 'cluster.isMaster'],
  workerMarkers: ['cluster.isWorker', 'cluster.worker'],
};
