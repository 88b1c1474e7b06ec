/** threading: a Thread shares its process's module state; recorded for hovers, never a finding. */
import type { PythonFramework } from './types';

export const threading: PythonFramework = {
  doc: {
    id: 'threading',
    language: 'python',
    title: 'threading',
    runsInWorker: 'Thread targets, in this process (they share its globals)',
    channels: ['shared memory (mind races)'],
    detected: ['nothing: threads share module state (shown in hovers)'],
    fixtures: 'runnable',
    references: ['https://docs.python.org/3/library/threading.html'],
  },
  serializer: 'none',
  threadClasses: ['threading.Thread'],
  calls: [
    {
      names: ['threading.Thread'],
      system: 'threads', label: 'Thread', kind: 'thread', shape: 'process',
      // Thread(group, target, name, args, kwargs)
      task: { pos: 1, kw: 'target' }, args: { pos: 3, kw: 'args' }, kwargs: { pos: 4, kw: 'kwargs' }, launch: 'start',
    },
  ],
};
