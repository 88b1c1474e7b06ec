/**
 * Runs every Node.js fixture (fixtures/js/<case>/) with real node and asserts the behaviour
 * its fixture.json claims; also checks every manifest's shape and its inline expectations.
 * Runs are started two at a time in `before`, each fixture keeps its own `it()`.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
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
import { describeResult, limited, runProgram, type ProgramResult } from './support/run-program';

const RULES = new Set<string>(RULE_IDS);
const JS_RULES = ['stale-global-read', 'lost-global-write', 'unguarded-spawn', 'unsendable-payload'];
const RUN_KEYS = new Set(['stdout', 'stdoutIncludes', 'stderrIncludes', 'exitCode', 'stopAfter']);
const MANIFEST_KEYS = new Set(['description', 'entry', 'kind', 'rules', 'system', 'runs', 'timeoutMs', 'static']);
const DEFAULT_TIMEOUT_MS = 20000;
const CONCURRENCY = 2;

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
  if (m.static !== undefined) {
    // static-only: nothing to run; the README cites the documented behaviour the expectations follow
    if (typeof m.static !== 'string' || !m.static.trim()) p.push('static: non-empty string (why it cannot run here) required');
    if (m.runs !== undefined) p.push('runs: a static fixture has none');
    const readme = path.join(fx.dir, 'README.md');
    if (!existsSync(readme)) p.push('static: README.md citing the documentation required');
    else if (!/https:\/\/\S+/.test(readFileSync(readme, 'utf8'))) p.push('static: README.md cites no https:// reference');
    return p;
  }
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

/** Run one fixture; never rejects. */
function runFixture(fx: FixtureInfo, m: FixtureManifest): Promise<ProgramResult> {
  const run: FixtureRun = m.runs?.node ?? {};
  return runProgram({
    dir: fx.dir,
    entry: m.entry,
    method: 'node',
    timeoutMs: m.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    stopAfter: run.stopAfter,
  });
}

/** assert.ok without mocha's true/false diff (and without its "<x>: expected" message truncation). */
function check(condition: unknown, message: string): asserts condition {
  if (!condition) assert.fail(message);
}

function assertRun(fx: FixtureInfo, run: FixtureRun, r: ProgramResult): void {
  const ctx = `${fx.name}: ${describeResult(r)}`;
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
  const results = new Map<string, Promise<ProgramResult>>();

  before(function () {
    const schedule = limited<ProgramResult>(CONCURRENCY);
    for (const fx of fixtures) {
      let m: FixtureManifest;
      try {
        m = readManifest(fx);
      } catch {
        continue; // reported by the manifest tests
      }
      if (m.static !== undefined) continue;
      results.set(fx.name, schedule(() => runFixture(fx, m)));
    }
  });

  after(async function () {
    // Nothing keeps running if a test bailed out early.
    await Promise.all(results.values());
  });

  for (const fx of fixtures) {
    let timeoutMs = DEFAULT_TIMEOUT_MS;
    let staticOnly: string | undefined;
    try {
      timeoutMs = readManifest(fx).timeoutMs ?? DEFAULT_TIMEOUT_MS;
      staticOnly = readManifest(fx).static;
    } catch {
      /* reported by the manifest tests */
    }
    if (staticOnly !== undefined) {
      // the runtime does not install here: checked against the cited documentation (README.md), never run
      it(`${fx.name}: static-only, not run (${staticOnly})`, function () {
        this.skip();
      });
      continue;
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
