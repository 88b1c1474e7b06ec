import type { JsFrameworkModel } from './types';

/**
 * comlink: the worker file's `expose(obj, endpoint?)` makes obj's methods callable from the
 * parent, which holds `wrap(worker)` (Node: `wrap(nodeEndpoint(worker))` with
 * 'comlink/dist/umd/node-adapter'). The worker itself is a worker_threads or Web Worker
 * start (modelled there); comlink adds what runs in it and how arguments travel: by
 * structured clone, so a function must be wrapped in `proxy(fn)`.
 */
export const comlink: JsFrameworkModel = {
  doc: {
    id: 'comlink',
    language: 'js',
    title: 'comlink',
    runsInWorker: 'the methods of the object (or the function, or the class) the worker file gives to expose()',
    channels: ['arguments of the wrapped calls', 'their return values', 'proxy() for callbacks', 'transfer() for buffers'],
    detected: ['state read or written by exposed methods', 'functions sent without proxy()'],
    fixtures: 'runnable',
    runtime: { npm: ['comlink'] },
    references: ['https://github.com/GoogleChromeLabs/comlink#readme', 'https://github.com/GoogleChromeLabs/comlink#comlinkproxy'],
  },
  modules: ['comlink'],
  starts: [],
  workerEntries: [{ shape: 'exposed', symbol: 'comlink.expose', arg: 0 }],
  remoteProxies: [{ symbol: 'comlink.wrap', channel: 'comlink call', passThrough: ['comlink.proxy', 'comlink.transfer'] }],
};
