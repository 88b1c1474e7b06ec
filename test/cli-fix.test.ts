/**
 * `crossproc --fix` applies each finding's preferred fix to the files on disk, through the
 * same fix code the editor uses, and reports only what is left.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
