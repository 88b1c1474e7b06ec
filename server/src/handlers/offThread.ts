/**
 * The front end of a large edited document runs in a worker thread (the CLI's model worker,
 * cli/modelWorker.ts), so that the server answers hovers, code actions and other documents'
 * edits while it parses; an edit that arrives meanwhile cancels the run that waits for it.
 * The model comes back as plain data and enters the project as the CLI's worker models do
 * (engine/project.ts, ExtractedModel). Small documents are parsed in place: a round trip to
 * the worker and the structured clone cost more than their parse.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker, type PoolReply, type PoolRequest } from '../cli/modelPool';
import type { Language } from '../engine/model';
import type { ExtractedModel } from '../engine/project';

/** Project text (UTF-16 units) from which an edited document is parsed off the main thread. */
export const OFF_THREAD_CHARS = 250_000;

/** A worker left idle this long is stopped (it holds a parser and a heap of its own). */
const IDLE_STOP_MS = 60_000;

export class OffThreadParser {
  private worker: Worker | undefined;
  private failed = false;
  private nextBatch = 0;
  private readonly waiting = new Map<number, (model: ExtractedModel | undefined) => void>();
  private idle: NodeJS.Timeout | undefined;

  /**
   * The model of `text` (a document's project text) made in the worker; undefined when it
   * could not be (no worker, the worker failed or could not do the file): then the caller
   * parses it itself.
   */
  extract(file: string, text: string, lang: Language): Promise<ExtractedModel | undefined> {
    const worker = this.ensureWorker();
    if (!worker) return Promise.resolve(undefined);
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const batch = this.nextBatch++;
    return new Promise((resolve) => {
      this.waiting.set(batch, resolve);
      try {
        worker.postMessage({ batch, items: [{ index: 0, file, text, lang }] } satisfies PoolRequest);
      } catch {
        this.waiting.delete(batch);
        resolve(undefined);
      }
    });
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker || this.failed) return this.worker;
    let worker: Worker;
    try {
      worker = startWorker();
    } catch {
      this.failed = true;
      return undefined;
    }
    worker.unref();
    worker.on('message', (reply: PoolReply) => {
      const done = this.waiting.get(reply.batch);
      if (!done) return;
      this.waiting.delete(reply.batch);
      const r = reply.results[0];
      done(r && !('error' in r) ? { model: r.model, deferredFacts: r.deferredFacts } : undefined);
      if (this.waiting.size === 0) this.stopWhenIdle();
    });
    const lost = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const done of this.waiting.values()) done(undefined);
      this.waiting.clear();
    };
    worker.on('error', () => {
      // a worker that cannot start or dies: parse on the main thread from now on
      this.failed = true;
      lost();
    });
    worker.on('exit', lost);
    this.worker = worker;
    return worker;
  }

  private stopWhenIdle(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.dispose(), IDLE_STOP_MS);
    this.idle.unref();
  }

  dispose(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const w = this.worker;
    this.worker = undefined;
    for (const done of this.waiting.values()) done(undefined);
    this.waiting.clear();
    void w?.terminate();
  }
}
