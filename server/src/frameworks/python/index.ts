/**
 * The registry of Python framework models, and the lookup tables the Python front end and
 * the engine read, built once from them. Teaching Crossproc a framework: add its model file
 * and list it in {@link PYTHON_FRAMEWORKS}.
 */
import type { StartMethod, SystemKind } from '../../engine/model';
import type { Serializer } from '../types';
import type { PyConfigContext, PyContextFactory, PyHandOver, PyRemoteDecorator, PyShippingMethods, PyStartMethodSetter, PySubmitMethod, PythonFramework, PyWorkerCall } from './types';
import { multiprocessing } from './multiprocessing';
import { concurrentFutures } from './concurrent_futures';
import { threading } from './threading';
import { joblib } from './joblib';
import { loky } from './loky';
import { asyncio } from './asyncio';
import { multiprocess } from './multiprocess';
import { billiard } from './billiard';
import { torchMultiprocessing } from './torch_multiprocessing';
import { pathos } from './pathos';
import { torch } from './torch';
import { celery } from './celery';
import { dask } from './dask';
import { ray } from './ray';
import { pyspark } from './pyspark';
import { mpire } from './mpire';

export const PYTHON_FRAMEWORKS: readonly PythonFramework[] = [
  multiprocessing, concurrentFutures, threading, joblib, loky, asyncio, multiprocess, billiard, torchMultiprocessing, pathos,
  torch, celery, dask, ray, pyspark, mpire,
];

/** Serialisers that send functions by value: lambdas, nested defs and closures can be sent. */
export function sendsFunctionsByValue(s: Serializer): boolean {
  return s === 'cloudpickle' || s === 'dill';
}

/**
 * Serialisers that send the entry script's functions with the current values of the script
 * globals they name. cloudpickle does (tried: joblib 1.2 / cloudpickle in Debian 12);
 * dill 0.3.6 does not — it sends `__main__`'s globals by reference, so a worker reads its
 * own copy, as with pickle.
 */
export function capturesMainGlobals(s: Serializer): boolean {
  return s === 'cloudpickle';
}

/** A worker-creating call as the front end sees it: the call's model, its framework, and whether it makes processes. */
export interface PyCallInfo extends PyWorkerCall {
  framework: PythonFramework;
  /** the framework's serializer (a backend option may change it) */
  serializer: Serializer;
  /** the workers are processes or interpreters (module state is not shared) */
  isProcess: boolean;
}

/** qualified name → the worker-creating call it names */
export const WORKER_CALLS = new Map<string, PyCallInfo>();
/** qualified name of a process class → the start method it pins (undefined: the program's) */
export const PROCESS_CLASSES = new Map<string, StartMethod | undefined>();
/** qualified names of thread classes a user class may subclass (`threading.Thread`): its `run()` is thread code */
export const THREAD_CLASSES = new Set<string>();
/** qualified name → the context factory (`multiprocessing.get_context`) */
export const CONTEXT_FACTORIES = new Map<string, PyContextFactory>();
/** the modules whose context objects carry a start method (`ctx = get_context('spawn'); ctx.Pool`) */
export const CONTEXT_MODULES = new Set<string>();
/** qualified name → where its start method argument is (`multiprocessing.set_start_method`) */
export const START_METHOD_SETTERS = new Map<string, PyStartMethodSetter>();
/** method name → the hand-over calls that submit to an executor argument (`loop.run_in_executor`) */
export const HAND_OVERS = new Map<string, PyHandOver>();
/** qualified name of a config context manager (`joblib.parallel_config`) → its model */
export const CONFIG_CONTEXTS = new Map<string, PyConfigContext>();
/**
 * modules that re-export another's API → that module (`multiprocess` → `multiprocessing`):
 * the tables of primitives and managers (../../python/stdlib.ts) are keyed by the original
 */
export const MODULE_ALIASES = new Map<string, string>();
/** every method name that submits a task or starts a worker, for a quick first test */
export const SUBMIT_METHOD_NAMES = new Set<string>();
/** every submit method name that returns only when its tasks are done (`Pool.map`) */
export const BLOCKING_METHOD_NAMES = new Set<string>();
/** qualified name of a decorator or wrapper → what it makes of a function ({@link PyRemoteDecorator}) */
export const REMOTE_DECORATORS = new Map<string, PyRemoteDecorator>();
/** qualified name of a constructor → its methods that are remote decorators (`Celery(...).task`) */
export const REMOTE_METHOD_DECORATORS = new Map<string, Map<string, PyRemoteDecorator>>();
/** every method name that submits a remote function (`delay`, `remote`) */
export const REMOTE_SUBMIT_NAMES = new Set<string>();
/** method name → the module prefixes whose import makes it a shared-channel factory (`sc.accumulator`) */
export const CHANNEL_METHODS = new Map<string, string[]>();
/** method name → the shipping methods of that name (`rdd.map(f)`) */
export const SHIPPING_METHODS = new Map<string, PyShippingMethods[]>();
/** system → the framework whose model makes it */
const FRAMEWORK_OF_SYSTEM = new Map<SystemKind, PythonFramework>();
/** system → its submit methods by name */
const SUBMIT_BY_SYSTEM = new Map<SystemKind, Map<string, PySubmitMethod>>();
/** the systems whose workers are processes or interpreters */
const PROCESS_SYSTEMS = new Set<SystemKind>();
/** the systems whose workers start when their object is iterated (a DataLoader) */
const ITERATED_SYSTEMS = new Set<SystemKind>();

/** `multiprocessing.Pool` under the prefix `multiprocessing` seen from an alias `multiprocess`: 'multiprocess.Pool' */
function renamed(name: string, alias: PythonFramework['aliasOf']): string | undefined {
  if (!alias) return name;
  if (name === alias.from) return alias.to;
  return name.startsWith(`${alias.from}.`) ? alias.to + name.slice(alias.from.length) : undefined;
}

function register(fw: PythonFramework, source: PythonFramework): void {
  const alias = fw === source ? undefined : fw.aliasOf;
  for (const call of source.calls) {
    const info: PyCallInfo = { ...call, framework: fw, serializer: fw.serializer, isProcess: call.kind !== 'thread' };
    for (const n of call.names) {
      const name = renamed(n, alias);
      if (name) WORKER_CALLS.set(name, info);
    }
    if (info.isProcess) PROCESS_SYSTEMS.add(call.system);
    if (call.startsWhenIterated) ITERATED_SYSTEMS.add(call.system);
    if (!FRAMEWORK_OF_SYSTEM.has(call.system) && call.system !== 'threads') FRAMEWORK_OF_SYSTEM.set(call.system, fw);
    for (const m of call.submit ?? []) {
      SUBMIT_METHOD_NAMES.add(m.name);
      if (m.blocking) BLOCKING_METHOD_NAMES.add(m.name);
      let by = SUBMIT_BY_SYSTEM.get(call.system);
      if (!by) SUBMIT_BY_SYSTEM.set(call.system, (by = new Map()));
      if (!by.has(m.name)) by.set(m.name, m);
    }
    if (call.launch) SUBMIT_METHOD_NAMES.add(call.launch);
    for (const cc of call.configContexts ?? []) for (const n of cc.names) CONFIG_CONTEXTS.set(n, cc);
  }
  if (alias) MODULE_ALIASES.set(alias.to, alias.from);
  for (const h of source.handOvers ?? []) HAND_OVERS.set(h.method, h);
  for (const d of source.remoteDecorators ?? []) {
    for (const n of d.names ?? []) REMOTE_DECORATORS.set(n, d);
    for (const ctor of d.methodOf?.ctors ?? []) {
      let by = REMOTE_METHOD_DECORATORS.get(ctor);
      if (!by) REMOTE_METHOD_DECORATORS.set(ctor, (by = new Map()));
      by.set(d.methodOf!.method, d);
    }
    for (const m of d.submit) if (m !== '()') REMOTE_SUBMIT_NAMES.add(m);
    if (!FRAMEWORK_OF_SYSTEM.has(d.system)) FRAMEWORK_OF_SYSTEM.set(d.system, fw);
  }
  for (const m of source.channelFactories?.methods ?? []) {
    CHANNEL_METHODS.set(m, [...(CHANNEL_METHODS.get(m) ?? []), ...source.channelFactories!.imports]);
  }
  for (const sm of source.shippingMethods ?? []) {
    for (const m of sm.methods) {
      const list = SHIPPING_METHODS.get(m);
      if (list) list.push(sm);
      else SHIPPING_METHODS.set(m, [sm]);
    }
    if (!FRAMEWORK_OF_SYSTEM.has(sm.system)) FRAMEWORK_OF_SYSTEM.set(sm.system, fw);
  }
  for (const c of source.processClasses ?? []) {
    const name = renamed(c.name, alias);
    if (name) PROCESS_CLASSES.set(name, c.startMethod);
  }
  for (const c of source.threadClasses ?? []) {
    const name = renamed(c, alias);
    if (name) THREAD_CLASSES.add(name);
  }
  for (const f of source.contextFactories ?? []) {
    const name = renamed(f.name, alias);
    const module = renamed(f.module, alias);
    if (name && module) {
      CONTEXT_FACTORIES.set(name, { ...f, name, module });
      CONTEXT_MODULES.add(module);
    }
  }
  for (const s of source.startMethodSetters ?? []) {
    const name = renamed(s.name, alias);
    if (name) START_METHOD_SETTERS.set(name, { ...s, name });
  }
}

for (const fw of PYTHON_FRAMEWORKS) {
  if (fw.aliasOf) {
    const source = PYTHON_FRAMEWORKS.find((x) => x.doc.id === fw.aliasOf!.of);
    if (!source) throw new Error(`framework ${fw.doc.id}: alias of unknown model ${fw.aliasOf.of}`);
    register(fw, source);
  }
  // its own calls (an alias's too: `torch.multiprocessing.spawn`), which win over renamed ones
  register(fw, fw);
}

/** The first model registered for a system (`mp.Pool`: multiprocessing's `Pool`), for its argument slots. */
export function firstCallOf(system: SystemKind): PyCallInfo | undefined {
  for (const c of WORKER_CALLS.values()) if (c.system === system) return c;
  return undefined;
}

/** The submit method `name` of a site of this system (`Pool.map`, `ProcessPoolExecutor.submit`), if it is one. */
export function submitMethod(system: SystemKind, name: string): PySubmitMethod | undefined {
  return SUBMIT_BY_SYSTEM.get(system)?.get(name);
}

/** The names of the submit methods of a process system's sites (for tasks submitted where a factory's pool is used). */
export function submitMethodNames(system: SystemKind): ReadonlySet<string> | undefined {
  const by = PROCESS_SYSTEMS.has(system) ? SUBMIT_BY_SYSTEM.get(system) : undefined;
  return by ? new Set(by.keys()) : undefined;
}

/** The model of the framework that makes sites of this system (undefined for threads and JS systems). */
export function frameworkOfSystem(system: SystemKind): PythonFramework | undefined {
  return FRAMEWORK_OF_SYSTEM.get(system);
}

/** How findings name the workers of a Python system ('Celery worker processes'), if its model says. */
export function workerWords(system: SystemKind): string | undefined {
  return FRAMEWORK_OF_SYSTEM.get(system)?.workers;
}

/**
 * The start method a read of module state in worker code is judged under, for frameworks
 * whose workers are processes they started themselves ({@link PythonFramework.separateWorkers}):
 * what the script (the program's main module) defines travels by value with a task shipped
 * by cloudpickle, as it is when shipped — like a fork at the submission; any other module
 * is imported afresh by the worker — like spawn. Undefined: the site's own start method.
 */
export function separateWorkerMethod(system: SystemKind, symbolFile: string, scriptFile: string): StartMethod | undefined {
  const fw = FRAMEWORK_OF_SYSTEM.get(system);
  if (!fw?.separateWorkers) return undefined;
  const byValue = fw.serializer === 'cloudpickle' || fw.serializer === 'dill';
  return byValue && symbolFile === scriptFile ? 'fork' : 'spawn';
}

/** Whether a system's workers start when its object is iterated (`for batch in loader`), not when it is made. */
export function startsWhenIterated(system: SystemKind): boolean {
  return ITERATED_SYSTEMS.has(system);
}

/** A qualified name with an aliased module's prefix replaced by the original's (`multiprocess.Queue` → `multiprocessing.Queue`). */
export function canonicalName(name: string): string {
  for (const [to, from] of MODULE_ALIASES) {
    if (name === to) return from;
    if (name.startsWith(`${to}.`)) return from + name.slice(to.length);
  }
  return name;
}
