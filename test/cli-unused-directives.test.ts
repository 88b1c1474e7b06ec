/**
 * --report-unused-disable-directives[-severity]: suppression comments that suppress
 * nothing are reported (Python `# crossproc: disable...`, JS `// crossproc-disable-...`,
 * file-level forms), and --fix removes them (or only their unused rule ids).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findDirectives, unusedDirectives, withoutUnusedDirectives } from '../server/src/cli/directives';
import { PYTHON_PROGRAM, makeTree, runCli } from './support/programs';

const BUG = PYTHON_PROGRAM['main.py']!;
/** the stale read of BUG (line 4) suppressed */
const USED = BUG.replace('    return f"{GREETING} {x}"\n', '    return f"{GREETING} {x}"  # crossproc: disable=stale-global-read\n');

interface Row {
  file: string;
  line: number;
  rule: string;
  severity: string;
  message: string;
}

function report(root: string, ...args: string[]): { rows: Row[]; code: number | null } {
  const run = runCli(root, '--format', 'json', ...args);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  return { rows: JSON.parse(run.stdout).findings, code: run.code };
}

describe('CLI --report-unused-disable-directives', function () {
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

  it('reports directives that suppress nothing, not those that do; off by default', () => {
    const root = tree({
      'used.py': USED,
      'unused.py': 'X = 1  # crossproc: disable=stale-global-read\n# crossproc: disable-next-line\nY = 2\n',
      'partly.py': USED.replace('disable=stale-global-read', 'disable=stale-global-read, lost-global-write'),
      'whole.py': '# crossproc: disable-file=unguarded-spawn\nX = 1\n',
      'typo.py': 'X = 1  # crossproc: disable=stale-global-reed\n',
      'w.js': "// crossproc-disable-next-line lost-global-write -- legacy\nlet x = 1;\n/* crossproc-disable stale-global-read */\n",
    });
    assert.deepEqual(report(root).rows, [], 'off by default');
    const { rows, code } = report(root, '--report-unused-disable-directives');
    assert.equal(code, 1, 'errors');
    assert.deepEqual(
      rows.map((r) => `${r.file}:${r.line} ${r.rule} ${r.severity}`),
      [
        'partly.py:4 unused-disable-directive error',
        'typo.py:1 unused-disable-directive error',
        'unused.py:1 unused-disable-directive error',
        'unused.py:2 unused-disable-directive error',
        'w.js:1 unused-disable-directive error',
        'w.js:3 unused-disable-directive error',
        'whole.py:1 unused-disable-directive error',
      ],
    );
    assert.match(rows[0]!.message, /no problems were reported from 'lost-global-write'\)/);
    assert.doesNotMatch(rows[0]!.message, /stale-global-read/, 'the used id is not named');
    const warn = report(root, '--report-unused-disable-directives-severity', 'warning');
    assert.equal(warn.code, 0);
    assert.ok(warn.rows.every((r) => r.severity === 'warning'));
    assert.deepEqual(report(root, '--report-unused-disable-directives-severity=off').rows, []);
  });

  it('the project file sets the severity; the flag overrides it', () => {
    const root = tree({ 'crossproc.json': '{ "reportUnusedDisableDirectives": "warning" }', 'a.py': 'X = 1  # crossproc: disable\n' });
    assert.deepEqual(report(root).rows.map((r) => r.severity), ['warning']);
    assert.deepEqual(report(root, '--report-unused-disable-directives').rows.map((r) => r.severity), ['error']);
    const bad = tree({ 'crossproc.json': '{ "reportUnusedDisableDirectives": true }', 'a.py': 'X = 1  # crossproc: disable\n' });
    const run = runCli(bad, '--format', 'json');
    assert.match(run.stderr, /"reportUnusedDisableDirectives" must be "off", "warning" or "error"/);
  });

  it('a directive for a rule that is turned off is not judged', () => {
    const root = tree({ 'a.py': 'X = 1  # crossproc: disable=stale-global-read\n' });
    assert.equal(report(root, '--report-unused-disable-directives').rows.length, 1);
    assert.equal(report(root, '--report-unused-disable-directives', '--rule', 'stale-global-read=off').rows.length, 0);
  });

  it('--fix removes them (whole comments, whole comment lines, or the unused ids) and keeps the used ones', () => {
    const files = {
      'used.py': USED,
      'unused.py': 'X = 1  # crossproc: disable=stale-global-read\n# crossproc: disable-next-line\nY = 2  # note\nZ = 3  # crossproc: disable  # noqa\n',
      'partly.py': USED.replace('disable=stale-global-read', 'disable=lost-global-write, stale-global-read'),
      'w.js': "let a = 1; // crossproc-disable-line lost-global-write\n/* crossproc-disable stale-global-read */\nlet b = 2;\n",
    };
    const root = tree(files);
    const run = runCli(root, '--report-unused-disable-directives', '--fix', '--rule', 'stale-global-read=off');
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
    assert.equal(read('used.py'), USED, 'rule off: not judged, left alone');
    assert.equal(read('unused.py'), 'X = 1  # crossproc: disable=stale-global-read\nY = 2  # note\nZ = 3  # noqa\n', 'stale-global-read is off: that one stays');
    assert.equal(read('w.js'), 'let a = 1;\n/* crossproc-disable stale-global-read */\nlet b = 2;\n');
    const again = tree(files);
    assert.equal(runCli(again, '--report-unused-disable-directives', '--fix').code, 0);
    assert.equal(fs.readFileSync(path.join(again, 'partly.py'), 'utf8'), USED, 'only the unused id removed');
    assert.equal(fs.readFileSync(path.join(again, 'used.py'), 'utf8'), USED);
    assert.deepEqual(report(again, '--report-unused-disable-directives').rows, [], 'nothing left to report');
  });

  it('finds directives with their ranges as the front ends read them', () => {
    const py = 'a = 1  # crossproc: disable=x, y\n#crossproc:disable-next-line\nb = 2\n    # crossproc: disable-file\nc = 3  # crossproc: disable-file\n';
    assert.deepEqual(
      findDirectives('/p/a.py', py).map((d) => [py.slice(d.start, d.end), d.from, d.to, d.ids.map((t) => t.id)]),
      [
        ['# crossproc: disable=x, y', 0, 0, ['x', 'y']],
        ['#crossproc:disable-next-line', 2, 2, []],
        ['# crossproc: disable-file', 0, Infinity, []],
      ],
      'a file-level directive after code is not one (as the front end reads it)',
    );
    const js = "x(); /* crossproc-disable-line a, b */ y();\n// crossproc-disable-next-line c -- why\n";
    assert.deepEqual(
      findDirectives('/p/a.ts', js).map((d) => [js.slice(d.start, d.end), d.from, d.ids.map((t) => t.id), d.lineComment]),
      [
        ['/* crossproc-disable-line a, b */', 0, ['a', 'b'], false],
        ['// crossproc-disable-next-line c -- why', 2, ['c'], true],
      ],
    );
    const unused = unusedDirectives('/p/a.ts', js, [], () => true);
    assert.equal(withoutUnusedDirectives(js, unused), 'x(); y();\n');
  });
});
