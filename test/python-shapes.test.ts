/**
 * Python program shapes of issue 11 on small in-memory programs: one finding per cause,
 * module-level starts, Process subclasses, class attributes, lambda initializers, the
 * channels unsendable-payload checks and the order of events. The runnable versions of
 * these programs are fixtures (fixtures/python/<case>/); these tests pin the details
 * (related locations, messages, what must not be reported).
 */
import { strict as assert } from 'node:assert';
import { initPython } from '../server/src/python/frontend';
import { fixShapes } from './support/fix-shapes';
import { SUPPRESSION_FIX_KINDS } from '../server/src/fixes';

const { load, applyKind } = fixShapes('crossproc-python-shapes');

const src = (...ls: string[]) => ls.join('\n') + '\n';

/** `rule:line` of every finding, sorted. */
async function found(text: string, dir: string, files: Record<string, string> = {}): Promise<string[]> {
  const { findings } = await load({ 'main.py': text, ...files }, dir);
  return findings.map((f) => `${f.rule}:${f.range.start.line + 1}`).sort();
}

describe('Python shapes (issue 11)', () => {
  before(async () => {
    await initPython();
  });

  describe('one finding per cause', () => {
    const program = src(
      'from multiprocessing import Pool',
      'LIMIT = 10',
      'def low(x):',
      '    return x < LIMIT',
      'def high(x):',
      '    return x > LIMIT or x == LIMIT',
      'def task(x):',
      '    return low(x), high(x)',
      "if __name__ == '__main__':",
      '    LIMIT = 50',
      '    with Pool(2) as p:',
      '        print(p.map(task, [1, 2]))',
    );

    it('reads of one binding by the workers of one start in one file are one finding, the others related', async () => {
      const { findings } = await load({ 'main.py': program }, 'group');
      assert.deepEqual(findings.map((f) => `${f.rule}:${f.range.start.line + 1}`), ['stale-global-read:4']);
      const f = findings[0];
      const also = f.related.filter((r) => /also read/.test(r.message)).map((r) => r.range.start.line + 1);
      assert.deepEqual(also, [6, 6]);
      assert.match(f.message, /also read 'LIMIT' at line 6 of this file/);
    });

    it('two starts are two causes (a read belongs to the first)', async () => {
      const two = program + src('    with Pool(2) as q:', '        print(q.map(low, [3]), q.map(other, [3]))', 'def other(x):', '    return LIMIT + x');
      assert.deepEqual(await found(two, 'group2'), ['stale-global-read:16', 'stale-global-read:4']);
    });

    it('the quick fix fixes every read of the group', async () => {
      const out = await applyKind({ 'main.py': program }, 'group-fix', 'stale-global-read', 'move-to-initializer');
      const { findings } = await load({ 'main.py': out.get('main.py')! }, 'group-fixed');
      assert.deepEqual(findings, []);
    });

    it('writes are grouped the same way', async () => {
      const text = src(
        'from multiprocessing import Pool',
        'SEEN = []',
        'def task(x):',
        '    SEEN.append(x)',
        '    SEEN.append(-x)',
        "if __name__ == '__main__':",
        '    with Pool(2) as p:',
        '        p.map(task, [1, 2])',
        '    print(SEEN)',
      );
      const { findings } = await load({ 'main.py': text }, 'group-w');
      assert.deepEqual(findings.map((f) => `${f.rule}:${f.range.start.line + 1}`), ['lost-global-write:4']);
      assert.ok(findings[0].related.some((r) => r.range.start.line === 4 && /lost too/.test(r.message)));
      // every fix offered fixes both writes
      const kinds = findings[0].fixes.map((f) => f.kind).filter((k) => !SUPPRESSION_FIX_KINDS.includes(k));
      assert.ok(kinds.length > 0, 'a fix is offered');
      for (const kind of kinds) {
        const out = await applyKind({ 'main.py': text }, `group-w-${kind}`, 'lost-global-write', kind);
        const again = await load({ 'main.py': out.get('main.py')! }, `group-w-${kind}-fixed`);
        assert.deepEqual(again.findings.map((f) => f.rule), [], `${kind} left findings:\n${out.get('main.py')}`);
      }
    });
  });

  describe('Process subclasses', () => {
    const worker = (base: string, head: string[] = ['import multiprocessing as mp']) =>
      src(...head, 'LIMIT = 10', `class Worker(${base}):`, '    def run(self):', '        print(LIMIT)');

    it('run() of a subclass started at import time is worker code, and the start is unguarded-spawn', async () => {
      const text = worker('mp.Process') + src('LIMIT = 50', 'Worker().start()');
      // the import-time LIMIT = 50 is no run-time write: only the start is reported
      assert.deepEqual(await found(text, 'sub-top'), ['unguarded-spawn:7']);
    });

    it('a context class pins its start method: get_context("spawn").Process', async () => {
      const head = ['import multiprocessing as mp', "ctx = mp.get_context('spawn')"];
      const text = worker('ctx.Process', head) + src("if __name__ == '__main__':", '    LIMIT = 50', '    w = Worker()', '    w.start()', '    w.join()');
      const { findings } = await load({ 'main.py': text }, 'sub-ctx');
      assert.deepEqual(findings.map((f) => `${f.rule}:${f.range.start.line + 1}`), ['stale-global-read:6']);
      assert.match(findings[0].message, /'spawn' start method pinned here/);
    });

    it('a subclass of a subclass defined in another module', async () => {
      const base = src('import multiprocessing', 'LIMIT = 10', 'class Base(multiprocessing.Process):', '    def run(self):', '        self.work()', '    def work(self):', '        print(LIMIT)');
      const main = src('import base', 'class Worker(base.Base):', '    pass', "if __name__ == '__main__':", '    base.LIMIT = 50', '    procs = [Worker() for _ in range(2)]', '    for p in procs:', '        p.start()');
      assert.deepEqual(await found(main, 'sub-mod', { 'base.py': base }), ['stale-global-read:7']);
    });

    it('Process(target=self.method) runs that method in the child', async () => {
      const text = src(
        'from multiprocessing import Process',
        'SEEN = []',
        'class Runner:',
        '    def go(self):',
        '        p = Process(target=self.work)',
        '        p.start()',
        '        p.join()',
        '        print(SEEN)',
        '    def work(self):',
        '        SEEN.append(1)',
        "if __name__ == '__main__':",
        '    Runner().go()',
      );
      assert.deepEqual(await found(text, 'sub-self'), ['lost-global-write:10']);
    });

    it('a class that merely has run() is not a process; nor is a Thread subclass', async () => {
      const text = src('import threading', 'LIMIT = 10', 'class Job:', '    def run(self):', '        print(LIMIT)',
        'class T(threading.Thread):', '    def run(self):', '        print(LIMIT)',
        "if __name__ == '__main__':", '    LIMIT = 50', '    Job().run()', '    T().start()');
      assert.deepEqual(await found(text, 'sub-none'), []);
    });
  });

  describe('lambdas handed to pools and processes', () => {
    it('a lambda initializer is worker set-up: what it calls sets worker state, not parent state', async () => {
      const text = src(
        'import multiprocessing as mp',
        'STATE = {}',
        'def setup(level):',
        "    STATE['level'] = level",
        'def task(x):',
        "    return x * STATE['level']",
        "if __name__ == '__main__':",
        "    with mp.get_context('fork').Pool(2, initializer=lambda: setup(3)) as p:",
        '        print(p.map(task, [1]))',
      );
      assert.deepEqual(await found(text, 'lam-init'), []);
    });

    it('unpinned, the lambda initializer is unsendable under spawn and forkserver, said so', async () => {
      const text = src('import multiprocessing as mp', 'def task(x):', '    return x', "if __name__ == '__main__':",
        '    with mp.Pool(2, initializer=lambda: None) as p:', '        print(p.map(task, [1]))');
      const { findings } = await load({ 'main.py': text }, 'lam-init-spawn');
      assert.deepEqual(findings.map((f) => `${f.rule}:${f.range.start.line + 1}`), ['unsendable-payload:5']);
      assert.match(findings[0].message, /^Under spawn and forkserver .*: a lambda given to Pool\(initializer=\)/);
    });

    it('a lambda Process target is worker code (its writes are lost under fork)', async () => {
      const text = src('import multiprocessing as mp', "mp.set_start_method('fork')", 'SEEN = []', "if __name__ == '__main__':",
        '    p = mp.Process(target=lambda: SEEN.append(1))', '    p.start()', '    p.join()', '    print(SEEN)');
      assert.deepEqual(await found(text, 'lam-target'), ['lost-global-write:5']);
    });

    it('a lambda pool task is not code of the submitting function', async () => {
      const text = src('import multiprocessing as mp', 'LIMIT = 1', 'def bump():', '    global LIMIT', '    LIMIT += 1',
        'def task(x):', '    return x + LIMIT', "if __name__ == '__main__':", '    with mp.Pool(2) as p:',
        '        p.map(lambda x: bump(), [1])');
      // only the lambda itself: bump() is not a parent write that would make task's read stale (task is not even submitted)
      assert.deepEqual(await found(text, 'lam-task'), ['unsendable-payload:10']);
    });

    it('a Process bound to a name and never started pickles nothing (CPython test_flushing)', async () => {
      const text = src('import multiprocessing', 'def test():', '    proc = multiprocessing.Process(target=lambda: None)', '    print(proc)');
      assert.deepEqual(await found(text, 'never-started'), []);
      const started = src('import multiprocessing', 'def test():', '    procs = []', '    proc = multiprocessing.Process(target=lambda: None)', '    procs.append(proc)', '    for p in procs:', '        p.start()');
      assert.deepEqual(await found(started, 'loop-started'), ['unsendable-payload:4']);
    });

    it('multiprocessing primitives in Process args and initargs are the right channel', async () => {
      const text = src('import multiprocessing as mp', 'def work(q, lock):', '    q.put(1)', 'def init(lock):', '    pass',
        "if __name__ == '__main__':", '    q = mp.Queue()', '    lock = mp.Lock()', '    p = mp.Process(target=work, args=(q, lock))',
        '    p.start()', '    p.join()', '    with mp.Pool(1, initializer=init, initargs=(lock,)) as pool:', '        pass');
      assert.deepEqual(await found(text, 'mp-prims'), []);
    });
  });

  describe('class attributes', () => {
    const cfg = src('class Config:', '    THRESHOLD = 10', '    def __init__(self):', '        self.limit = 1', 'def check(x):', '    return x > Config.THRESHOLD');

    it('Config.X = v in the parent and Config.X read in a worker, across files: stale; only disable-line offered', async () => {
      const main = src('from multiprocessing import Pool', 'from cfg import Config, check', "if __name__ == '__main__':", '    Config.THRESHOLD = 50', '    with Pool(2) as p:', '        p.map(check, [1])');
      const { findings } = await load({ 'main.py': main, 'cfg.py': cfg }, 'cls-x');
      assert.deepEqual(findings.map((f) => `${f.rule}:${f.symbol}:${f.range.start.line + 1}`), ['stale-global-read:Config.THRESHOLD:6']);
      assert.deepEqual(findings[0].fixes.map((f) => f.kind), ['disable-line', 'disable-file']);
      const r = findings[0].range;
      assert.deepEqual([r.start.character, r.end.character], [15, 31], 'underlines Config.THRESHOLD');
    });

    it('a classmethod of an imported class setting cls.X, called by the parent', async () => {
      const lib = src('class Config:', '    THRESHOLD = 10', '    @classmethod', '    def configure(cls, t):', '        cls.THRESHOLD = t', 'def check(x):', '    return x > Config.THRESHOLD');
      const main = src('from multiprocessing import Pool', 'from cfg import Config, check', "if __name__ == '__main__':", '    Config.configure(50)', '    with Pool(2) as p:', '        p.map(check, [1])');
      assert.deepEqual(await found(main, 'cls-cm', { 'cfg.py': lib }), ['stale-global-read:7']);
      // a capitalised imported function's attribute call is no call of it
      const fnLib = src('SEEN = []', 'def Helper():', '    SEEN.append(1)', 'def task(x):', '    return len(SEEN)');
      const fnMain = src('from multiprocessing import Pool', 'from lib import Helper, task', "if __name__ == '__main__':", '    Helper.cache_clear()', '    with Pool(2) as p:', '        p.map(task, [1])');
      assert.deepEqual(await found(fnMain, 'fn-attr', { 'lib.py': fnLib }), []);
    });

    it('not on instance attributes, nor on class attributes never written at run time', async () => {
      const main = src('from multiprocessing import Pool', 'from cfg import Config, check', "if __name__ == '__main__':", '    c = Config()', '    c.limit = 5', '    c.THRESHOLD = 7', '    with Pool(2) as p:', '        p.map(check, [1])');
      assert.deepEqual(await found(main, 'cls-none', { 'cfg.py': cfg }), []);
    });

    it('a class attribute appended to by workers and printed by the parent is a lost write', async () => {
      const text = src('from multiprocessing import Pool', 'class Log:', '    lines = []', 'def task(x):', '    Log.lines.append(x)',
        "if __name__ == '__main__':", '    with Pool(2) as p:', '        p.map(task, [1])', '    print(Log.lines)');
      assert.deepEqual(await found(text, 'cls-w'), ['lost-global-write:5']);
    });
  });

  describe('order of events', () => {
    const head = ['from multiprocessing import Process', 'from concurrent.futures import ProcessPoolExecutor, as_completed', 'LIMIT = 10', 'def check(x):', '    return x < LIMIT'];

    it('a write between start() and join() is a late write; after join(), or in a function called after it, none', async () => {
      const during = src(...head, "if __name__ == '__main__':", '    p = Process(target=check, args=(1,))', '    p.start()', '    LIMIT = 50', '    p.join()');
      assert.deepEqual(await found(during, 'ev-during'), ['stale-global-read:5']);
      const after = src(...head, 'def later():', '    global LIMIT', '    LIMIT = 50', "if __name__ == '__main__':", '    p = Process(target=check, args=(1,))', '    p.start()', '    p.join()', '    later()');
      assert.deepEqual(await found(after, 'ev-after'), []);
    });

    it('results collected with as_completed end the executor\'s tasks; a later submission would not', async () => {
      const done = src(...head, "if __name__ == '__main__':", '    with ProcessPoolExecutor(2) as ex:', '        futs = [ex.submit(check, 1)]', '        for f in as_completed(futs):', '            print(f.result())', '        LIMIT = 50');
      assert.deepEqual(await found(done, 'ev-results'), []);
      const more = done + src('        ex.submit(check, 2)');
      assert.deepEqual(await found(more, 'ev-more'), ['stale-global-read:5']);
    });

    it('a write after a blocking Pool.map, still in the with block, is after the tasks', async () => {
      const text = src('from multiprocessing import Pool', 'LIMIT = 10', 'def check(x):', '    return x < LIMIT', "if __name__ == '__main__':",
        '    with Pool(2) as p:', '        print(p.map(check, [1]))', '        LIMIT = 50');
      assert.deepEqual(await found(text, 'ev-map'), []);
    });
  });

  describe('precision on real shapes', () => {
    it('a worker re-running the parent\'s configuration function repeats its set-up (BiG-SCAPE parse_config)', async () => {
      const text = src('from concurrent.futures import ProcessPoolExecutor', 'class Config:', '    SIZE = 0', '    @staticmethod',
        '    def parse(path):', '        Config.SIZE = len(path)', 'def task(path):', '    Config.parse(path)', '    return Config.SIZE',
        "if __name__ == '__main__':", "    Config.parse('abc')", '    with ProcessPoolExecutor(2) as ex:', "        print(ex.submit(task, 'abc').result())", '    print(Config.SIZE)');
      assert.deepEqual(await found(text, 'real-parse'), []);
      // a helper both sides call to append results is still a lost write in the workers
      const rec = src('from concurrent.futures import ProcessPoolExecutor', 'RESULTS = []', 'def record(x):', '    RESULTS.append(x)',
        'def task(x):', '    record(x)', "if __name__ == '__main__':", '    record(0)', '    with ProcessPoolExecutor(2) as ex:', '        ex.submit(task, 1)', '    print(RESULTS)');
      assert.deepEqual(await found(rec, 'real-record'), ['lost-global-write:4']);
    });

    it('a Process target unpacking its argument into globals for its own handlers is set-up (mpire dashboard)', async () => {
      const text = src('from multiprocessing import Process', 'A = None', 'B = None', 'def serve(dicts):', '    global A, B', '    A, B, _ = dicts',
        "if __name__ == '__main__':", "    p = Process(target=serve, args=(({}, {}, None),), daemon=True)", '    p.start()');
      assert.deepEqual(await found(text, 'real-mpire'), []);
    });

    it('a library call deep in a class attribute chain is no mutation of it (BiG-SCAPE: DB.metadata.tables[t].insert())', async () => {
      const text = src('from concurrent.futures import ProcessPoolExecutor', 'class DB:', '    metadata = None', 'def fetch(x):',
        "    return DB.metadata.tables['gbk']", "if __name__ == '__main__':", "    DB.metadata.tables['cc'].insert()",
        '    with ProcessPoolExecutor(2) as ex:', '        ex.submit(fetch, 1)');
      assert.deepEqual(await found(text, 'real-bigscape'), []);
    });
  });
});
