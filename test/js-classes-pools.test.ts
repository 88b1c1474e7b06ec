/**
 * JS front end and linker: poolifier pools and workers, methods reached through instances
 * and `super`, package self-imports, worker paths relative to the package root. (poolifier
 * is not installed here, so its shapes are checked on models and findings, not run.)
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseJs } from '../server/src/js/frontend';
import { Project } from '../server/src/engine/project';
import { clearPackageCache } from '../server/src/js/package-self';
import type { ModuleModel } from '../server/src/engine/model';

function parse(src: string, file = '/proj/main.js'): ModuleModel {
  return parseJs(file, src);
}
const handlerNames = (m: ModuleModel): string[] => m.workerHandlers.map((id) => m.units[id].name).sort();
const calls = (m: ModuleModel, unitName: string): string[] =>
  m.units.filter((u) => u.name === unitName).flatMap((u) => u.calls.map((c) => (c.callee.member ? `${c.callee.name}.${c.callee.member}` : c.callee.name)));

async function analyze(files: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-jsdeep-'));
  clearPackageCache();
  const project = await Project.create();
  for (const [rel, text] of Object.entries(files)) {
    const f = path.join(dir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    if (!rel.endsWith('.json')) project.updateFile(f, text);
  }
  const findings = project.analyze();
  return { dir, project, findings: findings.map((f) => `${path.relative(dir, f.file)}:${f.range.start.line + 1} ${f.rule} ${f.symbol ?? ''}`.trim()) };
}

describe('js classes, pools and self-imports', () => {
  it('poolifier pools are spawn sites with their worker file, thread or cluster', () => {
    const m = parse(`
      import { FixedThreadPool, DynamicClusterPool } from 'poolifier';
      const a = new FixedThreadPool(4, './worker.mjs');
      const b = new DynamicClusterPool(1, 4, './cworker.cjs', { errorHandler: (e) => console.error(e) });
      b.execute({ onDone: () => 1 });
      a.execute({ n: 1 });
    `);
    assert.deepEqual(m.spawns.map((s) => [s.system, s.label, s.workerModule]), [
      ['poolifier', 'new FixedThreadPool', './worker.mjs'],
      ['poolifier', 'new DynamicClusterPool', './cworker.cjs'],
    ]);
    assert.deepEqual(m.payloads.map((p) => [p.symbol, p.what, p.channel]), [['onDone', 'function', 'cluster pool.execute']]);
  });

  it("poolifier workers: ThreadWorker's functions and a ClusterWorker subclass's methods run in the worker", () => {
    const m = parse(`
      const { ThreadWorker, ClusterWorker } = require('poolifier');
      function add(d) { return d.a + d.b; }
      const tasks = { mul: (d) => d.a * d.b, add };
      module.exports = new ThreadWorker(tasks);
      class Server extends ClusterWorker {
        constructor() { super(Server.start, { killHandler: () => this.stop() }); }
        stop() {}
        static start = (data) => data;
      }
      new Server();
    `);
    assert.deepEqual(handlerNames(m), ['Server.constructor', 'Server.start', 'Server.stop', 'add', 'mul']);
  });

  it('this.m(), h.m() and super(...) reach the methods of module-level classes', () => {
    const m = parse(`
      import { Base } from './base.js';
      class Log extends Base {
        constructor() { super(); this.items = []; }
        add(x) { this.flush(); this.inherited(); }
        flush() {}
      }
      const log = new Log();
      function handle(x) { log.add(x); }
    `);
    assert.deepEqual(calls(m, 'Log.constructor'), ['Base']);
    assert.deepEqual(calls(m, 'Log.add'), ['Log.flush', 'Base.inherited']);
    assert.deepEqual(calls(m, 'handle'), ['Log.add']);
  });

  it("a handler given as h.onMessage.bind(h) is the method", () => {
    const m = parse(`
      const { parentPort } = require('node:worker_threads');
      class H { onMessage(m) { return m; } }
      const h = new H();
      parentPort.on('message', h.onMessage.bind(h));
    `);
    assert.deepEqual(handlerNames(m), ['H.onMessage']);
  });

  it("objects listed in a transfer list are not payload problems; an object with a method says so", () => {
    const m = parse(`
      const { Worker } = require('node:worker_threads');
      const { ReadableStream } = require('node:stream/web');
      const w = new Worker('./w.js');
      const readable = new ReadableStream();
      const other = new ReadableStream();
      w.postMessage({ readable }, [readable]);
      w.postMessage({ other }, { transfer: [] });
      const job = { id: 1, run() {} };
      w.postMessage(job);
    `);
    assert.deepEqual(m.payloads.map((p) => [p.symbol, p.what, p.member]), [
      ['other', 'needs-transfer', 'ReadableStream'],
      ['job', 'object-with-method', 'run'],
    ]);
  });

  it("package self-imports ('..', '../lib/index.mjs') name the package and link to its source", async () => {
    const { findings } = await analyze({
      'package.json': JSON.stringify({ name: 'piscina', main: './dist/main.js' }),
      'src/main.ts': 'export default class Piscina { run(x: unknown) { return x; } }\n',
      'test/config.js': 'module.exports.settings = { mode: "slow" };\n',
      'test/task.js': 'const config = require("./config");\nmodule.exports = () => config.settings.mode;\n',
      'test/main.js':
        'const Piscina = require("..");\nconst path = require("node:path");\nconst config = require("./config");\nconfig.settings.mode = "fast";\nnew Piscina({ filename: path.join(__dirname, "task.js") });\n',
    });
    assert.deepEqual(findings, ['test/task.js:2 stale-global-read settings']);
  });

  it('a worker path relative to the working folder (the package root) is found', async () => {
    const { findings } = await analyze({
      'package.json': JSON.stringify({ name: 'app' }),
      'tests/state.js': 'module.exports.seen = [];\n',
      'tests/workers/w.js':
        'const { parentPort } = require("node:worker_threads");\nconst state = require("../state");\nparentPort.on("message", (m) => { state.seen.push(m); });\n',
      'tests/pool.test.js':
        'const { Worker } = require("node:worker_threads");\nconst state = require("./state");\nconst w = new Worker("./tests/workers/w.js");\nw.postMessage(1);\nw.on("exit", () => console.log(state.seen.length));\n',
    });
    assert.deepEqual(findings, ['tests/workers/w.js:3 lost-global-write seen']);
  });

  it("a self-spawn reached only from another module's top level is not that module's own start", async () => {
    const { findings } = await analyze({
      'lib.js': 'const { fork } = require("node:child_process");\nfunction start() { return fork(__filename); }\nmodule.exports = { start };\n',
      'main.js': 'const { start } = require("./lib");\nmodule.exports.child = start();\n',
    });
    // the child runs lib.js, whose own top level starts nothing
    assert.deepEqual(findings, []);
  });

  it('cluster: workers re-run the entry script; a fork loaded only from the primary branch is guarded', async () => {
    const lib = 'const cluster = require("node:cluster");\nfunction createWorker() { return cluster.fork(); }\nmodule.exports = { createWorker };\n';
    const unguarded = await analyze({ 'lib.js': lib, 'main.js': 'const { createWorker } = require("./lib");\ncreateWorker();\n' });
    assert.deepEqual(unguarded.findings, ['lib.js:2 unguarded-spawn cluster.fork']);
    const guarded = await analyze({
      'lib.js': 'const cluster = require("node:cluster");\ncluster.fork();\n',
      'main.js': 'const cluster = require("node:cluster");\nif (cluster.isPrimary) {\n  require("./lib");\n} else {\n  console.log("worker");\n}\n',
    });
    assert.deepEqual(guarded.findings, []);
    const elsewhere = await analyze({
      'lib.js': lib,
      'main.js': 'const cluster = require("node:cluster");\nconst { createWorker } = require("./lib");\ncluster.setupPrimary({ exec: "./w.js" });\ncreateWorker();\n',
    });
    assert.deepEqual(elsewhere.findings, []);
  });

  it('pools held in this. fields, typed parameters and returned by factories are pools', () => {
    const m = parseJs(
      '/proj/main.ts',
      `
      import Piscina from 'piscina';
      import { ChildProcess, fork } from 'node:child_process';
      function makePool() { const p = new Piscina({ filename: './t.js' }); return p; }
      const viaFactory = makePool();
      viaFactory.run({ cb: () => 1 });
      async function submit(pool: Piscina, job: unknown) { await pool.run({ onDone() {} }); }
      function tell(child: ChildProcess) { child.send({ f: () => 2 }); }
      class Service {
        private pool = new Piscina({ filename: './t.js' });
        go() { return this.pool.run({ s: Symbol('x') }); }
      }
      `,
    );
    assert.deepEqual(m.payloads.map((p) => [p.symbol, p.what, p.channel]).sort(), [
      ['cb', 'function', 'piscina.run'],
      ['f', 'function', 'process.send'],
      ['onDone', 'function', 'piscina.run'],
      ['s', 'symbol', 'piscina.run'],
    ]);
    assert.equal(m.bindings.get('viaFactory')?.kind, 'pool');
  });

  it('a payload a test expects to fail (assert.throws, expect(...).toThrow) is not reported', () => {
    const m = parse(`
      const { Worker } = require('node:worker_threads');
      const assert = require('node:assert');
      assert.throws(() => new Worker('./w.js', { workerData: { f() {} } }), /could not be cloned/);
      expect(() => new Worker('./w.js', { workerData: () => 1 })).toThrow();
      test('sends', () => { new Worker('./w.js', { workerData: { g: () => 2 } }); });
    `);
    assert.deepEqual(m.payloads.map((p) => p.symbol), ['g']);
  });

  it("a worker file given as pathToFileURL(resolve(__dirname, f)).href is found", () => {
    const m = parse(`
      const { Piscina } = require('piscina');
      const { pathToFileURL } = require('node:url');
      const { resolve } = require('node:path');
      new Piscina({ filename: pathToFileURL(resolve(__dirname, 'fixtures/esm-export.mjs')).href });
    `);
    assert.deepEqual(m.spawns.map((s) => s.workerModule), ['./fixtures/esm-export.mjs']);
  });

  it('guards: argv values and env values the file hands its child, aliases; unrelated flags are no guard', () => {
    const kindsOf = (src: string) => parse(src).units.filter((u) => u.kind !== 'function').map((u) => u.kind);
    assert.deepEqual(
      kindsOf(`
        const { fork } = require('node:child_process');
        if (process.argv[2] === 'child') { console.log('c'); } else { fork(__filename, ['child']); }
      `),
      ['module', 'worker-branch', 'main-branch'],
    );
    assert.deepEqual(
      kindsOf(`
        const cluster = require('node:cluster');
        if (process.env.ROLE === 'worker') { console.log('w'); } else { cluster.fork({ ROLE: 'worker' }); }
      `),
      ['module', 'worker-branch', 'main-branch'],
    );
    assert.deepEqual(
      kindsOf(`
        const { isMainThread, Worker } = require('node:worker_threads');
        const main = isMainThread;
        const inWorker = !main;
        if (inWorker) { console.log('w'); } else { new Worker(__filename); }
      `),
      ['module', 'worker-branch', 'main-branch'],
    );
    // DEBUG is not something this file hands its children
    assert.deepEqual(
      kindsOf(`
        const { fork } = require('node:child_process');
        if (process.env.DEBUG) { console.log('d'); }
        fork('./other.js', [], { env: { ROLE: 'x', DEBUG: '1' } });
        if (process.env.ROLE === 'x') { console.log('r'); }
      `),
      ['module'],
    );
  });

  it('a method handed over as a callback (bind, or to on/then/setTimeout) counts as called there', () => {
    const m = parse(`
      class Ticker {
        start() { setTimeout(this.tick.bind(this), 10); process.on('exit', this.stop); keep(this.data); }
        tick() {}
        stop() {}
        data() {}
      }
    `);
    assert.deepEqual(calls(m, 'Ticker.start'), ['Ticker.tick', 'Ticker.stop']);
  });

  it('an object of handlers: handlers.run() and handlers[msg.type]() reach its functions', async () => {
    const m = parse(`
      function add(x) { return x; }
      const handlers = { run(m) { return m; }, stop: () => 0, add, label: 'x' };
      function dispatch(msg) { handlers.run(msg); return handlers[msg.type](msg); }
    `);
    assert.deepEqual(calls(m, 'dispatch'), ['handlers.run', 'handlers.run', 'handlers.stop', 'handlers.add']);
    assert.deepEqual(m.bindings.get('handlers')!.methods!.map((id) => m.units[id].name), ['run', 'stop', 'add']);
    const { findings } = await analyze({
      'state.js': 'module.exports.seen = [];\n',
      'worker.js':
        'const { parentPort } = require("node:worker_threads");\nconst state = require("./state");\nconst handlers = {\n  record(m) { state.seen.push(m); },\n};\nparentPort.on("message", (m) => handlers[m.type](m));\n',
      'main.js':
        'const { Worker } = require("node:worker_threads");\nconst state = require("./state");\nconst w = new Worker(require("node:path").join(__dirname, "worker.js"));\nw.postMessage({ type: "record" });\nw.on("exit", () => console.log(state.seen.length));\n',
    });
    assert.deepEqual(findings, ['worker.js:4 lost-global-write seen']);
  });

  it("cluster: the worker side is the entry script's worker branch, even when a helper forks", async () => {
    const { findings } = await analyze({
      'workers.js': 'const cluster = require("node:cluster");\nfunction startWorkers(n) { for (let i = 0; i < n; i++) cluster.fork(); }\nmodule.exports = { startWorkers };\n',
      'main.js':
        'const cluster = require("node:cluster");\nconst { startWorkers } = require("./workers");\nlet mode = "slow";\nif (cluster.isPrimary) {\n  mode = "fast";\n  startWorkers(2);\n} else {\n  console.log(mode);\n}\n',
    });
    assert.deepEqual(findings, ['main.js:8 stale-global-read mode']);
  });
});
