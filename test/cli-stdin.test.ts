/**
 * `crossproc - --stdin-filename FILE`: the text comes from standard input and is analysed
 * with the rest of the project read from disk; only its findings are reported; with --fix
 * the fixed text goes to standard output (as `ruff check --fix -`) and the report to stderr.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, PYTHON_PROGRAM, makeTree } from './support/programs';

function runWithInput(cwd: string, input: string, ...args: string[]) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '' };
  delete env['FORCE_COLOR'];
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, input, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** tasks.py's task reads config.SETTINGS, which main.py changes before starting the pool. */
const PROJECT: Record<string, string> = {
  'config.py': 'SETTINGS = {"mode": "slow"}\n',
  'tasks.py': 'import config\n\ndef task(x):\n    return config.SETTINGS["mode"]\n',
  'main.py':
    'import config\nimport tasks\nfrom multiprocessing import Pool\n\nif __name__ == "__main__":\n' +
    '    config.SETTINGS["mode"] = "fast"\n    with Pool(2) as p:\n        print(p.map(tasks.task, [1]))\n',
  'other.py': PYTHON_PROGRAM['main.py']!,
};

describe('CLI standard input (-, --stdin-filename)', function () {
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

  it('analyses the text in its project: a worker module sees the parent of the other files on disk', () => {
    const root = tree(PROJECT);
    const run = runWithInput(root, PROJECT['tasks.py']!, '-', '--stdin-filename', 'tasks.py', '--format', 'json');
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(out.findings.map((f: { file: string; rule: string }) => `${f.file} ${f.rule}`), ['tasks.py stale-global-read'], 'only the stdin file (other.py has one too)');
    assert.equal(out.stats.files, 1);
  });

  it('the stdin text replaces the file on disk', () => {
    const root = tree(PROJECT);
    // main.py as typed in the editor: no longer changes the setting
    const edited = PROJECT['main.py']!.replace('    config.SETTINGS["mode"] = "fast"\n', '');
    const run = runWithInput(root, edited, '-', '--stdin-filename', 'main.py', '--format', 'json');
    assert.deepEqual(JSON.parse(run.stdout).findings, [], 'main.py itself has none');
    // the text of a file that is not on disk at all
    const fresh = runWithInput(root, PYTHON_PROGRAM['main.py']!, '-', '--stdin-filename', 'new/unsaved.py', '--format', 'json');
    assert.deepEqual(JSON.parse(fresh.stdout).findings.map((f: { file: string }) => f.file), ['new/unsaved.py']);
  });

  it('other paths given with - are its project (default: the current folder)', () => {
    const root = tree({ 'a/config.py': PROJECT['config.py']!, 'a/main.py': PROJECT['main.py']!, 'a/tasks.py': PROJECT['tasks.py']! });
    const inA = runWithInput(root, PROJECT['tasks.py']!, '-', 'a', '--stdin-filename', 'a/tasks.py', '--format', 'json');
    assert.equal(JSON.parse(inA.stdout).findings.length, 1);
    // with only the file's own folder as its project, the parent is missing: no finding
    const alone = runWithInput(root, PROJECT['tasks.py']!, '-', 'a/config.py', '--stdin-filename', 'a/tasks.py', '--format', 'json');
    assert.equal(JSON.parse(alone.stdout).findings.length, 0);
  });

  it('--fix prints the fixed text on stdout and the remaining report on stderr; nothing is written', () => {
    const root = tree(PROJECT);
    const run = runWithInput(root, PYTHON_PROGRAM['main.py']!, '-', '--stdin-filename', 'other.py', '--fix');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /initializer=/, 'the fixed text');
    assert.match(run.stdout, /^GREETING = None\n/);
    assert.match(run.stderr, /No problems found/);
    assert.equal(fs.readFileSync(path.join(root, 'other.py'), 'utf8'), PROJECT['other.py'], 'the file on disk is untouched');
    // nothing to fix: the text comes back as it was
    const clean = runWithInput(root, 'X = 1\n', '-', '--stdin-filename', 'x.py', '--fix');
    assert.equal(clean.stdout, 'X = 1\n');
  });

  it('--diff shows the fix of the stdin text', () => {
    const root = tree(PROJECT);
    const run = runWithInput(root, PYTHON_PROGRAM['main.py']!, '-', '--stdin-filename', 'other.py', '--diff');
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^--- a\/other\.py\n\+\+\+ b\/other\.py\n/);
    assert.match(run.stdout, /\+.*initializer=/);
  });

  it('usage errors: - without --stdin-filename, --stdin-filename without -, a name that is not source', () => {
    const root = tree(PROJECT);
    for (const args of [['-'], ['--stdin-filename', 'a.py'], ['-', '-', '--stdin-filename', 'a.py'], ['-', '--stdin-filename', 'notes.txt']]) {
      const run = runWithInput(root, 'X = 1\n', ...args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /^crossproc: [^\n]+\n$/, 'one line');
    }
  });
});
