/**
 * Pools and executors handed to another function or object (engine/flowPassed.ts): the
 * tasks submitted to them there run in the pool's workers. The runnable versions are the
 * fixtures stale-read-executor-passed-as-argument, lost-write-pool-passed-to-method and
 * ok-executor-passed-thread-pool; these pin each shape, and what must not be reported.
 */
import { strict as assert } from 'node:assert';
import { initPython } from '../server/src/python/frontend';
import { fixShapes } from './support/fix-shapes';

const { load } = fixShapes('crossproc-passed-pools');

const src = (...ls: string[]) => ls.join('\n') + '\n';

/** `rule:line` of every finding (in main.py unless named), sorted. */
async function found(files: Record<string, string>, dir: string): Promise<string[]> {
  const { findings } = await load(files, dir);
  return findings.map((f) => `${f.file.endsWith('main.py') ? '' : f.file.split('/').pop() + ':'}${f.rule}:${f.range.start.line + 1}`).sort();
}

const head = src('from multiprocessing import Pool', 'from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor', 'import asyncio', 'SEEN = []', 'def record(x):', '    SEEN.append(x)', '    return x');
const guard = "if __name__ == '__main__':";

describe('pools handed to other functions', () => {
  before(async () => {
    await initPython();
  });

  it('a pool passed as a positional or keyword argument', async () => {
    const body = src('def drain(pool, xs):', '    return pool.map(record, xs)', guard, '    with Pool(2) as p:', '        drain(p, [1])', '        drain(xs=[2], pool=p)', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + body }, 'positional'), ['lost-global-write:6']);
  });

  it('through two calls, and into another module', async () => {
    const lib = src('def drain(executor, xs):', '    return forward(executor, xs)', 'def forward(ex, xs):', '    from main import record', '    return list(ex.map(record, xs))');
    const body = src('import lib', guard, '    ex = ProcessPoolExecutor(2)', '    lib.drain(ex, [1])', '    ex.shutdown()', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + body, 'lib.py': lib }, 'two-calls'), ['lost-global-write:6']);
  });

  it('a method\'s parameter (self is bound), and an attribute stored in __init__', async () => {
    const method = src('class C:', '    def go(self, pool, xs):', '        return pool.imap(record, xs)', guard, '    with Pool(2) as p:', '        list(C().go(p, [1]))', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + method }, 'method'), ['lost-global-write:6']);
    const stored = src('class R:', '    def __init__(self, pool):', '        self._pool = pool', '    def run(self, xs):', '        return self._pool.map(record, xs)', guard, '    with Pool(2) as p:', '        R(p).run([1])', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + stored }, 'stored'), ['lost-global-write:6']);
  });

  it('a property that makes the executor on first use', async () => {
    const body = src('class S:', '    def __init__(self):', '        self._ex = None', '    @property', '    def executor(self):', '        if self._ex is None:', '            self._ex = ProcessPoolExecutor(2)', '        return self._ex', '    def run(self, xs):', '        return [f.result() for f in [self.executor.submit(record, x) for x in xs]]', guard, '    S().run([1])', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + body }, 'property'), ['lost-global-write:6']);
    const threads = body.replace('ProcessPoolExecutor(2)', 'ThreadPoolExecutor(2)');
    assert.deepEqual(await found({ 'main.py': head + threads }, 'property-threads'), []);
  });

  it('loop.run_in_executor(executor, task) with the executor a parameter', async () => {
    const body = src('async def sched(executor):', '    loop = asyncio.get_running_loop()', '    return await loop.run_in_executor(executor, record, 1)', guard, '    with ProcessPoolExecutor(2) as ex:', '        asyncio.run(sched(ex))', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + body }, 'run-in-executor'), ['lost-global-write:6']);
  });

  it('a factory\'s pool given through functools.partial (blackd\'s handler), by keyword or position', async () => {
    const factory = src('import functools', '@functools.cache', 'def executor():', '    return ProcessPoolExecutor(2)');
    const handle = src('async def handle(request, executor):', '    loop = asyncio.get_running_loop()', '    return await loop.run_in_executor(executor, functools.partial(record, request))');
    const byKeyword = src(guard, '    handler = functools.partial(handle, executor=executor())', '    asyncio.run(handler(1))', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + factory + handle + byKeyword }, 'partial-kw'), ['lost-global-write:6']);
    const byPosition = src(guard, '    handler = functools.partial(handle, 1, executor())', '    asyncio.run(handler())', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + factory + handle + byPosition }, 'partial-pos'), ['lost-global-write:6']);
    // the partial gives `request` only: `executor` comes from the call, a thread pool here
    const threads = src(guard, '    handler = functools.partial(handle, 1)', '    with ThreadPoolExecutor(1) as t:', '        asyncio.run(handler(t))', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + factory + handle + threads }, 'partial-threads'), []);
  });

  it('a factory\'s result passed on', async () => {
    const body = src('def make():', '    return Pool(2)', 'def drain(pool, xs):', '    return pool.map(record, xs)', guard, '    p = make()', '    drain(p, [1])', '    p.close()', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + body }, 'factory'), ['lost-global-write:6']);
  });

  it('no finding for a thread pool passed along, nor for a pool the function never gets', async () => {
    const threads = src('def drain(pool, xs):', '    return list(pool.map(record, xs))', guard, '    with ThreadPoolExecutor(2) as t:', '        drain(t, [1])', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + threads }, 'threads'), []);
    // drain() is given only the thread pool; the process pool is used for something else
    const other = src('def drain(pool, xs):', '    return list(pool.map(record, xs))', 'def double(x):', '    return 2 * x', guard, '    with ProcessPoolExecutor(2) as ex, ThreadPoolExecutor(2) as t:', '        print(list(ex.map(double, [1])))', '        drain(t, [1])', '    print(SEEN)');
    assert.deepEqual(await found({ 'main.py': head + other }, 'other'), []);
  });

  it('one finding when the front end already sees the submission (a local in the creating scope)', async () => {
    const body = src('def drain(pool, xs):', '    return pool.map(record, xs)', guard, '    with Pool(2) as p:', '        p.map(record, [0])', '        drain(p, [1])', '    print(SEEN)');
    const { findings } = await load({ 'main.py': head + body }, 'both');
    assert.deepEqual(findings.map((f) => `${f.rule}:${f.range.start.line + 1}`), ['lost-global-write:6']);
  });
});
