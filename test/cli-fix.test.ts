/**
 * `crossproc --fix` applies each finding's preferred fix to the files on disk, through the
 * same fix code the editor uses, and reports only what is left.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '..', 'dist', 'cli.js');
const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'python', 'manager-proxy-json-dumps');

describe('cli --fix', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crossproc-fix-'));
    cpSync(FIXTURE, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rewrites the files, says how many fixes it applied, and reports nothing fixed', () => {
    const before = spawnSync(process.execPath, [CLI, '--format', 'json', '.'], { cwd: dir, encoding: 'utf8' });
    const found = JSON.parse(before.stdout).findings.filter((f: { rule: string }) => f.rule === 'manager-proxy-serialized');
    assert.equal(found.length, 2);

    const run = spawnSync(process.execPath, [CLI, '--fix', '--format', 'json', '.'], { cwd: dir, encoding: 'utf8' });
    assert.match(run.stderr, /applied 2 fixes in 1 file/);
    const after = JSON.parse(run.stdout).findings.filter((f: { rule: string }) => f.rule === 'manager-proxy-serialized');
    assert.deepEqual(after, []);
    const text = readFileSync(path.join(dir, 'main.py'), 'utf8');
    assert.match(text, /json\.dumps\(list\(squares\)\)/);
    assert.match(text, /json\.dump\(dict\(totals\), sys\.stdout\)/);
    assert.equal(run.status, 0);
  });

  it('never writes a suppression comment on its own', () => {
    const run = spawnSync(process.execPath, [CLI, '--fix', '.'], { cwd: dir, encoding: 'utf8' });
    assert.doesNotMatch(readFileSync(path.join(dir, 'main.py'), 'utf8'), /crossproc: disable/);
    assert.ok(run.status === 0 || run.status === 1);
  });
});

describe('cli --fix writes only what it was asked to', () => {
  const NESTED = path.resolve(__dirname, '..', 'fixtures', 'python', 'fix-nested-def-pool-map', 'main.py');
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crossproc-fixsafe-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, '--fix', ...args], { cwd: dir, encoding: 'utf8' });

  it('never writes through a symlink to a file outside the target', () => {
    mkdirSync(path.join(dir, 'out'));
    mkdirSync(path.join(dir, 'tgt'));
    cpSync(NESTED, path.join(dir, 'out', 'main.py'));
    symlinkSync(path.join(dir, 'out', 'main.py'), path.join(dir, 'tgt', 'main.py'));
    const result = run('tgt');
    assert.equal(readFileSync(path.join(dir, 'out', 'main.py'), 'utf8'), readFileSync(NESTED, 'utf8'));
    assert.match(result.stderr, /not writing 'tgt\/main\.py': it is a symbolic link/);
    assert.match(result.stderr, /applied 0 fixes in 0 files/);
    assert.equal(result.status, 1, 'the finding is still there');
    assert.match(result.stdout, /unsendable-payload/);
  });

  it('never writes through a symlink even inside the target', () => {
    cpSync(NESTED, path.join(dir, 'real.py'));
    symlinkSync(path.join(dir, 'real.py'), path.join(dir, 'link.py'));
    run('link.py');
    assert.equal(readFileSync(path.join(dir, 'real.py'), 'utf8'), readFileSync(NESTED, 'utf8'));
    assert.ok(lstatSync(path.join(dir, 'link.py')).isSymbolicLink());
  });

  it('writes a regular file in place atomically, keeping its mode and BOM, leaving no temp file', () => {
    const file = path.join(dir, 'main.py');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(NESTED)]));
    chmodSync(file, 0o640);
    const inode = statSync(file).ino;
    const result = run('.');
    assert.match(result.stderr, /applied 1 fix in 1 file/);
    const bytes = readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.match(bytes.toString('utf8'), /^def shift/m, 'moved to module level');
    assert.equal(statSync(file).mode & 0o777, 0o640);
    assert.notEqual(statSync(file).ino, inode, 'replaced by rename, not rewritten in place');
    assert.deepEqual(readdirSync(dir), ['main.py']);
  });

  it('fixes a file with CR line ends and keeps them', () => {
    const file = path.join(dir, 'main.py');
    writeFileSync(file, readFileSync(NESTED, 'utf8').replace(/\n/g, '\r'));
    const result = run('.');
    assert.match(result.stderr, /applied 1 fix in 1 file/);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /\rdef shift\(x\):\r/, 'moved to module level');
    assert.ok(!text.includes('\n'), 'no LF introduced');
  });

  it('refuses a file that changed on disk since it was read', async () => {
    const { writeFixedFile } = await import('../server/src/cli/fix');
    const file = path.join(dir, 'main.py');
    writeFileSync(file, 'x = 2\n');
    const why = await writeFixedFile(file, 'x = 1\n', 'x = 3\n', [dir]);
    assert.equal(why, 'it changed on disk since it was read');
    assert.equal(readFileSync(file, 'utf8'), 'x = 2\n');
    assert.equal(await writeFixedFile(file, 'x = 2\n', 'x = 3\n', [dir]), undefined);
    assert.equal(readFileSync(file, 'utf8'), 'x = 3\n');
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'crossproc-fixsafe-other-'));
    try {
      assert.equal(await writeFixedFile(file, 'x = 3\n', 'x = 4\n', [elsewhere]), 'it is outside the paths given on the command line');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
