/**
 * `crossproc graph` (dist/cli.js): every format on one small multiprocessing program.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { makeTree, runCli } from './support/programs';

const PROGRAM: Record<string, string> = {
  'main.py': [
    'from multiprocessing import Pool',
    'import helpers',
    '',
    'def init(value):',
    '    helpers.setup(value)',
    '',
    'def work(x):',
    '    return helpers.scale(x)',
    '',
    'def main():',
    '    with Pool(2, initializer=init, initargs=(3,)) as pool:',
    '        print(pool.map(work, range(4)))',
    '',
    'if __name__ == "__main__":',
    '    main()',
    '',
  ].join('\n'),
  'helpers.py': 'def setup(v):\n    pass\n\ndef scale(x):\n    return x * 2\n',
  'unrelated.py': 'def other():\n    pass\n\nother()\n',
};

interface Fn {
  name: string;
  importTime: boolean;
  parent: string[];
  worker: Array<{ via: string; start: string }>;
  initializer: string[];
  calls: string[];
}

describe('CLI: crossproc graph', () => {
  let root = '';
  before(() => {
    root = makeTree(PROGRAM);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('pycg: PyCG call-graph JSON of the entry and the modules it imports', () => {
    const run = runCli(root, 'graph', '--format', 'pycg', 'main.py');
    assert.equal(run.code, 0, run.stderr);
    const cg = JSON.parse(run.stdout) as Record<string, string[]>;
    assert.ok(cg['main'].includes('main.main'));
    assert.deepEqual(cg['main.work'], ['helpers.scale']);
    assert.deepEqual(cg['main.init'], ['helpers.setup']);
    assert.ok(cg['main.main'].includes('<builtin>.range'));
    // unrelated.py is not imported by main.py
    assert.equal(cg['unrelated'], undefined);
  });

  it('json: every function with its contexts', () => {
    const run = runCli(root, 'graph', '--format', 'json', '--entry', 'main.py');
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { functions: Fn[]; processes: Array<{ parent: string; starts: Array<{ start: string; system: string }> }> };
    const fn = (n: string) => out.functions.find((f) => f.name === n)!;
    assert.deepEqual(fn('main.work').worker, [{ via: 'Pool.map', start: 'Pool at main.py:11' }]);
    assert.deepEqual(fn('helpers.scale').worker.map((w) => w.start), ['Pool at main.py:11']);
    assert.deepEqual(fn('main.init').initializer, ['Pool at main.py:11']);
    assert.deepEqual(fn('main.main').parent, ['main.<main>']);
    assert.equal(fn('main.main').worker.length, 0);
    assert.equal(fn('main').importTime, true);
    assert.deepEqual(fn('main.<main>').calls, ['main.main']);
    assert.deepEqual(out.processes.map((p) => p.starts.map((s) => s.system)), [['mp.Pool']]);
  });

  it('dot: one cluster per process, starts drawn dashed', () => {
    const run = runCli(root, 'graph', '--format', 'dot', 'main.py');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^digraph crossproc \{/);
    assert.match(run.stdout, /subgraph cluster_\w+ \{\n\s+label="worker: Pool at main.py:11";/);
    assert.match(run.stdout, /label="parent process \(main.<main>\)"/);
    assert.match(run.stdout, /-> \w+ \[style=dashed, label="starts"\];/);
  });

  it('mermaid: one subgraph per process', () => {
    const run = runCli(root, 'graph', '--format', 'mermaid', 'main.py');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^flowchart LR\n/);
    assert.match(run.stdout, /subgraph \w+\["worker: Pool at main.py:11"\]/);
    assert.match(run.stdout, /\["main.work"\]/);
    assert.match(run.stdout, /-\. starts \.->/);
  });

  it('JavaScript: functions with their contexts, this.m() reaching an override, registered callbacks as calls', () => {
    const js = makeTree({
      'main.js': "const { Worker } = require('node:worker_threads');\nconst w = new Worker(__dirname + '/worker.js');\nw.on('message', () => w.terminate());\n",
      'worker.js':
        "const { parentPort } = require('node:worker_threads');\nclass Base {\n  constructor() { parentPort.on('message', this.listen.bind(this)); }\n  listen(m) { parentPort.postMessage(this.handle(m)); }\n  handle(m) { return m; }\n}\nclass Job extends Base {\n  handle(m) { return m * 2; }\n}\nnew Job();\n",
    });
    try {
      const run = runCli(js, 'graph', '--format', 'json', 'main.js', 'worker.js');
      assert.equal(run.code, 0, run.stderr);
      const fns = (JSON.parse(run.stdout) as { functions: Fn[] }).functions;
      const fn = (name: string) => fns.find((f) => f.name === name)!;
      assert.ok(fn('worker.Base.constructor').calls.includes('worker.Base.listen'), 'a registered bound method');
      assert.deepEqual(fn('worker.Base.listen').calls.filter((c) => c.startsWith('worker.')), ['worker.Job.handle']);
      assert.equal(fn('worker.Job.handle').worker[0]?.start, 'new Worker at main.js:2');
      assert.equal(fn('worker.Base.handle').worker.length, 0, "the overridden method does not run");
      const pycg = runCli(js, 'graph', '--format', 'pycg', 'main.js', 'worker.js');
      assert.deepEqual(JSON.parse(pycg.stdout), {}, 'pycg is Python only');
    } finally {
      fs.rmSync(js, { recursive: true, force: true });
    }
  });

  it('usage: --help, a bad format, a missing path', () => {
    const help = runCli(root, 'graph', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: crossproc graph/);
    const bad = runCli(root, 'graph', '--format', 'svg');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid value 'svg' for --format/);
    const missing = runCli(root, 'graph', 'nope.py');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read 'nope.py'/);
  });
});
