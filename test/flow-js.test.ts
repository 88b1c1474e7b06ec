/**
 * The value-flow layer (server/src/flow) on JavaScript/TypeScript: facts from the JS
 * front end's tree (server/src/js/flowFacts.ts) → the calls programs make, across files.
 */
import { strict as assert } from 'node:assert';
import { parseJs } from '../server/src/js/frontend';
import { FlowProgram } from '../server/src/flow/program';

const ROOT = '/proj';

function program(files: Record<string, string>): FlowProgram {
  return new FlowProgram(Object.entries(files).map(([p, t]) => parseJs(`${ROOT}/${p}`, t)), ROOT);
}

function calls(files: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of program(files).callGraph()) if (v.size) out[k] = [...v].sort();
  return out;
}

/** caller → the analysed callables it hands to code outside the program (registered callbacks) */
function handedOut(files: Record<string, string>): Record<string, string[]> {
  const p = program(files);
  const out: Record<string, string[]> = {};
  for (const [c, vs] of p.solver.handedOut) {
    const names = [...vs].flatMap((v) => p.callableTargets(v).map((t) => t.name));
    if (names.length) out[p.qualifiedName(c)] = [...new Set(names)].sort();
  }
  return out;
}

describe('value-flow layer: JavaScript', () => {
  it('this.m() in a base class reaches the override of the instance made', () => {
    const g = calls({
      'base.js': 'class Base {\n  listen(x) { return this.handle(x); }\n  handle(x) { return x; }\n}\nmodule.exports = { Base };\n',
      'main.js': "const { Base } = require('./base');\nclass Sub extends Base {\n  handle(x) { return record(x); }\n}\nfunction record(x) { return x; }\nnew Sub().listen(1);\n",
    });
    assert.deepEqual(g['base.Base.listen'], ['main.Sub.handle']);
    assert.deepEqual(g['main.Sub.handle'], ['main.record']);
    assert.deepEqual(g['main'], ['base.Base.listen']);
  });

  it('constructors: new runs the nearest constructor; super(...) and super.m() reach the base', () => {
    const g = calls({
      'main.js':
        'class A {\n  constructor(v) { this.v = v; }\n  m() { return 1; }\n}\nclass B extends A {\n  m() { return super.m(); }\n}\nclass C extends B {\n  constructor() { super(2); }\n}\nnew C().m();\n',
    });
    assert.deepEqual(g['main'], ['main.B.m', 'main.C.constructor']);
    assert.deepEqual(g['main.C.constructor'], ['main.A.constructor']);
    assert.deepEqual(g['main.B.m'], ['main.A.m']);
  });

  it('bound methods and functions registered without a call are handed out by the registering function', () => {
    const h = handedOut({
      'main.js':
        "const { parentPort } = require('node:worker_threads');\nclass W {\n  constructor() {\n    parentPort.on('message', this.onMessage.bind(this));\n    setTimeout(() => this.tick(), 10);\n  }\n  onMessage(m) { this.tick(); }\n  tick() {}\n}\nconst onExit = function () {};\nprocess.on('exit', onExit);\nnew W();\n",
    });
    assert.deepEqual(h['main.W.constructor'], ['main.W.constructor.<anonymous1>', 'main.W.onMessage']);
    assert.deepEqual(h['main'], ['main.onExit']);
    const g = calls({ 'main.js': 'class W {\n  go() { setTimeout(() => this.tick(), 1); }\n  tick() {}\n}\nnew W().go();\n' });
    assert.deepEqual(g['main.W.go.<anonymous1>'], ['main.W.tick'], "an arrow's `this` is its method's");
  });

  it('handlers in object literals, arrays and variables', () => {
    const g = calls({
      'main.js':
        'const handlers = {\n  add(m) { return sum(m); },\n  stop: () => halt(),\n};\nfunction sum(m) { return m; }\nfunction halt() {}\nfunction dispatch(m) { return handlers[m.op](m); }\nconst list = [];\nlist.push(halt);\nfunction all() { list.forEach((f) => f()); }\nconst d = dispatch;\nd({ op: "add" });\nd({ op: "stop" });\nall();\n',
    });
    assert.deepEqual(g['main.dispatch'], ['main.add', 'main.stop']);
    assert.deepEqual(g['main.all.<anonymous1>'], ['main.halt']);
    assert.deepEqual(g['main'], ['main.all', 'main.dispatch']);
  });

  it('f.call(obj) and f.apply(obj) give obj as this; a plain call gives nothing', () => {
    const g = calls({
      'main.js': 'function run() { return this.go(); }\nconst o = { go() { return 1; } };\nrun.call(o);\nrun.apply(o, []);\n',
    });
    assert.deepEqual(g['main.run'], ['main.go']);
  });

  it('CommonJS and ESM imports and exports across files', () => {
    const g = calls({
      'lib/job.js': 'class Job { run() { return 1; } }\nmodule.exports = Job;\n',
      'lib/tools.js': 'exports.clean = function clean() {};\nmodule.exports.tidy = () => 0;\n',
      'lib/index.mjs': "export * from './esm.mjs';\nexport { default as Job } from './job.js';\n",
      'lib/esm.mjs': 'export function helper() {}\nexport default function main() {}\n',
      'main.mjs': "import { helper, Job } from './lib/index.mjs';\nimport run from './lib/esm.mjs';\nimport tools from './lib/tools.js';\nimport * as t2 from './lib/tools.js';\nhelper();\nrun();\nnew Job().run();\nt2.clean();\ntools.tidy;\n",
      'app.cjs': "const Job = require('./lib/job.js');\nconst { clean } = require('./lib/tools.js');\nnew Job().run();\nclean();\n",
    });
    assert.deepEqual(g['main'], ['lib.esm.helper', 'lib.esm.main', 'lib.job.Job.run', 'lib.tools.clean']);
    assert.deepEqual(g['app'], ['lib.job.Job.run', 'lib.tools.clean']);
  });
});
