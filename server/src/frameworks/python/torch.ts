/**
 * PyTorch `DataLoader`: with `num_workers > 0` the Dataset is handed to worker processes
 * (multiprocessing, the program's start method unless `multiprocessing_context=` names
 * one), which call its `__getitem__` / `__iter__` / `__len__`; `worker_init_fn` runs once in
 * each worker. `num_workers=0`, the default, loads in the main process. Workers start when
 * the loader is iterated and, without `persistent_workers=True`, again on every epoch (so
 * under fork each epoch's workers copy the parent as it is then, and are done when the
 * epoch ends); with it, the first epoch's workers serve every later one.
 * `torch.multiprocessing` is multiprocessing (the multiprocessing model's alias).
 */
import type { PythonFramework } from './types';

export const torch: PythonFramework = {
  doc: {
    id: 'torch',
    language: 'python',
    title: 'PyTorch DataLoader',
    runsInWorker: 'the Dataset\'s __getitem__ / __iter__ / __len__ when num_workers > 0, and worker_init_fn',
    channels: ['the Dataset\'s own attributes', 'worker_init_fn', 'what __getitem__ returns'],
    detected: ['stale reads and lost writes of module state in Dataset methods', 'unguarded loaders'],
    fixtures: 'runnable',
    runtime: { debian: ['python3-torch'] },
    references: [
      'https://pytorch.org/docs/stable/data.html#multi-process-data-loading',
      'https://pytorch.org/docs/stable/notes/randomness.html#dataloader',
    ],
  },
  serializer: 'pickle',
  workers: 'DataLoader worker processes',
  maybeWhen: 'if num_workers > 0',
  calls: [
    {
      names: ['torch.utils.data.DataLoader', 'torch.utils.data.dataloader.DataLoader'],
      system: 'torch.DataLoader', label: 'DataLoader', kind: 'process', shape: 'executor',
      // DataLoader(dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, collate_fn,
      //            pin_memory, drop_last, timeout, worker_init_fn, multiprocessing_context, ...)
      instanceTasks: { slot: { pos: 0, kw: 'dataset' }, methods: ['__getitem__', '__getitems__', '__iter__', '__len__'] },
      workersArg: { pos: 5, kw: 'num_workers' },
      initializer: { pos: 10, kw: 'worker_init_fn' },
      startMethodArg: { pos: 11, kw: 'multiprocessing_context' },
      startsWhenIterated: true,
      // DataLoader(..., prefetch_factor, persistent_workers, ...): keyword only in practice
      restartsPerIteration: { unless: { kw: 'persistent_workers' } },
    },
  ],
};
