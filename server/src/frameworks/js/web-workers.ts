import type { JsFrameworkModel, JsStart } from './types';

const webWorker = (name: string): JsStart => ({
  symbol: name,
  form: 'new',
  system: 'web-worker',
  label: `new ${name}`,
  kind: 'interpreter',
  serializer: 'structured-clone',
  creates: { proc: 'worker' },
  // `new Worker(new URL('./w.js', import.meta.url), { type: 'module' })`, `new Worker('w.js')`
  workerFile: { pos: 0 },
  options: 1,
  workerWords: name === 'SharedWorker' ? 'a shared worker' : 'a Web Worker',
  systemWords: name === 'SharedWorker' ? 'a shared worker (its own global scope and modules)' : 'a Web Worker (its own global scope and modules)',
  fixWords: {
    'stale-global-read': 'send it in a message (`worker.postMessage`) and read it from the message there, or set it in the worker.',
    'lost-global-write': "send the update back with `self.postMessage` and apply it in the page's `onmessage` handler.",
  },
});

/**
 * The Web Worker API (browsers, Deno, Bun): the global `Worker` and `SharedWorker` run a
 * script in a realm of its own — its own global scope and module instances; the worker's
 * `self.onmessage = fn`, `onmessage = fn`, `addEventListener('message', fn)` (a shared
 * worker: `onconnect`) handle what `postMessage` sends, by structured clone.
 */
export const webWorkers: JsFrameworkModel = {
  doc: {
    id: 'web-workers',
    language: 'js',
    title: 'Web Workers (browsers, Deno, Bun)',
    runsInWorker: 'the worker script (its top level and its message handlers), in a realm with its own global scope and modules',
    channels: ['postMessage', 'transfer lists', 'MessageChannel', 'SharedArrayBuffer'],
    detected: ['state read or written in the worker script', 'unsendable postMessage payloads'],
    // run on Node through the 'web-worker' package; the browser, Deno, Bun and Vite fixtures are static (cited)
    fixtures: 'runnable',
    runtime: { npm: ['web-worker'] },
    references: [
      'https://developer.mozilla.org/en-US/docs/Web/API/Web_Workers_API/Using_web_workers',
      'https://developer.mozilla.org/en-US/docs/Web/API/Worker/Worker',
      'https://developer.mozilla.org/en-US/docs/Web/API/SharedWorker',
      'https://developer.mozilla.org/en-US/docs/Web/API/Web_Workers_API/Structured_clone_algorithm',
      'https://docs.deno.com/runtime/reference/web_platform_apis/#web-workers',
      'https://bun.sh/docs/api/workers',
      'https://vite.dev/guide/features.html#web-workers',
      'https://github.com/developit/web-worker#readme',
    ],
  },
  // the 'web-worker' package: the same API on Node (in a worker thread) and in browsers
  modules: ['web-worker'],
  moduleObject: { 'web-worker': 'Worker' },
  defaultExport: { 'web-worker': 'Worker' },
  globals: ['Worker', 'SharedWorker', 'self'],
  starts: [webWorker('Worker'), webWorker('SharedWorker')],
  workerEntries: [
    { shape: 'message-handler', receiver: 'self', events: ['message', 'connect'], global: true },
    { shape: 'handler-property', receiver: 'self', properties: ['onmessage', 'onconnect'], global: true },
  ],
  transferChannels: ['postMessage'],
  // Vite: https://vite.dev/guide/features.html#import-with-query-suffixes
  workerImports: [
    { query: 'worker&url', gives: 'url' },
    { query: 'sharedworker', gives: 'constructor', start: 'SharedWorker' },
    { query: 'worker', gives: 'constructor', start: 'Worker' },
  ],
};
