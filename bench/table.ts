/**
 * `npm run bench`: every figure of issue 13's table, each a ratio measured in this run, in one
 * table (and as JSON). Not part of `npm test`.
 *
 *   npm run bench [-- --rounds N] [--json FILE] [--no-server] [--no-peers]
 * Each round runs every measurement once, floors and peers interleaved with Crossproc (so
 * that a change in the machine's load hits all of them alike); each figure is the median
 * over the rounds (default 3). CPU is user + system of a child process (/usr/bin/time), or
 * of this process for the in-process floors (parse-only, after a warm-up). The load average
 * is printed with the table: on a shared machine wall times, and the 2-core ÷ 1-core
 * figure most of all, depend on it (with Linux's autogroup scheduling a busy machine gives
 * each session its share of the cores, however many threads it runs). So that figure also
 * gets an estimate that does not depend on the load: the CPU of the whole run at --jobs 1
 * (what one core takes) ÷ the larger of the main thread's CPU alone at --jobs 2
 * (bench/thread-cpu.cjs) and half the run's CPU (two idle cores can do no better than either).
 *
 * Inputs: the python3 standard library (site-packages, test/ and tests/ left out) as the
 * CLI's `--format json FILES`; every analysable .js/.ts file under this repository's
 * node_modules (nested ones included, files over 2 MB left out as the CLI does); luigi
 * (/work/real/luigi, when present) for the second --jobs figure; two hard-linked workspaces
 * for the language server: the whole standard library (test/ included), and 10,000 files
 * (the standard library and then site-packages, in walk order).
 *
 * Peers: Debian's pylint (`apt-get install pylint`), ESLint and Ruff's WebAssembly build
 * (dev dependencies). Ruff's native binary does not install from the registries this
 * machine reaches (the npm packages that wrap it download it at install time); its wasm
 * build runs the same rules, slower, so that row is not comparable with native Ruff.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { languageOf } from '../server/src/engine/language';
import { scriptKindFor } from '../server/src/js/frontend';
import { getPythonParser, initPython } from '../server/src/python/parser';
import { SKIPPED_DIRECTORIES } from '../server/src/shared/protocol';
import { argValue, fmt, loadTree, measure, median, percentile, timeChild, type ChildRun, type SourceFile } from './common';
import { editLatencies, indexRss, linkWorkspace, type IndexFigures } from './server';

const REPO = path.resolve(__dirname, '..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const LUIGI = '/work/real/luigi';

function stdlibRoot(): string {
  return execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
}

/** `argv` pinned to the given cores with taskset (when there is one). */
function onCores(cores: string, argv: string[]): string[] {
  return fs.existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', cores, ...argv] : argv;
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

interface Row {
  figure: string;
  value: number | null;
  unit: string;
  target: string;
  met: boolean | null;
  detail: string;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rounds = Math.max(1, Number(argValue(args, '--rounds') ?? 3));
  const jsonOut = path.resolve(argValue(args, '--json') ?? path.join(REPO, 'bench', 'bench.json'));
  const withServer = !args.includes('--no-server');
  const withPeers = !args.includes('--no-peers');
  if (!fs.existsSync(CLI)) throw new Error('build first (npm run build): dist/cli.js is missing');
  const log = (s: string) => process.stderr.write(`${s}\n`);

  // ---- inputs
  const stdRoot = stdlibRoot();
  const skipStd = new Set([...SKIPPED_DIRECTORIES, 'site-packages', 'test', 'tests']);
  const std = (await loadTree(stdRoot, skipStd, (f) => f.endsWith('.py') || f.endsWith('.pyw'))).files;
  const stdRel = std.map((f) => path.relative(stdRoot, f.path));
  const nmRoot = path.join(REPO, 'node_modules');
  const nm = (await loadTree(nmRoot, new Set([...SKIPPED_DIRECTORIES].filter((d) => d !== 'node_modules')), (f) => languageOf(f) === 'js')).files;
  const nmRel = nm.map((f) => path.relative(REPO, f.path));
  const nmJs = nmRel.filter((f) => /\.[mc]?js$/.test(f));
  const oneDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-bench-one-'));
  fs.writeFileSync(path.join(oneDir, 'one.py'), 'from multiprocessing import Pool\n\nLIMIT = 1\n\n\ndef task(x):\n    return x * LIMIT\n\n\nif __name__ == "__main__":\n    with Pool(2) as p:\n        print(p.map(task, range(4)))\n');
  const stdList = path.join(oneDir, 'stdlib-files.txt');
  fs.writeFileSync(stdList, std.map((f) => f.path).join('\n'));
  const luigi = fs.existsSync(LUIGI) ? LUIGI : undefined;
  const pylint = withPeers ? which('pylint') : undefined;
  const eslint = withPeers ? path.join(REPO, 'node_modules', 'eslint', 'bin', 'eslint.js') : undefined;
  let ruff: string | undefined;
  try {
    if (withPeers) {
      require.resolve('@astral-sh/ruff-wasm-nodejs');
      ruff = path.join(__dirname, 'ruff-check.cjs');
    }
  } catch {
    ruff = undefined;
  }
  log(`stdlib: ${std.length} files; node_modules: ${nm.length} JS/TS files (${nmJs.length} .js/.mjs/.cjs); luigi: ${luigi ?? 'absent'}`);

  // the server's workspaces: the whole stdlib (tests included), and 10,000 files
  let wsStd: string | undefined;
  let ws10k: string | undefined;
  let editFile: string | undefined;
  if (withServer) {
    const skipWs = new Set(SKIPPED_DIRECTORIES);
    const all = (await loadTree(stdRoot, skipWs)).files.map((f) => f.path);
    const inStd = all.filter((f) => !f.includes(`${path.sep}site-packages${path.sep}`));
    const rest = all.filter((f) => f.includes(`${path.sep}site-packages${path.sep}`));
    wsStd = linkWorkspace('stdlib', stdRoot, inStd);
    ws10k = linkWorkspace('10k', stdRoot, [...inStd, ...rest].slice(0, 10_000));
    editFile = path.join(wsStd, 'tarfile.py');
    log(`server workspaces: ${inStd.length} files (${wsStd}), ${Math.min(10_000, all.length)} files (${ws10k})`);
  }

  await initPython();
  const parser = getPythonParser();
  if (!parser) throw new Error('the Python parser did not load');
  const pyParse = (files: readonly SourceFile[]) => measure(() => {
    for (const f of files) parser.parse(f.text)?.delete();
  });
  const tsParse = (files: readonly SourceFile[]) => measure(() => {
    for (const f of files) ts.createSourceFile(f.path, f.text, ts.ScriptTarget.Latest, true, scriptKindFor(f.path));
  });
  const cli = (extra: string[], files: string[]) => [process.execPath, CLI, '--format', 'json', ...extra, ...files];
  const withThreadCpu = (argv: string[]) => [argv[0]!, '--require', path.join(__dirname, 'thread-cpu.cjs'), ...argv.slice(1)];
  const threadCpuFile = path.join(oneDir, 'thread-cpu');
  // warm-up: the in-process floors' JIT, the page cache for every input
  pyParse(std);
  tsParse(nm);
  timeChild(cli(['--jobs', '1'], stdRel), { cwd: stdRoot });

  const series = new Map<string, number[]>();
  const add = (key: string, v: number) => (series.get(key) ?? series.set(key, []).get(key)!).push(v);
  const findings = new Map<string, number>();
  const countOf = (r: ChildRun) => {
    try {
      const parsed = JSON.parse(r.stdout) as { findings?: unknown[] };
      return parsed.findings?.length ?? -1;
    } catch {
      return -1;
    }
  };
  const server: { index: IndexFigures[]; edits: number[] } = { index: [], edits: [] };
  const loads: string[] = [];

  /** The table and the JSON of the rounds done so far (written after every round, so a run cut short still leaves its figures). */
  const report = (done: number): void => {
    const m = (key: string) => (series.has(key) ? median(series.get(key)!) : NaN);
    const rows: Row[] = [];
    const row = (figure: string, value: number, unit: string, target: string, ok: (v: number) => boolean, detail: string) =>
      rows.push({ figure, value: Number.isFinite(value) ? value : null, unit, target, met: Number.isFinite(value) ? ok(value) : null, detail });
    row('CPU of a full CLI run (--jobs 1) on the Python stdlib (no test/) ÷ tree-sitter parse-only', m('py.cli1.cpu') / m('py.parse'), '×', '≤ 1.5 ×', (v) => v <= 1.5,
      `${std.length} files; CLI ${fmt(m('py.cli1.cpu'))} s, parse-only ${fmt(m('py.parse'))} s`);
    row('the same for all .js/.ts under node_modules ÷ ts.createSourceFile only', m('js.cli1.cpu') / m('ts.parse'), '×', '≤ 1.4 ×', (v) => v <= 1.4,
      `${nm.length} files; CLI ${fmt(m('js.cli1.cpu'))} s, createSourceFile ${fmt(m('ts.parse'))} s`);
    for (const [name, label] of [['std', 'stdlib'], ...(luigi ? [['luigi', 'luigi']] : [])]) {
      row(`CLI wall time, ${label}: 1 core (--jobs 1) ÷ 2 cores (--jobs 2)`, m(`${name}.wall.1core`) / m(`${name}.wall.2core`), '× speed-up', '≥ 1.7 ×', (v) => v >= 1.7,
        `taskset -c 0: ${fmt(m(`${name}.wall.1core`))} s, taskset -c 0,1: ${fmt(m(`${name}.wall.2core`))} s, at the load averages below`);
      const twoCores = Math.max(m(`${name}.main.2core`), m(`${name}.cpu.2core`) / 2);
      row(`  the same, load-independent estimate: CPU at --jobs 1 ÷ max(main-thread CPU, all CPU ÷ 2) at --jobs 2`, m(`${name}.cpu.1core`) / twoCores, '× speed-up', '≥ 1.7 ×', (v) => v >= 1.7,
        `${fmt(m(`${name}.cpu.1core`))} s ÷ ${fmt(twoCores)} s (main thread ${fmt(m(`${name}.main.2core`))} s, all threads ${fmt(m(`${name}.cpu.2core`))} s)`);
    }
    row('CLI peak RSS, stdlib (default --jobs)', m('py.cli.rss'), 'MB', '≤ 250 MB', (v) => v <= 250, `--jobs 1: ${fmt(m('py.cli1.rss'), 0)} MB; CPU at the default --jobs ${fmt(m('py.cli.cpu'))} s`);
    if (server.index.length) {
      const idx = server.index;
      row(`language server RSS after indexing a ${idx[0]!.files}-file workspace`, median(idx.map((x) => x.rssMb)), 'MB', '≤ 400 MB', (v) => v <= 400,
        `load + first analysis ${fmt(median(idx.map((x) => x.seconds)), 0)} s`);
    } else {
      row('language server RSS after indexing a 10,000-file workspace', NaN, 'MB', '≤ 400 MB', () => false, 'not measured (--no-server)');
    }
    row('CPU of `crossproc one.py` ÷ `node -e 0`', m('one.cpu') / m('node0.cpu'), '×', '≤ 3 ×', (v) => v <= 3,
      `${fmt(m('one.cpu'), 3)} s and ${fmt(m('node0.cpu'), 3)} s (means of 10 runs a round)`);
    if (server.edits.length) {
      row('edit → diagnostics beyond the debounce, tarfile.py (2,896 lines) in the stdlib workspace, p95', percentile(server.edits, 95), 'ms', '≤ 30 ms', (v) => v <= 30,
        `${server.edits.length} edits; median ${fmt(median(server.edits), 0)} ms`);
    } else {
      row('edit → diagnostics beyond the debounce, 3,000-line file, p95', NaN, 'ms', '≤ 30 ms', () => false, 'not measured (--no-server)');
    }
    row('pylint (global-statement only, -j 1) ÷ Crossproc CPU, same stdlib files', m('pylint.cpu') / m('py.cli1.cpu'), '×', '≥ 20 ×', (v) => v >= 20,
      pylint ? `pylint ${fmt(m('pylint.cpu'))} s (${pylint})` : 'pylint is not installed (apt-get install pylint)');
    row('ESLint (no-global-assign only) ÷ Crossproc CPU, same .js/.mjs/.cjs files', m('eslint.cpu') / m('js.cli1.jsonly.cpu'), '×', '≥ 4 ×', (v) => v >= 4,
      eslint ? `${nmJs.length} files; ESLint ${fmt(m('eslint.cpu'))} s, Crossproc ${fmt(m('js.cli1.jsonly.cpu'))} s` : 'ESLint not found (npm ci)');
    row('Crossproc ÷ Ruff (PLW0603 only) CPU, stdlib', m('py.cli1.cpu') / m('ruff.cpu'), '×', '≤ 8 ×', (v) => v <= 8,
      ruff ? `Ruff's WebAssembly build (@astral-sh/ruff-wasm-nodejs; native Ruff does not install here), ${fmt(m('ruff.cpu'))} s: not comparable with native Ruff` : 'Ruff not found');

    const load = loads.join('; ');
    console.log(`\n${done} of ${rounds} round(s), medians; load average (1, 5, 15 min) after each round: ${load}; ${os.cpus().length} cores\n`);
    console.log('| figure | measured | target | met |');
    console.log('|---|---|---|---|');
    for (const r of rows) {
      const v = r.value === null ? '–' : `${fmt(r.value, r.unit === 'MB' || r.unit === 'ms' ? 0 : 2)} ${r.unit}`;
      console.log(`| ${r.figure} | ${v} (${r.detail}) | ${r.target} | ${r.met === null ? '–' : r.met ? 'yes' : 'no'} |`);
    }
    fs.writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), rounds: done, loadAverages: loads, cores: os.cpus().length, rows, series: Object.fromEntries(series), server, findings: Object.fromEntries(findings) }, null, 1) + '\n');
    console.log(`\nJSON: ${path.relative(process.cwd(), jsonOut)}`);
  };

  for (let round = 1; round <= rounds; round++) {
    const t0 = Date.now();
    add('py.parse', pyParse(std).cpu);
    const std1 = timeChild(cli(['--jobs', '1'], stdRel), { cwd: stdRoot });
    add('py.cli1.cpu', std1.cpu);
    add('py.cli1.rss', std1.rssMb);
    findings.set('stdlib', countOf(std1));
    const stdDefault = timeChild(cli([], stdRel), { cwd: stdRoot });
    add('py.cli.cpu', stdDefault.cpu);
    add('py.cli.rss', stdDefault.rssMb);
    add('ts.parse', tsParse(nm).cpu);
    const nm1 = timeChild(cli(['--jobs', '1'], nmRel), { cwd: REPO });
    add('js.cli1.cpu', nm1.cpu);
    findings.set('node_modules', countOf(nm1));
    // --jobs: one core and --jobs 1 against two cores and --jobs 2
    for (const [name, files, cwd] of [['std', stdRel, stdRoot], ...(luigi ? [['luigi', [luigi], REPO]] : [])] as Array<[string, string[], string]>) {
      const one = timeChild(onCores('0', cli(['--jobs', '1'], files)), { cwd });
      const two = timeChild(onCores('0,1', withThreadCpu(cli(['--jobs', '2'], files))), { cwd, env: { CROSSPROC_BENCH_THREAD_CPU: threadCpuFile } });
      add(`${name}.wall.1core`, one.wall);
      add(`${name}.wall.2core`, two.wall);
      add(`${name}.cpu.1core`, one.cpu);
      add(`${name}.cpu.2core`, two.cpu);
      add(`${name}.main.2core`, Number(fs.readFileSync(threadCpuFile, 'utf8')));
    }
    // start-up: ten runs each, summed (one run is near /usr/bin/time's 10 ms resolution)
    let one = 0;
    let node0 = 0;
    for (let i = 0; i < 10; i++) {
      one += timeChild([process.execPath, CLI, 'one.py'], { cwd: oneDir }).cpu;
      node0 += timeChild([process.execPath, '-e', '0']).cpu;
    }
    add('one.cpu', one / 10);
    add('node0.cpu', node0 / 10);
    if (pylint) {
      // one checker: global-statement (W0603), the closest to what Crossproc looks at
      const r = timeChild([pylint, '-j', '1', '--persistent=n', '--score=n', '--disable=all', '--enable=global-statement', ...stdRel], { cwd: stdRoot, okStatus: [0, 4, 8, 16, 20, 24, 28, 30, 32] });
      add('pylint.cpu', r.cpu);
    }
    if (eslint) {
      const r = timeChild([process.execPath, eslint, '-c', path.join(__dirname, 'eslint.config.mjs'), '--format', 'json', ...nmJs], { cwd: REPO, okStatus: [0, 1] });
      add('eslint.cpu', r.cpu);
      add('js.cli1.jsonly.cpu', timeChild(cli(['--jobs', '1'], nmJs), { cwd: REPO }).cpu);
    }
    if (ruff) add('ruff.cpu', timeChild([process.execPath, ruff, stdList, 'PLW0603']).cpu);
    if (wsStd && ws10k && editFile) {
      server.index.push(await indexRss(ws10k));
      server.edits.push(...(await editLatencies(wsStd, editFile, 20)));
    }
    loads.push(os.loadavg().map((x) => fmt(x)).join(' '));
    log(`round ${round}/${rounds}: ${((Date.now() - t0) / 1000).toFixed(0)} s, load average ${loads[loads.length - 1]}`);
    report(round);
  }

  for (const dir of [wsStd, ws10k, oneDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
