/**
 * Pools and processes the parent makes in shapes seen on real projects (session 11):
 * a pool held in a name and entered later (`with executor_ctx as executor:`, isort), a
 * pool class kept in a class attribute and called in a classmethod whose caller nothing
 * analysed reaches (sqlfluff's runner, started from a click command). The runnable
 * versions are the fixtures lost-write-pool-in-variable and ok-thread-pool-in-variable.
 */
import { strict as assert } from 'node:assert';
import { initPython } from '../server/src/python/frontend';
import { fixShapes } from './support/fix-shapes';

const { load } = fixShapes('crossproc-pool-names');

const src = (...ls: string[]) => ls.join('\n') + '\n';

/** `rule:line` of every finding (in main.py unless named), sorted. */
async function found(files: Record<string, string>, dir: string): Promise<string[]> {
  const { findings } = await load(files, dir);
  return findings.map((f) => `${f.file.endsWith('main.py') ? '' : f.file.split('/').pop() + ':'}${f.rule}:${f.range.start.line + 1}`).sort();
}

// lines 1–6; a task appending to a list nothing reads (a write-only accumulator)
const task = src(
  'import multiprocessing',
  'import multiprocessing.dummy',
  'SEEN = []',
  'def work(x):',
  '    SEEN.append(x)',
  '    return x',
);

// a runner whose pool class is a class attribute; `run` is called by nothing analysed
const runner = (poolType: string) => task + src(
  'class Runner:',
  `    POOL_TYPE = ${poolType}`,
  '    def run(self, xs):',
  '        pool = self._create_pool(2)',
  '        try:',
  '            return list(self._map(pool, work, xs))',
  '        finally:',
  '            pool.terminate()',
  '    @classmethod',
  '    def _create_pool(cls, processes):',
  '        return cls.POOL_TYPE(processes=processes)',
  '    @classmethod',
  '    def _map(cls, pool, func, iterable):',
  '        return pool.imap_unordered(func=func, iterable=iterable)',
);

describe('pools in names, pool classes in attributes', function () {
  this.timeout(60_000);
  before(async () => initPython());

  it('follows a pool held in a name into `with name as pool:`', async () => {
    const body = (make: string) => task + src(
      'def main(jobs):',
      `    ctx = ${make}`,
      '    with ctx as pool:',
      '        out = list(pool.imap(work, [1, 2]))',
      '    print(out, SEEN)',
      "if __name__ == '__main__':",
      '    main(2)',
    );
    assert.deepEqual(await found({ 'main.py': body('multiprocessing.Pool(jobs)') }, 'with-name'), ['lost-global-write:5']);
    assert.deepEqual(await found({ 'main.py': body('multiprocessing.dummy.Pool(jobs)') }, 'with-name-threads'), []);
  });

  it('follows a chain of names, and a pool chosen in a branch', async () => {
    const files = {
      'main.py': task + src(
        'from contextlib import nullcontext',
        'def main(jobs):',
        '    if jobs > 1:',
        '        made = multiprocessing.Pool(jobs)',
        '    else:',
        '        made = nullcontext()',
        '    ctx = made',
        '    with ctx as pool:',
        '        out = list(pool.imap(work, [1, 2])) if pool else []',
        '    print(out, SEEN)',
        "if __name__ == '__main__':",
        '    main(2)',
      ),
    };
    assert.deepEqual(await found(files, 'chain'), ['lost-global-write:5']);
  });

  it('gives a start only the value-flow layer finds a program of its own when no root reaches it', async () => {
    assert.deepEqual(await found({ 'main.py': runner('multiprocessing.get_context("spawn").Pool') }, 'class-attr-pool'), ['lost-global-write:5']);
    // the same runner with a thread pool class: no worker processes
    assert.deepEqual(await found({ 'main.py': runner('multiprocessing.dummy.Pool') }, 'class-attr-threads'), []);
  });
});
