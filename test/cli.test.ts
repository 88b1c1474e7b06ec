/**
 * The built CLI (dist/cli.js), run as a user runs it: exit codes, flags, file walking and
 * the JSON schema of SPEC §6. `npm test` builds first.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import pkg from '../package.json';
import { NODE_PROGRAM, PYTHON_PROGRAM, makeTree, runCli, type CliRun } from './support/programs';

const CLEAN_PROGRAM: Record<string, string> = {
  'main.py': 'def square(x):\n    return x * x\n\nprint(square(3))\n',
  'util.js': 'module.exports.add = (a, b) => a + b;\n',
};

interface JsonOut {
  version: number;
  findings: Array<Record<string, unknown> & { file: string; line: number; rule: string; severity: string; symbol: string }>;
  stats: { files: number; durationMs: number };
}

function json(run: CliRun): JsonOut {
  assert.equal(run.stderr, '', `no stderr expected, got: ${run.stderr}`);
  return JSON.parse(run.stdout) as JsonOut;
}

const prefixed = (prefix: string, files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [`${prefix}/${k}`, v]));

describe('CLI (dist/cli.js)', () => {
  const made: string[] = [];
  const tree = (files: Record<string, string | Buffer>) => {
    const root = makeTree(files);
    made.push(root);
    return root;
  };
  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 on clean code with one line saying so (none with --quiet)', () => {
    const root = tree(CLEAN_PROGRAM);
    const run = runCli(root);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'No problems found in 2 files.\n');
    assert.equal(runCli(root, '--quiet').stdout, '');
    const out = json(runCli(root, '--format', 'json'));
    assert.deepEqual(out.findings, []);
    assert.equal(out.stats.files, 2);
  });

  it('reports the JSON schema of SPEC §6 with 1-based positions and relative paths', () => {
    const root = tree({ ...prefixed('node', NODE_PROGRAM), ...prefixed('py', PYTHON_PROGRAM) });
    const run = runCli(root, '--format', 'json');
    assert.equal(run.code, 0, 'warnings only: exit 0');
    const out = json(run);
    assert.deepEqual(Object.keys(out).sort(), ['findings', 'skipped', 'stats', 'version']);
    assert.equal(out.version, 1);
    assert.deepEqual(Object.keys(out.stats).sort(), ['durationMs', 'files']);
    assert.equal(out.stats.files, 4);
    assert.ok(Number.isInteger(out.stats.durationMs) && out.stats.durationMs >= 0);

    const stale = out.findings.filter((f) => f.rule === 'stale-global-read');
    const worker = stale.find((f) => f.file === 'node/worker.js');
    assert.ok(worker, `expected stale-global-read in node/worker.js, got ${JSON.stringify(out.findings)}`);
    assert.equal(worker.line, 3);
    assert.equal(worker.severity, 'warning');
    const py = stale.find((f) => f.file === 'py/main.py');
    assert.ok(py, `expected stale-global-read in py/main.py, got ${JSON.stringify(out.findings)}`);
    assert.equal(py.line, 4);
    assert.equal(py.symbol, 'GREETING');

    for (const f of out.findings) {
      assert.deepEqual(
        Object.keys(f).sort(),
        ['column', 'endColumn', 'endLine', 'file', 'fixes', 'line', 'message', 'related', 'rule', 'severity', 'symbol'],
      );
      assert.ok(!f.file.includes('\\') && !path.isAbsolute(f.file), f.file);
      assert.ok((f['column'] as number) >= 1 && (f['endLine'] as number) >= f.line);
      assert.equal(typeof f['message'], 'string');
      for (const r of f['related'] as Array<Record<string, unknown>>) {
        assert.deepEqual(Object.keys(r).sort(), ['column', 'file', 'line', 'message']);
        assert.ok((r['line'] as number) >= 1 && (r['column'] as number) >= 1);
      }
      for (const fix of f['fixes'] as Array<Record<string, unknown>>) assert.deepEqual(Object.keys(fix), ['title']);
    }
    // The worker's finding points back at the parent's write.
    assert.ok(
      (worker['related'] as Array<{ file: string }>).some((r) => r.file === 'node/main.js'),
      'related location in node/main.js',
    );
  });

  it('prints stylish output without colours when piped', () => {
    const root = tree(NODE_PROGRAM);
    const run = runCli(root);
    assert.equal(run.code, 0);
    assert.ok(!run.stdout.includes('\u001b['), 'no ANSI escapes');
    assert.match(run.stdout, /^worker\.js$/m);
    assert.match(run.stdout, /^ {2}3:\d+ +warning +.+ +stale-global-read$/m);
    assert.match(run.stdout, /✖ \d+ problems? \(0 errors, \d+ warnings?\)/);
  });

  it('--rule changes severity (exit 1 on errors) and turns rules off', () => {
    const root = tree(NODE_PROGRAM);
    const asError = runCli(root, '--format', 'json', '--rule', 'stale-global-read=error');
    assert.equal(asError.code, 1);
    assert.ok(json(asError).findings.some((f) => f.rule === 'stale-global-read' && f.severity === 'error'));
    const off = runCli(root, '--format', 'json', '--rule', 'stale-global-read=off');
    assert.equal(off.code, 0);
    assert.ok(!json(off).findings.some((f) => f.rule === 'stale-global-read'));
  });

  it('--quiet reports errors only', () => {
    const root = tree(NODE_PROGRAM);
    const quiet = runCli(root, '--format', 'json', '--quiet');
    assert.equal(quiet.code, 0);
    assert.ok(json(quiet).findings.every((f) => f.severity === 'error'));
    assert.ok(!json(quiet).findings.some((f) => f.rule === 'stale-global-read'));
    const quietError = runCli(root, '--quiet', '--rule', 'stale-global-read=error');
    assert.equal(quietError.code, 1);
    assert.match(quietError.stdout, /stale-global-read/);
  });

  it('--max-warnings fails the run when warnings exceed it', () => {
    const root = tree(NODE_PROGRAM);
    const warnings = json(runCli(root, '--format', 'json')).findings.filter((f) => f.severity === 'warning').length;
    assert.ok(warnings >= 1);
    assert.equal(runCli(root, '--max-warnings', String(warnings - 1)).code, 1);
    assert.equal(runCli(root, '--max-warnings', String(warnings)).code, 0);
    assert.equal(runCli(root, '--max-warnings', '0', '--quiet').code, 0, '--quiet ignores warnings');
  });

  it('respects .gitignore files, including nested ones', () => {
    const root = tree({
      ...prefixed('ignored', PYTHON_PROGRAM),
      ...prefixed('sub/app', PYTHON_PROGRAM),
      ...prefixed('kept', PYTHON_PROGRAM),
      '.gitignore': 'ignored/\n',
      'sub/.gitignore': 'app/main.py\n',
    });
    const out = json(runCli(root, '--format', 'json'));
    assert.deepEqual([...new Set(out.findings.map((f) => f.file))], ['kept/main.py']);
    assert.equal(out.stats.files, 1);
  });

  it('skips node_modules, venv, .venv and __pycache__', () => {
    const root = tree({
      ...prefixed('node_modules/pkg', NODE_PROGRAM),
      ...prefixed('venv/lib', PYTHON_PROGRAM),
      ...prefixed('.venv/lib', PYTHON_PROGRAM),
      ...prefixed('__pycache__', PYTHON_PROGRAM),
      'ok.py': 'x = 1\n',
    });
    const out = json(runCli(root, '--format', 'json'));
    assert.deepEqual(out.findings, []);
    assert.equal(out.stats.files, 1);
  });

  it('analyses files and folders named on the command line', () => {
    const root = tree({ ...prefixed('a', PYTHON_PROGRAM), ...prefixed('b', PYTHON_PROGRAM) });
    const out = json(runCli(root, '--format', 'json', 'a/main.py'));
    assert.deepEqual([...new Set(out.findings.map((f) => f.file))], ['a/main.py']);
    assert.equal(out.stats.files, 1);
    const both = json(runCli(root, '--format', 'json', 'a', 'b/main.py'));
    assert.equal(both.stats.files, 2);
  });

  it('says which files it skipped: binary, non-UTF-8, oversized, unreadable', () => {
    const root = tree({
      'ok.py': 'x = 1\n',
      'binary.js': Buffer.from([0x63, 0x6f, 0x6e, 0x00, 0x01, 0x02, 0x00]),
      'latin1.py': Buffer.from('s = "caf\xe9"\n', 'latin1'),
      'huge.js': `// ${'x'.repeat(2 * 1024 * 1024 + 10)}\n`,
    });
    fs.symlinkSync(path.join(root, 'gone.py'), path.join(root, 'dangling.py'));
    const run = runCli(root, '--format', 'json');
    assert.equal(run.code, 0);
    const out = json(run) as JsonOut & { skipped: Array<{ file: string; reason: string; explicit: boolean; message: string }> };
    assert.equal(out.stats.files, 1);
    assert.deepEqual(
      out.skipped.map((s) => [s.file, s.reason, s.explicit]).sort(),
      [['binary.js', 'binary', false], ['dangling.py', 'unreadable', false], ['huge.js', 'too-large', false], ['latin1.py', 'not-utf8', false]],
    );
    for (const s of out.skipped) assert.ok(s.message.length > 0);

    const stylish = runCli(root);
    assert.equal(stylish.code, 0);
    assert.match(stylish.stdout, /^note: 4 files in the folders walked were skipped \(.*1 binary file.*1 larger than 2 MB.*\); --format json lists them\.$/m);
    assert.equal(stylish.stderr, '');
  });

  it('names each skipped file given on the command line; an unreadable named file is exit 2', () => {
    const root = tree({
      'ok.py': 'x = 1\n',
      'binary.js': Buffer.from([0x63, 0x00, 0x01]),
      'README.md': '# hi\n',
    });
    const stylish = runCli(root, 'ok.py', 'binary.js', 'README.md');
    assert.equal(stylish.code, 0);
    assert.match(stylish.stdout, /^note: binary\.js: skipped, binary file\.$/m);
    assert.match(stylish.stdout, /^note: README\.md: skipped, not a Python or JavaScript\/TypeScript file\.$/m);
    const asJson = runCli(root, '--format', 'json', 'binary.js');
    assert.equal(asJson.code, 0);
    assert.match(asJson.stderr, /^crossproc: note: binary\.js: skipped, binary file\.$/m);
    assert.deepEqual(JSON.parse(asJson.stdout).skipped, [{ file: 'binary.js', reason: 'binary', explicit: true, message: 'binary file' }]);
    fs.symlinkSync(path.join(root, 'gone.py'), path.join(root, 'dangling.py'));
    for (const named of ['dangling.py']) {
      const run = runCli(root, named);
      assert.equal(run.code, 2, named);
      assert.match(run.stderr, /^crossproc: cannot read 'dangling\.py'/);
    }
  });

  it('exits 2 with one line on usage errors', () => {
    const root = tree(CLEAN_PROGRAM);
    const cases: Array<[string[], RegExp]> = [
      [['--bogus'], /unknown option '--bogus'.*--help/i],
      [['--rule', 'no-such-rule=error'], /unknown rule 'no-such-rule'.*stale-global-read/],
      [['--rule', 'stale-global-read=loud'], /off, warning, error/],
      [['--rule', 'stale-global-read'], /ID=off\|warning\|error/],
      [['--format', 'xml'], /stylish, json, sarif/],
      [['--start-method', 'thread'], /portable, fork, spawn, forkserver/],
      [['--max-warnings=-1'], /whole number/],
      [['--max-warnings', '-1'], /'--max-warnings' needs a value/],
      [['--jobs', '0'], /invalid value '0' for --jobs: use a whole number of threads, 1 or more/],
      [['-j', 'two'], /invalid value 'two' for --jobs/],
      [['--format'], /'--format' needs a value/],
      [['does-not-exist'], /cannot read 'does-not-exist': no such file or directory/],
    ];
    for (const [args, message] of cases) {
      const run = runCli(root, ...args);
      assert.equal(run.code, 2, `${args.join(' ')}: exit code`);
      assert.equal(run.stdout, '', `${args.join(' ')}: no stdout`);
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${args.join(' ')}: one line, got ${run.stderr}`);
      assert.match(lines[0]!, /^crossproc: /);
      assert.match(lines[0]!, message, args.join(' '));
    }
  });

  it('accepts every --start-method and prints --version and --help', () => {
    const root = tree(CLEAN_PROGRAM);
    for (const method of ['portable', 'fork', 'spawn', 'forkserver']) {
      assert.equal(runCli(root, '--start-method', method).code, 0, method);
    }
    const version = runCli(root, '--version');
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), pkg.version);
    const help = runCli(root, '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--max-warnings/);
  });
});
