/**
 * Python fix providers on small in-memory programs: the exact edit for the Process and
 * submit shapes, and the shapes where a fix must NOT be offered because it would be wrong
 * (SPEC §4). The fixed programs that are also run live in fixtures/python/<case>/fix.json
 * (test/fixes-run.test.ts).
 */
import { strict as assert } from 'node:assert';
import { initPython } from '../server/src/python/frontend';
import { fixShapes } from './support/fix-shapes';

const { applyKind, assertNotOffered } = fixShapes('crossproc-fixes-python');

const src = (...ls: string[]) => ls.join('\n') + '\n';

/** A Process target reading LIMIT, which the parent sets under the guard. */
function processProgram(opts: { target?: string[]; start?: string[]; after?: string[] } = {}): string {
  return src(
    'from multiprocessing import Process',
    'LIMIT = 10',
    ...(opts.target ?? ['def check(value):', '    print(value <= LIMIT)']),
    "if __name__ == '__main__':",
    '    LIMIT = 50',
    ...(opts.start ?? ['    p = Process(target=check, args=(30,))', '    p.start()', '    p.join()']),
    ...(opts.after ?? []),
  );
}

describe('Python quick fixes: shapes', () => {
  before(async () => {
    await initPython();
  });

  describe('stale-global-read → pass to the process as an argument', () => {
    it('adds a parameter the target stores first thing, and the parent value to args', async () => {
      const out = await applyKind({ 'main.py': processProgram() }, 'arg', 'stale-global-read', 'move-to-initializer');
      assert.equal(
        out.get('main.py'),
        src(
          'from multiprocessing import Process',
          'LIMIT = 10',
          'def check(value, limit):',
          '    global LIMIT',
          '    LIMIT = limit',
          '    print(value <= LIMIT)',
          "if __name__ == '__main__':",
          '    LIMIT = 50',
          '    p = Process(target=check, args=(30, LIMIT))',
          '    p.start()',
          '    p.join()',
        ),
      );
    });

    it('adds args=(NAME,) to a target without parameters', async () => {
      const out = await applyKind(
        { 'main.py': processProgram({ target: ['def check():', '    print(LIMIT)'], start: ['    Process(target=check, daemon=True).start()'] }) },
        'arg0',
        'stale-global-read',
        'move-to-initializer',
      );
      assert.match(out.get('main.py')!, /Process\(target=check, daemon=True, args=\(LIMIT,\)\)\.start\(\)/);
      assert.match(out.get('main.py')!, /def check\(limit\):\n {4}global LIMIT\n {4}LIMIT = limit\n/);
    });

    it('is not offered when the target is also called elsewhere (that caller would miss the argument)', async () => {
      await assertNotOffered({ 'main.py': processProgram({ after: ['    check(5)'] }) }, 'called', 'stale-global-read', 'move-to-initializer');
    });

    it('is not offered with kwargs= (a new positional parameter could take a keyword)', async () => {
      const start = ["    p = Process(target=check, args=(), kwargs={'value': 30})", '    p.start()'];
      await assertNotOffered({ 'main.py': processProgram({ start }) }, 'kwargs', 'stale-global-read', 'move-to-initializer');
    });

    it('is not offered when the target declares the global further down (Python rejects a global after use)', async () => {
      const target = ['def check(value):', '    print(value <= LIMIT)', '    if value < 0:', '        global LIMIT'];
      await assertNotOffered({ 'main.py': processProgram({ target }) }, 'late-global', 'stale-global-read', 'move-to-initializer');
    });

    it('is not offered when the parent writes after creating the Process (args would carry the old value)', async () => {
      const text = src(
        'from multiprocessing import Process',
        'LIMIT = 10',
        'def check(value):',
        '    print(value <= LIMIT)',
        "if __name__ == '__main__':",
        '    p = Process(target=check, args=(30,))',
        '    LIMIT = 50',
        '    p.start()',
        '    p.join()',
      );
      await assertNotOffered({ 'main.py': text }, 'late-write', 'stale-global-read', 'move-to-initializer');
    });

    it('is not offered for a default parameter target (args would no longer line up)', async () => {
      const target = ['def check(value, strict=False):', '    print(value <= LIMIT)'];
      await assertNotOffered({ 'main.py': processProgram({ target }) }, 'defaults', 'stale-global-read', 'move-to-initializer');
    });
  });

  describe('stale-global-read → extend an existing initializer', () => {
    it('is not offered when the initializer declares the global after its first statement', async () => {
      const text = src(
        'from multiprocessing import Pool',
        'PREFIX = ""',
        'def init_worker():',
        '    print("ready")',
        '    global PREFIX',
        'def render(x):',
        '    return PREFIX + str(x)',
        "if __name__ == '__main__':",
        '    PREFIX = "v="',
        '    with Pool(2, initializer=init_worker) as pool:',
        '        print(pool.map(render, [1]))',
      );
      await assertNotOffered({ 'main.py': text }, 'init-late-global', 'stale-global-read', 'move-to-initializer');
    });
  });

  describe('lost-global-write → return results (submit / apply_async)', () => {
    it('submit: the task returns, the parent appends from a done-callback', async () => {
      const text = src(
        'from concurrent.futures import ProcessPoolExecutor',
        'SEEN = []',
        'def visit(n):',
        '    SEEN.append(n)',
        "if __name__ == '__main__':",
        '    with ProcessPoolExecutor() as ex:',
        '        for n in range(3):',
        '            ex.submit(visit, n)',
        '    print(SEEN)',
      );
      const out = await applyKind({ 'main.py': text }, 'submit', 'lost-global-write', 'return-results');
      assert.match(out.get('main.py')!, /def visit\(n\):\n {4}return n\n/);
      // 89 characters on one line: split as Black would (88 by default; fixes-python-style.test.ts)
      assert.match(out.get('main.py')!, /\n {12}ex\.submit\(visit, n\)\.add_done_callback\(\n {16}lambda future: SEEN\.append\(future\.result\(\)\)\n {12}\)\n/);
    });

    it('apply_async: not offered when the call already has a callback', async () => {
      const text = src(
        'from multiprocessing import Pool',
        'SEEN = []',
        'def visit(n):',
        '    SEEN.append(n)',
        "if __name__ == '__main__':",
        '    pool = Pool(2)',
        '    pool.apply_async(visit, (1,), callback=print)',
        '    pool.close()',
        '    pool.join()',
        '    print(SEEN)',
      );
      await assertNotOffered({ 'main.py': text }, 'callback', 'lost-global-write', 'return-results');
    });
  });

  describe('lost-global-write → shared list for Process children', () => {
    it('is not offered when the parent never joins the children (no point to copy back)', async () => {
      const text = src(
        'from multiprocessing import Process',
        'SEEN = []',
        'def visit(n):',
        '    SEEN.append(n)',
        "if __name__ == '__main__':",
        '    for n in range(3):',
        '        Process(target=visit, args=(n,)).start()',
        '    print(SEEN)',
      );
      await assertNotOffered({ 'main.py': text }, 'nojoin', 'lost-global-write', 'shared-queue');
    });
  });

  describe('lost-global-write → shared list for a pool', () => {
    // the copy-back would go after the with statement, which the return skips
    it('is not offered when the pool block returns from the function', async () => {
      const text = src(
        'from multiprocessing import Pool',
        'SEEN = []',
        'def record(x):',
        '    SEEN.append(x)',
        '    return x',
        'def collect(xs):',
        '    with Pool(2) as pool:',
        '        return sum(pool.map(record, xs))',
        "if __name__ == '__main__':",
        '    print(collect([1, 2]), SEEN)',
      );
      await assertNotOffered({ 'main.py': text }, 'returns', 'lost-global-write', 'shared-queue');
    });

    it('is offered when the block only breaks out of its own loop', async () => {
      const text = src(
        'from multiprocessing import Pool',
        'SEEN = []',
        'def record(x):',
        '    SEEN.append(x)',
        '    return x',
        'def collect(xs):',
        '    total = 0',
        '    with Pool(2) as pool:',
        '        for r in pool.imap(record, xs):',
        '            if r > 5:',
        '                break',
        '            total += r',
        '    return total',
        "if __name__ == '__main__':",
        '    print(collect([1, 2]), SEEN)',
      );
      const out = await applyKind({ 'main.py': text }, 'breaks', 'lost-global-write', 'shared-queue');
      assert.match(out.get('main.py')!, /SEEN\.extend\(seen_shared\)/);
    });
  });

  describe('thread-primitive-in-process → multiprocessing primitive for Process targets', () => {
    it('turns the Event into multiprocessing.Event and passes it in args', async () => {
      const text = src(
        'import threading',
        'from multiprocessing import Process',
        'STOP = threading.Event()',
        'def watch():',
        '    print(STOP.wait(1))',
        "if __name__ == '__main__':",
        '    p = Process(target=watch)',
        '    p.start()',
        '    STOP.set()',
        '    p.join()',
      );
      const out = await applyKind({ 'main.py': text }, 'event', 'thread-primitive-in-process', 'use-process-lock');
      assert.match(out.get('main.py')!, /STOP = multiprocessing\.Event\(\)/);
      assert.match(out.get('main.py')!, /def watch\(stop\):\n {4}global STOP\n {4}STOP = stop\n/);
      assert.match(out.get('main.py')!, /Process\(target=watch, args=\(STOP,\)\)/);
    });

    it('is not offered when the parent holds the lock around join() (sharing it would deadlock)', async () => {
      const text = src(
        'import threading',
        'from multiprocessing import Process',
        'LOCK = threading.Lock()',
        'def work():',
        '    with LOCK:',
        '        print("in")',
        "if __name__ == '__main__':",
        '    p = Process(target=work)',
        '    with LOCK:',
        '        p.start()',
        '        p.join()',
      );
      await assertNotOffered({ 'main.py': text }, 'deadlock', 'thread-primitive-in-process', 'use-process-lock');
    });
  });
});
