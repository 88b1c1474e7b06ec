/**
 * `--statistics` / `--statistics=files` of the built CLI: the counts agree with the findings
 * the JSON format lists, as text (stylish) and as JSON.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { NODE_PROGRAM, PYTHON_PROGRAM, makeTree, runCli } from './support/programs';

interface Finding {
  file: string;
  rule: string;
  severity: string;
  fixes: { title: string }[];
}

const prefixed = (prefix: string, files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [`${prefix}/${k}`, v]));

// two unguarded spawns (errors, fixable) and a stale read (warning) in one file, plus the shared programs
const SPAWNS = 'from multiprocessing import Pool\n\ndef f(x):\n    return x\n\nPool(2).map(f, [1])\nPool(2).map(f, [2])\n';

describe('CLI --statistics', () => {
  let root: string;
  let findings: Finding[];
  before(() => {
    root = makeTree({ ...prefixed('node', NODE_PROGRAM), ...prefixed('py', PYTHON_PROGRAM), 'spawn.py': SPAWNS });
    findings = (JSON.parse(runCli(root, '--format', 'json').stdout) as { findings: Finding[] }).findings;
    assert.ok(findings.length >= 3, JSON.stringify(findings));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const count = (key: (f: Finding) => string) => {
    const m = new Map<string, number>();
    for (const f of findings) m.set(key(f), (m.get(key(f)) ?? 0) + 1);
    return m;
  };

  it('counts per rule as JSON, most first, matching the findings', () => {
    const run = runCli(root, '--statistics', '--format', 'json');
    const rows = JSON.parse(run.stdout) as Array<{ rule: string; count: number; errors: number; warnings: number; fixable: number }>;
    assert.deepEqual(new Map(rows.map((r) => [r.rule, r.count])), count((f) => f.rule));
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.count >= rows[i]!.count, 'sorted by count');
    for (const r of rows) {
      const mine = findings.filter((f) => f.rule === r.rule);
      assert.equal(r.errors, mine.filter((f) => f.severity === 'error').length);
      assert.equal(r.warnings + r.errors, r.count);
      assert.equal(r.fixable, mine.filter((f) => f.fixes.some((x) => !x.title.startsWith('Disable '))).length, r.rule);
    }
    const spawn = rows.find((r) => r.rule === 'unguarded-spawn');
    assert.equal(spawn?.count, 2);
    assert.equal(spawn?.errors, 2);
    assert.equal(run.code, 1, 'the exit code is still that of the findings');
  });

  it('counts per file with --statistics=files', () => {
    const rows = JSON.parse(runCli(root, '--statistics=files', '--format', 'json').stdout) as Array<{ file: string; count: number }>;
    assert.deepEqual(new Map(rows.map((r) => [r.file, r.count])), count((f) => f.file));
    assert.equal(rows[0]!.file, 'spawn.py');
  });

  it('prints aligned rows and a total as text instead of the findings', () => {
    const run = runCli(root, '--statistics');
    const lines = run.stdout.trimEnd().split('\n');
    const rows = lines.slice(0, lines.indexOf(''));
    assert.equal(rows.length, count((f) => f.rule).size);
    assert.ok(rows.includes(`2  ${'unguarded-spawn'.padEnd(17)}  2 errors, 2 fixable`), rows.join('\n'));
    assert.equal(rows.indexOf('2  stale-global-read  2 warnings, 2 fixable'), 0, 'ties sorted by name');
    for (const r of rows) assert.equal(r.indexOf('  ') + 2, rows[0]!.indexOf('  ') + 2, 'columns line up');
    assert.match(lines.at(-1)!, new RegExp(`^${findings.length} problems in ${count((f) => f.file).size} files \\(5 files analysed\\)\\.$`));
    assert.doesNotMatch(run.stdout, /is set by the parent/, 'no finding messages');
    const files = runCli(root, '--statistics=files').stdout;
    assert.match(files, /^2 {2}spawn\.py +2 errors, 2 fixable$/m);
  });

  it('a clean run and --quiet; bad values and formats are usage errors', () => {
    const clean = makeTree({ 'a.py': 'print(1)\n' });
    try {
      assert.equal(runCli(clean, '--statistics').stdout, 'No problems found in 1 file.\n');
      assert.equal(runCli(clean, '--statistics', '-q').stdout, '');
      assert.equal(runCli(clean, '--statistics', '-f', 'json').stdout, '[]\n');
    } finally {
      fs.rmSync(clean, { recursive: true, force: true });
    }
    const quiet = JSON.parse(runCli(root, '--statistics', '-q', '-f', 'json').stdout) as Array<{ warnings: number }>;
    assert.ok(quiet.every((r) => r.warnings === 0), '--quiet counts errors only');
    for (const args of [['--statistics=rule'], ['--statistics', '--format', 'sarif']]) {
      const run = runCli(root, ...args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /^crossproc: .*\n$/);
    }
    // after `--` it is a path
    assert.match(runCli(root, '--', '--statistics').stderr, /cannot read '--statistics'/);
  });
});
