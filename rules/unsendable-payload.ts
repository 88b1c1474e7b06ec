/**
 * unsendable-payload: values handed to a worker that cannot travel there (pickling /
 * structured clone / workerpool's source-text transfer).
 */
import { startMethodWords, type Rule } from '../server/src/engine/rule';
import type { Payload } from '../server/src/engine/model';

export const unsendablePayload: Rule = {
  id: 'unsendable-payload',
  defaultSeverity: 'error',
  description: 'A value that cannot be pickled / structured-cloned (lambda, local function, lock, function, Symbol, ...) is sent to a worker.',
  languages: ['python', 'js'],
  check(ctx) {
    for (const m of ctx.graph.modules.values()) {
      for (const p of m.flowPoolCalls ? [...m.payloads, ...ctx.graph.flowPayloads(m)] : m.payloads) {
        let when = '';
        if (p.failsUnder) {
          // the start method in force for the site it is handed to (the code's, or the assumption)
          const site = p.site !== undefined ? m.spawns[p.site] : undefined;
          const rec = site && ctx.graph.spawnRecords.find((r) => r.site === site);
          // no site (a Process subclass's instance): the module's own pin, if any
          const sm = site ? rec?.startMethod : m.startMethod;
          if (sm && !p.failsUnder.includes(sm)) continue;
          when = sm ? `Under the '${sm}' start method pinned here: ` : `${capitalise(startMethodWords(undefined, ctx.pythonVersion))}: `;
        }
        ctx.report({
          file: m.path,
          range: p.range,
          symbol: p.symbol,
          message: m.language === 'python' ? when + pythonMessage(p, when !== '') : jsMessage(p),
          related: [],
        });
      }
    }
  },
};

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function pythonMessage(p: Payload, fresh: boolean): string {
  const via = p.channel;
  // under fork only a new interpreter's channels are pickled: say what breaks there
  const lower = (s: string) => (fresh ? s.charAt(0).toLowerCase() + s.slice(1) : s);
  return lower(pythonWhat(p, via));
}

function pythonWhat(p: Payload, via: string): string {
  switch (p.what) {
    case 'lambda':
      return `A lambda given to ${via} cannot be pickled for the worker processes (PicklingError / "Can't pickle <function <lambda>>"): use a module-level def.`;
    case 'local-function':
      return `'${p.symbol}' is a local function: ${via} must pickle it by name, which fails ("Can't pickle local object"): move it to module level.`;
    case 'generator':
      return `A generator given to ${via} cannot be pickled (TypeError: cannot pickle 'generator' object): pass a list, or the values themselves.`;
    case 'open-file':
      return `'${p.symbol}' is an open file: ${via} cannot pickle it (TypeError: cannot pickle '_io.TextIOWrapper' object): pass the path and open it in the worker.`;
    case 'thread-lock':
      return `'${p.symbol}' is a threading lock: ${via} cannot pickle it (TypeError: cannot pickle '_thread.lock' object), and it would not exclude other processes anyway: use a Manager().Lock() or a multiprocessing.Lock passed through initargs (or Process args).`;
    case 'process-queue':
      return `'${p.symbol}' is a multiprocessing queue given to ${via} as a task argument: RuntimeError "Queue objects should only be shared between processes through inheritance". Pass it with initializer/initargs, or use Manager().Queue().`;
    case 'process-lock':
      return `'${p.symbol}' is a multiprocessing lock given to ${via} as a task argument: RuntimeError "Lock objects should only be shared between processes through inheritance". Pass it with initializer/initargs, or use Manager().Lock().`;
    default:
      return `'${p.symbol}' cannot be pickled for ${via}.`;
  }
}

function jsMessage(p: Payload): string {
  const via = p.channel;
  // process.send and a poolifier cluster pool's execute go over the IPC channel as JSON
  const dropped = via === 'process.send' || via === 'cluster pool.execute';
  const ipc = via === 'process.send' ? 'process.send' : `${via} (the cluster IPC channel)`;
  const child = via === 'process.send' ? 'the child' : 'the worker';
  switch (p.what) {
    case 'object-with-method':
      return dropped
        ? `'${p.symbol}' is an object with a method${p.member ? ` ('${p.member}')` : ''}: ${ipc} serialises messages as JSON, which drops the method silently; ${child} never receives it.`
        : `'${p.symbol}' is an object with a method${p.member ? ` ('${p.member}')` : ''}: ${via} copies values with the structured clone algorithm, which throws DataCloneError for functions.`;
    case 'function':
      return dropped
        ? `'${p.symbol}' is a function: ${ipc} serialises messages as JSON, which drops it silently; ${child} never receives it.`
        : `'${p.symbol}' is a function: ${via} copies values with the structured clone algorithm, which throws DataCloneError for functions.${via === 'comlink call' ? ' Wrap it in Comlink.proxy() to call it back from the worker.' : ''}`;
    case 'needs-transfer': {
      const type = p.member ?? 'MessagePort';
      const v = p.value ?? p.symbol;
      const how =
        via === 'postMessage'
          ? `postMessage(${p.value ? p.symbol : 'value'}, [${v}])`
          : via === 'workerData'
            ? `new Worker(file, { workerData, transferList: [${v}] })`
            : via === 'poolifier.execute'
              ? `execute(data, name, [${v}])`
              : `run(task, { transferList: [${v}] })`;
      const what = p.value ? `'${p.symbol}' holds a ${type} ('${p.value}')` : `'${p.symbol}' is a ${type}`;
      return `${what}: ${via} can only move it to the worker, not copy it, and throws TypeError "Object that needs transfer was found in message but not listed in transferList". List it in the transfer list: ${how}.`;
    }
    case 'class-instance':
      return `'${p.symbol}' is a class instance: ${via} copies only its own data, so the worker receives a plain object without the class's methods.`;
    case 'symbol':
      return dropped
        ? `A Symbol sent with ${via} is dropped by the JSON serialisation of the IPC channel.`
        : `A Symbol cannot be structured-cloned: ${via} throws DataCloneError.`;
    case 'promise':
      return `A Promise cannot be sent to a worker: ${via} throws DataCloneError. Await it and send the value.`;
    case 'weakmap':
      return `'${p.symbol}' is a WeakMap/WeakSet/WeakRef: ${via} throws DataCloneError.`;
    case 'closure': {
      const names = (p.freeNames ?? []).map((n) => `'${n}'`).join(', ');
      return `${via} sends only this function's source text to the worker: ${names || 'its outer-scope names'} ${p.freeNames && p.freeNames.length > 1 ? 'are' : 'is'} not defined there (ReferenceError). Pass ${p.freeNames && p.freeNames.length > 1 ? 'them' : 'it'} as arguments instead.`;
    }
    default:
      return `'${p.symbol}' cannot be sent to a worker through ${via}.`;
  }
}
