/**
 * Methods called on an object the front end cannot name (ModuleModel.flowCalls): a local
 * holding what a call made (`service = Service(); service.run()`), a module-level name
 * bound by a call, an instance attribute (`self._svc.run()`). The value-flow layer finds
 * the method; its pool then starts at that call in the parent's order of events. The
 * runnable versions are the fixtures stale-read-method-on-local-instance,
 * lost-write-method-on-instance-attribute, ok-method-on-local-instance-before-set and
 * ok-project-flag-method-set.
 */
import { strict as assert } from 'node:assert';
import { initPython } from '../server/src/python/frontend';
import { fixShapes } from './support/fix-shapes';

const { load } = fixShapes('crossproc-instance-calls');

const src = (...ls: string[]) => ls.join('\n') + '\n';

/** `rule:line` of every finding (in main.py unless named), sorted. */
async function found(files: Record<string, string>, dir: string): Promise<string[]> {
  const { findings } = await load(files, dir);
  return findings.map((f) => `${f.file.endsWith('main.py') ? '' : f.file.split('/').pop() + ':'}${f.rule}:${f.range.start.line + 1}`).sort();
}

async function messages(files: Record<string, string>, dir: string): Promise<string[]> {
  const { findings } = await load(files, dir);
  return findings.map((f) => f.message);
}

// lines 1–9: SCALE is read by work(), which Service.run maps over a process pool
const service = src(
  'from concurrent.futures import ProcessPoolExecutor',
  'SCALE = None',
  'SEEN = []',
  'def work(x):',
  '    return SCALE * x',
  'class Service:',
  '    def run(self, xs):',
  '        with ProcessPoolExecutor(2) as pool:',
  '            return list(pool.map(work, xs))',
);
const guard = "if __name__ == '__main__':";
// pkg/checker.py of the package tests: Manager.run maps work(), which reads pkg.settings.SCALE
const checker = src(
  'from concurrent.futures import ProcessPoolExecutor',
  'from pkg import settings',
  'def work(x):',
  '    return settings.SCALE * x',
  'class Manager:',
  '    def run(self, xs):',
  '        with ProcessPoolExecutor(2) as pool:',
  '            return list(pool.map(work, xs))',
);

describe('methods called on an instance held in a variable or attribute', () => {
  before(async () => {
    await initPython();
  });

  it('a local holding the instance: the pool starts after the parent set the global', async () => {
    const body = src('def main():', '    global SCALE', '    SCALE = 3', '    service = Service()', '    print(service.run([1]))', guard, '    main()');
    assert.deepEqual(await found({ 'main.py': service + body }, 'local'), ['stale-global-read:5']);
    // also when the local is annotated, or is made by a factory function
    const annotated = body.replace('    service = Service()', '    service: Service = Service()');
    assert.deepEqual(await found({ 'main.py': service + annotated }, 'annotated'), ['stale-global-read:5']);
    const factory = src('def make():', '    return Service()') + body.replace('    service = Service()', '    service = make()');
    assert.deepEqual(await found({ 'main.py': service + factory }, 'factory'), ['stale-global-read:5']);
  });

  it('run before the parent sets the global: no finding', async () => {
    const body = src('def main():', '    global SCALE', '    service = Service()', '    print(service.run([1]))', '    SCALE = 3', guard, '    main()');
    assert.deepEqual(await found({ 'main.py': service + body }, 'before'), []);
  });

  it('an instance attribute, in another module (self._svc.run())', async () => {
    const app = src(
      'import main',
      'class App:',
      '    def __init__(self):',
      '        self._svc = main.Service()',
      '    def start(self):',
      '        main.SCALE = 3',
      '        return self._svc.run([1])',
      guard,
      '    print(App().start())',
    );
    assert.deepEqual(await found({ 'main.py': service, 'app.py': app }, 'attribute'), ['stale-global-read:5']);
  });

  it('a module-level instance used in the main guard: the parent\'s later read is named', async () => {
    const body = src(
      'def record(x):',
      '    SEEN.append(x)',
      '    return x',
      'class Collector:',
      '    def collect(self, xs):',
      '        with ProcessPoolExecutor(2) as pool:',
      '            return list(pool.map(record, xs))',
      'collector = Collector()',
      guard,
      '    collector.collect([1])',
      '    print(SEEN)',
    );
    const msgs = await messages({ 'main.py': service + body }, 'module-level');
    assert.equal(msgs.length, 1);
    assert.match(msgs[0]!, /the parent reads its own 'SEEN' at main\.py:20/);
  });

  it('through `from pkg import checker` (flake8\'s shape): the importing module is a caller the layer reads', async () => {
    const app = src(
      'from pkg import checker, settings',
      'class App:',
      '    def __init__(self):',
      '        self.manager = checker.Manager()',
      '    def run(self):',
      '        settings.SCALE = 3',
      '        return self.manager.run([1])',
      guard,
      '    print(App().run())',
    );
    const files = { 'pkg/__init__.py': '', 'pkg/settings.py': src('SCALE = None'), 'pkg/checker.py': checker, 'pkg/app.py': app };
    assert.deepEqual(await found(files, 'submodule-import'), ['checker.py:stale-global-read:4']);
    const { project, at } = await load(files, 'submodule-import');
    assert.deepEqual([...project.graph().importsOf(at('pkg/app.py'))].sort(), [at('pkg/__init__.py'), at('pkg/checker.py'), at('pkg/settings.py')]);
  });

  it('a program root two imports above the start (main.py → app.App().run() → self.manager.run())', async () => {
    const app = src('from pkg import checker, settings', 'class App:', '    def __init__(self):', '        self.manager = checker.Manager()', '    def run(self):', '        settings.SCALE = 3', '        return self.manager.run([1])');
    const files = {
      'main.py': src('from pkg.app import App', guard, '    app = App()', '    print(app.run())'),
      'pkg/__init__.py': '',
      'pkg/settings.py': src('SCALE = None'),
      'pkg/checker.py': checker,
      'pkg/app.py': app,
    };
    assert.deepEqual(await found(files, 'root-path'), ['checker.py:stale-global-read:4']);
  });

  it('self.X of a class attribute the methods never assign is the class attribute (a read)', async () => {
    // a classmethod fills the class's dict in the worker; an instance method reads it back
    // as self._vaults, called by a library callback (json's object_hook) nobody here calls
    const body = src(
      'from multiprocessing import Pool',
      'class Decoder:',
      '    _vaults = {}',
      '    @classmethod',
      '    def set_secrets(cls, s):',
      "        cls._vaults['default'] = s",
      '    def hook(self, pairs):',
      "        return self._vaults.get('default')",
      'def task(s):',
      '    Decoder.set_secrets(s)',
      '    return s',
      guard,
      '    with Pool(2) as p:',
      "        p.map(task, ['a'])",
    );
    assert.deepEqual(await found({ 'main.py': body }, 'self-class-attr'), []);
    // never read anywhere: the write is lost
    assert.deepEqual(await found({ 'main.py': body.replace("        return self._vaults.get('default')", '        return pairs') }, 'self-class-attr-unread'), ['lost-global-write:6']);
  });

  it('a project class that defines set(): FLAG.set() is that method, not an event\'s', async () => {
    const flag = src(
      'from concurrent.futures import ProcessPoolExecutor',
      'class Flag:',
      '    def __init__(self):',
      '        self.on = False',
      '    def set(self):',
      '        self.on = True',
      'FLAG = Flag()',
      'def work(on):',
      '    if on:',
      '        FLAG.set()',
      '    return FLAG.on',
      guard,
      '    FLAG.set()',
      '    with ProcessPoolExecutor(2) as pool:',
      '        print(list(pool.map(work, [FLAG.on])), FLAG.on)',
    );
    assert.deepEqual(await found({ 'main.py': flag }, 'flag'), []);
    // a subclass of a container whose own class does not define the method: still the container's
    const box = src(
      'from concurrent.futures import ProcessPoolExecutor',
      'class Box(list):',
      '    pass',
      'BOX = Box()',
      'def work(x):',
      '    BOX.append(x)',
      '    return x',
      guard,
      '    with ProcessPoolExecutor(2) as pool:',
      '        list(pool.map(work, [1]))',
      '    print(BOX)',
    );
    assert.deepEqual(await found({ 'main.py': box }, 'box'), ['lost-global-write:6']);
  });
});
