/**
 * What the JS front end knows by name beyond the frameworks: constructors whose instances
 * are mutable state or clone fine, methods that mutate their receiver, callees that run a
 * function argument. Which modules start workers, and how their imports map to symbols
 * ('worker_threads.Worker', 'piscina.Piscina', ...), is in the framework models
 * (../frameworks/js).
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
