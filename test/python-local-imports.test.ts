/**
 * Module state reached through an import inside a function (Ref.from), and Process
 * subclasses of a context another module made. The runnable versions are the fixtures
 * lost-write-local-import-in-task, lost-write-imported-context-process and
 * ok-worker-state-read-through-local-import; these pin each shape, and what must not be
 * reported.
 */
import { strict as assert } from 'node:assert';
import { initPython } from '../server/src/python/frontend';
import { fixShapes } from './support/fix-shapes';

const { load } = fixShapes('crossproc-local-imports');

const src = (...ls: string[]) => ls.join('\n') + '\n';

/** `file:rule:line` of every finding, sorted. */
async function found(files: Record<string, string>, dir: string): Promise<string[]> {
  const { findings } = await load(files, dir);
  return findings.map((f) => `${f.file.split('/').pop()}:${f.rule}:${f.range.start.line + 1}`).sort();
}

const guard = "if __name__ == '__main__':";
const lib = src('SEEN = []', 'SCALE = None', 'def record(x):', '    SEEN.append(x)');

describe('module state through imports inside functions', () => {
  before(async () => {
    await initPython();
  });

  it('a task writing through `from lib import SEEN` and through `import lib`', async () => {
    const fromImport = src('from multiprocessing import Pool', 'def task(x):', '    from lib import SEEN', '    SEEN.append(x)', guard, '    import lib', '    with Pool(2) as p:', '        p.map(task, [1])', '    print(lib.SEEN)');
    assert.deepEqual(await found({ 'main.py': fromImport, 'lib.py': lib }, 'from-import'), ['main.py:lost-global-write:4']);
    const moduleImport = fromImport.replace('    from lib import SEEN\n    SEEN.append(x)', '    import lib\n    lib.SEEN.append(x)');
    assert.deepEqual(await found({ 'main.py': moduleImport, 'lib.py': lib }, 'module-import'), ['main.py:lost-global-write:4']);
  });

  it('calls through them: `from lib import record; record(x)` and `lib.record(x)` are worker code', async () => {
    const call = src('from multiprocessing import Pool', 'def task(x):', '    from lib import record', '    record(x)', guard, '    import lib', '    with Pool(2) as p:', '        p.map(task, [1])', '    print(lib.SEEN)');
    assert.deepEqual(await found({ 'main.py': call, 'lib.py': lib }, 'call'), ['lib.py:lost-global-write:4']);
    const viaModule = call.replace('    from lib import record\n    record(x)', '    import lib\n    lib.record(x)');
    assert.deepEqual(await found({ 'main.py': viaModule, 'lib.py': lib }, 'call-module'), ['lib.py:lost-global-write:4']);
  });

  it('a read through one: the parent set it, the worker reads the import-time value', async () => {
    const read = src('from multiprocessing import Pool', 'import lib', 'def task(x):', '    from lib import SCALE', '    return SCALE', guard, '    lib.SCALE = 3', '    with Pool(2) as p:', '        p.map(task, [1])');
    assert.deepEqual(await found({ 'main.py': read, 'lib.py': lib }, 'read'), ['main.py:stale-global-read:5']);
  });

  it('a local name the function also assigns is its own, not the module\'s', async () => {
    const rebound = src('from multiprocessing import Pool', 'def task(x):', '    from lib import SEEN', '    SEEN = []', '    SEEN.append(x)', '    return SEEN', guard, '    import lib', '    with Pool(2) as p:', '        p.map(task, [1])', '    print(lib.SEEN)');
    assert.deepEqual(await found({ 'main.py': rebound, 'lib.py': lib }, 'rebound'), []);
  });

  it('worker state read back by worker code through such an import, or by code no analysed caller runs: not lost', async () => {
    const worker = src(
      'from multiprocessing import Process',
      'current = None',
      'class W(Process):',
      '    def run(self):',
      '        print(1)',
      '        global current',
      '        current = self',
      '        import report',
      '        report.show()',
    );
    const report = src('def show():', '    from worker import current', '    print(current)');
    const main = src('import worker', guard, '    w = worker.W()', '    w.start()', '    w.join()');
    assert.deepEqual(await found({ 'main.py': main, 'worker.py': worker, 'report.py': report }, 'worker-reads'), []);
    // report.show() called by nothing analysed (a plugin's hook): it may run in the child
    const noCall = worker.replace('        import report\n        report.show()\n', '');
    assert.deepEqual(await found({ 'main.py': main, 'worker.py': noCall, 'report.py': report }, 'unknown-reader'), []);
    // and with no reader at all, the write is lost
    assert.deepEqual(await found({ 'main.py': main, 'worker.py': noCall }, 'no-reader'), ['worker.py:lost-global-write:7']);
  });

  it('a Process subclass of a context made in another module', async () => {
    const ctx = src('import multiprocessing', "context = multiprocessing.get_context('spawn')");
    const worker = src('from ctx import context as mpc', 'DONE = []', 'class W(mpc.Process):', '    def run(self):', '        DONE.append(1)');
    const main = src('import worker', guard, '    w = worker.W()', '    w.start()', '    w.join()', '    print(worker.DONE)');
    assert.deepEqual(await found({ 'main.py': main, 'worker.py': worker, 'ctx.py': ctx }, 'context'), ['worker.py:lost-global-write:5']);
    // a thread pool's module: not a context, no process
    const notCtx = ctx.replace("multiprocessing.get_context('spawn')", 'multiprocessing.dummy');
    assert.deepEqual(await found({ 'main.py': main, 'worker.py': worker, 'ctx.py': notCtx }, 'not-context'), []);
  });
});
