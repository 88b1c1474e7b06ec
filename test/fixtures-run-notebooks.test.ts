/**
 * Notebook fixtures (fixtures/notebooks/<case>/): real .ipynb files executed by a real
 * Jupyter kernel — Debian's `python3-nbclient` + `python3-ipykernel` under /usr/bin/python3
 * (`.ci/run` installs them; CROSSPROC_NOTEBOOK_PYTHON to use another interpreter) — under
 * each start method of fixture.json's `runs`, chosen from outside as for the Python fixtures
 * (test/support/python/sitecustomize.py in the kernel). All runs go through one runner
 * process (test/support/notebook/run_notebook.py --batch), two at a time, each notebook in a
 * kernel of its own with its own environment and stderr.
 *
 * Each fixture:
 *  - its `# expect: rule` comments (in cells, and in module files beside the notebook) are
 *    exactly the findings the CLI reports, at the cell and line where they stand;
 *  - run under spawn and fork, it shows what fixture.json says (the bug, or correct output);
 *  - with a fix.json, a copy is fixed by `crossproc --fix` (which creates the module file
 *    `created` lists), re-analysed (no finding of the rule), and run again under spawn and
 *    fork with the correct output.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES_ROOT, type FixtureRun } from './support/fixtures';
import { PY_SUPPORT_DIR, describeResult, runProcess, type ProgramResult } from './support/run-program';

const PYTHON = process.env.CROSSPROC_NOTEBOOK_PYTHON || '/usr/bin/python3';
const RUNNER = path.resolve(__dirname, 'support', 'notebook', 'run_notebook.py');
const CLI = path.resolve(__dirname, '..', 'dist', 'cli.js');
const ROOT = path.join(FIXTURES_ROOT, 'notebooks');
/** per notebook (the batch gets this much per two notebooks); a cell may take CELL_TIMEOUT_S */
const TIMEOUT_MS = 90000;
const CELL_TIMEOUT_S = 60;

type Run = FixtureRun & { stdoutExcludes?: string[] };

interface Manifest {
  description: string;
  entry: string;
  kind: 'positive' | 'negative';
  rules: string[];
  system: string;
  pinned?: boolean;
  runs: Record<string, Run>;
}

interface FixManifest {
  rule: string;
  fix: string;
  created: string[];
  runs: Record<string, Run>;
}

interface Case {
  name: string;
  dir: string;
  manifest: Manifest;
  fix?: FixManifest;
}

function cases(): Case[] {
  if (!fs.existsSync(ROOT)) return [];
  return fs
    .readdirSync(ROOT)
    .sort()
    .filter((name) => fs.existsSync(path.join(ROOT, name, 'fixture.json')))
    .map((name) => {
      const dir = path.join(ROOT, name);
      const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      return { name, dir, manifest: read('fixture.json') as Manifest, fix: fs.existsSync(path.join(dir, 'fix.json')) ? (read('fix.json') as FixManifest) : undefined };
    });
}

/** `file:cell:line rule` for each `# expect:` comment of the notebook's cells and of the .py files beside it. */
function expectations(dir: string): string[] {
  const out: string[] = [];
  const re = /#\s*expect:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)/;
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (name.endsWith('.ipynb')) {
      const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: Array<{ cell_type: string; source: string | string[] }> };
      nb.cells.forEach((cell, i) => {
        if (cell.cell_type !== 'code') return;
        const text = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
        text.split('\n').forEach((l, j) => {
          const m = re.exec(l);
          if (m) for (const rule of m[1].split(',')) out.push(`${name}:cell ${i + 1}:${j + 1} ${rule.trim()}`);
        });
      });
    } else if (name.endsWith('.py')) {
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((l, j) => {
          const m = re.exec(l);
          if (m) for (const rule of m[1].split(',')) out.push(`${name}:${j + 1} ${rule.trim()}`);
        });
    }
  }
  return out.sort();
}

interface JsonFinding {
  file: string;
  line: number;
  rule: string;
  cell?: number;
}

function cliFindings(dir: string, args: string[] = []): { findings: JsonFinding[]; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, '--format', 'json', ...args, '.'], { cwd: dir, encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, `crossproc exited ${r.status}: ${r.stderr}`);
  return { findings: (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings, stderr: r.stderr };
}

function found(dir: string): string[] {
  return cliFindings(dir)
    .findings.map((f) => (f.cell !== undefined ? `${f.file}:cell ${f.cell}:${f.line} ${f.rule}` : `${f.file}:${f.line} ${f.rule}`))
    .sort();
}

/** One notebook run for the batch runner: the kernel's environment as the Python fixtures' (start method from outside). */
interface Job {
  id: string;
  notebook: string;
  env: Record<string, string | null>;
  timeout: number;
}

function job(id: string, dir: string, entry: string, method: string, pinned: boolean): Job {
  return {
    id,
    notebook: path.join(dir, entry),
    env: {
      PYTHONDONTWRITEBYTECODE: '1',
      PYDEVD_DISABLE_FILE_VALIDATION: '1',
      PYTHONPATH: [PY_SUPPORT_DIR, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
      CROSSPROC_START_METHOD: pinned ? null : method,
    },
    timeout: CELL_TIMEOUT_S,
  };
}

/**
 * Runs every job in one runner process (nbclient and its imports load once; each notebook
 * still gets a kernel of its own), two at a time; a result per job id. A job the runner
 * reported nothing for (it crashed or was killed) gets the runner's own result.
 */
async function runBatch(jobs: Job[], tmp: string): Promise<Map<string, ProgramResult>> {
  const file = path.join(tmp, 'jobs.json');
  fs.writeFileSync(file, JSON.stringify(jobs));
  const timeoutMs = Math.max(TIMEOUT_MS, (jobs.length * TIMEOUT_MS) / 2);
  const r = await runProcess({ cmd: PYTHON, args: [RUNNER, '--batch', '2', file], cwd: tmp, env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' }, timeoutMs });
  const out = new Map<string, ProgramResult>();
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const j = JSON.parse(line) as { id: string; stdout: string; stderr: string; code: number; ms: number };
    out.set(j.id, { ...r, stdout: j.stdout, stderr: j.stderr, code: j.code, ms: j.ms });
  }
  for (const { id } of jobs) if (!out.has(id)) out.set(id, { ...r, code: r.code === 0 ? null : r.code });
  return out;
}

function assertRun(id: string, run: Run, r: ProgramResult): void {
  const ctx = `${id}: ${describeResult(r)}`;
  assert.ok(!r.spawnError, `${id}: could not start ${PYTHON}: ${r.spawnError?.message}`);
  assert.ok(!r.timedOut, `${id}: timed out. ${ctx}`);
  assert.equal(r.code, 0, `${id}: the notebook runner failed. ${ctx}`);
  for (const s of run.stdoutIncludes ?? []) assert.ok(r.stdout.includes(s), `${id}: output lacks ${JSON.stringify(s)}. ${ctx}`);
  for (const s of run.stdoutExcludes ?? []) assert.ok(!r.stdout.includes(s), `${id}: output has ${JSON.stringify(s)}. ${ctx}`);
  for (const s of run.stderrIncludes ?? []) assert.ok(r.stderr.includes(s), `${id}: stderr lacks ${JSON.stringify(s)}. ${ctx}`);
}

const all = cases();

describe('notebook fixtures (real Jupyter kernel)', function () {
  this.timeout(10 * TIMEOUT_MS);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-nb-'));
  let results: Promise<Map<string, ProgramResult>>;
  const fixedDirs = new Map<string, string>();
  const result = async (id: string): Promise<ProgramResult> => (await results).get(id)!;

  before(function () {
    const probe = spawnSync(PYTHON, ['-c', 'import nbclient, ipykernel, nbformat'], { encoding: 'utf8' });
    assert.equal(
      probe.status,
      0,
      `${PYTHON} cannot run notebooks: apt-get install python3-nbclient python3-ipykernel jupyter-nbconvert (or set CROSSPROC_NOTEBOOK_PYTHON). ${probe.stderr}`,
    );
    const jobs: Job[] = [];
    for (const c of all) {
      const pinned = c.manifest.pinned === true;
      for (const method of Object.keys(c.manifest.runs)) jobs.push(job(`${c.name}|${method}`, c.dir, c.manifest.entry, method, pinned));
      if (!c.fix) continue;
      // fixed by the CLI's --fix on a copy, then run under each method of fix.json
      const copy = path.join(tmp, c.name);
      fs.cpSync(c.dir, copy, { recursive: true });
      const r = spawnSync(process.execPath, [CLI, '--fix', '--format', 'json', c.manifest.entry], { cwd: copy, encoding: 'utf8' });
      assert.ok(r.status === 0 || r.status === 1, `${c.name}: crossproc --fix exited ${r.status}: ${r.stderr}`);
      fixedDirs.set(c.name, copy);
      for (const method of Object.keys(c.fix.runs)) jobs.push(job(`${c.name}|fixed|${method}`, copy, c.manifest.entry, method, pinned));
    }
    results = runBatch(jobs, tmp);
    results.catch(() => undefined); // awaited (and reported) by the tests
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('there are positive and negative notebook fixtures, and a fixed one for each positive unimportable-task fixture', () => {
    const pos = all.filter((c) => c.manifest.kind === 'positive' && c.manifest.rules.includes('unimportable-task'));
    const neg = all.filter((c) => c.manifest.kind === 'negative' && c.manifest.rules.includes('unimportable-task'));
    assert.ok(pos.length >= 3 && neg.length >= 2, `${pos.length} positive, ${neg.length} negative`);
    for (const c of pos) assert.ok(c.fix, `${c.name}: no fix.json`);
    for (const c of all) {
      assert.equal(c.manifest.kind === 'negative', c.name.startsWith('ok-'), `${c.name}: negative fixtures are named ok-<case>`);
      assert.ok(c.manifest.pinned || ('spawn' in c.manifest.runs && 'fork' in c.manifest.runs), `${c.name}: runs under spawn and fork`);
    }
  });

  for (const c of all) {
    describe(c.name, () => {
      it('the findings are the expect: comments, at their cell and line', () => {
        const expected = expectations(c.dir);
        assert.deepEqual(found(c.dir), expected);
        if (c.manifest.kind === 'negative') assert.deepEqual(expected, [], 'a negative fixture expects nothing');
        else assert.ok(expected.some((e) => c.manifest.rules.some((r) => e.endsWith(` ${r}`))), 'a positive fixture expects its rule');
      });

      for (const method of Object.keys(c.manifest.runs)) {
        it(`runs under ${method} as described`, async () => {
          assertRun(`${c.name} (${method})`, c.manifest.runs[method], await result(`${c.name}|${method}`));
        });
      }

      if (!c.fix) return;
      const fix = c.fix;
      it(`fixed by ${fix.fix}: the module file is created and no ${fix.rule} finding is left`, () => {
        const copy = fixedDirs.get(c.name)!;
        for (const f of fix.created) assert.ok(fs.existsSync(path.join(copy, f)), `${f} was not created`);
        assert.deepEqual(found(copy).filter((f) => f.endsWith(` ${fix.rule}`)), []);
        // the notebook is still a notebook: valid JSON, same cells, outputs kept
        const before = JSON.parse(fs.readFileSync(path.join(c.dir, c.manifest.entry), 'utf8')) as { cells: unknown[] };
        const after = JSON.parse(fs.readFileSync(path.join(copy, c.manifest.entry), 'utf8')) as { cells: unknown[] };
        assert.equal(after.cells.length, before.cells.length);
      });
      for (const method of Object.keys(fix.runs)) {
        it(`fixed, runs under ${method} correctly`, async () => {
          assertRun(`${c.name} fixed (${method})`, fix.runs[method], await result(`${c.name}|fixed|${method}`));
        });
      }
    });
  }
});
