/**
 * Node fix providers on small in-memory programs: the exact edit for a few shapes, and the
 * shapes where a fix must NOT be offered because it would be wrong (SPEC §4). The fixed
 * programs that are also run live in fixtures/js/<case>/fix.json (test/fixes-run.test.ts).
 */
import { strict as assert } from 'node:assert';
import { fixShapes } from './support/fix-shapes';

const { applyKind, assertNotOffered } = fixShapes('crossproc-fixes-js');

describe('Node quick fixes: shapes', () => {
  describe('wrap-in-guard', () => {
    it('ESM: wraps the spawn and the statements using the worker, extends the named import', async () => {
      const out = await applyKind(
        {
          'main.mjs': [
            "import { Worker } from 'node:worker_threads';",
            'const w = new Worker(new URL(import.meta.url));',
            "w.on('exit', () => console.log('done'));",
            "console.log('end');",
            '',
          ].join('\n'),
        },
        'guard-esm',
        'unguarded-spawn',
        'wrap-in-guard',
      );
      assert.equal(
        out.get('main.mjs'),
        [
          "import { Worker, isMainThread } from 'node:worker_threads';",
          'if (isMainThread) {',
          '  const w = new Worker(new URL(import.meta.url));',
          "  w.on('exit', () => console.log('done'));",
          '}',
          "console.log('end');",
          '',
        ].join('\n'),
      );
    });

    it('is not offered when an earlier function uses the worker variable', async () => {
      await assertNotOffered(
        {
          'main.js': [
            "const { Worker } = require('node:worker_threads');",
            'function send(x) { w.postMessage(x); }',
            'const w = new Worker(__filename);',
            'send(1);',
            '',
          ].join('\n'),
        },
        'guard-hoisted',
        'unguarded-spawn',
        'wrap-in-guard',
      );
    });
  });

  describe('exec-free-vars-to-params', () => {
    it('parenthesises a bare arrow parameter and appends to the argument array', async () => {
      const out = await applyKind(
        {
          'main.js': [
            "const workerpool = require('workerpool');",
            'const RATE = 3;',
            'const pool = workerpool.pool();',
            'pool.exec(x => x * RATE, [2]).then(console.log);',
            '',
          ].join('\n'),
        },
        'exec-arrow',
        'unsendable-payload',
        'exec-free-vars-to-params',
      );
      assert.match(out.get('main.js')!, /pool\.exec\(\(x, RATE\) => x \* RATE, \[2, RATE\]\)/);
    });

    for (const [name, decl] of [
      ['a function', 'function RATE() { return 3; }'],
      ['a let (its value may change)', 'let RATE = 3;'],
      ['a const holding a non-data value', 'const RATE = new Map();'],
    ] as const) {
      it(`is not offered when the free name is ${name}`, async () => {
        await assertNotOffered(
          {
            'main.js': [
              "const workerpool = require('workerpool');",
              decl,
              'const pool = workerpool.pool();',
              'pool.exec(function (x) { return x * RATE; }, [2]).then(console.log);',
              '',
            ].join('\n'),
          },
          `exec-no-${name.split(' ')[1]}`,
          'unsendable-payload',
          'exec-free-vars-to-params',
        );
      });
    }
  });

  describe('pass-workerdata', () => {
    const worker = [
      "const { parentPort } = require('node:worker_threads');",
      "const { settings } = require('./config');",
      'parentPort.postMessage(settings.mode);',
      '',
    ].join('\n');
    const config = "module.exports.settings = { mode: 'dev' };\n";

    it('merges into an object-literal workerData', async () => {
      const out = await applyKind(
        {
          'config.js': config,
          'worker.js': worker,
          'main.js': [
            "const { Worker } = require('node:worker_threads');",
            "const { settings } = require('./config');",
            "settings.mode = 'prod';",
            "new Worker('./worker.js', { workerData: { id: 1 } });",
            '',
          ].join('\n'),
        },
        'wd-merge',
        'stale-global-read',
        'pass-workerdata',
      );
      assert.match(out.get('main.js')!, /workerData: \{ id: 1, settings \}/);
      assert.match(out.get('worker.js')!, /const \{ parentPort, workerData \} = require\('node:worker_threads'\);/);
      assert.match(out.get('worker.js')!, /Object\.assign\(settings, workerData\.settings\);\n/);
    });

    it('self-spawning file without options: adds the options object and assigns first in the worker branch', async () => {
      const out = await applyKind(
        {
          'main.js': [
            "const { Worker, isMainThread, parentPort } = require('node:worker_threads');",
            'let level = 1;',
            'if (isMainThread) {',
            '  level = 3;',
            '  new Worker(__filename).on(\'message\', (m) => console.log(m));',
            '} else {',
            '  parentPort.postMessage(level);',
            '}',
            '',
          ].join('\n'),
        },
        'wd-self-noopts',
        'stale-global-read',
        'pass-workerdata',
      );
      assert.equal(
        out.get('main.js'),
        [
          "const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');",
          'let level = 1;',
          'if (isMainThread) {',
          '  level = 3;',
          "  new Worker(__filename, { workerData: { level } }).on('message', (m) => console.log(m));",
          '} else {',
          '  level = workerData.level;',
          '  parentPort.postMessage(level);',
          '}',
          '',
        ].join('\n'),
      );
    });

    it('is not offered when workerData is not an object literal', async () => {
      await assertNotOffered(
        {
          'config.js': config,
          'worker.js': worker,
          'main.js': [
            "const { Worker } = require('node:worker_threads');",
            "const { settings } = require('./config');",
            "settings.mode = 'prod';",
            "new Worker('./worker.js', { workerData: 30 });",
            '',
          ].join('\n'),
        },
        'wd-nonliteral',
        'stale-global-read',
        'pass-workerdata',
      );
    });

    it('is not offered when the parent changes the state after starting the worker', async () => {
      await assertNotOffered(
        {
          'config.js': config,
          'worker.js': worker,
          'main.js': [
            "const { Worker } = require('node:worker_threads');",
            "const { settings } = require('./config');",
            "const w = new Worker('./worker.js');",
            "w.on('online', () => { settings.mode = 'prod'; });",
            '',
          ].join('\n'),
        },
        'wd-late',
        'stale-global-read',
        'pass-workerdata',
      );
    });
  });

  describe('post-results', () => {
    const results = 'module.exports.results = [];\n';
    const worker = ["const { workerData } = require('node:worker_threads');", "const { results } = require('./results');", 'results.push(workerData);', ''].join('\n');
    const parent = [
      "const { Worker } = require('node:worker_threads');",
      "const { results } = require('./results');",
      "const w = new Worker('./worker.js', { workerData: 2 });",
      "w.on('exit', () => console.log(results));",
      '',
    ].join('\n');

    it('sends a neutral { type, args } message and drops the require the worker no longer uses', async () => {
      const out = await applyKind({ 'results.js': results, 'worker.js': worker, 'main.js': parent }, 'post-shape', 'lost-global-write', 'post-results');
      assert.equal(
        out.get('worker.js'),
        ["const { workerData, parentPort } = require('node:worker_threads');", "parentPort.postMessage({ type: 'results:push', args: [workerData] });", ''].join('\n'),
      );
      assert.equal(
        out.get('main.js'),
        [
          "const { Worker } = require('node:worker_threads');",
          "const { results } = require('./results');",
          "const w = new Worker('./worker.js', { workerData: 2 });",
          "w.on('message', (msg) => {",
          "  if (msg?.type === 'results:push') results.push(...msg.args);",
          '});',
          "w.on('exit', () => console.log(results));",
          '',
        ].join('\n'),
      );
    });

    it('names each kind of change in the type, one handler line per type', async () => {
      const out = await applyKind(
        {
          'state.js': 'module.exports.stats = { total: 0, last: null, count: 0 };\n',
          'worker.js': [
            "const { workerData } = require('node:worker_threads');",
            "const { stats } = require('./state');",
            'stats.total += workerData;',
            'stats.last = workerData;',
            'stats.count++;',
            'stats.count++;',
            '',
          ].join('\n'),
          'main.js': [
            "const { Worker } = require('node:worker_threads');",
            "const { stats } = require('./state');",
            "const w = new Worker('./worker.js', { workerData: 2 });",
            "w.on('exit', () => console.log(stats));",
            '',
          ].join('\n'),
        },
        'post-types',
        'lost-global-write',
        'post-results',
      );
      const worker = out.get('worker.js')!;
      assert.match(worker, /parentPort\.postMessage\(\{ type: 'stats\.total:add', value: workerData \}\);/);
      assert.match(worker, /parentPort\.postMessage\(\{ type: 'stats\.last:set', value: workerData \}\);/);
      assert.equal(worker.match(/type: 'stats\.count:increment' \}/g)?.length, 2);
      assert.doesNotMatch(worker, /require\('\.\/state'\)|crossproc/);
      const main = out.get('main.js')!;
      assert.match(main, /if \(msg\?\.type === 'stats\.total:add'\) stats\.total \+= msg\.value;/);
      assert.match(main, /if \(msg\?\.type === 'stats\.last:set'\) stats\.last = msg\.value;/);
      assert.equal(main.match(/stats\.count:increment/g)?.length, 1, main);
    });

    it('keeps the other names of the require, and a bare require when loading the module does something', async () => {
      const withLimit = await applyKind(
        {
          'results.js': 'module.exports.results = [];\nmodule.exports.limit = 3;\n',
          'worker.js': [
            "const { workerData } = require('node:worker_threads');",
            "const { results, limit } = require('./results');",
            'if (workerData < limit) results.push(workerData);',
            '',
          ].join('\n'),
          'main.js': parent,
        },
        'post-keep-other',
        'lost-global-write',
        'post-results',
      );
      assert.match(withLimit.get('worker.js')!, /^const \{ limit \} = require\('\.\/results'\);$/m);
      const effects = await applyKind(
        { 'results.js': "console.log('results loaded');\nmodule.exports.results = [];\n", 'worker.js': worker, 'main.js': parent },
        'post-effects',
        'lost-global-write',
        'post-results',
      );
      assert.match(effects.get('worker.js')!, /^require\('\.\/results'\);$/m);
    });

    it('ESM: drops the unused import', async () => {
      const out = await applyKind(
        {
          'results.mjs': 'export const results = [];\n',
          'worker.mjs': ["import { workerData } from 'node:worker_threads';", "import { results } from './results.mjs';", '', 'results.push(workerData);', ''].join('\n'),
          'main.mjs': [
            "import { Worker } from 'node:worker_threads';",
            "import { results } from './results.mjs';",
            "const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: 2 });",
            "w.on('exit', () => console.log(results));",
            '',
          ].join('\n'),
        },
        'post-esm',
        'lost-global-write',
        'post-results',
      );
      assert.equal(
        out.get('worker.mjs'),
        ["import { workerData, parentPort } from 'node:worker_threads';", '', "parentPort.postMessage({ type: 'results:push', args: [workerData] });", ''].join('\n'),
      );
    });

    it('is not offered when the parent already listens for messages from the worker', async () => {
      await assertNotOffered(
        {
          'results.js': results,
          'worker.js': worker,
          'main.js': [
            "const { Worker } = require('node:worker_threads');",
            "const { results } = require('./results');",
            "const w = new Worker('./worker.js', { workerData: 2 });",
            "w.on('message', (m) => console.log(m));",
            "w.on('exit', () => console.log(results));",
            '',
          ].join('\n'),
        },
        'post-listener',
        'lost-global-write',
        'post-results',
      );
    });

    it('is not offered when the parent reads the state without waiting for the worker', async () => {
      await assertNotOffered(
        {
          'results.js': results,
          'worker.js': worker,
          'main.js': [
            "const { Worker } = require('node:worker_threads');",
            "const { results } = require('./results');",
            "const w = new Worker('./worker.js', { workerData: 2 });",
            'console.log(results);',
            '',
          ].join('\n'),
        },
        'post-nowait',
        'lost-global-write',
        'post-results',
      );
    });

    it('is not offered when the worker object escapes', async () => {
      await assertNotOffered(
        {
          'results.js': results,
          'worker.js': worker,
          'main.js': [
            "const { Worker } = require('node:worker_threads');",
            "const { results } = require('./results');",
            'const all = [];',
            "const w = new Worker('./worker.js', { workerData: 2 });",
            'all.push(w);',
            "w.on('exit', () => console.log(results));",
            '',
          ].join('\n'),
        },
        'post-escape',
        'lost-global-write',
        'post-results',
      );
    });
  });

  describe('return-results', () => {
    const audit = 'module.exports.processed = [];\n';
    const task = ["const { processed } = require('./audit');", 'module.exports = function (n) {', '  processed.push(n);', '  return n * 2;', '};', ''].join('\n');
    it('a task that falls off its end returns what it pushed', async () => {
      const out = await applyKind(
        {
          'audit.js': audit,
          'task.js': ["const { processed } = require('./audit');", 'module.exports = function (n) {', '  if (n > 0) processed.push(n);', '};', ''].join('\n'),
          'main.js': [
            "const Piscina = require('piscina');",
            "const { processed } = require('./audit');",
            'async function main() {',
            "  const pool = new Piscina({ filename: __dirname + '/task.js' });",
            '  await pool.run(1);',
            '  console.log(processed);',
            '}',
            'main();',
            '',
          ].join('\n'),
        },
        'ret-falloff',
        'lost-global-write',
        'return-results',
      );
      assert.equal(
        out.get('task.js'),
        [
          // the task no longer uses the module-level array: its require goes
          'module.exports = function (n) {',
          '  const processedPushed = [];',
          '  if (n > 0) processedPushed.push(n);',
          '  return { result: undefined, pushed: processedPushed };',
          '};',
          '',
        ].join('\n'),
      );
      assert.match(out.get('main.js')!, /await pool\.run\(1\)\.then\(\(r\) => \{ processed\.push\(\.\.\.r\.pushed\); return r\.result; \}\);/);
    });

    it('is not offered when the pool object is passed elsewhere (runs could be missed)', async () => {
      await assertNotOffered(
        {
          'audit.js': audit,
          'task.js': task,
          'main.js': [
            "const Piscina = require('piscina');",
            "const { processed } = require('./audit');",
            'async function main(helper) {',
            "  const pool = new Piscina({ filename: __dirname + '/task.js' });",
            '  await pool.run(1);',
            '  await helper(pool);',
            '  console.log(processed);',
            '}',
            'main(async (p) => p.run(2));',
            '',
          ].join('\n'),
        },
        'ret-escape',
        'lost-global-write',
        'return-results',
      );
    });

    it('is not offered when a run() result is not awaited before the parent reads', async () => {
      await assertNotOffered(
        {
          'audit.js': audit,
          'task.js': task,
          'main.js': [
            "const Piscina = require('piscina');",
            "const { processed } = require('./audit');",
            'async function main() {',
            "  const pool = new Piscina({ filename: __dirname + '/task.js' });",
            '  pool.run(1);',
            '  console.log(processed);',
            '}',
            'main();',
            '',
          ].join('\n'),
        },
        'ret-noawait',
        'lost-global-write',
        'return-results',
      );
    });
  });

  describe('pass-argv', () => {
    it('is not offered when the child reads its whole argv', async () => {
      await assertNotOffered(
        {
          'limits.js': 'module.exports.limits = { max: 5 };\n',
          'child.js': [
            "const { limits } = require('./limits');",
            'const items = process.argv.slice(2);',
            'function pick() { return items.slice(0, limits.max); }',
            'process.send(pick());',
            '',
          ].join('\n'),
          'main.js': [
            "const { fork } = require('node:child_process');",
            "const { limits } = require('./limits');",
            'limits.max = 1;',
            "fork(__dirname + '/child.js', ['a', 'b']);",
            '',
          ].join('\n'),
        },
        'argv-slice',
        'stale-global-read',
        'pass-argv',
      );
    });
  });
});
