/**
 * Gives memory back when the server goes idle.
 *
 * An analysis allocates a lot of short-lived garbage, and V8 keeps the heap it grew to
 * until some later collection: over a long editing session the server's RSS drifts up and
 * down by a fifth or more although nothing is kept (measured on 5,000 edits: the live heap
 * after a full GC stays at 40-41 MB, RSS moves between 265 and 330 MB). One full
 * collection once the server has been idle for a moment returns the pages, so RSS at rest
 * stays where the live data is. Idle means no analysis and no request for IDLE_MS; and
 * after the first, a pause collects only once the heap has grown by COLLECT_GROWTH_BYTES.
 *
 * A full collection frees objects but moves few: after the first analysis of a 10,000-file
 * workspace the old space held 832 MB of pages for 601 MB of live objects, and RSS kept
 * them. When a collection leaves much of the old space free, a second one compacts it
 * (V8's --compact-on-every-full-gc, set for that collection only): it takes about as long
 * as the first, and V8 gives the emptied pages back soon after (that workspace's RSS at
 * rest: about 1,130 -> 760-825 MB). RSS peaks while it copies, once.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { setV8Flag } from '../shared/v8Flags';

/** Quiet time before the collection. */
export const IDLE_MS = 1000;

/**
 * Free old-space bytes, after a collection, past which a compacting one follows (and as a
 * share of the space). The share bounds it on large heaps; the bytes on small ones, where
 * 48 MB had let RSS saw-tooth by ±12 % around 215 MB over a 10,000-edit session (npm run
 * soak); with 16 MB it stays within 7.4 % (200-217 MB), and compacting a heap that small
 * costs tens of milliseconds, once idle.
 */
const COMPACT_FREE_BYTES = 16 * 1024 * 1024;
const COMPACT_FREE_SHARE = 0.2;

/**
 * Heap growth (used bytes since the last idle collection) below which a pause collects
 * nothing. The full collection blocks for as long as it takes (about 0.6-1 s on the
 * standard library's workspace) and a keystroke arriving then waits for it; one edit of a
 * 3,000-line file adds about 0.8 MB, so a pause collects after some twenty edits, not
 * after each one.
 */
const COLLECT_GROWTH_BYTES = 16 * 1024 * 1024;

/** What the idle collection left: the heap's live size, MB (RSS follows once V8 has unmapped the freed pages). */
export interface Collected {
  heapMb: number;
  compacted: boolean;
}

/** Free bytes in the old space (pages kept for objects no longer there), and their share of it. */
function oldSpaceFree(): { bytes: number; share: number } {
  const old = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
  if (!old || old.physical_space_size === 0) return { bytes: 0, share: 0 };
  const bytes = old.physical_space_size - old.space_used_size;
  return { bytes, share: bytes / old.physical_space_size };
}

/** One collection with compaction of every old-space page; the flag is V8's, restored at once. */
function compacting(gc: () => void): boolean {
  try {
    v8.setFlagsFromString('--compact-on-every-full-gc');
  } catch {
    return false;
  }
  try {
    gc();
  } finally {
    v8.setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return true;
}

/** V8's `gc()`: a full collection, or with `{ type: 'minor' }` a young-generation one (a scavenge). */
type Collect = (options?: { type: 'minor' }) => void;

/** `gc()`, exposed at run time when the process was not started with --expose-gc; undefined if that fails. */
function collector(): Collect | undefined {
  const exposed = (globalThis as { gc?: Collect }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    // recorded: a code cache made from now on must name it (shared/v8Flags.ts)
    setV8Flag('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Collect) : undefined;
  } catch {
    return undefined;
  }
}

export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;
  private readonly gc = collector();
  /** work happened since the last collection */
  private dirty = false;

  private collections = 0;
  /** the heap's used bytes after the last idle collection */
  private usedAfter = 0;

  /** `collected`: told what the first idle collection left, and each compacting one (the server logs it) */
  constructor(private readonly collected?: (c: Collected) => void) {}

  /** Work was done (an analysis, a request): collect once things are quiet again. */
  touch(): void {
    if (!this.gc) return;
    this.dirty = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.dirty) return;
      this.dirty = false;
      this.collect();
    }, IDLE_MS);
    // never keeps the process alive on its own
    this.timer.unref();
  }

  /**
   * A young-generation collection, once an analysis has published its results: the next
   * analysis then starts with an empty young generation, which one edit's allocations do
   * not fill. Left to V8, a scavenge landed inside every other edit's analysis of a
   * 3,000-line file; this one costs about the same, but between keystrokes.
   */
  scavenge(): void {
    try {
      this.gc?.({ type: 'minor' });
    } catch {
      // an older V8 without the option: nothing to gain
    }
  }

  private collect(): void {
    const gc = this.gc;
    if (!gc) return;
    if (this.collections > 0 && v8.getHeapStatistics().used_heap_size - this.usedAfter < COLLECT_GROWTH_BYTES) return;
    gc();
    const free = oldSpaceFree();
    const compacted = free.bytes > COMPACT_FREE_BYTES && free.share > COMPACT_FREE_SHARE && compacting(gc);
    this.usedAfter = v8.getHeapStatistics().used_heap_size;
    if (this.collections++ > 0 && !compacted) return;
    this.collected?.({ heapMb: v8.getHeapStatistics().used_heap_size / 1048576, compacted });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
