/**
 * The front end's reading of the threads.js, comlink and Web Worker models
 * (server/src/frameworks/js/{threads,comlink,web-workers}.ts): starts, exposed and
 * handler code, and what calls on a wrapped worker send.
 */
import { strict as assert } from 'node:assert';
import { parseJs } from '../server/src/js/frontend';
import type { ModuleModel } from '../server/src/engine/model';
import { Project } from '../server/src/engine/project';
import { explainAt } from '../server/src/engine/explain';

function parse(src: string, file = '/proj/main.js'): ModuleModel {
  return parseJs(file, src);
}
const handlerNames = (m: ModuleModel): string[] => m.workerHandlers.map((id) => m.units[id].name).sort();
const spawns = (m: ModuleModel) => m.spawns.map((s) => ({ system: s.system, label: s.label, workerModule: s.workerModule }));

describe('js worker APIs: threads.js, comlink, Web Workers', () => {
  describe('starts', () => {
    it('a global Worker / SharedWorker is a Web Worker start, by URL, string, href or import.meta.resolve', () => {
      const m = parse(`
        const a = new Worker(new URL('./a.js', import.meta.url), { type: 'module' });
        const b = new Worker('b.js');
        const c = new Worker(new URL('./c.ts', import.meta.url).href, { type: 'module' });
        const d = new Worker(import.meta.resolve('./d.js'), { type: 'module' });
        const e = new SharedWorker(new URL('./e.js', import.meta.url));
      `);
      assert.deepEqual(spawns(m), [
        { system: 'web-worker', label: 'new Worker', workerModule: './a.js' },
        { system: 'web-worker', label: 'new Worker', workerModule: 'b.js' },
        { system: 'web-worker', label: 'new Worker', workerModule: './c.ts' },
        { system: 'web-worker', label: 'new Worker', workerModule: './d.js' },
        { system: 'web-worker', label: 'new SharedWorker', workerModule: './e.js' },
      ]);
    });

    it("Vite: the default import of './w?worker' constructs a Web Worker; of './w?worker&url' is its URL", () => {
      const m = parse(`
        import HashWorker from './hash.worker.ts?worker';
        import SharedOne from './shared.ts?sharedworker&inline';
        import workerUrl from './url.worker.js?worker&url';
        import * as other from './other.js?worker';
        import plain from './plain.js?raw';
        const a = new HashWorker();
        const b = new SharedOne({ name: 'one' });
        const c = new Worker(workerUrl, { type: 'module' });
        const d = new Worker(new URL(workerUrl, import.meta.url));
        const e = new plain();
      `);
      assert.deepEqual(spawns(m), [
        { system: 'web-worker', label: 'new Worker', workerModule: './hash.worker.ts' },
        { system: 'web-worker', label: 'new SharedWorker', workerModule: './shared.ts' },
        { system: 'web-worker', label: 'new Worker', workerModule: './url.worker.js' },
        { system: 'web-worker', label: 'new Worker', workerModule: './url.worker.js' },
      ]);
    });

    it("the 'web-worker' package's Worker is the Web Worker API", () => {
      const esm = parse(`import Worker from 'web-worker'; new Worker(new URL('./w.mjs', import.meta.url), { type: 'module' });`);
      const cjs = parse(`const Worker = require('web-worker'); new Worker('./w.js');`);
      assert.deepEqual([...spawns(esm), ...spawns(cjs)], [
        { system: 'web-worker', label: 'new Worker', workerModule: './w.mjs' },
        { system: 'web-worker', label: 'new Worker', workerModule: './w.js' },
      ]);
    });

    it('an imported or declared Worker is not the global one', () => {
      const m = parse(`
        const { Worker } = require('node:worker_threads');
        new Worker('./w.js');
        function f(Worker) { return new Worker('./x.js'); }
        class SharedWorker {}
        new SharedWorker('./y.js');
      `);
      assert.deepEqual(spawns(m), [{ system: 'worker_threads', label: 'new Worker', workerModule: './w.js' }]);
    });

    it("threads.js: new Worker('./w') from 'threads' is a start, also inside Pool(() => spawn(...))", () => {
      const m = parse(`
        import { spawn, Pool, Worker } from 'threads';
        const pool = Pool(() => spawn(new Worker('./workers/hash')), 4);
        async function one() { return spawn(new Worker('./workers/one')); }
      `);
      assert.deepEqual(spawns(m), [
        { system: 'threads.js', label: 'new Worker', workerModule: './workers/hash' },
        { system: 'threads.js', label: 'new Worker', workerModule: './workers/one' },
      ]);
    });
  });

  describe('worker-side code', () => {
    it('Web Worker handlers: self.onmessage, bare onmessage/onconnect, addEventListener (bare and on self)', () => {
      const m = parse(`
        function onMsg(e) {}
        self.onmessage = onMsg;
        onconnect = function connected(e) {};
        addEventListener('message', function bare(e) {});
        self.addEventListener('message', (e) => {});
        self.addEventListener('error', function notMessage(e) {});
        const port = {};
        port.onmessage = function notSelf(e) {};
      `);
      assert.deepEqual(handlerNames(m), ['<anonymous>', 'bare', 'connected', 'onMsg']);
    });

    it("a handler set on a worker this file makes (worker.onmessage = fn) runs as a closure of the code setting it", () => {
      const m = parse(`
        const worker = new Worker(new URL('./w.js', import.meta.url));
        worker.onmessage = (e) => {};
        const other = {};
        other.onmessage = (e) => {};
      `);
      const fns = m.units.filter((u) => u.kind === 'function');
      assert.deepEqual(fns.map((u) => [u.nameRange.start.line, u.isNested]), [[2, true], [4, false]]);
    });

    it('a declared onmessage or addEventListener is not the global one', () => {
      const m = parse(`
        let onmessage;
        onmessage = function mine() {};
        function addEventListener(t, f) {}
        addEventListener('message', function local() {});
      `);
      assert.deepEqual(handlerNames(m), []);
    });

    it('expose(): a function, an object of functions, a class, an instance of a class of this file', () => {
      const fn = parse(`const { expose } = require('threads/worker'); expose(function hash(s) { return s; });`);
      assert.deepEqual(handlerNames(fn), ['hash']);
      const obj = parse(`
        import { expose } from 'threads/worker';
        function add(a, b) { return a + b; }
        expose({ add, mul(a, b) { return a * b; } });
      `);
      assert.deepEqual(handlerNames(obj), ['add', 'mul']);
      const cls = parse(`
        import * as Comlink from 'comlink';
        class Api { describe() {} get size() { return 1; } }
        const api = new Api();
        Comlink.expose(api);
      `);
      assert.deepEqual(handlerNames(cls), ['Api.describe', 'Api.size']);
      const ctor = parse(`const Comlink = require('comlink'); class Counter { constructor() {} add() {} } Comlink.expose(Counter);`);
      assert.deepEqual(handlerNames(ctor), ['Counter.add', 'Counter.constructor']);
    });

    it('an expose() of another library is not a worker entry', () => {
      const m = parse(`import { expose } from './rpc'; expose({ run() {} });`);
      assert.deepEqual(handlerNames(m), []);
    });
  });

  describe('what calls on a wrapped worker send', () => {
    it('comlink: a function argument is unsendable unless wrapped in proxy(); plain data is fine', () => {
      const m = parse(`
        import * as Comlink from 'comlink';
        const api = Comlink.wrap(new Worker(new URL('./w.js', import.meta.url), { type: 'module' }));
        const cb = Comlink.proxy((x) => x);
        async function main() {
          await api.each([1, 2], (x) => x * 2);
          await api.each([1, 2], Comlink.proxy((x) => x * 2));
          await api.each([1, 2], cb);
          await api.describe({ mode: 'fast', n: 1 });
          await api.setup({ onDone() {} });
        }
      `);
      assert.deepEqual(
        m.payloads.map((p) => [p.channel, p.what, p.symbol]),
        [
          ['comlink call', 'function', '<anonymous>'],
          ['comlink call', 'function', 'onDone'],
        ],
      );
    });

    it('threads.js: arguments of calls on an awaited spawn() are sent', () => {
      const m = parse(`
        const { spawn, Worker } = require('threads');
        async function main() {
          const w = await spawn(new Worker('./w'));
          await w.run(() => 1);
          await w.hash('abc');
        }
      `);
      assert.deepEqual(
        m.payloads.map((p) => [p.channel, p.what]),
        [['threads.js call', 'function']],
      );
    });

    it('calls on other objects send nothing', () => {
      const m = parse(`
        import { wrap } from './my-rpc';
        const api = wrap(port);
        api.each([1], (x) => x);
      `);
      assert.deepEqual(m.payloads, []);
    });
  });

  describe('hover', () => {
    it("a Web Worker's stale read is told to go in a message, not in workerData", async () => {
      const project = await Project.create();
      const files: Record<string, string> = {
        '/proj/config.js': `export const settings = { mode: 'slow' };\n`,
        '/proj/main.js': `import { settings } from './config.js';\nsettings.mode = 'fast';\nconst w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });\nw.postMessage(1);\n`,
        '/proj/worker.js': `import { settings } from './config.js';\nself.onmessage = () => self.postMessage(settings.mode);\n`,
      };
      for (const [f, t] of Object.entries(files)) project.updateFile(f, t);
      const findings = project.analyze();
      const f = findings.find((x) => x.rule === 'stale-global-read');
      assert.ok(f, JSON.stringify(findings));
      const hover = explainAt({ graph: project.graph(), file: f.file, position: f.range.start, findings, docUrl: (r) => r });
      assert.match(hover!.markdown, /\*\*Fix:\*\* send it in a message \(`worker\.postMessage`\)/);
      assert.doesNotMatch(hover!.markdown, /workerData/);
    });
  });
});
