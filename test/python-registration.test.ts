/**
 * Registration without a call (issue 11, item 3): `atexit.register(f)` and
 * `signal.signal(s, f)` do not call `f`; it runs later in the process that registered it
 * (at that process's exit for atexit). The runnable versions are fixtures
 * (lost-write-atexit-initializer, stale-read-signal-handler-flag,
 * lost-write-signal-handler-process, ok-atexit-parent-reset, ok-signal-handler-in-worker);
 * these tests pin what the start method and the order of events change.
 */
import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { Project } from '../server/src/engine/project';
import type { StartMethodSetting } from '../server/src/engine/findings';
import type { Finding } from '../server/src/engine/findings';

const ROOT = path.join(os.tmpdir(), 'crossproc-python-registration');
const src = (...ls: string[]) => ls.join('\n') + '\n';

async function analyze(text: string, dir: string, startMethod: StartMethodSetting = 'portable'): Promise<Finding[]> {
  const project = await Project.create({ startMethod });
  project.updateFile(path.join(ROOT, dir, 'main.py'), text);
  return project.analyze();
}

const found = (fs: Finding[]) => fs.map((f) => `${f.rule}:${f.range.start.line + 1}`).sort();

describe('Python: registration without a call (issue 11, item 3)', () => {
  const stopFlag = src(
    'import signal',
    'from multiprocessing import Pool',
    'STOP = False',
    'def request_stop(signum, frame):',
    '    global STOP',
    '    STOP = True',
    'def work(x):',
    '    return None if STOP else x',
    "if __name__ == '__main__':",
    '    signal.signal(signal.SIGTERM, request_stop)',
    '    with Pool(2) as pool:',
    '        print(pool.map(work, [1, 2]))',
  );

  it('a signal handler the parent installs runs when the signal arrives: its write comes after the start, even under fork', async () => {
    for (const sm of ['portable', 'fork'] as const) {
      const fs = await analyze(stopFlag, `stop-${sm}`, sm);
      assert.deepEqual(found(fs), ['stale-global-read:8'], sm);
      assert.match(fs[0].message, /after the workers start/, sm);
    }
  });

  it('a function both registered and called runs where it is called', async () => {
    const called = stopFlag.replace('    with Pool(2)', '    request_stop(0, None)\n    with Pool(2)');
    // the call before the start is what the fork children inherit
    assert.deepEqual(found(await analyze(called, 'called-fork', 'fork')), []);
    assert.match((await analyze(called, 'called-portable'))[0].message, /which re-import main\.py under spawn and forkserver/);
  });

  const reset = (register: string) =>
    src(
      'import atexit',
      'from multiprocessing import Pool',
      'SCALE = 10',
      'def reset():',
      '    global SCALE',
      '    SCALE = 0',
      'def scaled(x):',
      '    return x * SCALE',
      'def setup():',
      `    ${register}`,
      "if __name__ == '__main__':",
      '    setup()',
      '    with Pool(2) as pool:',
      '        print(pool.map(scaled, [1, 2]))',
    );

  it('an atexit handler of the parent runs after the workers it waited for, wherever it is registered', async () => {
    assert.deepEqual(found(await analyze(reset('atexit.register(reset)'), 'atexit')), []);
    // `from atexit import register` is the same function
    const aliased = reset('register(reset)').replace('import atexit', 'from atexit import register');
    assert.deepEqual(found(await analyze(aliased, 'atexit-alias')), []);
    // a plain call of the same function is a write before the start
    assert.deepEqual(found(await analyze(reset('reset()'), 'atexit-called')), ['stale-global-read:8']);
  });

  it('an atexit handler registered without waiting for the workers is still after their start', async () => {
    const open = src(
      'import atexit',
      'from multiprocessing import Pool',
      'SCALE = 10',
      'def reset():',
      '    global SCALE',
      '    SCALE = 0',
      'def scaled(x):',
      '    return x * SCALE',
      "if __name__ == '__main__':",
      '    atexit.register(reset)',
      '    pool = Pool(2)',
      '    print(pool.map_async(scaled, [1, 2]))',
    );
    // no end of the workers is known: the handler's write is a write while they may run
    assert.deepEqual(found(await analyze(open, 'atexit-open')), ['stale-global-read:8']);
  });

  it('a handler an initializer registers is worker code, not worker set-up', async () => {
    const prog = src(
      'import atexit',
      'from multiprocessing import Pool',
      'DONE = []',
      'def flush():',
      '    DONE.append(1)',
      'def init():',
      '    atexit.register(flush)',
      'def task(x):',
      '    return x',
      "if __name__ == '__main__':",
      '    with Pool(2, initializer=init) as pool:',
      '        pool.map(task, [1])',
      '    print(DONE)',
    );
    const fs = await analyze(prog, 'init-atexit');
    assert.deepEqual(found(fs), ['lost-global-write:5']);
  });
  it('putting a function in a table runs nothing: the dispatch site decides where it runs', async () => {
    const prog = (register: string) =>
      src(
        'from multiprocessing import Pool',
        'SCALE = 10',
        'HOOKS = []',
        'def reset(*args):',
        '    global SCALE',
        '    SCALE = 0',
        'def scaled(x):',
        '    return x * SCALE',
        "if __name__ == '__main__':",
        `    ${register}`,
        '    with Pool(2) as pool:',
        '        print(pool.map(scaled, [1, 2]))',
        '    for h in HOOKS:',
        '        h()',
      );
    // dispatched in the parent after the pool's block: neither a write before nor while the workers run
    assert.deepEqual(found(await analyze(prog('HOOKS.append(reset)'), 'table-parent')), []);
    assert.deepEqual(found(await analyze(prog('HOOKS.insert(0, reset)'), 'table-insert')), []);
    // a plain call at that line is a write before the start
    assert.deepEqual(found(await analyze(prog('reset()'), 'table-called')), ['stale-global-read:8']);
  });
});
