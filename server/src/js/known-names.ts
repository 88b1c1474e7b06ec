/**
 * What the JS front end knows by name: the modules that start workers, constructors whose
 * instances are mutable state or clone fine, methods that mutate their receiver, callees
 * that run a function argument, and how imports of those modules map to symbols
 * ('worker_threads.Worker', 'piscina.Piscina', ...).
 */

export const MUTATING = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
  'set',
  'delete',
  'clear',
  'add',
]);

export const KNOWN_MODULES = new Set([
  'worker_threads',
  'child_process',
  'cluster',
  'piscina',
  'tinypool',
  'workerpool',
  'poolifier',
  'process',
  'path',
  'url',
]);

export const MUTABLE_CTORS = new Set([
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Array',
  'Object',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]);

/** Constructors whose instances clone fine (or are handled elsewhere): never 'class-instance'. */
export const CLONE_SAFE = new Set([
  ...MUTABLE_CTORS,
  'Date',
  'RegExp',
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'URL',
  'URLSearchParams',
  'Buffer',
  'Blob',
  'File',
  'String',
  'Number',
  'Boolean',
  'MessageChannel',
  'MessagePort',
  'BroadcastChannel',
  'TextEncoder',
  'TextDecoder',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'Promise',
]);

export const WT = 'worker_threads';

/** Callees that run a function argument (for imported callbacks, whose kind is unknown). */
export const CALLBACK_TAKERS = new Set([
  'map', 'forEach', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast',
  'findLastIndex', 'flatMap', 'sort', 'then', 'catch', 'finally', 'on', 'once', 'addListener',
  'prependListener', 'addEventListener', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask',
  'nextTick', 'from', 'all', 'allSettled', 'race', 'any',
]);

export function normModule(spec: string): string {
  return spec.startsWith('node:') ? spec.slice(5) : spec;
}

export function moduleObject(mod: string): string {
  return mod === 'piscina' ? 'piscina.Piscina' : mod;
}

export function defaultOf(mod: string): string {
  if (mod === 'piscina') return 'piscina.Piscina';
  if (mod === 'tinypool') return 'tinypool.Tinypool';
  return mod;
}

export function memberSym(base: string, name: string): string {
  if (base === 'piscina.Piscina' && (name === 'Piscina' || name === 'default')) return base;
  if (base === 'tinypool' && name === 'default') return 'tinypool.Tinypool';
  if (name === 'default' && !base.includes('.')) return base;
  return `${base}.${name}`;
}

/** poolifier's pools (`new FixedThreadPool(n, file)`, `new DynamicClusterPool(min, max, file)`): the worker file's index */
export const POOLIFIER_POOLS = new Map<string, number>([
  ['poolifier.FixedThreadPool', 1],
  ['poolifier.FixedClusterPool', 1],
  ['poolifier.DynamicThreadPool', 2],
  ['poolifier.DynamicClusterPool', 2],
]);

/** poolifier's worker classes: `new ThreadWorker(fn | { name: fn })`, `class W extends ClusterWorker { constructor() { super(...) } }` */
export const POOLIFIER_WORKERS = new Set(['poolifier.ThreadWorker', 'poolifier.ClusterWorker']);
