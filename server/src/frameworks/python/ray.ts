/**
 * Ray: a `@ray.remote` function runs as a task in a Ray worker process when called with
 * `.remote(...)` (or `.options(...).remote(...)`); a `@ray.remote` class is an actor class:
 * `Cls.remote(...)` starts an actor process, where every method runs. The wrapper form
 * `remote_f = ray.remote(f)` / `ray.remote(num_cpus=1)(Cls)` makes the same remote function
 * or actor class. Functions and classes of the driver's script travel by
 * value (cloudpickle) with the script's globals they read, as they are when first shipped;
 * other modules are imported by each worker. Module state is per worker process: the
 * driver's later changes are not seen, and writes stay in the worker. The actor is the
 * channel for shared state.
 */
import type { PythonFramework } from './types';

export const ray: PythonFramework = {
  doc: {
    id: 'ray',
    language: 'python',
    title: 'Ray',
    runsInWorker: '@ray.remote functions (also ray.remote(f)) called with .remote() or .options(...).remote(), and every method of actor classes',
    channels: ['task arguments and return values (ray.get)', 'an actor\'s instance attributes, through its handle', 'ray.put objects'],
    detected: ['module state the driver changes after shipping', 'module state tasks and actors write'],
    fixtures: 'static',
    references: [
      'https://docs.ray.io/en/latest/ray-core/tasks.html',
      'https://docs.ray.io/en/latest/ray-core/actors.html',
      'https://docs.ray.io/en/latest/ray-core/patterns/global-variables.html',
    ],
  },
  serializer: 'cloudpickle',
  separateWorkers: true,
  workers: 'Ray worker processes',
  calls: [],
  remoteDecorators: [{ names: ['ray.remote'], system: 'ray', label: 'ray.remote', submit: ['remote'], actors: true }],
};
