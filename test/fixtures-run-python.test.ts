/**
 * Runs every Python fixture (fixtures/python/<case>/) with real `python3` under each start
 * method its fixture.json lists in `runs` (spawn, fork, forkserver) and asserts the
 * behaviour claimed for that method; also checks every manifest's shape and its inline
 * `# expect:` comments.
 *
 * The start method is chosen from outside, by $CROSSPROC_START_METHOD. The programs run as
 * `python -S test/support/python/crossproc_run.py ENTRY`: without `site` (about 20–200 ms of
 * CPU per interpreter here, and the suite starts over a thousand), through a bootstrap that
 * sets the program up as `python ENTRY` would and calls multiprocessing.set_start_method (a
 * test below compares the two ways). Where `site` runs, test/support/python/sitecustomize.py
 * does the same. A program that pins its own method has `"pinned": true` and exactly one run;
 * it runs without the variable. Runs are started two at a time in `before`; each fixture ×
 * method has its own it(). Set CROSSPROC_PYTHON to use another interpreter than `python3`.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULE_IDS } from '../server/src/engine/findings';
import {
  listFixtures,
  listSourceFiles,
  parseExpectations,
  readManifest,
  type FixtureInfo,
  type FixtureManifest,
  type FixtureRun,
} from './support/fixtures';
import { PYTHON, PY_SUPPORT_DIR, describeResult, limited, noSiteArgs, noSiteEnv, runProcess, type ProgramResult } from './support/run-program';

/**
 * fixture.json of a Python fixture: the shared shape plus `pinned`; `debian`: the Debian
 * packages it needs (it runs under /usr/bin/python3, where `.ci/run` installs them, or
 * $CROSSPROC_SYSTEM_PYTHON); `static`: why it cannot run here (as in the JS fixtures) — no
 * runs, its README.md cites the documented behaviour the expectations follow.
 */
type PyManifest = FixtureManifest & { pinned?: boolean; debian?: string[]; static?: string };
const SYSTEM_PYTHON = process.env.CROSSPROC_SYSTEM_PYTHON || '/usr/bin/python3';
/** .ci/run, which must install every fixture's `debian` packages */
const CI_RUN = readFileSync(path.resolve(__dirname, '..', '.ci', 'run'), 'utf8');

const RULES = new Set<string>(RULE_IDS);
/** Minimum number of fixtures per rule: [positive, negative] (issue 3, item 4). */
const MINIMUMS: Record<string, [number, number]> = {
  'stale-global-read': [7, 6],
  'lost-global-write': [5, 4],
  'unguarded-spawn': [3, 2],
  'thread-primitive-in-process': [2, 2],
  'unsendable-payload': [3, 2],
  'manager-proxy-serialized': [1, 1],
};
/** SPEC §2 Python rows (except "later rows" and the 3.14-only InterpreterPoolExecutor). */
const SYSTEMS = [
  'mp.Pool',
  'ProcessPoolExecutor',
  'ThreadPoolExecutor',
  'threading.Thread',
  'mp.Process',
  'mp.Manager',
  'mp.Queue/SimpleQueue/Pipe/Value/Array',
  'start-methods',
  // framework models beyond the standard library (issue 12)
  'joblib',
  'loky',
  'asyncio',
  'InterpreterPoolExecutor',
  'multiprocess',
  'billiard',
  'pathos',
  'torch.multiprocessing',
  'torch.DataLoader',
  'celery',
  'dask',
  'ray',
  'pyspark',
  'mpire',
];
const METHODS = new Set(['spawn', 'fork', 'forkserver']);
const RUN_KEYS = new Set(['stdout', 'stdoutIncludes', 'stderrIncludes', 'exitCode', 'stopAfter']);
const MANIFEST_KEYS = new Set(['description', 'entry', 'kind', 'rules', 'system', 'runs', 'timeoutMs', 'pinned', 'debian', 'static']);
const PINNING_RE = /\b(?:get_context|set_start_method)\s*\(/;
const DEFAULT_TIMEOUT_MS = 20000;
const CONCURRENCY = 2;

function pySources(dir: string): string[] {
  return listSourceFiles(dir).filter((f) => f.endsWith('.py'));
}

/** Shape problems of one manifest (empty = valid). */
function manifestProblems(fx: FixtureInfo, m: PyManifest): string[] {
  const p: string[] = [];
  const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  for (const k of Object.keys(m)) if (!MANIFEST_KEYS.has(k)) p.push(`unknown key "${k}"`);
  if (typeof m.description !== 'string' || !m.description.trim()) p.push('description: non-empty string required');
  if (typeof m.entry !== 'string' || !m.entry.endsWith('.py')) p.push('entry: a .py file required');
  else if (!existsSync(path.join(fx.dir, m.entry))) p.push(`entry: ${m.entry} does not exist`);
  if (m.kind !== 'positive' && m.kind !== 'negative') p.push('kind: "positive" | "negative" required');
  if (!isStrArray(m.rules) || m.rules.length === 0) p.push('rules: non-empty string array required');
  else for (const r of m.rules) if (!RULES.has(r)) p.push(`rules: unknown rule "${r}"`);
  if (typeof m.system !== 'string' || !SYSTEMS.includes(m.system)) p.push(`system: one of ${SYSTEMS.join(', ')}`);
  if (m.timeoutMs !== undefined && !(typeof m.timeoutMs === 'number' && m.timeoutMs > 0)) p.push('timeoutMs: positive number');
  if (m.pinned !== undefined && typeof m.pinned !== 'boolean') p.push('pinned: boolean');
  if (m.kind === 'negative' && !fx.name.startsWith('ok-')) p.push('negative fixtures are named ok-<case>');
  if (m.kind === 'positive' && fx.name.startsWith('ok-')) p.push('ok-<case> fixtures must be negative');
  if (m.debian !== undefined && (!isStrArray(m.debian) || m.debian.length === 0 || m.debian.some((d) => !d.startsWith('python3-')))) p.push('debian: non-empty array of python3-* packages');
  for (const d of m.debian ?? []) if (!CI_RUN.includes(` ${d}`)) p.push(`debian: .ci/run does not install ${d}`);
  if (m.static !== undefined) {
    if (typeof m.static !== 'string' || !m.static.trim()) p.push('static: non-empty string (why it cannot run here) required');
    if (m.runs !== undefined) p.push('static: a static fixture has no runs');
    if (!existsSync(path.join(fx.dir, 'README.md'))) p.push('static: README.md citing the documented behaviour required');
    return p;
  }
  if (!m.runs || typeof m.runs !== 'object' || Array.isArray(m.runs)) {
    p.push('runs: object required');
    return p;
  }
  const names = Object.keys(m.runs);
  for (const name of names) if (!METHODS.has(name)) p.push(`runs: "${name}" is not a start method (spawn, fork, forkserver)`);
  if (m.pinned) {
    if (names.length !== 1) p.push('runs: a pinned program runs under exactly its one method');
  } else if (!names.includes('spawn') || !names.includes('fork')) {
    p.push('runs: a program that does not pin its start method runs under both spawn and fork');
  }
  // `pinned` must agree with the program: get_context(...) / set_start_method(...) pin a method,
  // and a program that calls set_start_method itself cannot also be given one from outside.
  const pins = pySources(fx.dir).some((f) => PINNING_RE.test(readFileSync(f, 'utf8')));
  if (pins && !m.pinned) p.push('the program pins its start method (get_context/set_start_method): set "pinned": true');
  if (!pins && m.pinned) p.push('"pinned": true but the program calls neither get_context() nor set_start_method()');
  for (const [name, run] of Object.entries(m.runs)) {
    if (!run || typeof run !== 'object') {
      p.push(`runs.${name}: object required`);
      continue;
    }
    const keys = Object.keys(run);
    if (keys.length === 0) p.push(`runs.${name}: asserts nothing`);
    for (const k of keys) if (!RUN_KEYS.has(k)) p.push(`runs.${name}: unknown key "${k}"`);
    if (run.stdout !== undefined && typeof run.stdout !== 'string') p.push(`runs.${name}.stdout: string`);
    if (run.stdoutIncludes !== undefined && !isStrArray(run.stdoutIncludes)) p.push(`runs.${name}.stdoutIncludes: string[]`);
    if (run.stderrIncludes !== undefined && !isStrArray(run.stderrIncludes)) p.push(`runs.${name}.stderrIncludes: string[]`);
    if (run.exitCode !== undefined && !Number.isInteger(run.exitCode)) p.push(`runs.${name}.exitCode: integer`);
    if (run.stopAfter !== undefined) {
      const s = run.stopAfter;
      if (!s || typeof s.pattern !== 'string' || !s.pattern || !Number.isInteger(s.count) || s.count < 1)
        p.push(`runs.${name}.stopAfter: { pattern: string, count: integer >= 1 }`);
      if (run.exitCode !== undefined) p.push(`runs.${name}: exitCode means nothing for a program stopped by stopAfter`);
    }
  }
  return p;
}

/** Environment of one run: the start method from outside (unless pinned), no bytecode files. */
function runEnv(method: string, pinned: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.CROSSPROC_START_METHOD;
  delete env.PYTHONSTARTUP;
  delete env.PYTHONNOUSERSITE;
  env.PYTHONPATH = [PY_SUPPORT_DIR, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  if (!pinned) env.CROSSPROC_START_METHOD = method;
  return env;
}

/** Run one fixture under one start method; never rejects. */
function runFixture(fx: FixtureInfo, m: PyManifest, method: string): Promise<ProgramResult> {
  const run: FixtureRun = m.runs?.[method] ?? {};
  const python = m.debian ? SYSTEM_PYTHON : PYTHON;
  return runProcess({
    cmd: python,
    args: noSiteArgs(m.entry),
    cwd: fx.dir,
    env: noSiteEnv(python, runEnv(method, m.pinned === true)),
    timeoutMs: m.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    stopAfter: run.stopAfter,
  });
}

function assertRun(id: string, run: FixtureRun, r: ProgramResult): void {
  const ctx = `${id}: ${describeResult(r)}`;
  assert.ok(!r.spawnError, `${id}: could not start python: ${r.spawnError?.message}`);
  assert.ok(!r.timedOut, `${id}: timed out (killed). ${ctx}`);
  if (run.stopAfter) {
    assert.ok(
      r.stopped,
      `${id}: expected a runaway program stopped after ${run.stopAfter.count}× "${run.stopAfter.pattern}", ` +
        `but it exited on its own. ${ctx}`,
    );
  } else {
    const expectedCode = run.exitCode ?? (run.stderrIncludes ? undefined : 0);
    if (expectedCode !== undefined) assert.equal(r.code, expectedCode, `${id}: exit code. ${ctx}`);
    assert.ok(!r.leftovers, `${id}: left processes running after it exited. ${ctx}`);
  }
  if (run.stdout !== undefined) assert.equal(r.stdout.trim(), run.stdout.trim(), `${id}: stdout. ${ctx}`);
  for (const s of run.stdoutIncludes ?? []) assert.ok(r.stdout.includes(s), `${id}: stdout lacks ${JSON.stringify(s)}. ${ctx}`);
  for (const s of run.stderrIncludes ?? []) assert.ok(r.stderr.includes(s), `${id}: stderr lacks ${JSON.stringify(s)}. ${ctx}`);
}

function tryManifest(fx: FixtureInfo): PyManifest | undefined {
  try {
    return readManifest(fx) as PyManifest;
  } catch {
    return undefined; // reported by the manifest tests
  }
}

/** fork and forkserver exist on POSIX only. */
function methodAvailable(method: string): boolean {
  return method === 'spawn' || process.platform !== 'win32';
}

const fixtures = listFixtures('python');

describe('Python fixtures: manifests and inline expectations', () => {
  it(`${PYTHON} runs, and its sitecustomize hook picks the start method`, () => {
    const probe = 'import multiprocessing as m; print(m.get_start_method(allow_none=True))';
    const r = spawnSync(PYTHON, ['-c', probe], { env: runEnv('spawn', false), encoding: 'utf8' });
    assert.equal(r.error, undefined, `cannot run ${PYTHON} (set CROSSPROC_PYTHON): ${r.error?.message}`);
    assert.equal(r.stdout.trim(), 'spawn', `sitecustomize.py did not set the start method:\n${r.stderr}`);
    const plain = spawnSync(PYTHON, ['-c', probe], { env: runEnv('spawn', true), encoding: 'utf8' });
    assert.equal(plain.stdout.trim(), 'None', 'without CROSSPROC_START_METHOD nothing is set');
  });

  it('without `site`, the bootstrap runs a program as `python ENTRY` does, and picks the start method', () => {
    // what a program and its worker see, run with `site` and without: the start method,
    // sys.argv, sys.path, __file__, __name__, __spec__; then whether `site` ran in each
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crossproc-nosite-'));
    try {
      const program = [
        'import multiprocessing as mp, sys',
        'def view(_):',
        '    return [mp.get_start_method(allow_none=True), __name__], [sys.flags.no_site, "site" in sys.modules]',
        'if __name__ == "__main__":',
        '    parent = view(0)',
        '    with mp.Pool(1) as pool:',
        '        child = pool.map(view, [0])[0]',
        '    print(repr([parent[0], child[0], sys.argv, sys.path, __file__, __spec__]))',
        '    print(repr([parent[1], child[1]]))',
      ].join('\n');
      writeFileSync(path.join(dir, 'prog.py'), program);
      const runs = [['spawn', false], ['fork', false], ['forkserver', false], ['fork', true]] as const;
      // the Debian-framework fixtures' interpreter too: its site-packages hold other .pth files
      for (const [python, [method, pinned]] of [PYTHON, SYSTEM_PYTHON].flatMap((p) => runs.map((r) => [p, r] as const))) {
        const id = `${python}, ${method}${pinned ? ' (pinned: nothing set from outside)' : ''}`;
        const run = (args: string[]): string[] => {
          const r = spawnSync(python, args, { cwd: dir, env: noSiteEnv(python, runEnv(method, pinned)), encoding: 'utf8' });
          assert.equal(r.status, 0, `${id}: ${r.stderr}`);
          return r.stdout.trim().split('\n');
        };
        const [plainView, plainSite] = run(['prog.py', 'x']);
        const [view, site] = run(noSiteArgs('prog.py', ['x']));
        assert.equal(view, plainView, id);
        assert.equal(plainSite, '[[0, True], [0, True]]', id);
        assert.equal(site, '[[1, False], [1, False]]', `${id}: the worker inherits -S`);
        const shown = pinned ? 'None' : `'${method}'`;
        assert.ok(view.startsWith(`[[${shown}, '__main__'], `), `${id}: ${view}`);
        assert.ok(view.includes(`, ['prog.py', 'x'], ['${realpathSync(dir)}', `), `${id}: ${view}`);
        assert.ok(view.endsWith(`], '${path.join(dir, 'prog.py')}', None]`), `${id}: ${view}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`${SYSTEM_PYTHON} has the Debian packages the framework fixtures need (.ci/run installs them)`, () => {
    const pkgs = new Set(fixtures.flatMap((fx) => tryManifest(fx)?.debian ?? []));
    const modules = [...pkgs].map((p) => p.replace(/^python3-/, ''));
    const r = spawnSync(SYSTEM_PYTHON, ['-c', modules.map((x) => `import ${x}`).join('; ') || 'pass'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `apt-get install -y --no-install-recommends ${[...pkgs].join(' ')} (or set CROSSPROC_SYSTEM_PYTHON): ${r.stderr}`);
  });

  it('there are at least 34 fixtures, enough per rule and kind, and every SPEC §2 row is covered', () => {
    assert.ok(fixtures.length >= 34, `only ${fixtures.length} Python fixtures`);
    const manifests = fixtures.map((fx) => tryManifest(fx)).filter((m): m is PyManifest => !!m);
    for (const [rule, [pos, neg]] of Object.entries(MINIMUMS)) {
      const count = (kind: string): number => manifests.filter((m) => m.kind === kind && m.rules?.includes(rule)).length;
      assert.ok(count('positive') >= pos, `${rule}: ${count('positive')} positive fixtures, want >= ${pos}`);
      assert.ok(count('negative') >= neg, `${rule}: ${count('negative')} negative fixtures, want >= ${neg}`);
    }
    for (const system of SYSTEMS) assert.ok(manifests.some((m) => m.system === system), `no fixture for ${system}`);
  });

  for (const fx of fixtures) {
    it(fx.name, () => {
      const m = readManifest(fx) as PyManifest;
      const problems = manifestProblems(fx, m);
      assert.deepEqual(problems, [], `${fx.manifestPath}:\n  ${problems.join('\n  ')}`);
      const expectations = pySources(fx.dir).flatMap((f) =>
        parseExpectations(f).map((e) => ({ ...e, file: path.relative(fx.dir, f) })),
      );
      if (m.kind === 'positive') {
        assert.ok(expectations.length > 0, `${fx.name}: positive fixture without any "# expect:" comment`);
        for (const rule of m.rules) {
          assert.ok(expectations.some((e) => e.rule === rule), `${fx.name}: rule ${rule} is listed but never expected`);
        }
      } else {
        assert.deepEqual(expectations, [], `${fx.name}: negative fixture must not have "# expect:" comments`);
      }
      for (const e of expectations) {
        assert.ok(RULES.has(e.rule), `${fx.name}/${e.file}:${e.line}: unknown rule "${e.rule}"`);
        assert.ok(m.rules.includes(e.rule), `${fx.name}/${e.file}:${e.line}: "${e.rule}" is not in fixture.json "rules"`);
        const text = readFileSync(path.join(fx.dir, e.file), 'utf8').split(/\r\n|\r|\n/)[e.line - 1];
        assert.match(text, /#\s*expect:[\w\s,-]*$/, `${fx.name}/${e.file}:${e.line}: the expect comment ends the line`);
      }
    });
  }
});

describe('Python fixtures: run with real python3 under each start method', function () {
  const jobs: Array<{ id: string; fx: FixtureInfo; method: string; timeoutMs: number }> = [];
  for (const fx of fixtures) {
    const m = tryManifest(fx);
    for (const method of Object.keys(m?.runs ?? {})) {
      jobs.push({ id: `${fx.name} [${method}]`, fx, method, timeoutMs: m?.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    }
  }
  const results = new Map<string, Promise<ProgramResult>>();
  for (const fx of fixtures) {
    const why = tryManifest(fx)?.static;
    if (why === undefined) continue;
    it(`${fx.name}: static-only, not run (${why})`, () => {
      const readme = readFileSync(path.join(fx.dir, 'README.md'), 'utf8');
      assert.match(readme, /https?:\/\/\S+/, `${fx.name}/README.md cites no documentation`);
    });
  }

  before(function () {
    const schedule = limited<ProgramResult>(CONCURRENCY);
    for (const job of jobs) {
      const m = tryManifest(job.fx);
      if (!m || !methodAvailable(job.method)) continue;
      results.set(job.id, schedule(() => runFixture(job.fx, m, job.method)));
    }
  });

  after(async function () {
    // Nothing keeps running if a test bailed out early.
    await Promise.all(results.values());
  });

  for (const job of jobs) {
    it(job.id, async function () {
      if (!methodAvailable(job.method)) this.skip();
      // own run + at most one still-running neighbour + reaping
      this.timeout(2 * job.timeoutMs + 5000);
      const m = readManifest(job.fx) as PyManifest;
      const pending = results.get(job.id);
      assert.ok(pending, `${job.id}: not scheduled`);
      assertRun(job.id, m.runs?.[job.method] ?? {}, await pending);
    });
  }
});
