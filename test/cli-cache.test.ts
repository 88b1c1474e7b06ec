/**
 * --cache / --cache-location: results are reused only when the file and every module its
 * analysis depends on are unchanged. The tests tamper with a cached message to see which
 * results were reused (a reused one keeps the tampered text; a re-analysed one does not).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTree, runCli } from './support/programs';

/** A pool task in tasks.py reads config.SETTINGS, which main.py (the parent) changes: stale-global-read in tasks.py. */
const PROGRAM: Record<string, string> = {
  'config.py': 'SETTINGS = {"mode": "slow"}\n',
  'tasks.py': 'import config\n\ndef task(x):\n    return config.SETTINGS["mode"]\n',
  'main.py':
    'import config\nimport tasks\nfrom multiprocessing import Pool\n\nif __name__ == "__main__":\n' +
    '    config.SETTINGS["mode"] = "fast"\n    with Pool(2) as p:\n        print(p.map(tasks.task, [1]))\n',
  // unrelated to the others: its own component
  'alone.py':
    'G = None\n\ndef task(x):\n    return G\n\nif __name__ == "__main__":\n    from multiprocessing import Pool\n    G = 1\n' +
    '    with Pool(2) as p:\n        print(p.map(task, [1]))\n',
};

const TAMPERED = 'tampered: this text comes from the cache';

interface CacheData {
  key: string;
  files: Record<string, { hash: string; group: string; findings: Array<{ message: string }> }>;
}

function findings(root: string, ...args: string[]): Array<{ file: string; message: string; rule: string }> {
  const run = runCli(root, '--format', 'json', ...args);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  return JSON.parse(run.stdout).findings;
}

describe('CLI --cache', function () {
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

  const cachePath = (root: string) => path.join(root, '.crossproccache');
  const readCache = (root: string, file = cachePath(root)) => JSON.parse(fs.readFileSync(file, 'utf8')) as CacheData;
  /** Replaces the cached messages of `name`'s findings. */
  const tamper = (root: string, name: string, file = cachePath(root)) => {
    const data = readCache(root, file);
    const entry = data.files[path.join(fs.realpathSync(root), name)] ?? data.files[path.join(root, name)];
    assert.ok(entry && entry.findings.length > 0, `${name} has cached findings`);
    for (const f of entry.findings) f.message = TAMPERED;
    fs.writeFileSync(file, JSON.stringify(data));
  };

  it('gives the same findings as a run without it, and reuses unchanged results on the second run', () => {
    const root = tree(PROGRAM);
    const plain = findings(root);
    assert.deepEqual(plain.map((f) => f.file).sort(), ['alone.py', 'tasks.py']);
    assert.deepEqual(findings(root, '--cache'), plain, 'first run (writes the cache)');
    assert.ok(fs.existsSync(cachePath(root)));
    assert.deepEqual(findings(root, '--cache'), plain, 'second run (reads it)');
    tamper(root, 'tasks.py');
    assert.equal(findings(root, '--cache').find((f) => f.file === 'tasks.py')?.message, TAMPERED, 'reused from the cache');
    assert.notEqual(findings(root).find((f) => f.file === 'tasks.py')?.message, TAMPERED, 'without --cache: analysed');
  });

  it('editing the module that starts the workers re-analyses the worker module (unchanged itself)', () => {
    const root = tree(PROGRAM);
    findings(root, '--cache');
    tamper(root, 'tasks.py');
    tamper(root, 'alone.py');
    // the parent no longer changes the setting: the finding in tasks.py must go
    fs.writeFileSync(path.join(root, 'main.py'), PROGRAM['main.py']!.replace('    config.SETTINGS["mode"] = "fast"\n', ''));
    const after = findings(root, '--cache');
    assert.deepEqual(after.map((f) => f.file), ['alone.py'], 'tasks.py re-analysed: no finding left');
    assert.equal(after[0]!.message, TAMPERED, 'alone.py (another component) reused');
  });

  it('editing a module the worker reads re-analyses it; the cache never outlives a changed dependency', () => {
    const root = tree(PROGRAM);
    findings(root, '--cache');
    tamper(root, 'tasks.py');
    fs.writeFileSync(path.join(root, 'config.py'), '# settings\nSETTINGS = {"mode": "slow", "level": 1}\n');
    const tasks = findings(root, '--cache').find((f) => f.file === 'tasks.py');
    assert.ok(tasks, 'still a finding');
    assert.notEqual(tasks.message, TAMPERED, 're-analysed after its dependency changed');
    assert.match(tasks.message, /"level": 1/, 'with the new import-time value');
  });

  it('JS: a worker module depends on the file that names it in new Worker(...), with no import between them', () => {
    const root = tree({
      'main.js': "const { Worker } = require('node:worker_threads');\nnew Worker('./worker.js');\n",
      'worker.js': "const { parentPort } = require('node:worker_threads');\nconst seen = [];\nparentPort.on('message', (m) => { seen.push(m); });\n",
    });
    assert.deepEqual(findings(root, '--cache').map((f) => `${f.file} ${f.rule}`), ['worker.js lost-global-write']);
    tamper(root, 'worker.js');
    // main.js no longer starts the worker: worker.js is not worker code any more
    fs.writeFileSync(path.join(root, 'main.js'), "const { Worker } = require('node:worker_threads');\n");
    assert.deepEqual(findings(root, '--cache'), []);
  });

  it('a changed file that now imports another component brings that component in', () => {
    const root = tree({
      ...PROGRAM,
      'lonely.py': 'COUNT = 0\n\ndef work(x):\n    return COUNT + x\n',
    });
    assert.deepEqual(findings(root, '--cache').map((f) => f.file).sort(), ['alone.py', 'tasks.py']);
    // main.py now starts lonely.work after changing lonely.COUNT: the finding is in lonely.py, which did not change
    fs.writeFileSync(
      path.join(root, 'main.py'),
      PROGRAM['main.py']! + '        import lonely\n        lonely.COUNT = 5\n        print(p.map(lonely.work, [1]))\n',
    );
    const plain = findings(root);
    assert.ok(plain.some((f) => f.file === 'lonely.py'), 'the analysis finds it');
    assert.deepEqual(findings(root, '--cache'), plain);
  });

  it('another tool build, other settings, or an added file invalidate everything', () => {
    const root = tree(PROGRAM);
    findings(root, '--cache');
    tamper(root, 'alone.py');
    assert.notEqual(findings(root, '--cache', '--start-method', 'spawn').find((f) => f.file === 'alone.py')?.message, TAMPERED, 'start method');
    findings(root, '--cache');
    tamper(root, 'alone.py');
    assert.notEqual(findings(root, '--cache', '--rule', 'unguarded-spawn=off').find((f) => f.file === 'alone.py')?.message, TAMPERED, 'rule levels');
    findings(root, '--cache');
    tamper(root, 'alone.py');
    const data = readCache(root);
    data.key = 'another-build';
    fs.writeFileSync(cachePath(root), JSON.stringify(data));
    assert.notEqual(findings(root, '--cache').find((f) => f.file === 'alone.py')?.message, TAMPERED, 'key (tool version/build)');
    tamper(root, 'alone.py');
    fs.writeFileSync(path.join(root, 'new.py'), 'X = 1\n');
    assert.notEqual(findings(root, '--cache').find((f) => f.file === 'alone.py')?.message, TAMPERED, 'a file added');
  });

  it('notebooks: reused findings get the same cell positions and messages', () => {
    const root = makeTree({});
    made.push(root);
    fs.cpSync(path.join(__dirname, '..', 'fixtures', 'notebooks'), root, { recursive: true });
    const plain = findings(root);
    assert.ok(plain.some((f) => f.file.endsWith('.ipynb')), 'the fixtures have notebook findings');
    findings(root, '--cache');
    assert.deepEqual(findings(root, '--cache'), plain);
  });

  it('--cache-location names the file or a folder; an unreadable cache is ignored', () => {
    const root = tree(PROGRAM);
    findings(root, '--cache', '--cache-location', 'sub/my.cache');
    assert.ok(fs.existsSync(path.join(root, 'sub', 'my.cache')));
    fs.mkdirSync(path.join(root, 'cdir'));
    findings(root, '--cache', '--cache-location', 'cdir');
    assert.ok(fs.existsSync(path.join(root, 'cdir', '.crossproccache')));
    assert.ok(!fs.existsSync(cachePath(root)), 'not in the default place');
    fs.writeFileSync(path.join(root, 'sub', 'my.cache'), '{ not json');
    assert.deepEqual(findings(root, '--cache', '--cache-location', 'sub/my.cache'), findings(root));
    const data = readCache(root, path.join(root, 'sub', 'my.cache'));
    for (const entry of Object.values(data.files)) (entry as { findings: unknown }).findings = 'oops';
    fs.writeFileSync(path.join(root, 'sub', 'my.cache'), JSON.stringify(data));
    assert.deepEqual(findings(root, '--cache', '--cache-location', 'sub/my.cache'), findings(root), 'a cache of the wrong shape is no cache');
    assert.equal(readCache(root, path.join(root, 'sub', 'my.cache')).files !== undefined, true, 'rewritten');
  });

  it('results of files not analysed (over the budget) and suppressed findings are cached too', () => {
    const root = tree({ ...PROGRAM, 'alone.py': PROGRAM['alone.py']!.replace('    return G\n', '    return G  # crossproc: disable=stale-global-read\n') });
    const first = runCli(root, '--cache', '--report-unused-disable-directives', '--format', 'json');
    const second = runCli(root, '--cache', '--report-unused-disable-directives', '--format', 'json');
    assert.equal(second.code, first.code);
    const strip = (s: string) => ({ ...JSON.parse(s), stats: undefined });
    assert.deepEqual(strip(second.stdout), strip(first.stdout));
    assert.ok(!JSON.parse(second.stdout).findings.some((f: { rule: string }) => f.rule === 'unused-disable-directive'), 'the suppression is used (known from the cache)');
  });
});
