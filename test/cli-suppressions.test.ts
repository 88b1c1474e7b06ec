/**
 * Bulk suppressions (after ESLint's): --suppress-all / --suppress-rule write
 * crossproc-suppressions.json with counts per file and rule; later runs report only the
 * findings beyond them; --prune-suppressions drops what no longer occurs. No line numbers:
 * moving code keeps it valid.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTree, runCli } from './support/programs';

/** Two stale reads (A, B) of globals the parent sets, and an unguarded pool in legacy.py. */
const STALE =
  'A = None\nB = None\n\ndef task(x):\n    return (A, B)\n\nif __name__ == "__main__":\n    from multiprocessing import Pool\n' +
  '    A = 1\n    B = 2\n    with Pool(2) as p:\n        print(p.map(task, [1]))\n';
const LEGACY = 'from multiprocessing import Pool\n\ndef f(x):\n    return x\n\npool = Pool(2)\n';

interface Row {
  file: string;
  line: number;
  rule: string;
  symbol: string;
}

function rows(root: string, ...args: string[]): { rows: Row[]; code: number | null; stderr: string } {
  const run = runCli(root, '--format', 'json', ...args);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  return { rows: JSON.parse(run.stdout).findings, code: run.code, stderr: run.stderr };
}

const names = (list: Row[]) => list.map((r) => `${r.file} ${r.rule} ${r.symbol}`);

describe('CLI bulk suppressions (crossproc-suppressions.json)', function () {
  // each test runs the CLI several times; the suite runs files in parallel on shared cores
  this.timeout(300_000);
  const made: string[] = [];
  const tree = (files: Record<string, string>) => {
    const root = makeTree(files);
    made.push(root);
    return root;
  };
  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = (root: string) => path.join(root, 'crossproc-suppressions.json');

  it('--suppress-all records counts per file and rule; the next run is clean', () => {
    const root = tree({ 'app/main.py': STALE, 'legacy.py': LEGACY });
    const before = rows(root);
    assert.equal(before.code, 1);
    assert.equal(before.rows.length, 3);
    const run = rows(root, '--suppress-all');
    assert.deepEqual(run.rows, [], 'everything recorded');
    assert.equal(run.code, 0);
    assert.deepEqual(JSON.parse(fs.readFileSync(file(root), 'utf8')), {
      'app/main.py': { 'stale-global-read': { count: 2, symbols: { A: 1, B: 1 } } },
      'legacy.py': { 'unguarded-spawn': { count: 1, symbols: { Pool: 1 } } },
    });
    assert.deepEqual(rows(root).rows, []);
  });

  it('reports only the findings beyond the counts, and stays valid when lines move', () => {
    const root = tree({ 'app/main.py': STALE, 'legacy.py': LEGACY });
    rows(root, '--suppress-all');
    // code moved down, and a third stale read (C) added
    const grown = '# moved\n\n' + STALE.replace('B = None\n', 'B = None\nC = None\n').replace('(A, B)', '(A, B, C)').replace('    B = 2\n', '    B = 2\n    C = 3\n');
    fs.writeFileSync(path.join(root, 'app/main.py'), grown);
    fs.writeFileSync(path.join(root, 'legacy.py'), '\n\n' + LEGACY);
    const after = rows(root);
    assert.deepEqual(names(after.rows), ['app/main.py stale-global-read C'], 'only the new one');
    assert.equal(after.code, 0, 'a warning');
  });

  it('--suppress-rule records one rule and keeps the other entries; unknown ids are exit 2', () => {
    const root = tree({ 'app/main.py': STALE, 'legacy.py': LEGACY });
    assert.deepEqual(names(rows(root, '--suppress-rule', 'unguarded-spawn').rows), ['app/main.py stale-global-read A', 'app/main.py stale-global-read B']);
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(file(root), 'utf8'))), ['legacy.py']);
    rows(root, '--suppress-rule', 'stale-global-read');
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(file(root), 'utf8'))), ['app/main.py', 'legacy.py'], 'both now');
    assert.deepEqual(rows(root).rows, []);
    const bad = runCli(root, '--suppress-rule', 'no-such-rule');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^crossproc: unknown rule 'no-such-rule' in --suppress-rule/);
  });

  it('--prune-suppressions removes what no longer occurs; a stale entry gets a hint', () => {
    const root = tree({ 'app/main.py': STALE, 'legacy.py': LEGACY });
    rows(root, '--suppress-all');
    // the pool is fixed, and B is no longer set by the parent
    fs.writeFileSync(path.join(root, 'legacy.py'), 'X = 1\n');
    fs.writeFileSync(path.join(root, 'app/main.py'), STALE.replace('    B = 2\n', ''));
    const hint = rows(root);
    assert.deepEqual(hint.rows, []);
    assert.match(hint.stderr, /warning: 2 suppressions in crossproc-suppressions\.json no longer occur; run with --prune-suppressions/);
    rows(root, '--prune-suppressions');
    assert.deepEqual(JSON.parse(fs.readFileSync(file(root), 'utf8')), { 'app/main.py': { 'stale-global-read': { count: 1, symbols: { A: 1 } } } });
    assert.doesNotMatch(rows(root).stderr, /no longer occur/);
    // after pruning, B coming back is new again
    fs.writeFileSync(path.join(root, 'app/main.py'), STALE);
    assert.deepEqual(names(rows(root).rows), ['app/main.py stale-global-read B']);
  });

  it('an ESLint-style entry (count only) works; --suppressions-location; a malformed file is exit 2', () => {
    const root = tree({ 'app/main.py': STALE, 'ci/s.json': JSON.stringify({ '../app/main.py': { 'stale-global-read': { count: 1 } } }) });
    assert.deepEqual(rows(root, '--suppressions-location', 'ci/s.json').rows.length, 1, 'one beyond the count of 1');
    assert.equal(rows(root).rows.length, 2, 'the default file does not exist');
    fs.writeFileSync(file(root), '{ "app/main.py": { "stale-global-read": { "count": "two" } } }');
    const bad = runCli(root);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^crossproc: crossproc-suppressions\.json: "app\/main\.py" → "stale-global-read" needs a whole "count"/);
    assert.equal(runCli(root, '--suppress-all', '--fix').code, 2, 'does not combine with --fix');
  });
});
