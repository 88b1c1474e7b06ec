/**
 * The JS framework registry: every model, and the lookup tables the front end and the
 * engine read, built once. Adding a framework is one model file plus an entry in MODELS.
 */
import type { SystemKind } from '../../engine/model';
import type { JsConfigStart, JsCreates, JsFrameworkModel, JsMessageChannel, JsRemoteProxy, JsStart, JsSubmit, JsWorkerEntry, JsWorkerImport } from './types';
import { workerThreads } from './worker_threads';
import { childProcess } from './child_process';
import { cluster } from './cluster';
import { piscina } from './piscina';
import { tinypool } from './tinypool';
import { workerpool } from './workerpool';
import { poolifier } from './poolifier';
import { jestWorker } from './jest-worker';
import { electron } from './electron';
import { pm2 } from './pm2';
import { threads } from './threads';
import { comlink } from './comlink';
import { webWorkers } from './web-workers';

export const JS_MODELS: readonly JsFrameworkModel[] = [
  workerThreads, childProcess, cluster, piscina, tinypool, workerpool, poolifier, jestWorker, electron, pm2, threads, comlink, webWorkers,
];

/** Modules the front end resolves symbols of besides the frameworks' own. */
const OTHER_KNOWN = ['process', 'path', 'url'];

export const KNOWN_MODULES = new Set<string>([...JS_MODELS.flatMap((m) => m.modules), ...OTHER_KNOWN]);

const record = (pick: (m: JsFrameworkModel) => Record<string, string> | undefined): Map<string, string> =>
  new Map(JS_MODELS.flatMap((m) => Object.entries(pick(m) ?? {})));
const MODULE_OBJECT = record((m) => m.moduleObject);
const DEFAULT_EXPORT = record((m) => m.defaultExport);
const ALIASES = record((m) => m.aliases);

/** What `import * as x from mod` / `require(mod)` resolves to. */
export function moduleObject(mod: string): string {
  return MODULE_OBJECT.get(mod) ?? mod;
}

/** What the default import of `mod` resolves to. */
export function defaultOf(mod: string): string {
  return DEFAULT_EXPORT.get(mod) ?? MODULE_OBJECT.get(mod) ?? mod;
}

/** The symbol of `base.name`: a model's alias, the module itself for `default`, else the dotted name. */
export function memberSym(base: string, name: string): string {
  const alias = ALIASES.get(`${base}.${name}`);
  if (alias) return alias;
  if (name === 'default' && !base.includes('.')) return base;
  return `${base}.${name}`;
}

const STARTS = new Map<string, JsStart>();
for (const m of JS_MODELS) for (const s of m.starts) STARTS.set(`${s.form} ${s.symbol}`, s);

/** The start `new symbol(...)` / `symbol(...)` is, if any. */
export function startOf(form: 'new' | 'call', symbol: string | undefined): JsStart | undefined {
  return symbol ? STARTS.get(`${form} ${symbol}`) : undefined;
}

/** What a value made by `new symbol(...)` / `symbol(...)` is, with the start's label. */
export function createdBy(form: 'new' | 'call', symbol: string | undefined): (JsCreates & { label?: string }) | undefined {
  const s = startOf(form, symbol);
  return s ? { ...s.creates, label: s.label } : undefined;
}

/** A quick test of a file's text for a start that hands its child an argv list (`fork(`, `spawn(`). */
export const ARGV_STARTS = new RegExp(
  `\\b(${[...new Set(JS_MODELS.flatMap((m) => m.starts.filter((s) => s.argv !== undefined).map((s) => s.symbol.split('.').pop())))].join('|')})\\s*\\(`,
);

const INSTANCE_TYPES = new Map<string, JsCreates>();
for (const m of JS_MODELS) {
  for (const s of m.starts) if (s.form === 'new') INSTANCE_TYPES.set(s.symbol, s.creates);
  for (const t of m.instanceTypes ?? []) INSTANCE_TYPES.set(t.symbol, t.creates);
}

/** What a parameter annotated with type `symbol` (`pool: Piscina`, `c: ChildProcess`) was made by. */
export function creationOfType(symbol: string | undefined): JsCreates | undefined {
  const c = symbol ? INSTANCE_TYPES.get(symbol) : undefined;
  return c ? { ...c } : undefined;
}

/** The label of a pool system's call-form start (`workerpool.pool`), for value kinds. */
export function poolCallLabel(pool: SystemKind): string | undefined {
  for (const m of JS_MODELS) for (const s of m.starts) if (s.form === 'call' && s.creates.pool === pool) return s.label;
  return undefined;
}

const SUBMITS = new Map<string, JsSubmit>();
const SUBMIT_METHODS = new Map<string, JsSubmit>();
for (const m of JS_MODELS) {
  for (const { pool, submit } of m.submits ?? []) {
    SUBMITS.set(`${pool} ${submit.method}`, submit);
    // the shape of a call is read before its receiver is known: models sharing a method name share its slots
    const first = SUBMIT_METHODS.get(submit.method);
    if (!first) SUBMIT_METHODS.set(submit.method, submit);
    else if (first.payload !== submit.payload || String(first.transfer) !== String(submit.transfer) || first.task !== submit.task)
      throw new Error(`framework models disagree on the arguments of .${submit.method}()`);
  }
}

/** The submission shape of `.method(...)` on some pool (the first model's, which fixes the slots and the provisional channel). */
export function submitShape(method: string): JsSubmit | undefined {
  return SUBMIT_METHODS.get(method);
}

let runClasses: { module: string; cls: string; channel: string }[] | undefined;
/**
 * Pool classes whose instances take `run(...)` submissions (`piscina.Piscina` → module
 * 'piscina', class 'Piscina', channel 'piscina.run'), for pools the value-flow layer finds.
 */
export function runPoolClasses(): { module: string; cls: string; channel: string }[] {
  return (runClasses ??= JS_MODELS.flatMap((m) =>
    m.starts.flatMap((s) => {
      const sub = s.form === 'new' ? submitOf(s.creates.pool, 'run') : undefined;
      const dot = s.symbol.indexOf('.');
      return sub && dot > 0 ? [{ module: s.symbol.slice(0, dot), cls: s.symbol.slice(dot + 1), channel: sub.channel }] : [];
    }),
  ));
}

/** The submission `.method(...)` on a pool of `pool` is, if that pool has one. */
export function submitOf(pool: SystemKind | undefined, method: string): JsSubmit | undefined {
  return pool ? SUBMITS.get(`${pool} ${method}`) : undefined;
}

export const MESSAGE_CHANNELS = new Map<string, JsMessageChannel>(JS_MODELS.flatMap((m) => (m.messages ?? []).map((c) => [c.method, c] as const)));

const ENTRIES: JsWorkerEntry[] = JS_MODELS.flatMap((m) => m.workerEntries ?? []);
/** `receiver.on(event, fn)` registrations that run in the worker, by receiver symbol. */
export const MESSAGE_RECEIVERS = new Map<string, Set<string>>(
  ENTRIES.flatMap((e) => (e.shape === 'message-handler' ? [[e.receiver, new Set(e.events)] as const] : [])),
);
/** `workerpool.worker({ name: fn })`: the callee symbol → the position of the task object. */
export const TASK_OBJECT_CALLS = new Map<string, number>(ENTRIES.flatMap((e) => (e.shape === 'task-object' ? [[e.symbol, e.arg] as const] : [])));
/** `new ThreadWorker(fn | { name: fn })` and subclasses: the class symbol → where the tasks are. */
export const TASK_CLASSES = new Map<string, { arg: number; functionKey?: string }>(
  ENTRIES.flatMap((e) => (e.shape === 'task-class' ? [[e.symbol, { arg: e.arg, functionKey: e.functionKey }] as const] : [])),
);

/** bare `addEventListener(event, fn)` in a worker's global scope: the events that run in the worker */
export const GLOBAL_MESSAGE_EVENTS = new Set<string>(ENTRIES.flatMap((e) => (e.shape === 'message-handler' && e.global ? e.events : [])));
/** `receiver.onmessage = fn`: receiver symbol → handler properties; bare `onmessage = fn` when global */
export const HANDLER_PROPERTIES = new Map<string, Set<string>>(
  ENTRIES.flatMap((e) => (e.shape === 'handler-property' ? [[e.receiver, new Set(e.properties)] as const] : [])),
);
export const GLOBAL_HANDLER_PROPERTIES = new Set<string>(ENTRIES.flatMap((e) => (e.shape === 'handler-property' && e.global ? e.properties : [])));
/** `expose(fn | obj | instance | Class)`: the callee symbol → the position of what is exposed */
export const EXPOSE_CALLS = new Map<string, number>(ENTRIES.flatMap((e) => (e.shape === 'exposed' ? [[e.symbol, e.arg] as const] : [])));

/** Undeclared global names that are framework symbols (the Web Worker API's `Worker`, `self`). */
export const GLOBAL_SYMBOLS = new Set<string>(JS_MODELS.flatMap((m) => m.globals ?? []));

/** Calls whose result stands for a worker's exposed API (comlink's `wrap`, threads.js's `spawn`), by callee symbol. */
export const REMOTE_PROXIES = new Map<string, JsRemoteProxy>(JS_MODELS.flatMap((m) => (m.remoteProxies ?? []).map((p) => [p.symbol, p] as const)));

const WORKER_IMPORTS: JsWorkerImport[] = JS_MODELS.flatMap((m) => m.workerImports ?? []);

/**
 * A bundler import naming a worker script (`'./w.js?worker'`): the script's specifier, what
 * the default import is, and for a constructor the start it makes.
 */
export function workerImportOf(spec: string): { file: string; gives: 'constructor' | 'url'; start?: JsStart } | undefined {
  const q = spec.indexOf('?');
  if (q < 0 || WORKER_IMPORTS.length === 0) return undefined;
  const tokens = new Set(spec.slice(q + 1).split('&').map((t) => t.split('=')[0]));
  const hit = WORKER_IMPORTS.find((w) => w.query.split('&').every((t) => tokens.has(t)));
  if (!hit) return undefined;
  return { file: spec.slice(0, q), gives: hit.gives, start: hit.start ? startOf('new', hit.start) : undefined };
}

/** Calls whose option picks the script a self-spawning start runs (`cluster.setupPrimary({ exec })`). */
export const SCRIPT_SETTERS = new Map<string, string>(JS_MODELS.flatMap((m) => (m.scriptSetters ?? []).map((s) => [s.symbol, s.option] as const)));

export const MAIN_MARKERS = new Set<string>(JS_MODELS.flatMap((m) => m.mainMarkers ?? []));
export const WORKER_MARKERS = new Set<string>(JS_MODELS.flatMap((m) => m.workerMarkers ?? []));

/** Channels copied by structured clone, where a stream or port must be in the transfer list. */
export const TRANSFER_CHANNELS = new Set<string>(JS_MODELS.flatMap((m) => m.transferChannels ?? []));

const EXPORT_TASKS = new Set<SystemKind>(JS_MODELS.flatMap((m) => m.exportsAreTasks ?? []));
/** Whether a start of `system` runs the worker module's exports as tasks (piscina, tinypool). */
export function exportsAreTasks(system: SystemKind): boolean {
  return EXPORT_TASKS.has(system);
}

/** Configuration files that start processes (pm2's ecosystem file). */
export const CONFIG_STARTS: readonly JsConfigStart[] = JS_MODELS.flatMap((m) => m.configStarts ?? []);

const PEERS = new Set<SystemKind>(JS_MODELS.flatMap((m) => m.peerSystems ?? []));
/** Whether the workers of `system` are peer instances of one service (pm2 cluster mode). */
export function peerInstances(system: SystemKind): boolean {
  return PEERS.has(system);
}

/** The start a spawn site was made by (its system and label), for the words that describe its workers. */
export function startOfSite(site: { system: SystemKind; label: string }): JsStart | undefined {
  for (const m of JS_MODELS) {
    for (const s of m.starts) {
      if (s.system !== site.system) continue;
      if (s.label === site.label) return s;
      // a variant (`enableWorkerThreads: true`) speaks of its own workers
      const v = s.variants?.find((x) => x.label === site.label);
      if (v) return { ...s, ...v, variants: undefined };
    }
  }
  for (const m of JS_MODELS) for (const s of m.starts) if (s.system === site.system) return s;
  // a configuration file's start speaks of its workers in its own words
  const c = CONFIG_STARTS.find((x) => x.system === site.system);
  if (c) return { symbol: c.list, form: 'call', system: c.system, label: c.label, kind: c.kind, serializer: 'json', creates: {}, workerWords: c.workerWords, systemWords: c.systemWords };
  return undefined;
}
