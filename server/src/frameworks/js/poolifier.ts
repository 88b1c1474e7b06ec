import type { JsFrameworkModel, JsStart } from './types';

const threadPool = (name: string, file: number): JsStart => ({
  symbol: `poolifier.${name}`,
  form: 'new',
  system: 'poolifier',
  label: `new ${name}`,
  kind: 'interpreter',
  serializer: 'structured-clone',
  creates: { pool: 'poolifier' },
  workerFile: { pos: file },
  options: file + 1,
  // `new FixedThreadPool(n, file, { workerOptions: { workerData } })`
  workerData: { depth: 2 },
  // the worker file's `new ThreadWorker(fn)` functions are the pool's tasks
  handlersAreTasks: true,
  workerWords: 'a worker thread',
  systemWords: 'pool worker threads (their own copy of every module)',
});

const clusterPool = (name: string, file: number): JsStart => ({
  ...threadPool(name, file),
  kind: 'process',
  serializer: 'json',
  creates: { pool: 'poolifier', cluster: true },
  workerWords: 'a cluster worker process',
  systemWords: 'cluster worker processes',
});

/**
 * poolifier: `new FixedThreadPool(n, file)`, `new DynamicClusterPool(min, max, file)`; the
 * worker file's `new ThreadWorker(fn | { name: fn })` / `ClusterWorker` (or a subclass)
 * holds the tasks — and so does the worker's own `worker.addTaskFunction(name, fn | {
 * taskFunction })` (a function handed over by worker code: worker code, no model entry
 * needed); `pool.execute(data, name, abortSignal, transferList)` (v4: `(data, name,
 * transferList)`) and `mapExecute` submit; `pool.addTaskFunction(name, fn)` sends `fn`'s source.
 */
export const poolifier: JsFrameworkModel = {
  doc: {
    id: 'poolifier',
    language: 'js',
    title: 'poolifier',
    runsInWorker: 'the task functions given to ThreadWorker/ClusterWorker or registered in the worker with addTaskFunction (and the methods of their subclasses), in pool threads or cluster processes',
    channels: ['execute() data', 'workerData (workerOptions)', 'transferList (thread pools)'],
    detected: ['state read or written by tasks', 'unsendable execute()/mapExecute() data', 'closures given to addTaskFunction'],
    fixtures: 'runnable',
    runtime: { npm: ['poolifier'] },
    references: ['https://poolifier.github.io/poolifier/'],
  },
  modules: ['poolifier'],
  starts: [
    threadPool('FixedThreadPool', 1),
    clusterPool('FixedClusterPool', 1),
    threadPool('DynamicThreadPool', 2),
    clusterPool('DynamicClusterPool', 2),
  ],
  submits: [
    {
      pool: 'poolifier',
      submit: { method: 'execute', payload: 0, transfer: [2, 3], channel: 'poolifier.execute', processChannel: 'cluster pool.execute' },
    },
    {
      // `mapExecute([data, ...], name, abortSignals, transferList)`: each element is one task's data
      pool: 'poolifier',
      submit: { method: 'mapExecute', payload: 0, transfer: [3], channel: 'poolifier.execute', processChannel: 'cluster pool.execute' },
    },
    {
      // `addTaskFunction(name, fn | { taskFunction })`: the function's source text is sent and evaluated in each worker
      pool: 'poolifier',
      submit: { method: 'addTaskFunction', task: 1, channel: 'pool.addTaskFunction' },
    },
  ],
  workerEntries: [
    { shape: 'task-class', symbol: 'poolifier.ThreadWorker', arg: 0, functionKey: 'taskFunction' },
    { shape: 'task-class', symbol: 'poolifier.ClusterWorker', arg: 0, functionKey: 'taskFunction' },
  ],
  transferChannels: ['poolifier.execute'],
};
