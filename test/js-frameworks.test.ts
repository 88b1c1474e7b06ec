/**
 * JS framework models (server/src/frameworks/js): the registry's tables, and the shapes the
 * front end reads from the models — node child processes by spawn/exec, jest-worker's
 * options, poolifier's submissions and task function objects, Electron's utilityProcess.
 */
import { strict as assert } from 'node:assert';
import { parseJs } from '../server/src/js/frontend';
import type { ModuleModel } from '../server/src/engine/model';
import { JS_MODELS, KNOWN_MODULES, TRANSFER_CHANNELS, defaultOf, memberSym, moduleObject, startOfSite, submitShape } from '../server/src/frameworks/js';

const parse = (src: string, file = '/proj/main.js'): ModuleModel => parseJs(file, src);
const sites = (m: ModuleModel) => m.spawns.map((s) => [s.system, s.label, s.workerModule ?? null]);
const handlerNames = (m: ModuleModel): string[] => m.workerHandlers.map((id) => m.units[id].name).sort();

describe('JS framework models', () => {
  it('every model documents itself, and its ids and start labels are unique', () => {
    const ids = JS_MODELS.map((m) => m.doc.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const m of JS_MODELS) {
      assert.equal(m.doc.language, 'js');
      assert.ok(m.doc.references.length > 0 && m.doc.references.every((r) => r.startsWith('https://')), m.doc.id);
      assert.ok(m.modules.every((x) => KNOWN_MODULES.has(x)), m.doc.id);
      for (const s of m.starts) assert.equal(startOfSite(s), s, `${m.doc.id}: ${s.label}`);
    }
  });

  it('import symbols: module objects, default exports and aliases come from the models', () => {
    assert.equal(moduleObject('piscina'), 'piscina.Piscina');
    assert.equal(defaultOf('tinypool'), 'tinypool.Tinypool');
    assert.equal(defaultOf('jest-worker'), 'jest-worker.Worker');
    assert.equal(memberSym('piscina.Piscina', 'default'), 'piscina.Piscina');
    assert.equal(memberSym('cluster', 'default'), 'cluster');
    assert.equal(memberSym('worker_threads', 'Worker'), 'worker_threads.Worker');
    assert.deepEqual([...TRANSFER_CHANNELS].sort(), ['piscina.run', 'poolifier.execute', 'postMessage', 'tinypool.run', 'workerData']);
    assert.equal(submitShape('run')?.channel, 'piscina.run');
  });

  it('spawn/execFile/exec start a worker only when the program is Node with a script', () => {
    const m = parse(`
      const cp = require('node:child_process');
      const path = require('node:path');
      cp.spawn(process.execPath, ['--no-warnings', '-r', 'ts-node/register', path.join(__dirname, 'a.js')]);
      cp.execFileSync('node', ['./b.js', '--flag']);
      cp.spawnSync(process.argv[0], [__filename, 'child']);
      cp.exec('node --inspect ./c.mjs arg');
      cp.execSync(\`"\${process.execPath}" \${__filename}\`);
      cp.spawn('ls', ['-l']);
      cp.exec('git status');
      cp.spawnSync(process.execPath, ['-e', 'console.log(1)']);
      cp.spawn(process.execPath, [...process.execArgv, path.resolve(__dirname, 'fixtures/d.ts')]);
    `);
    assert.deepEqual(sites(m), [
      ['child_process.spawn', 'spawn', './a.js'],
      ['child_process.spawn', 'execFileSync', './b.js'],
      ['child_process.spawn', 'spawnSync', 'self'],
      ['child_process.spawn', 'exec', './c.mjs'],
      ['child_process.spawn', 'execSync', 'self'],
      ['child_process.spawn', 'spawnSync', null],
      ['child_process.spawn', 'spawn', './fixtures/d.ts'],
    ]);
  });

  it('jest-worker: exposedMethods name the tasks; enableWorkerThreads makes it a thread variant', () => {
    const m = parse(`
      const { Worker } = require('jest-worker');
      const a = new Worker(require.resolve('./w'), { exposedMethods: ['transform', 'getSha1'], numWorkers: 2 });
      const b = new Worker(require.resolve('./t'), { enableWorkerThreads: true });
    `);
    assert.deepEqual(sites(m), [
      ['jest-worker', 'new Worker', './w'],
      ['jest-worker', 'new Worker (enableWorkerThreads)', './t'],
    ]);
    assert.deepEqual(m.spawns[0].taskExports, ['transform', 'getSha1']);
    assert.equal(m.spawns[1].taskExports, undefined);
    assert.equal(startOfSite(m.spawns[1])?.workerWords, 'a jest-worker thread');
    assert.equal(startOfSite(m.spawns[0])?.workerWords, 'a jest-worker child process');
  });

  it('a worker path held in a member set by the constructor, with a default after ||', () => {
    const m = parse(`
      const { fork } = require('child_process');
      class ChildWorker {
        constructor(options) { this._path = options.childWorkerPath || require.resolve('./processChild'); }
        start() { this._child = fork(this._path, []); }
      }
    `);
    assert.deepEqual(sites(m), [['child_process.fork', 'fork', './processChild']]);
  });

  it('poolifier: v5 execute(data, name, signal, transferList), mapExecute, task function objects, addTaskFunction closures', () => {
    const m = parse(`
      const { FixedThreadPool, ThreadWorker } = require('poolifier');
      const { MessageChannel } = require('worker_threads');
      const pool = new FixedThreadPool(2, './w.js');
      const { port1 } = new MessageChannel();
      pool.execute({ port1 }, 'fn', undefined, [port1]);
      pool.mapExecute([{ cb: () => 1 }]);
      const k = 2;
      pool.addTaskFunction('scale', (d) => d * k);
      const w = new ThreadWorker({ a: { taskFunction: function taskA() {}, priority: 1 } });
      w.addTaskFunction('local', (d) => d * k);
    `);
    assert.deepEqual(m.payloads.map((p) => [p.symbol, p.what, p.channel]), [
      ['cb', 'function', 'poolifier.execute'],
      ['<anonymous>', 'closure', 'pool.addTaskFunction'],
    ]);
    assert.deepEqual(handlerNames(m), ['taskA']);
  });

  it("Electron: utilityProcess.fork's module, and process.parentPort message handlers", () => {
    const main = parse(`
      const { utilityProcess } = require('electron');
      utilityProcess.fork(require('node:path').join(__dirname, 'child.js'), ['--x']);
    `);
    assert.deepEqual(sites(main), [['electron.utilityProcess', 'utilityProcess.fork', './child.js']]);
    const child = parse(`process.parentPort.on('message', function onMessage(e) { return e.data; });`, '/proj/child.js');
    assert.deepEqual(handlerNames(child), ['onMessage']);
  });
});
