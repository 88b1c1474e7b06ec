import { strict as assert } from 'node:assert';
import { parseJs } from '../server/src/js/frontend';
import type { Access, ModuleModel } from '../server/src/engine/model';
import { acc, kinds, unit } from './support/model';

function parse(src: string, file = '/proj/main.js'): ModuleModel {
  return parseJs(file, src);
}
function allAccesses(m: ModuleModel, name: string): Access[] {
  return m.units.flatMap((u) => acc(u, name));
}

describe('js front end', () => {
  describe('bindings', () => {
    it('derives value kinds from initializers', () => {
      const m = parse(`
        const A = 1, S = 'x', T = \`t\`, F = Object.freeze({ a: 1 }), N = -1;
        let arr = [], obj = {}, map = new Map(), set = new Set(), wm = new WeakMap(), na = new Array(3);
        let e1, e2 = null, e3 = undefined;
        const fn = () => 1, fe = function () {};
        function decl() {}
        class K {}
        const other = compute();
        const tpl = \`a\${A}\`;
      `);
      const k = (n: string) => m.bindings.get(n)?.kind;
      for (const n of ['A', 'S', 'T', 'F', 'N']) assert.equal(k(n), 'constant', n);
      for (const n of ['arr', 'obj', 'map', 'set', 'wm', 'na']) assert.equal(k(n), 'mutable', n);
      for (const n of ['e1', 'e2', 'e3']) assert.equal(k(n), 'empty', n);
      for (const n of ['fn', 'fe', 'decl']) assert.equal(k(n), 'function', n);
      assert.equal(k('K'), 'class');
      assert.equal(k('other'), 'unknown');
      assert.equal(k('tpl'), 'unknown');
      assert.equal(m.bindings.get('A')!.isConst, true);
      assert.equal(m.bindings.get('arr')!.isConst, false);
      const fnUnit = m.bindings.get('fn')!.unit!;
      assert.equal(m.units[fnUnit].name, 'fn');
      assert.equal(m.units[fnUnit].binding, 'fn');
      assert.deepEqual(m.bindings.get('A')!.range.start, { line: 1, character: 14 });
    });

    it('records pools', () => {
      const m = parse(`
        import Piscina from 'piscina';
        import { Tinypool } from 'tinypool';
        import workerpool from 'workerpool';
        const p = new Piscina({ filename: './w.js' });
        const t = new Tinypool({ filename: './t.js' });
        const wp = workerpool.pool('./wp.js');
      `);
      for (const n of ['p', 't', 'wp']) assert.equal(m.bindings.get(n)!.kind, 'pool', n);
    });

    it('records ESM, CommonJS and TS import bindings', () => {
      const m = parse(
        `
        import def from './a';
        import * as ns from './b';
        import { x, y as z } from './c';
        import type { T } from './types';
        import { type U, v } from './d';
        import eq = require('./e');
        const cfg = require('./config');
        const { a, b: c } = require('./x');
        const only = require('./y').only;
        import './side-effect';
        import { OnlyType } from './only-types';
        let typed: OnlyType;
        console.log(def, ns, x, z, v);
      `,
        '/proj/main.ts',
      );
      const imp = (n: string) => m.bindings.get(n)?.importFrom;
      assert.deepEqual(imp('def'), { specifier: './a', imported: 'default' });
      assert.deepEqual(imp('ns'), { specifier: './b', imported: '*' });
      assert.deepEqual(imp('x'), { specifier: './c', imported: 'x' });
      assert.deepEqual(imp('z'), { specifier: './c', imported: 'y' });
      assert.deepEqual(imp('eq'), { specifier: './e', imported: '*' });
      assert.deepEqual(imp('cfg'), { specifier: './config', imported: '*' });
      assert.deepEqual(imp('a'), { specifier: './x', imported: 'a' });
      assert.deepEqual(imp('c'), { specifier: './x', imported: 'b' });
      assert.deepEqual(imp('only'), { specifier: './y', imported: 'only' });
      assert.equal(m.bindings.has('T'), false);
      assert.equal(m.bindings.has('U'), false);
      assert.equal(m.bindings.get('v')!.kind, 'import');
      assert.ok(!m.imports.includes('./types'));
      // used only as a type: TypeScript drops the import
      assert.ok(!m.imports.includes('./only-types'));
      for (const s of ['./a', './b', './c', './d', './e', './config', './x', './y', './side-effect'])
        assert.ok(m.imports.includes(s), s);
    });

    it('var in top-level blocks is module-level, let in blocks is not', () => {
      const m = parse(`if (x) { var hoisted = []; let blockLocal = []; }`);
      assert.ok(m.bindings.has('hoisted'));
      assert.ok(!m.bindings.has('blockLocal'));
    });
  });

  describe('exports', () => {
    it('handles ESM export forms', () => {
      const m = parse(`
        export const a = 1, { b } = o;
        export function f() {}
        export class C {}
        function g() {}
        export { g as gg };
        export { r } from './r';
        export * from './star';
        export * as nsx from './nsx';
        export default function () {}
      `);
      assert.deepEqual(m.exports.get('a'), { local: 'a' });
      assert.deepEqual(m.exports.get('b'), { local: 'b' });
      assert.deepEqual(m.exports.get('f'), { local: 'f' });
      assert.deepEqual(m.exports.get('C'), { local: 'C' });
      assert.deepEqual(m.exports.get('gg'), { local: 'g' });
      assert.deepEqual(m.exports.get('r'), { from: { specifier: './r', imported: 'r' } });
      assert.deepEqual(m.exports.get('nsx'), { from: { specifier: './nsx', imported: '*' } });
      assert.deepEqual(m.starExports, ['./star']);
      assert.ok(m.exports.has('default'));
      assert.deepEqual(unit(m, 'g').exportedAs, ['gg']);
      assert.deepEqual(unit(m, 'f').exportedAs, ['f']);
      assert.deepEqual(unit(m, 'default').exportedAs, ['default']);
      assert.ok(m.imports.includes('./r') && m.imports.includes('./star'));
    });

    it('handles export default expressions', () => {
      const m = parse(`const h = () => 1; export default h;`);
      assert.deepEqual(m.exports.get('default'), { local: 'h' });
      assert.deepEqual(unit(m, 'h').exportedAs, ['default']);
    });

    it('handles CommonJS module.exports object, function and member exports', () => {
      const m = parse(`
        const settings = {};
        function helper() {}
        module.exports = { settings, alias: helper, run() {}, task: function () {} };
        module.exports.extra = () => 1;
        exports.more = 2;
      `);
      assert.deepEqual(m.exports.get('settings'), { local: 'settings' });
      assert.deepEqual(m.exports.get('alias'), { local: 'helper' });
      assert.ok(m.exports.has('run') && m.exports.has('task') && m.exports.has('extra') && m.exports.has('more'));
      assert.deepEqual(unit(m, 'helper').exportedAs, ['alias']);
      assert.deepEqual(unit(m, 'run').exportedAs, ['run']);
      assert.deepEqual(unit(m, 'task').exportedAs, ['task']);
      assert.deepEqual(unit(m, 'extra').exportedAs, ['extra']);
    });

    it('handles module.exports = fn', () => {
      const m = parse(`function work() {} module.exports = work;`);
      assert.deepEqual(m.exports.get('default'), { local: 'work' });
      assert.deepEqual(unit(m, 'work').exportedAs, ['default']);
      const m2 = parse(`module.exports = async function (x) { return x; };`);
      assert.deepEqual(m2.units[1].exportedAs, ['default']);
      assert.equal(m2.units[1].isNested, false);
    });
  });

  describe('units', () => {
    it('creates function units with names, parents and nesting', () => {
      const m = parse(`
        function outer(a, { b }, ...rest) { const inner = () => a; return inner; }
        class Cache { constructor() {} get(k) {} static make() {} field = () => 1; }
        const obj = { m() {} };
        function* gen() {}
        [1].map(function () {});
      `);
      const outer = unit(m, 'outer');
      assert.equal(outer.parent, 0);
      assert.equal(outer.isNested, false);
      assert.deepEqual(outer.params, ['a', 'b', 'rest']);
      assert.equal(outer.binding, 'outer');
      const inner = unit(m, 'inner');
      assert.equal(inner.parent, outer.id);
      assert.equal(inner.isNested, true);
      const get = unit(m, 'Cache.get');
      assert.equal(get.isNested, false);
      assert.equal(get.parent, 0);
      unit(m, 'Cache.constructor');
      unit(m, 'Cache.make');
      unit(m, 'Cache.field');
      assert.deepEqual(m.bindings.get('Cache')!.methods!.length, 4);
      assert.equal(unit(m, 'gen').isGenerator, true);
      assert.equal(unit(m, '<anonymous>').isNested, true);
      assert.equal(m.units[0].kind, 'module');
    });

    it('creates main/worker branch units for isMainThread', () => {
      const m = parse(`
        const { isMainThread, parentPort } = require('worker_threads');
        const results = [];
        if (isMainThread) {
          results.length;
        } else {
          results.push(1);
        }
      `);
      const main = m.units.find((u) => u.kind === 'main-branch')!;
      const worker = m.units.find((u) => u.kind === 'worker-branch')!;
      assert.ok(main && worker);
      assert.equal(main.parent, 0);
      assert.equal(worker.parent, 0);
      assert.deepEqual(kinds(main, 'results'), ['read']);
      assert.deepEqual(kinds(worker, 'results'), ['mutate-call']);
      assert.deepEqual(kinds(m.units[0], 'results'), []);
      assert.equal(main.nameRange.start.line, 3);
    });

    it('handles negations, cluster aliases and parentPort checks', () => {
      const m1 = parse(`import { isMainThread } from 'node:worker_threads'; if (!isMainThread) { a(); }`);
      assert.ok(m1.units.some((u) => u.kind === 'worker-branch'));
      const m2 = parse(`import cluster from 'node:cluster'; if (cluster.isPrimary) { cluster.fork(); } else { serve(); }`);
      assert.deepEqual(
        m2.units.slice(1).map((u) => u.kind),
        ['main-branch', 'worker-branch'],
      );
      assert.equal(m2.spawns[0].unit, m2.units[1].id);
      const m3 = parse(`const cluster = require('cluster'); if (!cluster.isWorker) { x(); }`);
      assert.equal(m3.units[1].kind, 'main-branch');
      const m4 = parse(`const { parentPort } = require('worker_threads'); if (parentPort !== null) { y(); }`);
      assert.equal(m4.units[1].kind, 'worker-branch');
      const m5 = parse(`const wt = require('worker_threads'); if (wt.isMainThread === false) { y(); }`);
      assert.equal(m5.units[1].kind, 'worker-branch');
      const m6 = parse(`if (isMainThread) { y(); }`); // not imported: unknown global
      assert.equal(m6.units.length, 1);
    });

    it('treats code after an exiting guard as the other branch', () => {
      const m = parse(`
        const { isMainThread } = require('worker_threads');
        let n = 0;
        if (isMainThread) { n = 1; process.exit(0); }
        n++;
      `);
      const kindsList = m.units.slice(1).map((u) => u.kind);
      assert.deepEqual(kindsList, ['main-branch', 'worker-branch']);
      assert.deepEqual(kinds(m.units[2], 'n'), ['update']);
    });
  });

  describe('accesses', () => {
    it('honours shadowing by params, locals, catch vars, inner functions and classes', () => {
      const m = parse(`
        let settings = {}; let count = 0; function helper() {} class Foo {}
        function t1(settings) { settings.mode = 1; }
        function t2() { let count = 5; count++; }
        function t3() { try {} catch (settings) { settings.x = 1; } }
        function t4() { function helper() {} helper(); }
        function t5() { class Foo {} new Foo(); }
        function t6() { for (const count of []) count; }
        function t7() { if (1) { const settings = 1; settings; } }
        function t8() { return settings; }
        function t9() { var count; { count = 3; } }
      `);
      for (const n of ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't9'])
        assert.deepEqual(unit(m, n).accesses, [], `${n} has accesses`);
      assert.deepEqual(kinds(unit(m, 't8'), 'settings'), ['read']);
    });

    it('classifies writes without duplicate reads', () => {
      const m = parse(`
        let count = 0; const results = []; const cache = new Map(); let x; const o = {};
        function w(k) {
          count++;
          --count;
          count += 2;
          count ||= 1;
          results.push(k);
          cache.set(k, 1);
          o.a.push(1);
          o[k] = 1;
          o.k = 2;
          o.a.b = 3;
          delete o.k;
          o.count += 1;
          o[k]++;
          x = 5;
          [x] = [1];
          ({ x } = { x: 1 });
          Object.assign(o, { z: 1 });
          results.map((r) => r);
        }
      `);
      const w = unit(m, 'w');
      assert.deepEqual(kinds(w, 'count'), ['update', 'update', 'update', 'update']);
      assert.deepEqual(kinds(w, 'results'), ['mutate-call', 'read']);
      assert.equal(acc(w, 'results')[0].detail, 'push');
      assert.deepEqual(kinds(w, 'cache'), ['mutate-call']);
      assert.deepEqual(kinds(w, 'o'), [
        'mutate-call',
        'item-assign',
        'item-assign',
        'item-assign',
        'item-assign',
        'item-assign',
        'item-assign',
        'item-assign',
      ]);
      assert.equal(acc(w, 'o')[2].detail, 'k');
      assert.equal(acc(w, 'o')[3].detail, 'a.b');
      assert.deepEqual(kinds(w, 'x'), ['assign', 'assign', 'assign']);
      const r = acc(w, 'results')[0].range;
      assert.equal(r.end.character - r.start.character, 'results'.length);
    });

    it('does not treat property names or object keys as accesses; shorthand is a read', () => {
      const m = parse(`
        const settings = {}; const mode = 1;
        function f(obj) { obj.settings = 1; const y = { settings: 2, mode }; return obj.mode; }
      `);
      const f = unit(m, 'f');
      assert.deepEqual(kinds(f, 'settings'), []);
      assert.deepEqual(kinds(f, 'mode'), ['read']);
    });

    it('records namespace member refs through imports', () => {
      const m = parse(`
        const config = require('./config');
        const cfg = require('./config');
        function f() {
          config.settings.mode = 'x';
          config.counter = 5;
          console.log(config.settings);
          cfg.setMode('a');
          config.list.push(1);
        }
      `);
      const f = unit(m, 'f');
      assert.deepEqual(kinds(f, 'config', 'settings'), ['item-assign', 'read']);
      assert.equal(acc(f, 'config', 'settings')[0].detail, 'mode');
      assert.deepEqual(kinds(f, 'config', 'counter'), ['assign']);
      assert.deepEqual(kinds(f, 'config', 'list'), ['mutate-call']);
      assert.deepEqual(kinds(f, 'cfg', 'setMode'), ['read']);
      assert.deepEqual(f.calls.map((c) => c.callee), [{ name: 'cfg', member: 'setMode' }]);
      const r = acc(f, 'config', 'counter')[0].range;
      assert.equal(r.end.character - r.start.character, 'config.counter'.length);
    });

    it('marks lazy initialisation', () => {
      const m = parse(`
        let conn; let cache; let pool; const seen = new Map();
        function a() { if (!conn) conn = open(); return conn; }
        function b() { cache ??= new Map(); return cache; }
        function c() { if (pool === undefined) { pool = make(); } return pool; }
        function d(k) { if (!seen.has(k)) seen.set(k, 1); }
        function e() { return conn; }
      `);
      assert.equal(acc(unit(m, 'a'), 'conn')[0].lazyInit, true);
      assert.equal(acc(unit(m, 'a'), 'conn')[2].lazyInit, undefined);
      assert.equal(acc(unit(m, 'b'), 'cache')[0].lazyInit, true);
      assert.equal(acc(unit(m, 'c'), 'pool')[0].lazyInit, true);
      assert.equal(acc(unit(m, 'd'), 'seen')[0].lazyInit, true);
      assert.equal(acc(unit(m, 'e'), 'conn')[0].lazyInit, undefined);
    });

    it('ignores TypeScript-only syntax', () => {
      const m = parse(
        `
        import type { Cfg } from './cfg';
        interface Opts { settings: number }
        type Alias = typeof settings;
        let settings: Opts = { settings: 1 };
        enum Mode { A, B }
        declare const ambient: number;
        function dec(t: any) {}
        @dec class Svc { @dec m(x: Opts): Alias { return (settings as Opts)!.settings + Mode.A; } }
        function g<T extends Opts>(x: T): T { settings!.settings = 2; return x; }
      `,
        '/proj/svc.ts',
      );
      assert.equal(m.problems.length, 0);
      assert.ok(!m.bindings.has('ambient'));
      assert.equal(m.bindings.get('Mode')!.kind, 'constant');
      assert.deepEqual(kinds(unit(m, 'Svc.m'), 'settings'), ['read']);
      assert.deepEqual(kinds(unit(m, 'Svc.m'), 'Mode'), ['read']);
      assert.deepEqual(kinds(unit(m, 'g'), 'settings'), ['item-assign']);
      assert.deepEqual(
        m.units[0].calls.map((c) => c.callee.name),
        ['dec', 'dec'],
      );
    });

    it('handles optional chaining and JSX', () => {
      const m = parse(
        `
        const list = []; function Comp() {} const data = {};
        function f() { list?.push(1); return <div><Comp value={data} /></div>; }
      `,
        '/proj/x.jsx',
      );
      const f = unit(m, 'f');
      assert.deepEqual(kinds(f, 'list'), ['mutate-call']);
      assert.deepEqual(kinds(f, 'Comp'), ['read']);
      assert.deepEqual(kinds(f, 'data'), ['read']);
    });
  });

  describe('calls', () => {
    it('records direct, namespace, constructor and callback calls', () => {
      const m = parse(`
        const config = require('./config');
        function helper() {} function tick() {} class Foo {}
        const data = [];
        function run() {
          helper();
          config.load();
          new Foo();
          [1, 2].map(helper);
          setTimeout(tick, 10);
          console.log(data);
        }
      `);
      const callees = unit(m, 'run').calls.map((c) => c.callee);
      assert.deepEqual(callees, [
        { name: 'helper' },
        { name: 'config', member: 'load' },
        { name: 'Foo' },
        { name: 'helper' },
        { name: 'tick' },
      ]);
    });
  });

  describe('spawns', () => {
    const wt = `const { Worker } = require('worker_threads'); const path = require('path');\n`;
    const mod = (expr: string, pre = '') => parse(wt + pre + `new Worker(${expr});`).spawns[0]?.workerModule;

    it('resolves worker module path forms', () => {
      assert.equal(mod(`'./w.js'`), './w.js');
      assert.equal(mod(`path.join(__dirname, 'w.js')`), './w.js');
      assert.equal(mod(`path.resolve(__dirname, 'lib', 'w.js')`), './lib/w.js');
      assert.equal(mod(`path.join(__dirname, '..', 'w.js')`), '../w.js');
      assert.equal(mod(`new URL('./w.js', import.meta.url)`), './w.js');
      assert.equal(mod(`__filename`), 'self');
      assert.equal(mod(`import.meta.url`), 'self');
      assert.equal(mod(`new URL(import.meta.url)`), 'self');
      assert.equal(mod(`fileURLToPath(import.meta.url)`), 'self');
      assert.equal(mod(`__dirname + '/w.js'`), './w.js');
      assert.equal(mod(`\`\${__dirname}/w.js\``), './w.js');
      assert.equal(mod(`FILE`, `const FILE = path.join(__dirname, 'job.js');\n`), './job.js');
      assert.equal(
        mod(`path.join(__dirname, 'w.mjs')`, `const __dirname = path.dirname(fileURLToPath(import.meta.url));\n`),
        './w.mjs',
      );
    });

    it('records worker_threads spawns with workerData', () => {
      const m = parse(wt + `function start() { return new Worker('./w.js', { workerData: { n: 1 } }); }`);
      const s = m.spawns[0];
      assert.equal(s.system, 'worker_threads');
      assert.equal(s.label, 'new Worker');
      assert.equal(s.passesState, true);
      assert.equal(s.isProcess, true);
      assert.equal(s.unit, unit(m, 'start').id);
    });

    it('records ESM worker_threads imports', () => {
      const m = parse(`import { Worker as W } from 'node:worker_threads'; new W(new URL('./w.js', import.meta.url));`, '/p/a.mjs');
      assert.equal(m.spawns[0].workerModule, './w.js');
      const m2 = parse(`import * as wt from 'worker_threads'; new wt.Worker(__filename);`);
      assert.equal(m2.spawns[0].workerModule, 'self');
    });

    it('records child_process.fork and cluster.fork', () => {
      const m = parse(`
        const { fork } = require('child_process'); const cp = require('node:child_process');
        const cluster = require('cluster');
        fork('./child.js'); cp.fork(__filename); require('child_process').fork('./c2.js');
        cluster.fork();
      `);
      assert.deepEqual(
        m.spawns.map((s) => [s.system, s.label, s.workerModule]),
        [
          ['child_process.fork', 'fork', './child.js'],
          ['child_process.fork', 'fork', 'self'],
          ['child_process.fork', 'fork', './c2.js'],
          ['cluster', 'cluster.fork', 'self'],
        ],
      );
    });

    it('records piscina, tinypool and workerpool', () => {
      const m = parse(`
        const Piscina = require('piscina');
        const { Tinypool } = require('tinypool');
        const workerpool = require('workerpool');
        const p = new Piscina({ filename: new URL('./task.mjs', import.meta.url).href, workerData: { a: 1 } });
        const p2 = new Piscina({ filename: path.resolve(__dirname, 'task.js') });
        const t = new Tinypool({ filename: './tt.js' });
        const wp = workerpool.pool(__dirname + '/wp.js');
      `);
      assert.deepEqual(
        m.spawns.map((s) => [s.system, s.label, s.workerModule, s.passesState]),
        [
          ['piscina', 'new Piscina', './task.mjs', true],
          ['piscina', 'new Piscina', './task.js', undefined],
          ['tinypool', 'new Tinypool', './tt.js', undefined],
          ['workerpool', 'workerpool.pool', './wp.js', undefined],
        ],
      );
      const m2 = parse(`import { Piscina } from 'piscina'; const p = new Piscina({ filename: new URL('./task.mjs', import.meta.url) });`);
      assert.equal(m2.spawns[0].workerModule, './task.mjs');
    });
  });

  describe('worker handlers', () => {
    it('collects parentPort / process / workerpool.worker handlers', () => {
      const m = parse(`
        const { parentPort } = require('worker_threads');
        const workerpool = require('workerpool');
        function onMsg(m) {}
        function fib(n) {}
        parentPort.on('message', onMsg);
        parentPort?.once('message', (m) => {});
        process.on('message', function child(m) {});
        process.on('exit', function notHandler() {});
        workerpool.worker({ fib, add: (a, b) => a + b, mul(a, b) { return a * b; } });
      `);
      const names = m.workerHandlers.map((id) => m.units[id].name).sort();
      assert.deepEqual(names, ['<anonymous>', 'add', 'child', 'fib', 'mul', 'onMsg']);
    });

    it('collects cluster.worker handlers', () => {
      const m = parse(`import cluster from 'cluster'; cluster.worker.on('message', function h() {});`);
      assert.deepEqual(m.workerHandlers.map((id) => m.units[id].name), ['h']);
    });
  });

  describe('payloads', () => {
    it('finds unsendable values in workerData and postMessage', () => {
      const m = parse(`
        const { Worker, parentPort } = require('worker_threads');
        const { Thing } = require('./thing');
        class Local {}
        async function load() {}
        const onDone = () => {};
        const w = new Worker('./w.js', { workerData: { onDone, sym: Symbol('s'), p: new Promise(() => {}), wm: new WeakMap(),
          inst: new Local(), ext: new Thing(), ok: new Map(), d: new Date(), n: 1, list: [() => 1], q: load() } });
        w.postMessage({ cb() {} });
        parentPort.postMessage(function named() {});
      `);
      const got = m.payloads.map((p) => [p.channel, p.what, p.symbol]);
      assert.deepEqual(got, [
        ['workerData', 'function', 'onDone'],
        ['workerData', 'symbol', 'sym'],
        ['workerData', 'promise', 'p'],
        ['workerData', 'weakmap', 'wm'],
        ['workerData', 'class-instance', 'inst'],
        ['workerData', 'class-instance', 'ext'],
        ['workerData', 'function', 'list'],
        ['workerData', 'promise', 'q'],
        ['postMessage', 'function', 'cb'],
        ['postMessage', 'function', 'named'],
      ]);
    });

    it('finds payloads in process.send, child.send and piscina.run', () => {
      const m = parse(`
        const { fork } = require('child_process');
        const Piscina = require('piscina');
        const child = fork('./c.js');
        const pool = new Piscina({ filename: './t.js' });
        process.send({ f: () => 1 });
        child.send({ g() {} });
        res.send({ h: () => 1 }); // express: not a child process
        pool.run({ k: () => 1 });
      `);
      assert.deepEqual(
        m.payloads.map((p) => [p.channel, p.symbol]),
        [
          ['process.send', 'f'],
          ['process.send', 'g'],
          ['piscina.run', 'k'],
        ],
      );
    });

    it('reports pool.exec closures with their free names only', () => {
      const m = parse(`
        const workerpool = require('workerpool');
        const pool = workerpool.pool();
        const FACTOR = 3;
        function pure(a) { return a * 2; }
        function impure(a) { return a * FACTOR; }
        function main() {
          const local = 1;
          pool.exec((a) => a + 1, [1]);
          pool.exec((a) => a + local + FACTOR + Math.max(a, 1), [1]);
          pool.exec(pure, [1]);
          pool.exec(impure, [1]);
          pool.exec('fib', [1]);
        }
      `);
      const closures = m.payloads.filter((p) => p.what === 'closure');
      assert.deepEqual(
        closures.map((c) => [c.symbol, c.freeNames]),
        [
          ['<anonymous>', ['local', 'FACTOR']],
          ['impure', ['FACTOR']],
        ],
      );
      assert.equal(m.units[closures[1].unit!].name, 'impure');
      assert.equal(closures[0].channel, 'pool.exec');
      // exec'd functions are not "called" in the parent
      assert.deepEqual(unit(m, 'main').calls, []);
    });

    it('tracks pools stored on this', () => {
      const m = parse(`
        import workerpool from 'workerpool';
        const K = 1;
        class Svc { constructor() { this.pool = workerpool.pool(); } go() { return this.pool.exec(() => K); } }
      `);
      assert.equal(m.payloads.filter((p) => p.what === 'closure').length, 1);
    });
  });

  describe('misc', () => {
    it('detects workerData reads', () => {
      assert.equal(parse(`const { workerData } = require('worker_threads'); console.log(workerData.x);`).readsWorkerData, true);
      assert.equal(parse(`import wt from 'worker_threads'; wt.workerData;`).readsWorkerData, true);
      assert.equal(parse(`const workerData = 1; workerData;`).readsWorkerData, undefined);
    });

    it('parses suppression comments', () => {
      const m = parse(
        [
          'let a = 1;',
          '// crossproc-disable-next-line stale-global-read, lost-global-write',
          'a++;',
          'a--; // crossproc-disable-line unguarded-spawn',
          '// crossproc-disable-next-line',
          'a;',
        ].join('\n'),
      );
      assert.deepEqual(m.suppressions.get(2), ['stale-global-read', 'lost-global-write']);
      assert.deepEqual(m.suppressions.get(3), ['unguarded-spawn']);
      assert.deepEqual(m.suppressions.get(5), ['*']);
      assert.equal(m.suppressions.size, 3);
    });

    it('reports syntax errors and never throws', () => {
      const m = parse(`let x = ;\nfunction (`);
      assert.ok(m.problems.length > 0);
      assert.equal(m.problems[0].range.start.line, 0);
      const garbage = Array.from({ length: 5000 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
      const g = parseJs('/p/bin.js', garbage);
      assert.equal(g.units[0].kind, 'module');
      const half = parse(`function f( { if (isMainThread) new Worker(`);
      assert.ok(half.problems.length > 0);
    });

    it('handles a large file (speed is measured by benchmarks, not here)', () => {
      const body = Array.from(
        { length: 3000 },
        (_, i) => `let v${i} = []; function f${i}(a) { if (!v${i}.length) v${i}.push(a); return v${i}.map((x) => x + f${Math.max(0, i - 1)}(x)); }`,
      ).join('\n');
      const m = parse(body);
      assert.equal(m.bindings.size, 6000);
      assert.equal(m.units.filter((u) => u.kind === 'function').length, 6000);
      const f9 = unit(m, 'f9');
      assert.deepEqual(f9.accesses.map((a) => a.kind), ['read', 'mutate-call', 'read']);
      assert.deepEqual(m.units[f9.id + 1].calls.map((c) => c.callee.name), ['f8']);
      assert.equal(f9.accesses[0].lazyInit, true);
    });
  });
});
