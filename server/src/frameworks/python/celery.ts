/**
 * Celery: the body of a task (`@app.task`, `@shared_task`) runs in a worker process that
 * `celery worker` started (prefork: billiard children), which imports the task's module
 * itself. `task.delay(...)` / `task.apply_async(...)` only send a message naming the task and
 * its arguments: nothing the client changes at run time reaches the worker, and what the
 * task writes to module state stays in the worker. Calling `task(...)` runs it here.
 */
import type { PythonFramework } from './types';

export const celery: PythonFramework = {
  doc: {
    id: 'celery',
    language: 'python',
    title: 'Celery',
    runsInWorker: 'task bodies (@app.task, @shared_task) submitted with .delay() / .apply_async()',
    channels: ['task arguments', 'task results (the result backend)', 'a database or cache both sides use'],
    detected: ['module state the client sets and tasks read', 'module state tasks write'],
    fixtures: 'runnable',
    runtime: { debian: ['python3-celery'] },
    references: [
      'https://docs.celeryq.dev/en/stable/userguide/tasks.html',
      'https://docs.celeryq.dev/en/stable/userguide/calling.html',
      'https://docs.celeryq.dev/en/stable/userguide/workers.html#concurrency',
    ],
  },
  serializer: 'json',
  separateWorkers: true,
  workers: 'Celery worker processes',
  calls: [],
  remoteDecorators: [
    {
      names: ['celery.shared_task', 'celery.task', 'celery.app.shared_task'],
      methodOf: { ctors: ['celery.Celery', 'celery.app.Celery', 'celery.app.base.Celery'], method: 'task' },
      system: 'celery', label: 'Celery task',
      submit: ['delay', 'apply_async'],
    },
  ],
};
