/**
 * torch.multiprocessing: multiprocessing re-exported (with reductions that share tensors
 * through shared memory); the same processes, start methods and state semantics.
 */
import type { PythonFramework } from './types';

export const torchMultiprocessing: PythonFramework = {
  doc: {
    id: 'torch_multiprocessing',
    language: 'python',
    title: 'torch.multiprocessing',
    runsInWorker: 'as multiprocessing, and the function given to torch.multiprocessing.spawn',
    channels: ['task arguments (tensors through shared memory)', 'Queue', 'initializer/initargs'],
    detected: ['as multiprocessing'],
    fixtures: 'static',
    references: ['https://pytorch.org/docs/stable/multiprocessing.html'],
  },
  serializer: 'pickle',
  calls: [
    {
      // spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method='spawn'): fn(i, *args) in each new process
      names: ['torch.multiprocessing.spawn', 'torch.multiprocessing.spawn.spawn'],
      system: 'mp.Process', label: 'torch.multiprocessing.spawn', kind: 'process', shape: 'process',
      task: { pos: 0, kw: 'fn' }, args: { pos: 1, kw: 'args' },
      fixedStart: { method: 'spawn', by: 'torch.multiprocessing.spawn' }, startMethodArg: { pos: 5, kw: 'start_method' },
    },
    {
      // start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method='spawn')
      names: ['torch.multiprocessing.start_processes', 'torch.multiprocessing.spawn.start_processes'],
      system: 'mp.Process', label: 'torch.multiprocessing.start_processes', kind: 'process', shape: 'process',
      task: { pos: 0, kw: 'fn' }, args: { pos: 1, kw: 'args' },
      fixedStart: { method: 'spawn', by: 'torch.multiprocessing.start_processes' }, startMethodArg: { pos: 5, kw: 'start_method' },
    },
  ],
  aliasOf: { of: 'multiprocessing', from: 'multiprocessing', to: 'torch.multiprocessing' },
};
