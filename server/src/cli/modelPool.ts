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
 * between. JS/TS files go to as few threads as their size warrants (each loads TypeScript's
 * compiler), the first workers. A file a worker could not do (the thread died, a model was not plain data) is
 * left to the project, which parses it on the main thread.
 *
 * What a second thread costs (standard library, 2 cores, `perf` per thread): not the
 * copying — serialising and deserialising the models is about 0.1 s of CPU, a worker's
 * start about 0.1 s — but V8 warming up a second isolate: the worker runs the front ends'
 * JS unoptimised until it gets hot, and V8's helper threads compile it with TurboFan again
 * (and again after each deoptimisation). `--jobs 2` took 8.1–9.1 s of CPU against 6.3–6.8 s
 * for `--jobs 1` (main and worker 5.5 s against the main thread's 4.3 s; helper threads,
 * TurboFan and GC, 3.5 s against 2.4 s), and the standard library analysed as two halves in
 * two processes costs 1.0–1.8 s more CPU than in one. ./compilerTiers.ts raises V8's
 * tier-up budget for every run, which cuts that compiling on both sides.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Language } from '../engine/model';
import type { ExtractedModel } from '../engine/project';
import { initPython } from '../python/parser';
import { extractModel } from './extractModel';

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
}

/** Worker → main thread: the batch's models, or why a file has none. */
export interface PoolReply {
  batch: number;
  results: Array<({ index: number } & ExtractedModel) | { index: number; error: string }>;
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
 * A model worker: the bundle next to the CLI's, or, run from source (tests, tsx), the
 * TypeScript file loaded through tsx (a worker does not inherit the main thread's loader).
 */
export function startWorker(): Worker {
  const options = { resourceLimits: { stackSizeMb: WORKER_STACK_MB } };
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
      out.push(startWorker());
    } catch {
      break;
    }
  }
  return out;
}

/**
 * The models of `items` on `threads` threads (the main thread and threads-1 workers,
 * `started` ones first; those not needed are stopped). `onDone` is told the count done.
 */
export async function extractModels(items: readonly PoolItem[], threads: number, onDone?: (done: number) => void, started?: readonly Worker[]): Promise<PoolResult> {
  const out = new Map<string, ExtractedModel>();
  let fromWorkers = 0;
  // without the grammar the project makes the Python models (empty, with a problem saying so)
  const pythonReady = await initPython().then(
    () => true,
    () => false,
  );
  const indices = items.map((_, i) => i);
  const python = new Queue(items, indices.filter((i) => items[i]!.lang === 'python'));
  const js = new Queue(items, indices.filter((i) => items[i]!.lang === 'js'));
  // the threads that parse JS: the first workers, and the main thread only when all do
  const jsThreads = Math.min(threads, 1 + Math.floor(js.chars / MIN_JS_CHARS_PER_THREAD));
  const mainTakesJs = jsThreads >= threads;
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
  const send = (worker: Worker, takesJs: boolean) => {
    const queue = takesJs && !js.empty ? js : python;
    if (queue.empty) return;
    const budget = Math.min(MAX_BATCH_CHARS, Math.max(MIN_BATCH_CHARS, (python.chars + js.chars) / (4 * threads)));
    const taken = queue.takeLargest(budget);
    const batch = nextBatchId++;
    batches.set(batch, { worker, indices: taken });
    worker.postMessage({ batch, items: taken.map((index) => ({ index, ...items[index]! })) } satisfies PoolRequest);
  };
  const early = [...(started ?? [])];
  // workers started early that this much source does not warrant
  for (const w of early.splice(Math.max(0, threads - 1))) void w.terminate();
  for (let k = 1; k < threads && items.length > 0; k++) {
    let worker: Worker;
    try {
      worker = early.shift() ?? startWorker();
    } catch {
      break;
    }
    const takesJs = k <= jsThreads;
    let alive = true;
    worker.on('message', (reply: PoolReply) => {
      const batch = batches.get(reply.batch);
      if (!batch) return;
      batches.delete(reply.batch);
      let n = 0;
      for (const r of reply.results) {
        if ('error' in r) retry.push(r.index);
        else {
          out.set(items[r.index]!.file, { model: r.model, deferredFacts: r.deferredFacts });
          n++;
          fromWorkers++;
        }
      }
      finished(n);
      if (alive) send(worker, takesJs);
      signal();
    });
    // a worker that fails (cannot load, runs out of memory) hands its files back
    const lost = () => {
      if (!alive) return;
      alive = false;
      for (const [id, batch] of batches) {
        if (batch.worker !== worker) continue;
        batches.delete(id);
        retry.push(...batch.indices);
      }
      signal();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    workers.push(worker);
    send(worker, takesJs);
    send(worker, takesJs);
  }
  // no worker started: the main thread does everything
  const mainJs = mainTakesJs || workers.length === 0;

  let lastYield = performance.now();
  for (;;) {
    const i = retry.pop() ?? python.takeSmallest() ?? (mainJs || batches.size === 0 ? js.takeSmallest() : undefined);
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
