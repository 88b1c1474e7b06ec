/**
 * Crossproc as someone outside this repository gets it (issue 14):
 *
 * 1. `npm pack` (its `prepack` is the production build) gives a tarball with the bundles,
 *    the two .wasm files and the rule docs — no sources, no source maps.
 * 2. Installed into an empty folder (`npm install ./crossproc-X.tgz`, no dev dependencies:
 *    everything is bundled, so nothing else is installed), `npx crossproc --version`, an
 *    analysis of a project in that folder (`npx crossproc .`), `npx crossproc rule` and a
 *    self-contained SARIF log work.
 * 3. The pre-commit hook (`.pre-commit-hooks.yaml`) installed by Debian's `pre-commit` from
 *    a snapshot of this working tree: a commit of a file with a cross-process bug is refused
 *    with the finding, a commit without one goes through. Skipped, saying so, when
 *    `pre-commit` is not installed (`.ci/run` installs it).
 *
 * Not part of `npm test` (packing and installing take a minute, pre-commit's environment a
 * few more): `npm run test:package`, which `.ci/run` runs.
 */
import { strict as assert } from 'node:assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function run(cmd: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): SpawnSyncReturns<string> {
  // a colour-neutral environment, without the CI variables that change SARIF/annotation paths
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GITHUB_WORKSPACE: undefined };
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...base, ...env }, timeout: 600000 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A small project with one Python and one Node.js cross-process bug. */
const PROJECT: Record<string, string> = {
  'py/main.py': [
    'from multiprocessing import Pool',
    '',
    'GREETING = None',
    '',
    '',
    'def task(x):',
    '    return f"{GREETING} {x}"',
    '',
    '',
    'if __name__ == "__main__":',
    '    GREETING = "Hello"',
    '    with Pool(2) as p:',
    '        print(p.map(task, [1, 2]))',
    '',
  ].join('\n'),
  'js/results.js': 'module.exports.results = [];\n',
  'js/worker.js': "const { workerData } = require('node:worker_threads');\nconst { results } = require('./results');\nresults.push(workerData);\n",
  'js/main.js': [
    "const { Worker } = require('node:worker_threads');",
    "const { results } = require('./results');",
    "const w = new Worker(require('node:path').join(__dirname, 'worker.js'), { workerData: 2 });",
    "w.on('exit', () => console.log(results));",
    '',
  ].join('\n'),
};

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

describe('the npm package and the pre-commit hook, installed outside the repository', function () {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-package-'));
  let tarball = '';
  let app = '';

  before(function () {
    // npm prints the tarball's name last; the prepack build runs in the background (.npmrc)
    const out = ok(run('npm', ['pack', '--pack-destination', tmp], ROOT), 'npm pack');
    tarball = path.join(tmp, out.trim().split('\n').pop()!);
    assert.ok(fs.existsSync(tarball), `no tarball at ${tarball}`);
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('packs the bundles, the .wasm files and the rule docs, and nothing of the sources', () => {
    const files = ok(run('tar', ['tzf', tarball], tmp), 'tar').trim().split('\n').sort();
    for (const f of ['dist/cli.js', 'dist/server.js', 'dist/tree-sitter.wasm', 'dist/tree-sitter-python.wasm', 'rules/stale-global-read.md', 'README.md', 'LICENSE', 'package.json']) {
      assert.ok(files.includes(`package/${f}`), `${f} is not in the package: ${files.join(', ')}`);
    }
    assert.deepEqual(files.filter((f) => /\.map$|\/(server|client|test|fixtures)\/|\.ts$/.test(f)), []);
    const pkg = JSON.parse(ok(run('tar', ['xzOf', tarball, 'package/package.json'], tmp), 'tar')) as { private?: boolean; bin: Record<string, string>; dependencies?: object };
    assert.equal(pkg.private, undefined);
    assert.equal(pkg.bin['crossproc'], './dist/cli.js');
    assert.equal(pkg.dependencies, undefined, 'the bundles need no dependency at run time');
  });

  it('installs into an empty folder with nothing else, and npx crossproc runs', () => {
    app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    ok(run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', tarball], app), 'npm install');
    assert.deepEqual(fs.readdirSync(path.join(app, 'node_modules')).filter((n) => !n.startsWith('.')), ['crossproc']);
    assert.equal(ok(run('npx', ['--no-install', 'crossproc', '--version'], app), 'npx crossproc --version').trim(), VERSION);
  });

  it('analyses a project: npx crossproc .', () => {
    assert.ok(app, 'installed');
    writeTree(app, PROJECT);
    const r = run('npx', ['--no-install', 'crossproc', '.'], app);
    // lost-global-write is an error: exit 1
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /py\/main\.py\n\s+7:15\s+warning\s+'GREETING' is set by the parent[\s\S]*stale-global-read/);
    assert.match(r.stdout, /js\/worker\.js\n\s+3:1\s+error\s+[\s\S]*lost-global-write/);
    assert.doesNotMatch(r.stdout, /node_modules/);
    const json = JSON.parse(run('npx', ['--no-install', 'crossproc', '--format', 'json', '.'], app).stdout) as { findings: Array<{ file: string; rule: string }> };
    assert.deepEqual(json.findings.map((f) => `${f.file} ${f.rule}`).sort(), ['js/worker.js lost-global-write', 'py/main.py stale-global-read']);
  });

  it('prints rule docs and a self-contained SARIF log from the installed package', () => {
    assert.ok(app, 'installed');
    assert.match(ok(run('npx', ['--no-install', 'crossproc', 'rule', 'unguarded-spawn'], app), 'crossproc rule'), /^unguarded-spawn\n=+\n/);
    const sarif = run('npx', ['--no-install', 'crossproc', '--format', 'sarif', '-o', 'crossproc.sarif', '.'], app);
    assert.equal(sarif.status, 1, sarif.stderr);
    const text = fs.readFileSync(path.join(app, 'crossproc.sarif'), 'utf8');
    const log = JSON.parse(text) as { runs: Array<{ tool: { driver: { rules: Array<{ help?: { markdown: string } }> } }; results: unknown[] }> };
    assert.equal(log.runs[0]!.results.length, 2);
    assert.ok(log.runs[0]!.tool.driver.rules.every((r) => r.help?.markdown.startsWith('# ')), 'rule docs embedded');
    assert.ok(!text.includes('node_modules'), 'no path into the installed package');
  });

  describe('pre-commit hook', function () {
    const precommit = run('pre-commit', ['--version'], os.tmpdir());

    it('refuses a commit that adds a cross-process bug, accepts one that does not', function () {
      if (precommit.status !== 0) {
        console.log('      pre-commit is not installed here (apt-get install -y pre-commit; .ci/run installs it): skipped');
        this.skip();
      }
      // the hook repository: a snapshot of this working tree (tracked and new files), committed
      const hookRepo = path.join(tmp, 'hook-repo');
      fs.mkdirSync(hookRepo);
      const listed = ok(run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT), 'git ls-files').split('\0').filter(Boolean);
      for (const f of listed) {
        const src = path.join(ROOT, f);
        if (!fs.existsSync(src) || fs.statSync(src).isDirectory()) continue;
        fs.mkdirSync(path.dirname(path.join(hookRepo, f)), { recursive: true });
        fs.copyFileSync(src, path.join(hookRepo, f));
      }
      const git = (cwd: string, ...args: string[]) => ok(run('git', ['-c', 'user.name=Crossproc test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], cwd), `git ${args[0]}`);
      git(hookRepo, 'init', '-q');
      git(hookRepo, 'add', '-A');
      git(hookRepo, 'commit', '-q', '-m', 'snapshot');
      const rev = git(hookRepo, 'rev-parse', 'HEAD').trim();

      // the user's repository, with the hook installed as the README shows
      const user = path.join(tmp, 'user-repo');
      fs.mkdirSync(user);
      git(user, 'init', '-q');
      fs.writeFileSync(path.join(user, '.pre-commit-config.yaml'), `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: crossproc\n`);
      fs.writeFileSync(path.join(user, 'README.md'), '# demo\n');
      const env = { PRE_COMMIT_HOME: path.join(tmp, 'pre-commit-home') };
      ok(run('pre-commit', ['install'], user, env), 'pre-commit install');
      git(user, 'add', '-A');
      git(user, 'commit', '-q', '-m', 'config');

      // a bug: the commit is refused and the finding is shown
      writeTree(user, { 'main.py': PROJECT['py/main.py']! });
      git(user, 'add', 'main.py');
      const refused = run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-m', 'add main.py'], user, env);
      assert.notEqual(refused.status, 0, `the commit went through:\n${refused.stdout}\n${refused.stderr}`);
      const shown = refused.stdout + refused.stderr;
      assert.match(shown, /crossproc\.+Failed/);
      assert.match(shown, /main\.py[\s\S]*stale-global-read/);

      // fixed (the value passed through the initializer): the commit goes through
      writeTree(user, {
        'main.py': PROJECT['py/main.py']!.replace(
          'def task(x):',
          'def init(greeting):\n    global GREETING\n    GREETING = greeting\n\n\ndef task(x):',
        ).replace('with Pool(2) as p:', 'with Pool(2, initializer=init, initargs=(GREETING,)) as p:'),
      });
      git(user, 'add', 'main.py');
      const accepted = run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-m', 'add main.py'], user, env);
      assert.equal(accepted.status, 0, `${accepted.stdout}\n${accepted.stderr}`);
      assert.match(accepted.stdout + accepted.stderr, /crossproc\.+Passed/);
    });
  });
});
