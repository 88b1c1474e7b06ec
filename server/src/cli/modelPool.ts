/**
 * `--jobs N`: the front ends of a CLI run on N threads — the main thread and N-1
 * `worker_threads` (./modelWorker.ts). Each file's text goes to a worker and its model comes
 * back as plain data (structured clone): a worker shares nothing with the main thread, so
 * what it needs is passed to it, which is the very thing Crossproc checks in the code it
 * reads. Linking and the rules stay on the main thread, where the project adds the models
 * in the run's order, so the results are those of one thread (engine/project.ts,
 * ExtractedModel).
 *
 * Scheduling: files largest first for the workers (batches of about 200,000 characters,
 * smaller as the queue drains, two in flight per worker so that none waits), smallest
 * first for the main thread, which takes one file at a time and lets the workers' replies in
 * between. Before that, while the main thread decides which JS files the run needs, the
 * first worker is already sent the largest Python files ({@link HeadStart}). JS/TS files go
 * to as few threads as their size warrants (each loads TypeScript's compiler): the main
 * thread first when it has loaded the compiler already (the relevance scan's depth check),
 * else the first workers. A file a worker could not do (the thread died, a model was not
 * plain data) is left to the project, which parses it on the main thread. Models come back
 * compacted, their ranges as numbers (./modelTransfer.ts): the main thread's share of
 * deserialising them halved.
 *
 * What a second thread costs (standard library, 2 cores, `perf` per thread): a worker's
 * start about 0.1 s, deserialising its models on the main thread 0.1–0.25 s (0.4 s before
 * ./modelTransfer.ts), and V8 warming up a second isolate: the worker runs the front ends'
 * JS unoptimised until it gets hot, and V8's helper threads compile it with TurboFan again
 * (and again after each deoptimisation). `--jobs 2` took 8.1–9.1 s of CPU against 6.3–6.8 s
 * for `--jobs 1` (main and worker 5.5 s against the main thread's 4.3 s; helper threads,
 * TurboFan and GC, 3.5 s against 2.4 s), and the standard library analysed as two halves in
 * two processes costs 1.0–1.8 s more CPU than in one. ./compilerTiers.ts raises V8's
 * tier-up budget for every run, which cuts that compiling on both sides, and a worker's
 * young generation is larger than V8's default ({@link POOL_YOUNG_GENERATION_MB}).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Language } from '../engine/model';
import type { ExtractedModel } from '../engine/project';
import { initPython } from '../python/parser';
import { extractModel } from './extractModel';
import { unpackSpans } from './modelTransfer';
import { lastCodeCacheLoad } from '../shared/codeCache';
import { v8FlagsSet } from '../shared/v8Flags';

/** A file to extract: its project text (engine/project.ts, projectText) and language. */
export interface PoolItem {
  file: string;
  text: string;
  lang: Language;
}

/** Main thread → worker: a batch of files. */
export interface PoolRequest {
  batch: number;
  items: Array<PoolItem & { index: number }>;
  /** send the models packed (./modelTransfer.ts) */
  pack?: boolean;
  /** the V8 flags the main thread set (shared/v8Flags.ts): they are the worker's too, and key its code cache */
  v8Flags?: readonly string[];
}

/** A model as a worker sends it: with `ranges` when packed (./modelTransfer.ts). */
export type PoolModel = Omit<ExtractedModel, 'makeSpan'> & { ranges?: Int32Array };

/** Worker → main thread: the batch's models, or why a file has none. */
export interface PoolReply {
  batch: number;
  results: Array<({ index: number } & PoolModel) | { index: number; error: string }>;
}

/**
 * Source (UTF-16 units) each thread beyond the first needs to be worth starting: a worker
 * costs about 0.1 s of CPU to start (bundle, Python grammar), the front ends run at about
 * 3 MB of Python a second, so below this its start-up is a tenth or more of its work.
 */
export const MIN_CHARS_PER_THREAD = 1_000_000;
const MAX_BATCH_CHARS = 200_000;
const MIN_BATCH_CHARS = 20_000;
const MAX_BATCH_FILES = 64;

/**
 * A worker's stack, so that its V8 stack limit is the main thread's (V8's default 984 KB;
 * Node gives a worker its stackSizeMb less 192 KB): a file nested too deeply for one thread
 * is too deep for the other (engine/project.ts, TOO_DEEP_NOTE).
 */
const WORKER_STACK_MB = (984 + 192) / 1024;

/**
 * The default of `--jobs`: 1. Measured on 2 cores (idle), a second thread did not shorten a
 * run (stdlib 3.93 s → 3.82 s wall, luigi 2.9 s → 3.0 s) and cost 9–26 % more CPU: V8's
 * own threads (GC, compilation) already use the second core, and linking and the rules are
 * serial. `--jobs N` stays for machines with cores to spare.
 */
export function defaultJobs(): number {
  return 1;
}

/** How many threads to extract `chars` of source on, at most `jobs`: fewer when there is too little to share. */
export function threadsFor(jobs: number, chars: number): number {
  return Math.max(1, Math.min(jobs, 1 + Math.floor(chars / MIN_CHARS_PER_THREAD)));
}

/**
 * The young generation of a CLI run's workers (V8 makes it three semi-spaces' worth, each a
 * power of two: 32 MB semi-spaces, V8's default 16 MB). A worker is given the largest files,
 * and a large file's syntax tree and model outlived V8's default young generation while they
 * were made: they were copied to old space, to die there. Standard library, --jobs 2: the
 * worker promoted 108–115 MB, 30 scavenges; with this 23–27 MB, 18–19 (load 10–12).
 */
const POOL_YOUNG_GENERATION_MB = 96;

/**
 * A model worker: the bundle next to the CLI's, or, run from source (tests, tsx), the
 * TypeScript file loaded through tsx (a worker does not inherit the main thread's loader).
 * `pool`: one of a CLI run's ({@link POOL_YOUNG_GENERATION_MB}); the language server's
 * keeps V8's defaults.
 */
export function startWorker(pool = false): Worker {
  const options = { resourceLimits: { stackSizeMb: WORKER_STACK_MB, ...(pool ? { maxYoungGenerationSizeMb: POOL_YOUNG_GENERATION_MB } : {}) } };
  if (!__filename.endsWith('.ts')) return new Worker(path.join(__dirname, 'model-worker.js'), options);
  const source = path.join(__dirname, 'modelWorker.ts');
  const tsx = require.resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`, { ...options, eval: true });
}

function tryExtract(item: PoolItem): ExtractedModel | undefined {
  try {
    return extractModel(item.file, item.text, item.lang);
  } catch {
    // the project parses it again on the main thread, where a failure becomes a model problem
    return undefined;
  }
}

/** Files of one language, largest first: workers take from the front, the main thread from the back. */
class Queue {
  private readonly order: number[];
  private front = 0;
  private back: number;
  chars = 0;

  constructor(private readonly items: readonly PoolItem[], indices: number[]) {
    this.order = indices.sort((a, b) => items[b]!.text.length - items[a]!.text.length || a - b);
    this.back = this.order.length;
    for (const i of indices) this.chars += items[i]!.text.length;
  }

  get empty(): boolean {
    return this.front >= this.back;
  }

  /** the largest files left, up to `budget` characters (at least one file) */
  takeLargest(budget: number): number[] {
    const out: number[] = [];
    let chars = 0;
    while (!this.empty && chars < budget && out.length < MAX_BATCH_FILES) {
      const i = this.order[this.front++]!;
      out.push(i);
      chars += this.items[i]!.text.length;
    }
    this.chars -= chars;
    return out;
  }

  takeSmallest(): number | undefined {
    if (this.empty) return undefined;
    const i = this.order[--this.back]!;
    this.chars -= this.items[i]!.text.length;
    return i;
  }
}

/**
 * JS/TS source each thread that parses JS beyond the first needs: every such thread loads
 * TypeScript's compiler (about 0.2 s of CPU before its first file), so the JS of a mostly
 * Python project goes to one thread.
 */
export const MIN_JS_CHARS_PER_THREAD = 2_000_000;

export interface PoolResult {
  /** by file; a file missing here is left to the caller */
  models: Map<string, ExtractedModel>;
  /** how many of them workers made */
  fromWorkers: number;
}

/**
 * Starts `count` model workers now, to be handed to {@link extractModels}: a worker takes
 * about 0.1 s to load the bundle and the Python grammar, which can overlap the reading of
 * the files. Undefined when none could start.
 */
export function startWorkers(count: number): Worker[] {
  const out: Worker[] = [];
  for (let i = 0; i < count; i++) {
    try {
      out.push(startWorker(true));
    } catch {
      break;
    }
  }
  return out;
}

/**
 * Files sent to a worker before the pool runs ({@link extractModels}), while the main thread
 * has other work: the largest Python files, while it decides which JS files a run needs
 * (engine/relevance.ts, whose depth check parses the JS files it flags: 0.4–0.5 s of luigi's
 * main thread, during which the worker had nothing to do). The pool takes over the replies.
 */
export class HeadStart {
  /** batch id (negative: the pool's own are not) → files */
  readonly batches = new Map<number, string[]>();
  private readonly replies: PoolReply[] = [];
  private readonly listener = (reply: PoolReply) => {
    if (this.batches.has(reply.batch)) this.replies.push(reply);
  };
  /** the worker failed before the pool took over (the pool then does its files) */
  dead = false;
  private readonly died = () => {
    this.dead = true;
  };

  constructor(
    readonly worker: Worker,
    items: readonly PoolItem[],
  ) {
    worker.on('message', this.listener);
    worker.on('error', this.died);
    worker.on('exit', this.died);
    let batch: PoolItem[] = [];
    let chars = 0;
    const post = () => {
      const id = -1 - this.batches.size;
      this.batches.set(id, batch.map((it) => it.file));
      worker.postMessage({ batch: id, items: batch.map((it, index) => ({ index, ...it })), pack: true, v8Flags: v8FlagsSet() } satisfies PoolRequest);
      batch = [];
      chars = 0;
    };
    for (const it of [...items].sort((a, b) => b.text.length - a.text.length)) {
      batch.push(it);
      chars += it.text.length;
      if (chars >= MAX_BATCH_CHARS || batch.length >= MAX_BATCH_FILES) post();
    }
    if (batch.length) post();
  }

  /** Hands the replies that came so far to `handle` and stops listening (the pool's listener takes the rest). */
  handOver(handle: (reply: PoolReply) => void): void {
    this.worker.off('message', this.listener);
    this.worker.off('error', this.died);
    this.worker.off('exit', this.died);
    for (const reply of this.replies.splice(0)) handle(reply);
  }
}

/**
 * How much Python to send a worker ahead (a {@link HeadStart}) of a run with this much Python
 * and JS: the relevance scan's cost grows with the JS (luigi: 0.45 s for 0.7 MB, while a
 * worker models about 3.5 MB of Python a second), and the main thread should still find
 * Python to do once it joins.
 */
export function headStartChars(pythonChars: number, jsChars: number): number {
  return Math.min(pythonChars / 2, 2 * jsChars + 2 * MAX_BATCH_CHARS);
}

/**
 * The models of `items` on `threads` threads (the main thread and threads-1 workers,
 * `started` ones first; those not needed are stopped). `onDone` is told the count done.
 */
export async function extractModels(items: readonly PoolItem[], threads: number, onDone?: (done: number) => void, started?: readonly Worker[], head?: HeadStart): Promise<PoolResult> {
  const out = new Map<string, ExtractedModel>();
  let fromWorkers = 0;
  // without the grammar the project makes the Python models (empty, with a problem saying so)
  const pythonReady = await initPython().then(
    () => true,
    () => false,
  );
  // files sent ahead to the first worker (a HeadStart) are in its batches, not the queues
  const byFile = new Map(items.map((it, i) => [it.file, i]));
  const ahead = new Map<number, number[]>();
  const useHead = head !== undefined && threads > 1 && started?.[0] === head.worker;
  for (const [id, files] of useHead ? head.batches : []) ahead.set(id, files.map((f) => byFile.get(f) ?? -1));
  const sentAhead = new Set([...ahead.values()].flat());
  const indices = items.map((_, i) => i).filter((i) => !sentAhead.has(i));
  const python = new Queue(items, indices.filter((i) => items[i]!.lang === 'python'));
  const js = new Queue(items, indices.filter((i) => items[i]!.lang === 'js'));
  // the threads that parse JS: the first workers, and the main thread only when all do
  const jsThreads = Math.min(threads, 1 + Math.floor(js.chars / MIN_JS_CHARS_PER_THREAD));
  // the main thread is the first of them when it has loaded the compiler already (the JS
  // relevance scan's depth check): a worker would load it again (0.3–0.4 s of CPU)
  const mainHasTs = js.chars > 0 && lastCodeCacheLoad() !== undefined;
  const jsWorkers = mainHasTs ? jsThreads - 1 : jsThreads;
  const mainTakesJs = mainHasTs || jsThreads >= threads;
  /** files a dead worker had, or a worker could not do: the main thread does them */
  const retry: number[] = [];
  const batches = new Map<number, { worker: Worker; indices: number[] }>();
  let nextBatchId = 0;
  let done = 0;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const finished = (n: number) => {
    done += n;
    onDone?.(done);
  };

  const workers: Worker[] = [];
  const inFlight = (worker: Worker) => {
    let n = 0;
    for (const b of batches.values()) if (b.worker === worker) n++;
    return n;
  };
  const send = (worker: Worker, takesJs: boolean) => {
    const queue = takesJs && !js.empty ? js : python;
    if (queue.empty) return;
    const budget = Math.min(MAX_BATCH_CHARS, Math.max(MIN_BATCH_CHARS, (python.chars + js.chars) / (4 * threads)));
    const taken = queue.takeLargest(budget);
    const batch = nextBatchId++;
    batches.set(batch, { worker, indices: taken });
    worker.postMessage({ batch, items: taken.map((index) => ({ index, ...items[index]! })), pack: true, v8Flags: v8FlagsSet() } satisfies PoolRequest);
  };
  const early = [...(started ?? [])];
  // workers started early that this much source does not warrant
  for (const w of early.splice(Math.max(0, threads - 1))) void w.terminate();
  for (let k = 1; k < threads && items.length > 0; k++) {
    let worker: Worker;
    try {
      worker = early.shift() ?? startWorker(true);
    } catch {
      break;
    }
    const takesJs = k <= jsWorkers;
    let alive = true;
    const onReply = (reply: PoolReply) => {
      const batch = batches.get(reply.batch);
      if (!batch) return;
      batches.delete(reply.batch);
      let n = 0;
      for (const r of reply.results) {
        // a HeadStart's batch numbers its files from 0 (the index into `batch.indices`)
        const index = reply.batch < 0 ? batch.indices[r.index]! : r.index;
        if (index < 0) continue; // sent ahead, not asked for now: the project parses it if it needs it
        if ('error' in r) retry.push(index);
        else {
          out.set(items[index]!.file, { model: r.model, deferredFacts: r.deferredFacts, ...(r.ranges ? { makeSpan: unpackSpans(r.ranges) } : {}) });
          n++;
          fromWorkers++;
        }
      }
      finished(n);
      if (alive && inFlight(worker) < 2) send(worker, takesJs);
      signal();
    };
    worker.on('message', onReply);
    // a worker that fails (cannot load, runs out of memory) hands its files back
    const lost = () => {
      if (!alive) return;
      alive = false;
      for (const [id, batch] of batches) {
        if (batch.worker !== worker) continue;
        batches.delete(id);
        retry.push(...batch.indices.filter((i) => i >= 0));
      }
      signal();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    workers.push(worker);
    if (k === 1 && useHead) {
      for (const [id, indices] of ahead) batches.set(id, { worker, indices });
      head.handOver(onReply);
      if (head.dead) lost();
    }
    while (alive && inFlight(worker) < 2 && !(takesJs && !js.empty ? js : python).empty) send(worker, takesJs);
  }
  // no worker started: the main thread does everything
  const mainJs = mainTakesJs || workers.length === 0;

  let lastYield = performance.now();
  for (;;) {
    // the main thread alone parses JS: first, while the workers take the Python
    const jsFirst = mainHasTs && jsWorkers === 0;
    const i = retry.pop() ?? (jsFirst ? js.takeSmallest() : undefined) ?? python.takeSmallest() ?? (mainJs || batches.size === 0 ? js.takeSmallest() : undefined);
    if (i !== undefined) {
      const item = items[i]!;
      const model = item.lang === 'python' && !pythonReady ? undefined : tryExtract(item);
      if (model) out.set(item.file, model);
      finished(1);
      // let the workers' replies in (and send them more) between files
      if (workers.length && performance.now() - lastYield > 4) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      continue;
    }
    if (batches.size === 0) break;
    await new Promise<void>((resolve) => (wake = resolve));
  }
  for (const w of workers) {
    w.removeAllListeners('exit');
    void w.terminate();
  }
  return { models: out, fromWorkers };
}
