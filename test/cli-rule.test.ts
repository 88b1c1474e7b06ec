/**
 * `crossproc rule ID` / `crossproc rule --all` (dist/cli.js): the shipped rule docs as
 * plain text, and that the docs travel with the packaged CLI.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULE_IDS } from '../server/src/engine/findings';
import { renderRuleDoc } from '../server/src/cli/rule';
import { runCli, runCliWithEnv } from './support/programs';

const ROOT = path.join(__dirname, '..');
const ANSI = /\u001b\[/;

describe('crossproc rule', () => {
  it('prints one rule as plain text: title, sections, examples, no Markdown syntax', () => {
    const run = runCli(os.tmpdir(), 'rule', 'stale-global-read');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const lines = run.stdout.split('\n');
    assert.equal(lines[0], 'stale-global-read');
    assert.equal(lines[1], '='.repeat('stale-global-read'.length));
    for (const section of ['What it does', 'Why is this bad?', 'Example', 'Use instead', 'Fix safety', 'Suppressing']) {
      const at = lines.indexOf(section);
      assert.ok(at > 0, `section '${section}' missing`);
      assert.equal(lines[at + 1], '-'.repeat(section.length));
    }
    assert.doesNotMatch(run.stdout, ANSI, 'no colour when stdout is not a terminal');
    assert.doesNotMatch(run.stdout, /^```/m, 'code fences are rendered as indented blocks');
    assert.doesNotMatch(run.stdout, /\*\*/, 'bold markers are removed');
    assert.match(run.stdout, /^ {4}\(python, bad\)$/m, 'the bad example is labelled');
    assert.match(run.stdout, /^ {4}from multiprocessing import Pool$/m, 'example code is indented');
    assert.match(run.stdout, /worker_threads <https:\/\/nodejs\.org\/api\/worker_threads\.html>/, 'links keep their address');
  });

  it('--all prints every rule, in SPEC order', () => {
    const run = runCli(os.tmpdir(), 'rule', '--all');
    assert.equal(run.code, 0, run.stderr);
    const titles = run.stdout.split('\n').filter((l, i, all) => /^=+$/.test(all[i + 1] ?? '') && l !== '');
    assert.deepEqual(titles, [...RULE_IDS]);
  });

  it('--format json gives each rule id, severity, description and its Markdown doc', () => {
    const run = runCli(os.tmpdir(), 'rule', 'unguarded-spawn', 'lost-global-write', '--format', 'json');
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as Array<{ id: string; defaultSeverity: string; description: string; doc: string }>;
    assert.deepEqual(out.map((r) => r.id), ['unguarded-spawn', 'lost-global-write']);
    assert.equal(out[0]!.defaultSeverity, 'error');
    assert.equal(out[0]!.doc, fs.readFileSync(path.join(ROOT, 'rules', 'unguarded-spawn.md'), 'utf8'));
  });

  it('colours headings only when asked: --color, FORCE_COLOR; --no-color wins over FORCE_COLOR', () => {
    assert.match(runCli(os.tmpdir(), 'rule', 'unguarded-spawn', '--color').stdout, ANSI);
    assert.match(runCliWithEnv(os.tmpdir(), { FORCE_COLOR: '1' }, 'rule', 'unguarded-spawn').stdout, ANSI);
    assert.doesNotMatch(runCliWithEnv(os.tmpdir(), { FORCE_COLOR: '0' }, 'rule', 'unguarded-spawn').stdout, ANSI);
    assert.doesNotMatch(runCliWithEnv(os.tmpdir(), { FORCE_COLOR: '1' }, 'rule', 'unguarded-spawn', '--no-color').stdout, ANSI);
  });

  it('an unknown rule, no rule, or --all with ids is a usage error (exit 2, one line)', () => {
    for (const args of [['rule', 'no-such-rule'], ['rule'], ['rule', '--all', 'unguarded-spawn'], ['rule', '--bogus']]) {
      const run = runCli(os.tmpdir(), ...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^crossproc: .+\n$/, run.stderr);
    }
    assert.match(runCli(os.tmpdir(), 'rule', 'nope').stderr, /unknown rule 'nope': use one of stale-global-read/);
  });

  it('renders nested fences and headings of every level', () => {
    const text = renderRuleDoc('# T\n\n### Sub\n\n````md\n```js\nx\n```\n````\n**b** [l](x.md)\n', false);
    assert.equal(text, 'T\n=\n\nSub\n\n    (md)\n    ```js\n    x\n    ```\nb l\n');
    // a code span is code, not a link
    assert.equal(renderRuleDoc('`handlers[msg.type](msg)` and [l](x.md)\n', false), '`handlers[msg.type](msg)` and l\n');
  });

  it('works from the packaged CLI: npm pack ships every rule doc, and the installed layout finds them', function () {
    this.timeout(120000);
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const files = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    for (const id of RULE_IDS) assert.ok(files.includes(`rules/${id}.md`), `rules/${id}.md is not packaged`);
    assert.ok(files.includes('dist/cli.js'));
    // copy exactly the packaged files elsewhere and run the CLI from there
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-pack-'));
    try {
      for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
      }
      const run = spawnSync(process.execPath, [path.join(dir, 'dist', 'cli.js'), 'rule', '--all'], { cwd: os.tmpdir(), encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      for (const id of RULE_IDS) assert.match(run.stdout, new RegExp(`^${id}$`, 'm'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
