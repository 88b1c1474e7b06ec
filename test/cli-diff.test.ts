/**
 * `--diff` / `--fix-dry-run` of the built CLI: the patch it prints, applied with `git apply`,
 * gives exactly the files `--fix` writes — and the run itself writes nothing.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unifiedDiff } from '../server/src/cli/diff';
import { makeTree, runCli } from './support/programs';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const SAMPLES = ['python/fix-lambda-executor-submit', 'python/fix-initializer-extend', 'python/fix-shared-list-pool', 'js/fix-unguarded-cluster', 'js/fix-stale-fork-argv'];

/** Every file under `dir` (relative path → bytes as text). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(path.relative(dir, full), fs.readFileSync(full, 'latin1'));
    }
  };
  walk(dir);
  return out;
}

function copyTree(from: string): string {
  const to = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-diff-'));
  fs.cpSync(from, to, { recursive: true });
  return to;
}

function gitApply(dir: string, patch: string): void {
  const run = spawnSync('git', ['apply', '--whitespace=nowarn', '-'], { cwd: dir, input: patch, encoding: 'utf8' });
  assert.equal(run.status, 0, `git apply failed: ${run.stderr}\n${patch}`);
}

describe('CLI --diff / --fix-dry-run', () => {
  const made: string[] = [];
  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  const keep = (dir: string) => (made.push(dir), dir);

  it('prints a patch that git apply turns into what --fix writes, and writes nothing', () => {
    const source = keep(fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-diff-src-')));
    for (const s of SAMPLES) fs.cpSync(path.join(FIXTURES, s), path.join(source, s), { recursive: true });
    const before = snapshot(source);
    const run = runCli(source, '--diff');
    assert.equal(run.code, 1, `there is something to fix: ${run.stderr}`);
    assert.deepEqual(snapshot(source), before, '--diff wrote nothing');
    assert.match(run.stdout, /^--- a\/js\/fix-stale-fork-argv\//, 'files in path order');
    assert.match(run.stderr, /^crossproc: would apply \d+ fix(es)? in \d+ files?\.\n$/);
    const changed = [...run.stdout.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]);
    assert.ok(changed.length >= SAMPLES.length, changed.join(', '));

    const patched = keep(copyTree(source));
    gitApply(patched, run.stdout);
    const fixed = keep(copyTree(source));
    const fix = runCli(fixed, '--fix', '--format', 'json');
    assert.notEqual(fix.code, 2, fix.stderr);
    assert.deepEqual(snapshot(patched), snapshot(fixed), 'the patch is exactly --fix');

    assert.equal(runCli(source, '--fix-dry-run').stdout, run.stdout, '--fix-dry-run is the same');
    const out = runCli(source, '--diff', '-o', 'fixes.patch');
    assert.equal(out.stdout, '');
    assert.equal(fs.readFileSync(path.join(source, 'fixes.patch'), 'utf8'), run.stdout);
  });

  it('keeps a BOM, CRLF and lone-CR line ends, so the patch applies and equals --fix', () => {
    const program = ['import multiprocessing', '', 'def f(x):', '    return x', '', 'multiprocessing.Pool(2).map(f, [1])', ''];
    const source = keep(
      makeTree({
        'cr.py': program.join('\r'),
        'lf.py': program.join('\n'),
      }),
    );
    fs.writeFileSync(path.join(source, 'bom_crlf.py'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(program.join('\r\n'))]));
    const run = runCli(source, '--diff');
    assert.equal(run.code, 1, run.stderr);
    assert.equal((run.stdout.match(/^\+\+\+ /gm) ?? []).length, 3);
    const patched = keep(copyTree(source));
    gitApply(patched, run.stdout);
    const fixed = keep(copyTree(source));
    runCli(fixed, '--fix');
    assert.deepEqual(snapshot(patched), snapshot(fixed));
    assert.equal(runCli(patched, '--diff').stdout, '', 'nothing left to fix');
  });

  it('exits 0 with no output when nothing can be fixed; rejects --fix and --format with it', () => {
    const root = keep(makeTree({ 'a.py': 'print(1)\n' }));
    const run = runCli(root, '--diff');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    for (const args of [['--diff', '--fix'], ['--fix-dry-run', '--format', 'json'], ['--diff', '--statistics']]) {
      const bad = runCli(root, ...args);
      assert.equal(bad.code, 2, args.join(' '));
      assert.match(bad.stderr, /^crossproc: --diff .+\n$/);
    }
  });

  it('unifiedDiff: hunks, context, a missing final newline; random edits apply with git apply', () => {
    assert.equal(unifiedDiff('f.py', 'a\n', 'a\n'), '');
    assert.equal(unifiedDiff('f.py', 'a\nb\nc\n', 'a\nB\nc\n'), '--- a/f.py\n+++ b/f.py\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
    assert.equal(unifiedDiff('f.py', 'a', 'a\n'), '--- a/f.py\n+++ b/f.py\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+a\n');
    assert.equal(unifiedDiff('f.py', '', 'x\n'), '--- a/f.py\n+++ b/f.py\n@@ -0,0 +1,1 @@\n+x\n');
    const many = Array.from({ length: 30 }, (_, i) => `line ${i}\n`);
    const edited = [...many];
    edited[2] = 'two\n';
    edited[25] = 'twenty-five\n';
    assert.equal((unifiedDiff('f', many.join(''), edited.join('')).match(/^@@/gm) ?? []).length, 2, 'distant edits are two hunks');

    // a seeded pseudo-random walk of insertions, deletions and changes
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const dir = keep(fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-diff-rand-')));
    for (let round = 0; round < 25; round++) {
      const a = Array.from({ length: rand(40) }, () => `${['x', 'y', 'z', 'pass', ''][rand(5)]}\n`);
      const b = [...a];
      for (let k = rand(6); k >= 0; k--) {
        const at = rand(b.length + 1);
        const what = rand(3);
        if (what === 0) b.splice(at, 0, `new ${rand(9)}\n`);
        else if (what === 1) b.splice(at, 1);
        else b[at] = `changed ${rand(9)}\n`;
      }
      const before = a.join('') + (rand(4) === 0 ? 'tail' : '');
      const after = b.join('') + (rand(4) === 0 ? 'end' : '');
      fs.writeFileSync(path.join(dir, 'f.txt'), before);
      const patch = unifiedDiff('f.txt', before, after);
      if (patch !== '') gitApply(dir, patch);
      assert.equal(fs.readFileSync(path.join(dir, 'f.txt'), 'utf8'), after, `round ${round}`);
    }
  });
});
