/**
 * The Python framework models (server/src/frameworks/python/) and what the front end makes
 * of them: the registry's tables, joblib's backend options and config contexts, hand-overs
 * to an executor argument (`run_in_executor`), modules that re-export multiprocessing
 * (`multiprocess`, billiard, `torch.multiprocessing`), and serialisers that send functions
 * by value.
 */
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initPython, parsePython } from '../server/src/python/frontend';
import type { ModuleModel, SpawnSite } from '../server/src/engine/model';
import { PYTHON_FRAMEWORKS, WORKER_CALLS, PROCESS_CLASSES, canonicalName, submitMethodNames } from '../server/src/frameworks/python';

function parse(src: string): ModuleModel {
  return parsePython('/proj/mod.py', src);
}

function tasks(s: SpawnSite): string[] {
  return s.tasks.map((t) => `${t.label}:${t.ref.name}${t.ref.member ? '.' + t.ref.member : ''}`);
}

const MODELS_DIR = path.resolve(__dirname, '../server/src/frameworks/python');

describe('Python framework models', () => {
  before(async () => {
    await initPython();
  });

  describe('the registry', () => {
    it('lists every model file once, each under its own id', () => {
      const files = fs.readdirSync(MODELS_DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'types.ts').map((f) => f.replace(/\.ts$/, ''));
      const ids = PYTHON_FRAMEWORKS.map((f) => f.doc.id);
      assert.deepStrictEqual([...ids].sort(), [...files].sort());
      for (const f of PYTHON_FRAMEWORKS) {
        assert.strictEqual(f.doc.language, 'python');
        assert.ok(f.doc.references.length > 0, `${f.doc.id}: no references`);
        if (f.doc.fixtures === 'runnable' && f.doc.runtime?.debian) for (const d of f.doc.runtime.debian) assert.match(d, /^python3-/);
      }
    });

    it('gives re-exporting modules the original names, with their own serialiser', () => {
      assert.strictEqual(WORKER_CALLS.get('multiprocess.Pool')?.system, 'mp.Pool');
      assert.strictEqual(WORKER_CALLS.get('multiprocess.Pool')?.serializer, 'dill');
      assert.strictEqual(WORKER_CALLS.get('multiprocessing.Pool')?.serializer, 'pickle');
      assert.strictEqual(WORKER_CALLS.get('billiard.Process')?.system, 'mp.Process');
      assert.strictEqual(WORKER_CALLS.get('torch.multiprocessing.spawn')?.label, 'torch.multiprocessing.spawn');
      assert.ok(PROCESS_CLASSES.has('multiprocess.context.SpawnProcess'));
      assert.strictEqual(PROCESS_CLASSES.get('billiard.context.ForkProcess'), 'fork');
      assert.strictEqual(canonicalName('multiprocess.Queue'), 'multiprocessing.Queue');
      assert.strictEqual(canonicalName('torch.multiprocessing.Manager'), 'multiprocessing.Manager');
      assert.strictEqual(canonicalName('multiprocessingx.Queue'), 'multiprocessingx.Queue');
    });

    it('names the submit methods of process systems only', () => {
      assert.deepStrictEqual([...(submitMethodNames('ProcessPoolExecutor') ?? [])].sort(), ['map', 'submit']);
      assert.ok(submitMethodNames('mp.Pool')?.has('starmap_async'));
      assert.strictEqual(submitMethodNames('threads'), undefined);
    });
  });

  describe('joblib', () => {
    it('Parallel on loky: worker processes started fresh, tasks by value, the task and its arguments from delayed(f)(...)', () => {
      const m = parse(`
from joblib import Parallel, delayed
import work
def go(xs, lock):
    return Parallel(n_jobs=4)(delayed(work.scale)(x, lock) for x in xs)
`);
      const [s] = m.spawns;
      assert.strictEqual(s.system, 'joblib');
      assert.strictEqual(s.isProcess, true);
      assert.strictEqual(s.startMethod, 'spawn');
      assert.strictEqual(s.startMethodBy, 'loky');
      assert.strictEqual(s.capturesGlobals, true);
      assert.deepStrictEqual(tasks(s), ['Parallel(...):work.scale']);
    });

    it('a Parallel object held in a name or a with block, called later', () => {
      const m = parse(`
import joblib
def f(x): return x
def go(xs):
    p = joblib.Parallel(n_jobs=-1, verbose=0)
    p(joblib.delayed(f)(x) for x in xs)
    with joblib.Parallel(n_jobs=2) as parallel:
        parallel([joblib.delayed(f)(1), joblib.delayed(f)(2)])
`);
      assert.deepStrictEqual(m.spawns.map(tasks), [['Parallel(...):f'], ['Parallel(...):f', 'Parallel(...):f']]);
    });

    it('threads, the caller, or processes as the options and config contexts say', () => {
      const m = parse(`
from joblib import Parallel, delayed, parallel_backend, parallel_config
def f(x): return x
def go(xs, n, backend):
    Parallel(n_jobs=2, prefer="threads")(delayed(f)(x) for x in xs)
    Parallel(2, "threading")(delayed(f)(x) for x in xs)
    Parallel(n_jobs=2, require="sharedmem", backend="loky")(delayed(f)(x) for x in xs)
    Parallel(n_jobs=1)(delayed(f)(x) for x in xs)
    Parallel()(delayed(f)(x) for x in xs)
    Parallel(n_jobs=2, backend="sequential")(delayed(f)(x) for x in xs)
    with parallel_backend("threading"):
        Parallel(n_jobs=2)(delayed(f)(x) for x in xs)
    with parallel_config(prefer="threads"):
        Parallel(n_jobs=2, backend="loky")(delayed(f)(x) for x in xs)
    with parallel_backend("loky"):
        Parallel()(delayed(f)(x) for x in xs)
    Parallel(n_jobs=n)(delayed(f)(x) for x in xs)
    Parallel(n_jobs=2, backend=backend)(delayed(f)(x) for x in xs)
    Parallel(n_jobs=2, backend="multiprocessing")(delayed(f)(x) for x in xs)
`);
      const got = m.spawns.map((s) => `${s.range.start.line}:${s.system}:${s.isProcess}`);
      assert.deepStrictEqual(got, [
        '4:threads:false',
        '5:threads:false',
        '6:threads:false',
        // 7, 8, 9: in the caller (n_jobs=1, no n_jobs, the sequential backend): no site
        '11:threads:false',
        '13:joblib:true',
        '15:joblib:true',
        '16:joblib:true',
        '17:joblib:true',
        '18:joblib:true',
      ]);
      const mp = m.spawns[m.spawns.length - 1];
      assert.strictEqual(mp.startMethod, undefined, 'the multiprocessing backend uses the program\'s start method');
      assert.strictEqual(mp.capturesGlobals, undefined);
      assert.strictEqual(mp.byValue, undefined);
    });

    it('a function defined under @delayed is a task when called in the iterable', () => {
      const m = parse(`
from joblib import Parallel, delayed
@delayed
def f(x): return x
def g(x): return x
def go(xs):
    Parallel(n_jobs=2)(f(x) for x in xs)
    Parallel(n_jobs=2)(g(x) for x in xs)
`);
      assert.deepStrictEqual(m.spawns.map(tasks), [['Parallel(...):f'], []]);
    });

    it('lambdas and nested functions are tasks, not unsendable payloads', () => {
      const m = parse(`
from joblib import Parallel, delayed
def go(xs, k):
    def inner(x): return x * k
    Parallel(n_jobs=2)(delayed(lambda x: x + k)(x) for x in xs)
    Parallel(n_jobs=2)(delayed(inner)(x) for x in xs)
`);
      assert.deepStrictEqual(m.payloads, []);
      assert.deepStrictEqual(m.spawns.map((s) => s.tasks.map((t) => t.unit !== undefined)), [[true], [true]]);
    });
  });

  describe('loky, asyncio, InterpreterPoolExecutor', () => {
    it('get_reusable_executor: submissions and the initializer', () => {
      const m = parse(`
from joblib.externals.loky import get_reusable_executor
import work
def go(xs):
    ex = get_reusable_executor(max_workers=2, initializer=work.setup, initargs=(1,))
    ex.submit(work.run, 1)
    return list(ex.map(work.run, xs))
`);
      const [s] = m.spawns;
      assert.strictEqual(s.system, 'loky');
      assert.deepStrictEqual(s.initializers, [{ name: 'work', member: 'setup' }]);
      assert.deepStrictEqual(tasks(s), ['get_reusable_executor.submit:work.run', 'get_reusable_executor.map:work.run']);
    });

    it('run_in_executor hands the task to the executor given; None and to_thread are threads', () => {
      const m = parse(`
import asyncio
from concurrent.futures import ProcessPoolExecutor
def work(x): return x
async def go(loop):
    with ProcessPoolExecutor() as pool:
        await loop.run_in_executor(pool, work, 1)
    await loop.run_in_executor(None, work, 2)
    await asyncio.to_thread(work, 3)
`);
      assert.deepStrictEqual(m.spawns.map((s) => [s.system, s.isProcess, ...tasks(s)]), [
        ['ProcessPoolExecutor', true, 'ProcessPoolExecutor.run_in_executor:work'],
        ['threads', false, 'asyncio.to_thread(func=):work'],
      ]);
    });

    it('InterpreterPoolExecutor: always a fresh import, whatever the program sets', () => {
      const m = parse(`
import multiprocessing as mp
from concurrent.futures import InterpreterPoolExecutor
def work(x): return x
if __name__ == "__main__":
    mp.set_start_method("fork")
    with InterpreterPoolExecutor() as ex:
        ex.submit(work, 1)
`);
      assert.strictEqual(m.spawns[0].startMethod, 'spawn');
      assert.strictEqual(m.spawns[0].startMethodBy, 'InterpreterPoolExecutor');
    });
  });

  describe('multiprocess, billiard, torch.multiprocessing, pathos', () => {
    it('multiprocess sends lambdas with dill; multiprocessing cannot', () => {
      const m = parse(`
import multiprocess
import multiprocessing
def go(xs):
    with multiprocess.Pool(2) as p:
        p.map(lambda x: x, xs)
    with multiprocessing.Pool(2) as q:
        q.map(lambda x: x, xs)
`);
      assert.deepStrictEqual(m.spawns.map((s) => [s.system, !!s.byValue, !!s.capturesGlobals]), [['mp.Pool', true, false], ['mp.Pool', false, false]]);
      assert.deepStrictEqual(m.payloads.map((p) => `${p.range.start.line}:${p.what}`), ['7:lambda']);
    });

    it('their primitives, managers, contexts and process classes are multiprocessing\'s', () => {
      const m = parse(`
import billiard
import torch.multiprocessing as tmp
import threading
Q = billiard.Queue()
M = tmp.Manager()
class W(billiard.context.SpawnProcess):
    def run(self): pass
def go(xs):
    ctx = billiard.get_context("forkserver")
    with ctx.Pool(2, initargs=(threading.Lock(),)) as p:
        p.map(len, xs)
`);
      assert.strictEqual(m.bindings.get('Q')?.kind, 'process-primitive');
      assert.strictEqual(m.bindings.get('M')?.kind, 'manager-proxy');
      assert.strictEqual(m.bindings.get('W')?.processClass?.startMethod, 'spawn');
      assert.deepStrictEqual(m.spawns.map((s) => [s.system, s.startMethod]), [['mp.Manager', undefined], ['mp.Pool', 'forkserver']]);
      assert.deepStrictEqual(m.payloads.map((p) => p.what), ['thread-lock']);
    });

    it('torch.multiprocessing.spawn starts spawn processes at the call, fn and args by slot', () => {
      const m = parse(`
import torch.multiprocessing as mp
def worker(rank, cfg): pass
if __name__ == "__main__":
    mp.spawn(worker, args=({},), nprocs=2)
`);
      const [s] = m.spawns;
      assert.deepStrictEqual([s.system, s.startMethod, s.passesState, !!s.startRange], ['mp.Process', 'spawn', true, true]);
      assert.deepStrictEqual(tasks(s), ['torch.multiprocessing.spawn(fn=):worker']);
    });

    it('torch.multiprocessing.spawn: a start_method argument is pinned there', () => {
      const m = parse(`
import torch.multiprocessing as mp
def worker(rank): pass
if __name__ == "__main__":
    mp.spawn(worker, nprocs=2, start_method="fork")
    mp.start_processes(worker, (), 2, True, False, "forkserver")
`);
      assert.deepStrictEqual(m.spawns.map((s) => [s.startMethod, s.startMethodBy]), [['fork', undefined], ['forkserver', undefined]]);
    });

    it('pathos pools: map over several iterables, pipe, threads', () => {
      const m = parse(`
from pathos.pools import ProcessPool, ThreadPool
from pathos.multiprocessing import ProcessingPool
def f(x, y): return x + y
def go(xs):
    ProcessPool(nodes=2).map(f, xs, xs)
    p = ProcessingPool(2)
    p.pipe(f, 1, 2)
    p.amap(lambda x: x, xs)
    ThreadPool(2).map(f, xs, xs)
    amap = ProcessPool().amap
    amap(f, xs, xs)
`);
      assert.deepStrictEqual(m.spawns.map((s) => [s.system, ...tasks(s)]), [
        ['pathos', 'ProcessPool.map:f'],
        ['pathos', 'ProcessPool.pipe:f', 'ProcessPool.amap:<lambda>'],
        ['threads', 'ThreadPool.map:f'],
        ['pathos', 'ProcessPool.amap:f'],
      ]);
      assert.deepStrictEqual(m.payloads, []);
    });
  });
});
