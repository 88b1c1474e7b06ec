/**
 * The CLI leaves out JS/TS files in components with no worker code (engine/relevance.ts):
 * its output must be byte for byte what a run over every file gives (CROSSPROC_EAGER=1),
 * findings in far modules must stay, and the files it leaves out must be the unrelated ones.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JsRelevance, holdsWorkerFacts, mayBeTooDeep } from '../server/src/engine/relevance';
import { parseJs } from '../server/src/js/frontend';
import { isShallow } from '../server/src/js/depth';
import { Project } from '../server/src/engine/project';
import { makeTree, runCli, runCliWithEnv } from './support/programs';

const REPO = path.resolve(__dirname, '..');

/** the JSON report without its timing */
function report(dir: string, eager: boolean, ...args: string[]): string {
  const run = runCliWithEnv(dir, { CROSSPROC_EAGER: eager ? '1' : undefined }, '--format', 'json', '--jobs', '1', ...args);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const json = JSON.parse(run.stdout) as { stats: { durationMs?: number } };
  delete json.stats.durationMs;
  return JSON.stringify(json, null, 1);
}

/**
 * A piscina pool whose task (named through `path.join`, so no string links it to the
 * parent) records into a registry three modules down, which the parent reports: one
 * lost-global-write in lib/deep/record.js. Beside it, unrelated code the run can leave
 * out: plain modules, a generated file too deep to analyse, one over the token budget.
 */
function project(): Record<string, string> {
  const files: Record<string, string> = {
    'main.js': [
      "const path = require('node:path');",
      "const Piscina = require('piscina');",
      'const { report } = require("./app/report");',
      'async function main() {',
      "  const pool = new Piscina({ filename: path.join(__dirname, 'jobs', 'task.js'), maxThreads: 2 });",
      '  await Promise.all([1, 2].map((n) => pool.run(n)));',
      "  const solo = new Piscina({ filename: path.join(__dirname, 'isolated', 'solo.js') });",
      '  await solo.run(3);',
      '  report();',
      '  await pool.destroy();',
      '}',
      'main();',
      '',
    ].join('\n'),
    'app/report.js': "const registry = require('../lib/deep/registry.js');\nmodule.exports.report = () => console.log(registry.seen.length);\n",
    'jobs/task.js': "const { record } = require('../lib/deep/record');\nmodule.exports = (n) => {\n  record(n);\n  return n;\n};\n",
    'lib/deep/record.js': "const registry = require('./registry.js');\nexports.record = (n) => {\n  registry.seen.push(n);\n};\n",
    'lib/deep/registry.js': 'module.exports.seen = [];\n',
    // a task nothing but the composed path links to
    'isolated/solo.js': 'let runs = 0;\nmodule.exports = (n) => {\n  runs++;\n  return n + runs;\n};\n',
    // a Python program beside it: Python files are always analysed
    'py/spawn.py': 'from multiprocessing import Pool\n\nSEEN = []\n\ndef f(x):\n    SEEN.append(x)\n\nif __name__ == "__main__":\n    with Pool(2) as p:\n        p.map(f, [1])\n    print(SEEN)\n',
    // unrelated: no worker code anywhere in these components
    'tools/gen.js': `const s = ${Array(20000).fill('"a"').join(' + ')};\nmodule.exports = s;\n`,
    'tools/big.js': `module.exports = [${Array(110000).fill('1').join(', ')}];\n`,
  };
  for (let i = 0; i < 30; i++) {
    files[`tools/m${i}.js`] = `const next = require('./m${(i + 1) % 30}');\nlet count = 0;\nexports.bump = () => { count++; return next; };\n`;
  }
  files['tools/index.ts'] = "import { bump } from './m0';\nexport const run = () => bump();\n";
  return files;
}

describe('mayBeTooDeep: the texts a front end may not walk are parsed, not left out', () => {
  it('flags the shapes measured to run out of stack (nesting, one-line and multi-line chains)', () => {
    const nested = (n: number) => `const f = ${'function () { return '.repeat(n)}1${';}'.repeat(n)};\n`;
    assert.ok(mayBeTooDeep(nested(600)));
    assert.ok(mayBeTooDeep(`const s = ${Array(5000).fill('a').join(' + ')};\n`));
    assert.ok(mayBeTooDeep(`const s = a${'.b()'.repeat(5000)};\n`));
    assert.ok(mayBeTooDeep(`const s = 1\n${'  + 1\n'.repeat(3000)};\n`));
    assert.ok(mayBeTooDeep(`p\n${'  .then(() => {\n    x();\n  })\n'.repeat(3000)};\n`));
    assert.ok(mayBeTooDeep(`const t = ${Array(5000).fill('a ? b').join(' :\n')} : c;\n`));
  });

  it('passes hand-written code', () => {
    for (const f of ['server/src/engine/contexts.ts', 'server/src/cli/analyze.ts', 'fixtures/js/lost-write-piscina/main.js']) {
      assert.equal(mayBeTooDeep(fs.readFileSync(path.join(REPO, f), 'utf8')), false, f);
    }
  });
});

describe('CLI: files that cannot take part in a finding are left out', function () {
  // every test runs the CLI twice or more (the whole fixtures folder in the last): slow on a loaded machine
  this.timeout(300_000);
  let root: string;
  before(() => {
    root = makeTree(project());
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('leaves out the unrelated components, and keeps the generated files to be parsed alone', () => {
    const texts = new Map<string, string>();
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else texts.set(p, fs.readFileSync(p, 'utf8'));
      }
    };
    walk(root);
    const left = new JsRelevance(texts).unneeded();
    const rel = [...left].map((f) => path.relative(root, f).split(path.sep).join('/')).sort();
    // isolated/solo.js and jobs/task.js are linked to their pools only through `path.join(...)`:
    // left out until the parsed spawner names them (task.js imports a kept module, but an
    // importer reaching no worker code is not followed)
    const expected = ['isolated/solo.js', 'jobs/task.js', 'tools/index.ts', ...Array.from({ length: 30 }, (_, i) => `tools/m${i}.js`)].sort();
    assert.deepEqual(rel, expected);
  });

  it('brings in what a parsed spawner names through a composed path, with what it reaches', async () => {
    const texts = new Map<string, string>();
    for (const [rel, text] of Object.entries(project())) texts.set(path.join(root, rel), text);
    const relevance = new JsRelevance(texts);
    const left = relevance.unneeded();
    const p = await Project.create();
    const main = path.join(root, 'main.js');
    p.updateFile(main, texts.get(main)!);
    const more = relevance.linkedFrom([p.model(main)!], left);
    assert.deepEqual([...more].map((f) => path.relative(root, f)).sort(), [path.join('isolated', 'solo.js'), path.join('jobs', 'task.js')]);
    // nothing further once those are in
    for (const f of more) left.delete(f);
    assert.equal(relevance.linkedFrom([p.model(main)!], left).size, 0);
  });

  it('reports exactly what a run over every file reports: the far finding, files, skipped', () => {
    const lazy = report(root, false);
    assert.equal(lazy, report(root, true));
    const json = JSON.parse(lazy) as { findings: Array<{ file: string; rule: string }>; stats: { files: number }; skipped: Array<{ file: string; reason: string }> };
    assert.ok(json.findings.some((f) => f.rule === 'lost-global-write' && f.file === 'lib/deep/record.js'), lazy);
    assert.ok(json.findings.some((f) => f.file === 'py/spawn.py'), lazy);
    assert.deepEqual(json.skipped.map((s) => [s.file, s.reason]).sort(), [['tools/big.js', 'too-many-tokens'], ['tools/gen.js', 'too-deep']]);
    assert.equal(json.stats.files, Object.keys(project()).length - 2);
  });

  it('with unused-directive reports and the text format too', () => {
    fs.writeFileSync(path.join(root, 'tools/m3.js'), '// crossproc: disable-next-line=lost-global-write\nlet x = 1;\nexports.x = x;\n');
    try {
      const args = ['--report-unused-disable-directives'];
      assert.equal(report(root, false, ...args), report(root, true, ...args));
      assert.equal(runCli(root).stdout, runCliWithEnv(root, { CROSSPROC_EAGER: '1' }).stdout);
    } finally {
      fs.writeFileSync(path.join(root, 'tools/m3.js'), project()['tools/m3.js']);
    }
  });

  it('gives every fixture folder the same report as a run over every file', () => {
    assert.equal(report(path.join(REPO, 'fixtures'), false), report(path.join(REPO, 'fixtures'), true));
  });
});

/**
 * Links are followed in the directions the engine reads them: a file is kept when it
 * reaches worker code or worker code's programs reach it, and the other importers of kept
 * files are parsed (they decide program roots, and whether a worker module is imported
 * anywhere, which fixes ask) but not followed.
 */
function directed(): Record<string, string> {
  return {
    'main.js': [
      "const path = require('node:path');",
      "const Piscina = require('piscina');",
      "const config = require('./lib/config');",
      'async function main() {',
      '  config.level = 2;',
      "  const pool = new Piscina({ filename: path.join(__dirname, 'jobs', 'task.js') });",
      '  await pool.run(1);',
      '}',
      'main();',
      '',
    ].join('\n'),
    'lib/config.js': 'module.exports = { level: 1, count: 0 };\n',
    'jobs/task.js': "const config = require('../lib/config');\nlet runs = 0;\nmodule.exports = (n) => {\n  runs++;\n  config.count += n;\n  return n * config.level + runs;\n};\n",
    // imports the worker module: fixes that move code into it are not offered then
    'test/task.test.js': "const task = require('../jobs/task.js');\nconsole.log(task(1));\n",
    // imports a kept module and changes it, but starts no worker and is loaded by nothing that does
    'tools/setup.js': "const config = require('../lib/config');\nconst helper = require('./helper');\nconfig.level = helper.level();\n",
    'tools/helper.js': "const deep = require('./deep');\nexports.level = () => deep.value + 1;\n",
    'tools/deep.js': 'exports.value = 3;\n',
    // fixtures/js/fix-lost-write-tinypool-return, whose task module another module imports:
    // a full run then offers no fix that returns the results (the task has other callers)
    'pool/main.mjs': fs.readFileSync(path.join(REPO, 'fixtures/js/fix-lost-write-tinypool-return/main.mjs'), 'utf8'),
    'pool/seen.mjs': fs.readFileSync(path.join(REPO, 'fixtures/js/fix-lost-write-tinypool-return/seen.mjs'), 'utf8'),
    'pool/task.mjs': fs.readFileSync(path.join(REPO, 'fixtures/js/fix-lost-write-tinypool-return/task.mjs'), 'utf8'),
    'pool/use.mjs': "import shout from './task.mjs';\nconsole.log(shout('x'));\n",
    // hands inline functions to `exec` on pools it does not make: reported from this file alone
    'tools/offload.js': "const LABEL = 'score';\nclass Jobs {\n  run() {\n    return this.pool.exec(() => `${LABEL}!`);\n  }\n}\nmodule.exports = { Jobs };\n",
    // minified-looking (one 1,500-character line) but shallow: left out once its tree is seen
    'vendor/min.js': `var ${Array.from({ length: 150 }, (_, i) => `v${i}=${i}`).join(',')};module.exports=v1;\n`,
    // nested too deeply: still parsed, and listed as skipped as a full run does
    'vendor/gen.js': `const s = ${Array(20000).fill('"a"').join(' + ')};\nmodule.exports = s;\n`,
  };
}

describe('CLI: the directions of links decide what is left out', function () {
  this.timeout(300_000);
  let root: string;
  before(() => {
    root = makeTree(directed());
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const textsOf = (): Map<string, string> => {
    const texts = new Map<string, string>();
    for (const [rel, text] of Object.entries(directed())) texts.set(path.join(root, rel), text);
    return texts;
  };
  const rel = (files: Iterable<string>) => [...files].map((f) => path.relative(root, f).split(path.sep).join('/')).sort();

  it('leaves out what reaches no worker code and is reached by none, and parses importers of kept files', () => {
    const texts = textsOf();
    const shallow = (f: string) => isShallow(f, texts.get(f)!);
    // jobs/task.js imports a kept module: parsed, though only a composed path names it as the task
    assert.deepEqual(rel(new JsRelevance(texts).unneeded()), ['test/task.test.js', 'tools/deep.js', 'tools/helper.js']);
    assert.deepEqual(rel(new JsRelevance(texts).unneeded(shallow)), ['test/task.test.js', 'tools/deep.js', 'tools/helper.js', 'vendor/min.js']);
  });

  it('brings in the importers of a worker module named through a composed path', async () => {
    const texts = textsOf();
    const relevance = new JsRelevance(texts);
    const left = relevance.unneeded();
    const p = await Project.create();
    const main = path.join(root, 'main.js');
    p.updateFile(main, texts.get(main)!);
    assert.deepEqual(rel(relevance.linkedFrom([p.model(main)!], left)), ['test/task.test.js']);
  });

  it('tells shallow trees from deep ones', () => {
    const texts = textsOf();
    assert.equal(isShallow('min.js', texts.get(path.join(root, 'vendor/min.js'))!), true);
    assert.equal(isShallow('gen.js', texts.get(path.join(root, 'vendor/gen.js'))!), false);
    assert.equal(isShallow('n.js', `${'function f() { '.repeat(200)}${'}'.repeat(200)}`), false);
    assert.equal(isShallow('n.js', `${'function f() { '.repeat(50)}${'}'.repeat(50)}`), true);
  });

  it('reports exactly what a run over every file reports', () => {
    const lazy = report(root, false);
    assert.equal(lazy, report(root, true));
    const json = JSON.parse(lazy) as { findings: Array<{ file: string; rule: string }>; skipped: Array<{ file: string; reason: string }> };
    assert.ok(json.findings.some((f) => f.file === 'jobs/task.js'), lazy);
    assert.ok(json.findings.some((f) => f.file === 'tools/offload.js' && f.rule === 'unsendable-payload'), lazy);
    const pooled = json.findings.find((f) => f.file === 'pool/task.mjs') as { fixes: Array<{ title: string }> } | undefined;
    assert.ok(pooled && !pooled.fixes.some((x) => /return/i.test(x.title)), lazy);
    assert.deepEqual(json.skipped.map((s) => [s.file, s.reason]), [['vendor/gen.js', 'too-deep']]);
  });
});

/**
 * A file whose text names worker vocabulary but whose model starts nothing (a feature
 * test, a re-export of `isMainThread`) is no seed once parsed: what imports it is left out
 * unless it is linked to worker code otherwise.
 */
function vocabulary(): Record<string, string> {
  return {
    'main.js': [
      "const Piscina = require('piscina');",
      "const { hasThreads } = require('./lib/features');",
      "const state = require('./lib/state');",
      'async function main() {',
      "  const pool = new Piscina({ filename: require.resolve('./task.js') });",
      '  if (hasThreads()) await pool.run(1);',
      '  console.log(state.seen.length);',
      '}',
      'main();',
      '',
    ].join('\n'),
    'lib/state.js': 'exports.seen = [];\n',
    'task.js': "const state = require('./lib/state');\nconst { probe } = require('./lib/probe');\nmodule.exports = (n) => {\n  state.seen.push(n + probe());\n  return n;\n};\n",
    // worker vocabulary only, reached from worker code: kept through that link
    'lib/probe.js': "let probes = 0;\nexports.probe = () => {\n  probes++;\n  return require('node:worker_threads').isMainThread ? 0 : probes;\n};\n",
    // worker vocabulary only, imported by the parent: kept through that link
    'lib/features.js': "exports.hasThreads = () => {\n  try {\n    require('node:worker_threads');\n    return true;\n  } catch {\n    return false;\n  }\n};\n",
    // the same vocabulary, reached by nothing kept: left out with what imports it
    'tools/detect.js': "const threads = require('worker_threads');\nexports.inWorker = () => !threads.isMainThread;\n",
    'tools/cli.js': "const { inWorker } = require('./detect');\nconsole.log(inWorker());\n",
    // a guarded branch is worker code: this one stays a seed
    'tools/self.js': "const { isMainThread } = require('worker_threads');\nif (isMainThread) {\n  console.log('main');\n} else {\n  console.log('worker');\n}\n",
    'tools/uses-self.js': "require('./self');\n",
  };
}

describe('CLI: a seed whose model starts no worker', function () {
  this.timeout(300_000);
  let root: string;
  before(() => {
    root = makeTree(vocabulary());
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const rel = (files: Iterable<string>) => [...files].map((f) => path.relative(root, f).split(path.sep).join('/')).sort();

  it('is dropped once its model is read, and kept where it is linked to worker code', () => {
    const texts = new Map<string, string>();
    for (const [f, text] of Object.entries(vocabulary())) texts.set(path.join(root, f), text);
    assert.deepEqual(rel(new JsRelevance(texts).unneeded()), []);
    const relevance = new JsRelevance(texts);
    relevance.refineSeeds(texts, (f) => parseJs(f, texts.get(f)!));
    assert.deepEqual(rel(relevance.unneeded()), ['tools/cli.js', 'tools/detect.js']);
    assert.equal(holdsWorkerFacts(parseJs('x.js', texts.get(path.join(root, 'tools/detect.js'))!)), false);
    assert.equal(holdsWorkerFacts(parseJs('x.js', texts.get(path.join(root, 'tools/self.js'))!)), true);
  });

  it('reports exactly what a run over every file reports', () => {
    const lazy = report(root, false);
    assert.equal(lazy, report(root, true));
    const json = JSON.parse(lazy) as { findings: Array<{ file: string; rule: string }> };
    assert.ok(json.findings.some((f) => f.file === 'task.js' && f.rule === 'lost-global-write'), lazy);
  });
});
