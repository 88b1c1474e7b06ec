/**
 * The value-flow layer (server/src/flow): small Python programs → the values expressions
 * hold and the calls they make.
 */
import { strict as assert } from 'node:assert';
import { initPython, parsePython } from '../server/src/python/frontend';
import { FlowProgram } from '../server/src/flow/program';

const ROOT = '/proj';

function program(files: Record<string, string>): FlowProgram {
  return new FlowProgram(Object.entries(files).map(([p, t]) => parsePython(`${ROOT}/${p}`, t)), ROOT);
}

function calls(files: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of program(files).callGraph()) if (v.size) out[k] = [...v].sort();
  return out;
}

/** the values of the call argument that starts with `marker` in main.py */
function argValues(files: Record<string, string>, marker: string): string[] {
  const p = program(files);
  const text = files['main.py'];
  const at = text.indexOf(marker);
  assert.ok(at >= 0, `marker ${marker}`);
  return p.valuesAt(`${ROOT}/main.py`, at).map((t) => `${t.kind}:${t.name}`).sort();
}

describe('value-flow layer', () => {
  before(async () => {
    await initPython();
  });

  it('a read sees the definitions that reach it; other scopes see them all', () => {
    const g = calls({
      'main.py': 'def f(): pass\ndef g(): pass\na = f\na = g\na()\ndef later():\n    a()\n',
    });
    assert.deepEqual(g['main'], ['main.g']);
    assert.deepEqual(g['main.later'], ['main.f', 'main.g']);
  });

  it('branches merge, loops see later definitions', () => {
    const g = calls({
      'main.py': 'def f(): pass\ndef g(): pass\ndef h(): pass\nif c:\n    x = f\nelse:\n    x = g\nx()\ny = f\nfor i in z:\n    y()\n    y = h\n',
    });
    assert.deepEqual(g['main'], ['main.f', 'main.g', 'main.h']);
  });

  it('parameters take the arguments of every call, results flow back', () => {
    const g = calls({
      'main.py': 'def task(): pass\ndef run(fn):\n    return fn\ndef call(fn, *rest, key=None):\n    fn()\n    key()\nrun(task)()\ncall(task, key=run)\n',
    });
    assert.deepEqual(g['main'], ['main.call', 'main.run', 'main.task']);
    assert.deepEqual(g['main.call'], ['main.run', 'main.task']);
  });

  it('methods: instances, bound methods, self, MRO (C3) and super()', () => {
    const g = calls({
      'main.py': [
        'class A:',
        '    def __init__(self): pass',
        '    def go(self): self.step()',
        '    def step(self): pass',
        'class B(A):',
        '    def step(self):',
        '        super().step()',
        'class C(A):',
        '    def step(self): pass',
        'class D(B, C): pass',
        'd = D()',
        'm = d.go',
        'm()',
      ].join('\n'),
    });
    assert.deepEqual(g['main'], ['main.A.__init__', 'main.A.go']);
    // A.go is only called on a D: D's MRO is D, B, C, A
    assert.deepEqual(g['main.A.go'], ['main.B.step']);
    // super() in B.step, for a D, is C
    assert.deepEqual(g['main.B.step'], ['<builtin>.super', 'main.C.step']);
  });

  it('answers which function a task argument is: bound method, callable object, partial, lambda', () => {
    const files = {
      'main.py': [
        'import functools',
        'from multiprocessing import Pool',
        'from work import Downloader',
        'def task(x, y): pass',
        'class Job:',
        '    def run(self, x): pass',
        '    def start(self, pool):',
        '        pool.map(self.run, [1])',
        'job = Job()',
        'with Pool() as pool:',
        '    pool.map(job.run, [1])',
        '    pool.imap_unordered(Downloader(), [1])',
        '    pool.map(functools.partial(task, 1), [2])',
        '    pool.map(lambda x: x, [3])',
      ].join('\n'),
      'work.py': 'class Downloader:\n    def __call__(self, row):\n        pass\n',
    };
    assert.deepEqual(argValues(files, 'job.run'), ['bound-method:main.Job.run']);
    assert.deepEqual(argValues(files, 'self.run'), ['bound-method:main.Job.run']);
    assert.deepEqual(argValues(files, 'Downloader()'), ['instance:work.Downloader']);
    assert.deepEqual(argValues(files, 'functools.partial'), ['partial:main.task']);
    assert.deepEqual(argValues(files, 'lambda'), ['lambda:main.<lambda1>']);
    const p = program(files);
    const inst = p.valueIdsAt('/proj/main.py', files['main.py'].indexOf('Downloader()'));
    assert.deepEqual(inst.flatMap((v) => p.callableTargets(v)).map((t) => t.name), ['work.Downloader.__call__']);
  });

  it('functools.partial binds leading arguments', () => {
    const g = calls({
      'main.py': 'from functools import partial\ndef a(): pass\ndef b(): pass\ndef apply(f, g):\n    g()\np = partial(apply, a)\np(b)\n',
    });
    assert.deepEqual(g['main'], ['functools.partial', 'main.apply']);
    assert.deepEqual(g['main.apply'], ['main.b']);
  });

  it('containers: dicts of handlers (constant keys), lists, append, iteration', () => {
    const g = calls({
      'main.py': [
        'def a(): pass',
        'def b(): pass',
        'def c(): pass',
        'handlers = {"x": a, "y": b}',
        'handlers["x"]()',
        'todo = []',
        'todo.append(c)',
        'for f in todo:',
        '    f()',
      ].join('\n'),
    });
    assert.deepEqual(g['main'], ['main.a', 'main.c']);
  });

  it('a constant key assigned in the same scope replaces the old value', () => {
    const g = calls({ 'main.py': 'def a(): pass\ndef b(): pass\nd = {"k": a}\nd["k"] = b\nd["k"]()\n' });
    assert.deepEqual(g['main'], ['main.b']);
  });

  it('generators and the iterator protocol', () => {
    const g = calls({
      'main.py': [
        'def f(): pass',
        'def gen():',
        '    yield f',
        'class It:',
        '    def __iter__(self): return self',
        '    def __next__(self): return f',
        'for x in gen(): x()',
        'for y in It(): y()',
      ].join('\n'),
    });
    assert.deepEqual(g['main'], ['main.It.__iter__', 'main.It.__next__', 'main.f', 'main.gen']);
  });

  it('follows imports across modules and packages, including re-exports and star imports', () => {
    const g = calls({
      'main.py': 'from pkg import helper\nfrom pkg.sub import *\nimport pkg.sub as s\nhelper()\nother()\ns.other()\n',
      'pkg/__init__.py': 'from .impl import helper\n',
      'pkg/impl.py': 'def helper(): pass\n',
      'pkg/sub.py': 'def other(): pass\n',
    });
    assert.deepEqual(g['main'], ['pkg.impl.helper', 'pkg.sub.other']);
  });

  it('decorators: the decorated name holds what the decorator returns', () => {
    const g = calls({
      'main.py': 'import functools\ndef deco(f):\n    @functools.wraps(f)\n    def inner():\n        return f()\n    return inner\n@deco\ndef task(): pass\ntask()\n',
    });
    assert.deepEqual(g['main'], ['main.deco', 'main.deco.inner']);
    assert.deepEqual(g['main.deco.inner'], ['main.task']);
  });

  it('properties, staticmethods and classmethods', () => {
    const g = calls({
      'main.py': [
        'def f(): pass',
        'class K:',
        '    @property',
        '    def p(self): return f',
        '    @staticmethod',
        '    def s(): pass',
        '    @classmethod',
        '    def c(cls): cls.s()',
        'k = K()',
        'k.p()',
        'K.c()',
      ].join('\n'),
    });
    assert.deepEqual(g['main'], ['main.K.c', 'main.K.p', 'main.f']);
    assert.deepEqual(g['main.K.c'], ['main.K.s']);
  });

  it('names outside the analysed files are external; builtins are <builtin>', () => {
    const g = calls({ 'main.py': 'import os\nfrom ext import Base\nclass A(Base):\n    def f(self): self.g()\nos.path.join("a")\nlen([])\nA().f()\n' });
    assert.deepEqual(g['main'], ['<builtin>.len', 'ext.Base.__init__', 'main.A.f', 'os.path.join']);
    assert.deepEqual(g['main.A.f'], ['ext.Base.g']);
  });

  it('stays bounded on recursive and self-feeding programs', () => {
    const lines = ['def f(x):', '    return [x, f]', 'a = f', 'for i in range(10):', '    a = a(a)[0]', 'class N:', '    def __init__(self, n): self.n = N(self)'];
    const t0 = performance.now();
    const g = calls({ 'main.py': lines.join('\n') });
    assert.ok(performance.now() - t0 < 2000);
    assert.ok(g['main'].includes('main.f'));
  });

  it('maps functions to the front end units (same file and start)', () => {
    const text = 'class C:\n    @staticmethod\n    def m(): pass\nf = lambda: 0\n';
    const model = parsePython(`${ROOT}/main.py`, text);
    const p = new FlowProgram([model], ROOT);
    for (const fn of p.functions()) {
      if (!fn.def) continue;
      const unit = model.units.find((u) => u.range.start.line === fn.def!.line && u.range.start.character === fn.def!.character);
      assert.ok(unit, `a unit for ${fn.name}`);
    }
  });
});
