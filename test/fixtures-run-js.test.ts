/**
 * Runs every Node.js fixture (fixtures/js/<case>/) with real node and asserts the behaviour
 * its fixture.json claims; also checks every manifest's shape and its inline expectations.
 * Runs are started two at a time in `before`, each fixture keeps its own `it()`.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import {
  listFixtures,
  listSourceFiles,
  parseExpectations,
  readManifest,
  type FixtureInfo,
  type FixtureManifest,
  type FixtureRun,
} from './support/fixtures';

const RULES = new Set([
  'stale-global-read',
  'lost-global-write',
  'unguarded-spawn',
  'thread-primitive-in-process',
  'unsendable-payload',
  'manager-proxy-serialized',
]);
const JS_RULES = ['stale-global-read', 'lost-global-write', 'unguarded-spawn', 'unsendable-payload'];
const RUN_KEYS = new Set(['stdout', 'stdoutIncludes', 'stderrIncludes', 'exitCode', 'stopAfter']);
const MANIFEST_KEYS = new Set(['description', 'entry', 'kind', 'rules', 'system', 'runs', 'timeoutMs']);
const DEFAULT_TIMEOUT_MS = 20000;
const CONCURRENCY = 2;

interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stopped: boolean;
  leftovers: boolean;
  spawnError?: Error;
  ms: number;
}

/** Shape problems of one manifest (empty = valid). */
function manifestProblems(fx: FixtureInfo, m: FixtureManifest): string[] {
  const p: string[] = [];
  const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  for (const k of Object.keys(m)) if (!MANIFEST_KEYS.has(k)) p.push(`unknown key "${k}"`);
  if (typeof m.description !== 'string' || !m.description.trim()) p.push('description: non-empty string required');
  if (typeof m.entry !== 'string' || !m.entry) p.push('entry: string required');
  else if (!existsSync(path.join(fx.dir, m.entry))) p.push(`entry: ${m.entry} does not exist`);
  if (m.kind !== 'positive' && m.kind !== 'negative') p.push('kind: "positive" | "negative" required');
  if (!isStrArray(m.rules) || m.rules.length === 0) p.push('rules: non-empty string array required');
  else for (const r of m.rules) if (!RULES.has(r)) p.push(`rules: unknown rule "${r}"`);
  if (typeof m.system !== 'string' || !m.system.trim()) p.push('system: non-empty string required');
  if (m.timeoutMs !== undefined && !(typeof m.timeoutMs === 'number' && m.timeoutMs > 0)) p.push('timeoutMs: positive number');
  if (m.kind === 'negative' && !fx.name.startsWith('ok-')) p.push('negative fixtures are named ok-<case>');
  if (m.kind === 'positive' && fx.name.startsWith('ok-')) p.push('ok-<case> fixtures must be negative');
  if (!m.runs || typeof m.runs !== 'object' || Array.isArray(m.runs)) {
    p.push('runs: object required');
    return p;
  }
  const names = Object.keys(m.runs);
  if (names.length !== 1 || names[0] !== 'node') p.push('runs: a JS fixture has exactly one entry, "node"');
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
    }
  }
  return p;
}

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

function groupAlive(pid: number): boolean {
  if (process.platform === 'win32') return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killTree(pid: number): void {
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' });
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Run one fixture; never rejects. */
function runFixture(fx: FixtureInfo, m: FixtureManifest): Promise<RunResult> {
  const run: FixtureRun = m.runs?.node ?? {};
  const timeoutMs = m.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const args = /\.(?:ts|mts|cts|tsx)$/.test(m.entry) ? ['--import', 'tsx', m.entry] : [m.entry];
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.NODE_OPTIONS;
  const started = Date.now();
  return new Promise((resolve) => {
    const res: RunResult = {
      stdout: '', stderr: '', code: null, signal: null,
      timedOut: false, stopped: false, leftovers: false, ms: 0,
    };
    let child;
    try {
      // detached: the program leads its own process group, so its whole tree can be killed.
      child = spawn(process.execPath, args, { cwd: fx.dir, env, detached: process.platform !== 'win32', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ ...res, spawnError: err as Error });
      return;
    }
    const pid = child.pid;
    const timer = setTimeout(() => {
      res.timedOut = true;
      if (pid) killTree(pid);
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      res.stdout += chunk;
      const s = run.stopAfter;
      if (s && !res.stopped && countOccurrences(res.stdout, s.pattern) >= s.count) {
        res.stopped = true;
        if (pid) killTree(pid);
      }
    });
    child.stderr.on('data', (chunk: string) => {
      res.stderr += chunk;
    });
    child.on('error', (err) => {
      res.spawnError = err;
    });
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      res.code = code;
      res.signal = signal;
      if (pid && !res.stopped && !res.timedOut) {
        // The program must not leave processes behind: give stragglers a moment, then reap.
        for (let i = 0; i < 10 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
        if (groupAlive(pid)) {
          res.leftovers = true;
          killTree(pid);
        }
      }
      res.ms = Date.now() - started;
      resolve(res);
    });
  });
}

/** Start tasks lazily, at most `limit` at a time, in order. */
function limited<T>(limit: number): (task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = (): void => {
    if (active >= limit || queue.length === 0) return;
    active++;
    queue.shift()!();
  };
  return (task) =>
    new Promise<T>((resolve) => {
      queue.push(() => {
        task().then(resolve, (err) => resolve(err)).finally(() => {
          active--;
          next();
        });
      });
      next();
    });
}

/** assert.ok without mocha's true/false diff (and without its "<x>: expected" message truncation). */
function check(condition: unknown, message: string): asserts condition {
  if (!condition) assert.fail(message);
}

function describeRun(r: RunResult): string {
  return (
    `exit code ${r.code}${r.signal ? ` (signal ${r.signal})` : ''} after ${r.ms} ms\n` +
    `--- stdout ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-3000)}`
  );
}

function assertRun(fx: FixtureInfo, run: FixtureRun, r: RunResult): void {
  const ctx = `${fx.name}: ${describeRun(r)}`;
  check(!r.spawnError, `${fx.name}: could not start node: ${r.spawnError?.message}`);
  check(!r.timedOut, `${fx.name}: timed out (killed). ${ctx}`);
  if (run.stopAfter) {
    check(
      r.stopped,
      `${fx.name}: a runaway program should have been stopped after ${run.stopAfter.count}× "${run.stopAfter.pattern}", ` +
        `but it exited on its own. ${ctx}`,
    );
  } else {
    const expectedCode = run.exitCode ?? (run.stderrIncludes ? undefined : 0);
    if (expectedCode !== undefined) assert.equal(r.code, expectedCode, `${fx.name}: exit code. ${ctx}`);
    check(!r.leftovers, `${fx.name}: left processes running after it exited. ${ctx}`);
  }
  if (run.stopAfter && run.exitCode !== undefined) assert.equal(r.code, run.exitCode, `${fx.name}: exit code. ${ctx}`);
  if (run.stdout !== undefined) assert.equal(r.stdout.trim(), run.stdout.trim(), `${fx.name}: stdout. ${ctx}`);
  for (const s of run.stdoutIncludes ?? []) check(r.stdout.includes(s), `${fx.name}: stdout lacks ${JSON.stringify(s)}. ${ctx}`);
  for (const s of run.stderrIncludes ?? []) check(r.stderr.includes(s), `${fx.name}: stderr lacks ${JSON.stringify(s)}. ${ctx}`);
}

const fixtures = listFixtures('js');

describe('JS fixtures: manifests and inline expectations', () => {
  it('there are at least 25 fixtures, with positives and negatives for every JS rule', () => {
    check(fixtures.length >= 25, `only ${fixtures.length} JS fixtures`);
    const manifests = fixtures.map((fx) => readManifest(fx));
    for (const rule of JS_RULES) {
      for (const kind of ['positive', 'negative'] as const) {
        check(
          manifests.some((m) => m.kind === kind && m.rules?.includes(rule)),
          `no ${kind} JS fixture for ${rule}`,
        );
      }
    }
  });

  for (const fx of fixtures) {
    it(fx.name, () => {
      const m = readManifest(fx);
      const problems = manifestProblems(fx, m);
      assert.deepEqual(problems, [], `${fx.manifestPath}:\n  ${problems.join('\n  ')}`);
      const expectations = listSourceFiles(fx.dir).flatMap((f) =>
        parseExpectations(f).map((e) => ({ ...e, file: path.relative(fx.dir, f) })),
      );
      if (m.kind === 'positive') {
        check(expectations.length > 0, `${fx.name}: positive fixture without any "// expect:" comment`);
      } else {
        assert.deepEqual(expectations, [], `${fx.name}: negative fixture must not have "// expect:" comments`);
      }
      for (const e of expectations) {
        check(RULES.has(e.rule), `${fx.name}/${e.file}:${e.line}: unknown rule "${e.rule}"`);
        check(m.rules.includes(e.rule), `${fx.name}/${e.file}:${e.line}: "${e.rule}" is not in fixture.json "rules"`);
      }
    });
  }
});

describe('JS fixtures: run with real node', function () {
  const results = new Map<string, Promise<RunResult>>();

  before(function () {
    const schedule = limited<RunResult>(CONCURRENCY);
    for (const fx of fixtures) {
      let m: FixtureManifest;
      try {
        m = readManifest(fx);
      } catch {
        continue; // reported by the manifest tests
      }
      results.set(fx.name, schedule(() => runFixture(fx, m)));
    }
  });

  after(async function () {
    // Nothing keeps running if a test bailed out early.
    await Promise.all(results.values());
  });

  for (const fx of fixtures) {
    let timeoutMs = DEFAULT_TIMEOUT_MS;
    try {
      timeoutMs = readManifest(fx).timeoutMs ?? DEFAULT_TIMEOUT_MS;
    } catch {
      /* reported by the manifest tests */
    }
    it(fx.name, async function () {
      // own run + at most one still-running neighbour + reaping
      this.timeout(2 * timeoutMs + 5000);
      const m = readManifest(fx);
      const pending = results.get(fx.name);
      check(pending, `${fx.name}: not scheduled`);
      assertRun(fx, m.runs?.node ?? {}, await pending);
    });
  }
});
