import * as assert from 'node:assert';
import { initPython, parsePython } from '../server/src/python/frontend';
import type { ModuleModel, SpawnSite } from '../server/src/engine/model';
import { acc, kinds, unit } from './support/model';

function parse(src: string): ModuleModel {
  return parsePython('/proj/mod.py', src);
}

function tasks(s: SpawnSite): string[] {
  return s.tasks.map((t) => `${t.label}:${t.ref.name}${t.ref.member ? '.' + t.ref.member : ''}`);
}

describe('python front end', () => {
  before(async () => {
    await initPython();
    await initPython(); // idempotent
  });

  describe('bindings', () => {
    const m = () => parse(`
import os
import a.b as c
import x.y
from . import config
from .config import SETTINGS
from pkg.mod import f as g
from star import *
import threading as th
from threading import Lock
import multiprocessing as mp
from multiprocessing import Manager, get_context
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor

N = 3
NAME = "x"
PAIR = (1, "a")
FROZEN = frozenset({1, 2})
NOTHING = None
ITEMS = []
TABLE = {}
BAG = set()
DD = defaultdict(list)
COMP = [i for i in range(3)]
L1 = th.Lock()
L2 = Lock()
EV = th.Event()
import queue
QQ = queue.Queue()
MQ = mp.Queue()
ctx = get_context('spawn')
CL = ctx.Lock()
VAL = mp.Value('i', 0)
MGR = Manager()
SHARED = MGR.list()
EXE = ProcessPoolExecutor()
A, B = 1, []
TYPED: int = 4
DECL: int
TOTAL = 0
TOTAL += 1
for IDX in range(3):
    pass
with open('f') as FH:
    pass
if os.name == 'nt':
    WIN = True
try:
    import fast
except ImportError:
    fast = None

def func(): pass
async def afunc(): pass
class Klass:
    def m(self): pass
    def n(self): pass
`);

    it('classifies imports', () => {
      const b = m().bindings;
      assert.deepStrictEqual(b.get('os')?.importFrom, { specifier: 'os', imported: '*' });
      assert.deepStrictEqual(b.get('c')?.importFrom, { specifier: 'a.b', imported: '*' });
      assert.deepStrictEqual(b.get('x')?.importFrom, { specifier: 'x', imported: '*' });
      assert.deepStrictEqual(b.get('config')?.importFrom, { specifier: '.', imported: 'config' });
      assert.deepStrictEqual(b.get('SETTINGS')?.importFrom, { specifier: '.config', imported: 'SETTINGS' });
      assert.deepStrictEqual(b.get('g')?.importFrom, { specifier: 'pkg.mod', imported: 'f' });
      assert.strictEqual(b.get('g')?.kind, 'import');
      assert.strictEqual(b.get('fast')?.kind, 'import');
      const model = m();
      assert.deepStrictEqual(model.starExports, ['star']);
      assert.ok(model.imports.includes('x.y') && model.imports.includes('.config') && model.imports.includes('.'));
      assert.strictEqual(model.exports.size, 0);
      assert.deepStrictEqual(model.workerHandlers, []);
    });

    it('classifies values', () => {
      const b = m().bindings;
      const k = (n: string) => b.get(n)?.kind;
      assert.strictEqual(k('N'), 'constant');
      assert.strictEqual(k('NAME'), 'constant');
      assert.strictEqual(k('PAIR'), 'constant');
      assert.strictEqual(k('FROZEN'), 'constant');
      assert.strictEqual(k('NOTHING'), 'empty');
      for (const n of ['ITEMS', 'TABLE', 'BAG', 'DD', 'COMP']) assert.strictEqual(k(n), 'mutable', n);
      assert.strictEqual(k('L1'), 'thread-primitive');
      assert.strictEqual(b.get('L1')?.detail, 'threading.Lock');
      assert.strictEqual(b.get('L2')?.detail, 'threading.Lock');
      assert.strictEqual(b.get('EV')?.detail, 'threading.Event');
      assert.strictEqual(b.get('QQ')?.detail, 'queue.Queue');
      assert.strictEqual(k('MQ'), 'process-primitive');
      assert.strictEqual(b.get('MQ')?.detail, 'multiprocessing.Queue');
      assert.strictEqual(k('CL'), 'process-primitive');
      assert.strictEqual(k('VAL'), 'process-primitive');
      assert.strictEqual(k('MGR'), 'manager-proxy');
      assert.strictEqual(k('SHARED'), 'manager-proxy');
      assert.strictEqual(b.get('SHARED')?.detail, 'Manager().list');
      assert.strictEqual(k('EXE'), 'pool');
      assert.strictEqual(k('A'), 'constant');
      assert.strictEqual(k('B'), 'mutable');
      assert.strictEqual(k('TYPED'), 'constant');
      assert.strictEqual(k('DECL'), 'empty');
      assert.strictEqual(k('TOTAL'), 'constant');
      assert.ok(b.has('IDX') && b.has('FH') && b.has('WIN'));
      assert.strictEqual(b.get('N')?.isConst, false);
    });

    it('functions and classes', () => {
      const model = m();
      const b = model.bindings;
      assert.strictEqual(b.get('func')?.kind, 'function');
      assert.strictEqual(model.units[b.get('func')!.unit!].name, 'func');
      assert.strictEqual(model.units[b.get('func')!.unit!].binding, 'func');
      assert.strictEqual(b.get('afunc')?.kind, 'function');
      assert.strictEqual(b.get('Klass')?.kind, 'class');
      const methods = b.get('Klass')!.methods!.map((id) => model.units[id].name);
      assert.deepStrictEqual(methods, ['Klass.m', 'Klass.n']);
      assert.strictEqual(unit(model, 'Klass.m').isNested, false);
      assert.deepStrictEqual(b.get('N')?.range.start, { line: 15, character: 0 });
    });
  });

  describe('units and scoping', () => {
    const src = `
RESULTS = []
COUNTER = 0
_conn = None
_cache = {}
import config
from . import settings

def shadow():
    RESULTS = [1]
    RESULTS.append(2)
    COUNTER = 5
    return RESULTS, COUNTER

def writer(x):
    global COUNTER
    COUNTER = 1
    COUNTER += x
    RESULTS.append(x)
    RESULTS[0] = x
    del RESULTS[0]
    RESULTS.meta = 1
    _cache[x] += 1
    config.SETTINGS.update(a=1)
    config.SETTINGS['k'] = 2
    config.VALUE = 3
    settings.LEVEL += 1
    print(config.DEBUG)

def reader(items):
    y = [COUNTER for COUNTER in items]
    total = sum(i for i in RESULTS)
    return total + len(_cache)

def lazy():
    global _conn
    if _conn is None:
        _conn = object()
    return _conn

def lazy2(k):
    if k not in _cache:
        _cache[k] = k * 2
    return _cache[k]

def lazy3(k):
    v = _cache.get(k)
    if v is None:
        v = _cache[k] = 1
    return v

def outer():
    def inner():
        return RESULTS
    f = lambda q: q + COUNTER
    return inner

def gen():
    yield from RESULTS

class Holder:
    items = RESULTS
    def get(self):
        return self.items

if "__main__" == __name__:
    RESULTS.append(1)
    COUNTER = 2
    for i in range(3):
        pass
    print(RESULTS)
`;
    const m = () => parse(src);

    it('module and main-guard units', () => {
      const model = m();
      assert.strictEqual(model.units[0].kind, 'module');
      assert.strictEqual(model.units[0].id, 0);
      const main = model.units.find((u) => u.kind === 'main-guard');
      assert.ok(main);
      assert.strictEqual(main.parent, 0);
      assert.deepStrictEqual(kinds(main, 'RESULTS'), ['mutate-call', 'read']);
      assert.deepStrictEqual(kinds(main, 'COUNTER'), ['assign']);
      assert.deepStrictEqual(kinds(main, 'i'), ['assign']);
      // the class body runs at import time: its read belongs to the module unit
      assert.deepStrictEqual(kinds(model.units[0], 'RESULTS'), ['assign', 'read']);
      assert.ok(model.units.every((u, i) => u.id === i));
    });

    it('a local assignment shadows the global (no access)', () => {
      const u = unit(m(), 'shadow');
      assert.deepStrictEqual(u.accesses, []);
    });

    it('global + assignment/update/mutations/item assignment', () => {
      const u = unit(m(), 'writer');
      assert.deepStrictEqual(u.globals, ['COUNTER']);
      assert.deepStrictEqual(kinds(u, 'COUNTER'), ['assign', 'update']);
      assert.deepStrictEqual(kinds(u, 'RESULTS'), ['mutate-call', 'item-assign', 'item-assign', 'item-assign']);
      assert.strictEqual(acc(u, 'RESULTS')[0].detail, 'append');
      assert.strictEqual(acc(u, 'RESULTS')[3].detail, 'meta');
      assert.deepStrictEqual(kinds(u, '_cache'), ['item-assign']);
      assert.deepStrictEqual(kinds(u, 'config', 'SETTINGS'), ['mutate-call', 'item-assign']);
      assert.strictEqual(acc(u, 'config', 'SETTINGS')[0].detail, 'update');
      assert.deepStrictEqual(kinds(u, 'config', 'VALUE'), ['assign']);
      assert.deepStrictEqual(kinds(u, 'settings', 'LEVEL'), ['update']);
      assert.deepStrictEqual(kinds(u, 'config', 'DEBUG'), ['read']);
      // the range of config.SETTINGS covers `config.SETTINGS`
      const r = acc(u, 'config', 'SETTINGS')[0].range;
      assert.strictEqual(r.end.character - r.start.character, 'config.SETTINGS'.length);
    });

    it('comprehension variables are local; reads are reads', () => {
      const u = unit(m(), 'reader');
      assert.deepStrictEqual(kinds(u, 'COUNTER'), []);
      assert.deepStrictEqual(kinds(u, 'RESULTS'), ['read']);
      assert.deepStrictEqual(kinds(u, '_cache'), ['read']);
    });

    it('lazy initialisation', () => {
      const model = m();
      const l1 = acc(unit(model, 'lazy'), '_conn');
      assert.strictEqual(l1[0].kind, 'read');
      assert.strictEqual(l1[0].lazyInit, true);
      assert.strictEqual(l1[2].lazyInit, undefined);
      const l2 = acc(unit(model, 'lazy2'), '_cache');
      assert.strictEqual(l2[0].lazyInit, true);
      assert.strictEqual(l2[1].kind, 'item-assign');
      const l3 = acc(unit(model, 'lazy3'), '_cache');
      assert.strictEqual(l3[0].kind, 'read');
      assert.strictEqual(l3[0].lazyInit, true);
    });

    it('marks head assignments from a parameter (fromParam), and only those', () => {
      const model = parse(`
import config
LIMIT = 1
MODE = 'a'
def task(x, limit, mode):
    """doc"""
    global LIMIT
    LIMIT = limit
    config.MODE = mode
    print(x)
    LIMIT = x
def computed(x):
    global LIMIT
    LIMIT = x + 1
def late(x):
    print(x)
    global LIMIT
    LIMIT = x
`);
      const flags = (fn: string, name: string, member?: string) => acc(unit(model, fn), name, member).map((a) => `${a.kind}${a.fromParam ? '*' : ''}`);
      // the head ones; a later assignment from a parameter is not set-up
      assert.deepStrictEqual(flags('task', 'LIMIT'), ['assign*', 'assign']);
      assert.deepStrictEqual(flags('task', 'config', 'MODE'), ['assign*']);
      // not a bare parameter, or not at the head
      assert.deepStrictEqual(flags('computed', 'LIMIT'), ['assign']);
      assert.deepStrictEqual(flags('late', 'LIMIT'), ['assign']);
    });

    it('nested functions, lambdas, generators, methods', () => {
      const model = m();
      const outer = unit(model, 'outer');
      const inner = unit(model, 'inner');
      assert.strictEqual(inner.parent, outer.id);
      assert.strictEqual(inner.isNested, true);
      assert.strictEqual(inner.binding, undefined);
      assert.deepStrictEqual(kinds(inner, 'RESULTS'), ['read']);
      assert.deepStrictEqual(outer.accesses, []);
      const lam = model.units.find((u) => u.name === '<lambda>' && u.parent === outer.id);
      assert.ok(lam);
      assert.strictEqual(lam.isNested, true);
      assert.deepStrictEqual(lam.params, ['q']);
      assert.deepStrictEqual(kinds(lam, 'COUNTER'), ['read']);
      assert.strictEqual(unit(model, 'gen').isGenerator, true);
      assert.ok(!unit(model, 'outer').isGenerator);
      assert.strictEqual(unit(model, 'Holder.get').parent, 0);
      assert.deepStrictEqual(unit(model, 'Holder.get').params, ['self']);
    });
  });

  describe('calls', () => {
    it('records calls to module functions, mod.func and callbacks', () => {
      const model = parse(`
import helpers
from .util import norm
def key(x): return x
def work(xs):
    helpers.compute(xs)
    norm(xs)
    sorted(xs, key=key)
    list(map(helpers.fmt, xs))
    return key(1)
`);
      const calls = unit(model, 'work').calls.map((c) => c.callee.member ? `${c.callee.name}.${c.callee.member}` : c.callee.name);
      assert.deepStrictEqual(calls.sort(), ['helpers.compute', 'helpers.fmt', 'key', 'key', 'norm'].sort());
    });

    it('gives a decorator factory argument to the decorated function, not to the code applying the decorator', () => {
      const model = parse(`
import reg
def compute(xs): return xs
def hook(e): return e
def tag(*fns): return lambda f: f
@tag(compute)
class TestCompute:
    pass
@reg.retry(on_error=hook)
@tag(compute).also(reg.log)
def task(x):
    return x
print(sorted(compute, key=hook))
`);
      const names = (u: { calls: { callee: { name: string; member?: string } }[] }) =>
        u.calls.map((c) => (c.callee.member ? `${c.callee.name}.${c.callee.member}` : c.callee.name)).sort();
      // the decorator factories are called at import time; their arguments are not (sorted's are)
      assert.deepStrictEqual(names(model.units[0]), ['compute', 'hook', 'reg.retry', 'tag', 'tag'].sort());
      assert.deepStrictEqual(names(unit(model, 'task')), ['compute', 'hook', 'reg.log'].sort());
      // the names are still read where the decorator is applied
      assert.deepStrictEqual(kinds(model.units[0], 'reg', 'log'), ['read']);
    });
  });

  describe('spawns', () => {
    it('recognises Pool however imported, and collects tasks', () => {
      const model = parse(`
import multiprocessing as mp
from multiprocessing import Pool
import multiprocessing.pool
from functools import partial
import functools

def task(x): return x
def other(x, y): return x
def init(v): pass

class Runner:
    def __init__(self):
        self.pool = mp.Pool(2)
    def go(self, xs):
        return self.pool.imap_unordered(task, xs)

def main():
    with Pool(4, initializer=init, initargs=(1,)) as p:
        p.map(task, [1, 2])
        p.starmap(other, [(1, 2)])
    pool = multiprocessing.pool.Pool()
    pool.apply_async(functools.partial(other, 1), (2,))
    pool.map_async(partial(task), [3])

if __name__ == '__main__':
    main()
`);
      const pools = model.spawns.filter((s) => s.system === 'mp.Pool');
      assert.strictEqual(pools.length, 3);
      const [selfPool, withPool, varPool] = pools;
      assert.deepStrictEqual(tasks(selfPool), ['Pool.imap_unordered:task']);
      assert.strictEqual(model.units[selfPool.unit].name, 'Runner.__init__');
      assert.deepStrictEqual(tasks(withPool), ['Pool.map:task', 'Pool.starmap:other']);
      assert.deepStrictEqual(withPool.initializers, [{ name: 'init' }]);
      assert.strictEqual(withPool.passesState, true);
      assert.strictEqual(withPool.label, 'Pool');
      assert.strictEqual(withPool.isProcess, true);
      assert.strictEqual(model.units[withPool.unit].name, 'main');
      assert.deepStrictEqual(tasks(varPool), ['Pool.apply_async:other', 'Pool.map_async:task']);
      // tasks and initializers are not parent-side calls
      const mainCalls = unit(model, 'main').calls.map((c) => c.callee.name);
      assert.ok(!mainCalls.includes('task') && !mainCalls.includes('other') && !mainCalls.includes('init'), mainCalls.join());
      assert.deepStrictEqual(model.payloads, []);
    });

    it('executors, threads, Process, Manager', () => {
      const model = parse(`
from concurrent.futures import ProcessPoolExecutor as PPE, ThreadPoolExecutor
import concurrent.futures
import concurrent.futures as cf
import multiprocessing
from multiprocessing import Process, Manager
from multiprocessing.dummy import Pool as ThreadPool
import threading
import tasks as tk

def task(x): return x

def main():
    with PPE() as ex:
        ex.submit(task, 1)
    with concurrent.futures.ProcessPoolExecutor() as e2:
        list(e2.map(tk.run, [1]))
    with cf.ThreadPoolExecutor() as t:
        t.submit(task, 2)
    with ThreadPool(2) as tp:
        tp.map(task, [1])
    p = Process(target=task, args=(1,))
    p.start()
    Process(target=task).start()
    th = threading.Thread(target=task)
    with Manager() as m:
        pass
    cf.InterpreterPoolExecutor().submit(task, 1)
`);
      const s = model.spawns;
      const by = (label: string) => s.filter((x) => x.label === label);
      assert.deepStrictEqual(tasks(by('ProcessPoolExecutor')[0]), ['ProcessPoolExecutor.submit:task']);
      assert.deepStrictEqual(tasks(by('ProcessPoolExecutor')[1]), ['ProcessPoolExecutor.map:tk.run']);
      assert.strictEqual(by('ThreadPoolExecutor')[0].system, 'threads');
      assert.strictEqual(by('ThreadPoolExecutor')[0].isProcess, false);
      assert.strictEqual(by('ThreadPool')[0].isProcess, false);
      const procs = by('Process');
      assert.strictEqual(procs.length, 2);
      assert.strictEqual(procs[0].system, 'mp.Process');
      assert.deepStrictEqual(tasks(procs[0]), ['Process(target=):task']);
      assert.strictEqual(procs[0].passesState, true);
      assert.ok(procs[0].startRange);
      assert.strictEqual(procs[0].startRange!.start.line, procs[0].range.start.line + 1);
      assert.ok(procs[1].startRange, 'chained .start()');
      assert.strictEqual(by('Thread')[0].system, 'threads');
      assert.strictEqual(by('Manager')[0].system, 'mp.Manager');
      assert.strictEqual(by('InterpreterPoolExecutor')[0].system, 'InterpreterPoolExecutor');
      assert.deepStrictEqual(tasks(by('InterpreterPoolExecutor')[0]), ['InterpreterPoolExecutor.submit:task']);
      // a thread's target runs in the parent process: it stays a call
      assert.ok(unit(model, 'main').calls.some((c) => c.callee.name === 'task'));
    });

    it('executor chosen by an expression', () => {
      const model = parse(`
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
import sys
def task(x): return x
EXEC = ProcessPoolExecutor if sys.platform != 'win32' else ThreadPoolExecutor
def main(i):
    a = [ProcessPoolExecutor, ThreadPoolExecutor][1]()
    b = (ProcessPoolExecutor, ThreadPoolExecutor)[0]()
    c = [ProcessPoolExecutor, ThreadPoolExecutor][i]()
    d = EXEC()
    e = (ThreadPoolExecutor if i else ThreadPoolExecutor)()
    d.submit(task, 1)
`);
      const ip = model.spawns.map((s) => s.isProcess);
      assert.deepStrictEqual(ip, [false, true, 'maybe', 'maybe', false]);
      assert.strictEqual(model.spawns[1].system, 'ProcessPoolExecutor');
      assert.strictEqual(model.spawns[2].system, 'ProcessPoolExecutor');
      assert.deepStrictEqual(tasks(model.spawns[3]), ['ProcessPoolExecutor.submit:task']);
    });

    it('start methods', () => {
      const model = parse(`
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
def task(x): return x
def main():
    ctx = mp.get_context('spawn')
    with ctx.Pool() as p:
        p.map(task, [1])
    q = ctx.Queue()
    ProcessPoolExecutor(mp_context=mp.get_context('fork'))
    ProcessPoolExecutor(mp_context=ctx)
    ProcessPoolExecutor(max_tasks_per_child=3)
    ProcessPoolExecutor()
    mp.get_context("forkserver").Pool()
if __name__ == '__main__':
    mp.set_start_method('forkserver')
    main()
`);
      assert.strictEqual(model.startMethod, 'forkserver');
      assert.deepStrictEqual(model.spawns.map((s) => s.startMethod), ['spawn', 'fork', 'spawn', 'spawn', 'forkserver', 'forkserver']);
      assert.deepStrictEqual(tasks(model.spawns[0]), ['Pool.map:task']);
    });
  });

  describe('payloads', () => {
    it('detects unsendable task callables and arguments', () => {
      const model = parse(`
import threading
import multiprocessing as mp
from multiprocessing import Pool, Manager
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
LOCK = threading.Lock()
Q = mp.Queue()
square = lambda x: x * x
def task(*a): return a
def gen():
    yield 1
def main():
    def local(x): return x
    m = Manager()
    proxy_q = m.Queue()
    lock2 = mp.Lock()
    f = open('data.txt')
    g = gen()
    with Pool() as p:
        p.map(lambda x: x, [1])
        p.map(local, [1])
        p.map(square, [1])
        p.map(task, (i for i in range(3)))
        p.apply_async(task, (LOCK, Q, proxy_q))
        p.apply_async(partial(task, lock2))
        p.starmap(task, [(f, 1)])
        p.map(task, [g])
    with ProcessPoolExecutor() as ex:
        ex.submit(task, (x for x in range(3)))
        with open('x') as fh:
            ex.submit(task, fh)
    with ThreadPoolExecutor() as t:
        t.submit(task, LOCK)
        t.map(lambda x: x, [1])
    mp.Process(target=task, args=(Q, lock2)).start()
    Pool(initializer=task, initargs=(Q,))
`);
      const got = model.payloads.map((p) => `${p.what}:${p.symbol}:${p.channel}`);
      assert.deepStrictEqual(got, [
        'lambda:lambda:Pool.map',
        'local-function:local:Pool.map',
        'lambda:square:Pool.map',
        'thread-lock:LOCK:Pool.apply_async',
        'process-queue:Q:Pool.apply_async',
        'process-lock:lock2:Pool.apply_async',
        'open-file:f:Pool.starmap',
        'generator:g:Pool.map',
        'generator:generator expression:ProcessPoolExecutor.submit',
        'open-file:fh:ProcessPoolExecutor.submit',
      ]);
    });
  });

  describe('manager proxies', () => {
    it('json.dumps / json.dump of a proxy', () => {
      const model = parse(`
import json
from json import dumps
from multiprocessing import Manager
import multiprocessing as mp
def main():
    with Manager() as m:
        d = m.dict()
        lst = m.list()
        plain = {}
        print(json.dumps(d))
        json.dump({"items": lst}, open("o", "w"))
        dumps([plain, d])
        json.dumps(dict(d))
    mgr = mp.Manager()
    ns = mgr.Namespace()
    json.dumps(ns)
`);
      const got = model.proxySerialized.map((p) => `${p.symbol}:${p.callee}`);
      assert.deepStrictEqual(got, ['d:json.dumps', 'lst:json.dump', 'd:json.dumps', 'ns:json.dumps']);
    });
  });

  describe('suppressions', () => {
    it('parses disable comments', () => {
      const model = parse(`x = 1  # crossproc: disable=stale-global-read, lost-global-write
# crossproc: disable-next-line=unguarded-spawn
y = 2
z = 3  # crossproc: disable
`);
      assert.deepStrictEqual(model.suppressions.get(0), ['stale-global-read', 'lost-global-write']);
      assert.deepStrictEqual(model.suppressions.get(2), ['unguarded-spawn']);
      assert.deepStrictEqual(model.suppressions.get(3), ['*']);
      assert.strictEqual(model.suppressions.get(1), undefined);
    });
  });

  describe('robustness', () => {
    it('tolerates syntax errors and still builds the model', () => {
      const model = parse(`
import multiprocessing as mp
RESULTS = []
print "python 2"
def broken(:
    pass
try:
    y = 1
def after(x):
    global COUNT
    COUNT = x
if __name__ == '__main__':
    with mp.Pool() as p:
        p.map(after, [1])
    half = mp.
`);
      assert.ok(model.problems.length > 0);
      assert.ok(model.bindings.has('RESULTS'));
      const after = unit(model, 'after');
      assert.deepStrictEqual(kinds(after, 'COUNT'), ['assign']);
      assert.ok(model.units.some((u) => u.kind === 'main-guard'));
      const pool = model.spawns.find((s) => s.system === 'mp.Pool');
      assert.ok(pool);
      assert.deepStrictEqual(tasks(pool), ['Pool.map:after']);
    });

    it('an unclosed bracket keeps what comes before it', () => {
      const model = parse(`
RESULTS = []
def first(x):
    RESULTS.append(x)
def task(x):
    RESULTS.append(x
def later():
    pass
`);
      assert.ok(model.problems.length > 0);
      assert.deepStrictEqual(kinds(unit(model, 'first'), 'RESULTS'), ['mutate-call']);
      assert.ok(model.units.some((u) => u.name === 'task'));
    });

    it('never throws on junk', () => {
      for (const junk of ['', '\0\0\0', '((((((((((', 'def', '"""', 'x = [' + '['.repeat(2000), '\uFFFD\uD800 = 1', 'if __name__ == "__main__":']) {
        const model = parse(junk);
        assert.strictEqual(model.units[0].kind, 'module');
      }
    });

    it('reports UTF-16 positions for non-ASCII text', () => {
      const model = parse(`s = 'é😀'; X = []\ndef f():\n    t = 'é😀'; X.append(1)\n`);
      const b = model.bindings.get('X')!;
      assert.deepStrictEqual(b.range.start, { line: 0, character: 11 });
      const a = acc(unit(model, 'f'), 'X')[0];
      assert.strictEqual(a.kind, 'mutate-call');
      assert.deepStrictEqual(a.range.start, { line: 2, character: 15 });
      assert.deepStrictEqual(a.range.end, { line: 2, character: 16 });
      const text = `s = 'é😀'; X = []\ndef f():\n    t = 'é😀'; X.append(1)\n`;
      assert.strictEqual(text.slice(a.offset, a.offset + 1), 'X');
      assert.strictEqual(text.split('\n')[2].slice(a.range.start.character, a.range.end.character), 'X');
    });
  });
});
