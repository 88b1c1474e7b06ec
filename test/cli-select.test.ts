/**
 * Which files and settings a run uses: -c/--config FILE, --exclude GLOB (repeatable,
 * gitignore-style, relative to the working folder), --no-ignore (walk what .gitignore skips).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PYTHON_PROGRAM, makeTree, runCli } from './support/programs';

const BUG = PYTHON_PROGRAM['main.py']!;

function analysed(root: string, ...args: string[]): { files: string[]; rules: string[]; severities: string[]; code: number | null; stderr: string } {
  const run = runCli(root, '--format', 'json', ...args);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const out = JSON.parse(run.stdout);
  return {
    files: [...new Set<string>(out.findings.map((f: { file: string }) => f.file))].sort(),
    rules: out.findings.map((f: { rule: string }) => f.rule),
    severities: out.findings.map((f: { severity: string }) => f.severity),
    code: run.code,
    stderr: run.stderr,
  };
}

describe('CLI -c/--config, --exclude, --no-ignore', function () {
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

  it('-c reads settings from the named file instead of the nearest one (crossproc.json, package.json, pyproject.toml)', () => {
    const root = tree({
      'crossproc.json': '{ "rules": { "stale-global-read": "off" } }',
      'ci/strict.json': '{ "rules": { "stale-global-read": "error" }, "ignore": ["skip/"] }',
      'ci/package.json': '{ "name": "x", "crossproc": { "rules": { "stale-global-read": "error" } } }',
      'ci/pyproject.toml': '[tool.crossproc]\nrules = { "stale-global-read" = "error" }\n',
      'app/main.py': BUG,
      'app/skip/main.py': BUG,
    });
    assert.deepEqual(analysed(root, 'app').files, [], 'the nearest file turns the rule off');
    const strict = analysed(root, 'app', '-c', 'ci/strict.json');
    assert.deepEqual(strict.severities, ['error', 'error'], '-c wins');
    assert.deepEqual(strict.files, ['app/main.py', 'app/skip/main.py'], "its ignore is relative to its own folder: ci/'s skip/ does not match app/skip");
    assert.deepEqual(analysed(root, 'app', '--config=ci/package.json').severities, ['error', 'error']);
    assert.deepEqual(analysed(root, 'app', '-c', 'ci/pyproject.toml').severities, ['error', 'error']);
    assert.deepEqual(analysed(root, 'app', '-c', 'ci/strict.json', '--rule', 'stale-global-read=warning').severities, ['warning', 'warning'], 'flags still win');
  });

  it('-c problems are exit 2 with one line', () => {
    const root = tree({
      'bad.json': '{ "rules": ',
      'package.json': '{ "name": "x" }',
      'main.py': BUG,
    });
    for (const [file, pattern] of [
      ['missing.json', /cannot read the configuration file 'missing\.json'/],
      ['bad.json', /bad\.json: invalid JSON/],
      ['package.json', /holds no Crossproc settings/],
    ] as const) {
      const run = runCli(root, '-c', file);
      assert.equal(run.code, 2, file);
      assert.match(run.stderr, pattern);
      assert.match(run.stderr, /^crossproc: [^\n]+\n$/, 'one line');
    }
    const invalid = tree({ 'c.json': '{ "rules": { "stale-global-read": "loud" } }', 'main.py': BUG });
    const run = runCli(invalid, '-c', 'c.json', '--format', 'json');
    assert.equal(run.code, 0, 'an invalid value is a warning; the rule keeps its default');
    assert.match(run.stderr, /warning: c\.json: "rules\.stale-global-read" must be/);
  });

  it('--exclude skips what gitignore-style patterns match (repeatable), named files are still analysed', () => {
    const root = tree({ 'a/main.py': BUG, 'b/main.py': BUG, 'c/gen_x.py': BUG, 'c/keep.py': BUG });
    assert.deepEqual(analysed(root).files, ['a/main.py', 'b/main.py', 'c/gen_x.py', 'c/keep.py']);
    assert.deepEqual(analysed(root, '--exclude', 'a/', '--exclude', 'gen_*.py').files, ['b/main.py', 'c/keep.py']);
    assert.deepEqual(analysed(root, '--exclude', '/c/*', '--exclude', '!keep.py').files, ['a/main.py', 'b/main.py', 'c/keep.py'], 'negation as in .gitignore');
    assert.deepEqual(analysed(root, '--exclude', 'a/', 'a/main.py', 'b').files, ['a/main.py', 'b/main.py'], 'a named file is asked for');
    const empty = runCli(root, '--exclude', '');
    assert.equal(empty.code, 2);
  });

  it('--no-ignore walks what .gitignore skips (the project file ignore and --exclude still apply)', () => {
    const root = tree({ '.gitignore': 'build/\n', 'build/main.py': BUG, 'gen/main.py': BUG, 'main.py': BUG, 'crossproc.json': '{ "ignore": ["gen/"] }' });
    fs.mkdirSync(path.join(root, '.git'));
    assert.deepEqual(analysed(root).files, ['main.py']);
    assert.deepEqual(analysed(root, '--no-ignore').files, ['build/main.py', 'main.py']);
    assert.deepEqual(analysed(root, '--no-ignore', '--exclude', 'build').files, ['main.py']);
  });
});
