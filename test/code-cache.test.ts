/**
 * The V8 code cache TypeScript's compiler is loaded through (server/src/shared/codeCache.ts):
 * made once, used after, refused and made again when it does not fit, keyed so that a
 * changed file never runs old code, and never in the way (a folder it cannot write, an
 * opt-out). Each load is a new Node process (within one, V8's in-memory compilation cache
 * answers before any code cache is read): the module is bundled once, by esbuild, for them.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { CODE_CACHE_DIR } from '../server/src/shared/codeCache';
import { NODE_PROGRAM, makeTree } from './support/programs';

const program = (value: number): string =>
  [
    '#!/usr/bin/env node',
    "const path = require('node:path');",
    `function answer() { return [path.basename(__filename), path.basename(__dirname), typeof module.exports, ${value}]; }`,
    'module.exports = { answer };',
    '',
  ].join('\n');

describe('code cache for the bundled TypeScript compiler', function () {
  this.timeout(60_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-code-cache-'));
  const harness = path.join(work, 'harness.js');
  let dir: string;
  let file: string;

  before(() => {
    buildSync({
      entryPoints: [path.resolve(__dirname, '..', 'server', 'src', 'shared', 'codeCache.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: path.join(work, 'codeCache.js'),
      logLevel: 'silent',
    });
    fs.writeFileSync(
      harness,
      "const { requireWithCodeCache, lastCodeCacheLoad } = require('./codeCache.js');\n" +
        'const m = requireWithCodeCache(process.argv[2]);\n' +
        'console.log(JSON.stringify({ value: m.answer(), state: lastCodeCacheLoad().state }));\n',
    );
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(work, 'lib-'));
    file = path.join(dir, 'lib.js');
    fs.writeFileSync(file, program(42));
  });

  /** Loads `file` in a new process; its value and what became of the cache. */
  const load = (env: Record<string, string> = {}): { value: unknown; state: string } => {
    const base = { ...process.env };
    delete base['NODE_OPTIONS'];
    delete base['CROSSPROC_CODE_CACHE'];
    const r = spawnSync(process.execPath, [harness, file], { encoding: 'utf8', env: { ...base, ...env } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { value: unknown; state: string };
  };
  const value = (n: number): unknown[] => ['lib.js', path.basename(dir), 'object', n];
  const caches = (): string[] => (fs.existsSync(path.join(dir, CODE_CACHE_DIR)) ? fs.readdirSync(path.join(dir, CODE_CACHE_DIR)).sort() : []);

  it('is made by the first run, at its exit, and used by the next', () => {
    assert.deepEqual(load(), { value: value(42), state: 'made' });
    assert.equal(caches().length, 1);
    assert.match(caches()[0]!, /^lib\.js\.[0-9a-f]{16}\.bin$/);
    assert.deepEqual(load(), { value: value(42), state: 'used' });
    assert.equal(caches().length, 1);
  });

  it('a changed file of the same length gets a new key, so its old compiled code never runs', () => {
    load();
    fs.writeFileSync(file, program(43)); // same length: V8's own check (the source's length) would take the old cache
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    assert.deepEqual(load(), { value: value(43), state: 'made' });
    assert.deepEqual(load(), { value: value(43), state: 'used' });
  });

  it('a cache V8 refuses (damaged) is ignored, then made again', () => {
    load();
    const [only] = caches();
    fs.writeFileSync(path.join(dir, CODE_CACHE_DIR, only!), Buffer.alloc(4096, 7));
    assert.deepEqual(load(), { value: value(42), state: 'rejected' });
    assert.deepEqual(load(), { value: value(42), state: 'used' });
  });

  it('other V8 flags get their own cache (V8 refuses one made under other flags); at most four are kept per file', () => {
    for (let i = 0; i < 6; i++) assert.equal(load({ NODE_OPTIONS: `--max-old-space-size=${4000 + i}` }).state, 'made');
    assert.equal(caches().length, 4);
    assert.equal(load({ NODE_OPTIONS: '--max-old-space-size=4005' }).state, 'used', 'the latest flags still have theirs');
  });

  it('where nothing can be written, and with CROSSPROC_CODE_CACHE=0, the file still loads', () => {
    fs.writeFileSync(path.join(dir, CODE_CACHE_DIR), 'a file where the folder would be');
    assert.deepEqual(load(), { value: value(42), state: 'made' });
    assert.deepEqual(load(), { value: value(42), state: 'made' }, 'no cache could be written');
    fs.rmSync(path.join(dir, CODE_CACHE_DIR));
    assert.deepEqual(load({ CROSSPROC_CODE_CACHE: '0' }), { value: value(42), state: 'off' });
    assert.deepEqual(caches(), []);
  });

  it('the built CLI makes the cache at exit and reports the same with it, without it, and from it', () => {
    // a copy of dist/, so that this test sees its own cache folder
    const dist = path.join(work, 'dist');
    const tree = makeTree(NODE_PROGRAM);
    try {
      fs.cpSync(path.resolve(__dirname, '..', 'dist'), dist, { recursive: true, filter: (src) => !src.includes(CODE_CACHE_DIR) });
      const run = (env: Record<string, string> = {}): string => {
        const r = spawnSync(process.execPath, [path.join(dist, 'cli.js'), '--format', 'json', '.'], { cwd: tree, encoding: 'utf8', env: { ...process.env, ...env } });
        assert.equal(r.status, 0, r.stderr); // a warning
        const findings = (JSON.parse(r.stdout) as { findings: unknown[] }).findings;
        assert.equal(findings.length, 1);
        return JSON.stringify(findings);
      };
      const off = run({ CROSSPROC_CODE_CACHE: '0' });
      assert.equal(fs.existsSync(path.join(dist, CODE_CACHE_DIR)), false);
      assert.equal(run(), off);
      const made = fs.readdirSync(path.join(dist, CODE_CACHE_DIR));
      assert.equal(made.length, 1);
      assert.match(made[0]!, /^typescript\.js\.[0-9a-f]{16}\.bin$/);
      assert.equal(run(), off);
      assert.deepEqual(fs.readdirSync(path.join(dist, CODE_CACHE_DIR)), made, 'used, not made again');
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });
});
