/**
 * The language server's figures for bench/table.ts, measured through a real LSP session
 * against dist/server.js (test/support/lsp-session.ts): RSS after indexing a workspace, and
 * edit → diagnostics latency on one open file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEBOUNCE_MS } from '../server/src/handlers/diagnostics';
import { IDLE_MS } from '../server/src/handlers/memory';
import { SERVER, startSession, waitFor, type LspSession } from '../test/support/lsp-session';
import { rssMbOf } from '../test/support/soak';

/** A workspace of `files` (absolute, under `root`) as hard links (copies where links fail) in a new temp folder. */
export function linkWorkspace(name: string, root: string, files: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `crossproc-bench-${name}-`));
  for (const f of files) {
    const to = path.join(dir, path.relative(root, f));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    try {
      fs.linkSync(f, to);
    } catch {
      fs.copyFileSync(f, to);
    }
  }
  return dir;
}

const LOAD_TIMEOUT_MS = 30 * 60_000;
/** how long to wait for the server's "At rest" log line after an analysis */
const AT_REST_TIMEOUT_MS = 120_000;

interface StatusParams {
  state: string;
  debounceMs?: number;
}

/** The debounce the server's last analysis waited (its `analysing` status says; a build that does not: DEBOUNCE_MS). */
function lastDebounce(s: LspSession): number {
  const analysing = s.notified<StatusParams>('crossproc/status').filter((p) => p.state === 'analysing');
  return analysing[analysing.length - 1]?.debounceMs ?? DEBOUNCE_MS;
}

/** Waits (polling every millisecond) until the server has sent more than `seen` idle statuses. */
async function idleAfter(s: LspSession, seen: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  const idles = () => s.notified<StatusParams>('crossproc/status').filter((p) => p.state === 'idle').length;
  while (idles() <= seen) {
    if (Date.now() > end) throw new Error(`the server did not finish an analysis in ${timeoutMs} ms:\n${s.log.slice(-5).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const idleCount = (s: LspSession) => s.notified<StatusParams>('crossproc/status').filter((p) => p.state === 'idle').length;

/** Starts a server on `root` and waits until it has loaded every file and analysed them. */
async function loaded(root: string, server?: string): Promise<{ session: LspSession; files: number; seconds: number; loadMs: number }> {
  const started = Date.now();
  const session = await startSession(root, { folderName: path.basename(root), server });
  const end = Date.now() + LOAD_TIMEOUT_MS;
  let files: number | undefined;
  let loadMs = NaN;
  let seen = 0;
  while (files === undefined) {
    seen = idleCount(session);
    const line = session.log.find((l) => /Loaded \d+ files/.test(l));
    if (line) {
      files = Number(/Loaded (\d+) files/.exec(line)![1]);
      loadMs = Number(/ in (\d+) ms/.exec(line)?.[1] ?? NaN);
    }
    else if (Date.now() > end) throw new Error(`the server did not load ${root}`);
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // the load ends with an analysis of everything (schedule(0), after the log line): its idle
  // status is the first after the line (an analysis of 1,785 files does not end within one poll)
  const atRest = () => session.log.filter((l) => l.startsWith('At rest:')).length;
  // an idle moment during a slow load (a loaded machine) can log an "At rest" line before
  // the analysis: only a line after the analysis counts
  const restsBefore = atRest();
  await idleAfter(session, seen, LOAD_TIMEOUT_MS);
  // at rest: after the collection the server makes once idle (handlers/memory.ts), as a user's
  // editor sees it; the server logs when it is done (on a large heap it takes seconds, longer
  // under load). A build that does not say so gets IDLE_MS + 1 s.
  const logged = waitFor('the idle collection', () => atRest() > restsBefore, AT_REST_TIMEOUT_MS);
  await logged.catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 1000));
  return { session, files, seconds: (Date.now() - started) / 1000, loadMs };
}

export interface IndexFigures {
  files: number;
  /** the load alone (walk, read, parse), as the server logs it */
  loadMs: number;
  rssMb: number;
  seconds: number;
}

/** RSS of a server that has loaded and analysed the workspace `root`. */
export async function indexRss(root: string): Promise<IndexFigures> {
  const { session, files, seconds, loadMs } = await loaded(root);
  const rssMb = rssMbOf(session.child.pid!);
  await session.close();
  return { files, rssMb, seconds, loadMs };
}

/**
 * Edit → diagnostics on `file` (open in the server on the workspace `root`): for each of
 * `edits` edits (a statement at the top of a function body, changed each time), the time from
 * sending `didChange` to the end of the analysis it triggers (`crossproc/status` idle), less
 * the debounce that analysis waited (adaptive: its `analysing` status gives it). The first 3 edits are a warm-up, not counted. Milliseconds.
 * `pauseMs`: the wait before each edit; `cpu.mainMs`: per edit, the time the server's main thread was on a CPU meanwhile;
 * `cpu.totalMs`: per edit, the latency with the debounce (the server parses during it: handlers/diagnostics.ts PARSE_AHEAD_MS).
 */
export async function editLatencies(
  root: string,
  file: string,
  edits: number,
  cpu?: { msPerEdit: number; debounces?: number[]; mainMs?: number[]; totalMs?: number[] },
  profile?: string,
  pauseMs = 250,
): Promise<number[]> {
  const profiled = profile !== undefined;
  const { session } = await loaded(root, profiled ? profilingServer(SERVER, path.resolve(profile)) : undefined);
  // --profile: the wrapper server (profilingServer) starts and stops V8's profiler on SIGUSR2
  const toggleProfile = async () => {
    if (!profiled) return;
    session.child.kill('SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 200));
  };
  try {
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((l, i) => /^    def \w+\(.*\):\s*$/.test(l) && /^        \S/.test(lines[i + 1] ?? ''));
    if (at < 0) throw new Error(`${file}: no method with a one-line header`);
    const seen = idleCount(session);
    await session.open(file, 'python');
    await idleAfter(session, seen, LOAD_TIMEOUT_MS);
    const line = at + 1;
    await session.edit(file, { start: { line, character: 0 }, end: { line, character: 0 } }, '        _bench = 0\n');
    await idleAfter(session, seen + 1, LOAD_TIMEOUT_MS);
    let previous = '        _bench = 0';
    const out: number[] = [];
    let cpuStart = 0;
    for (let i = 1; i <= edits + 3; i++) {
      if (i === 4) {
        await toggleProfile();
        cpuStart = cpuMsOf(session.child.pid!);
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const next = `        _bench = ${i}`;
      const before = idleCount(session);
      const m0 = mainThreadMsOf(session.child.pid!);
      const t0 = performance.now();
      await session.edit(file, { start: { line, character: 0 }, end: { line, character: previous.length } }, next);
      await idleAfter(session, before, LOAD_TIMEOUT_MS);
      if (i > 3) {
        const waited = lastDebounce(session);
        out.push(performance.now() - t0 - waited);
        cpu?.totalMs?.push(performance.now() - t0);
        cpu?.debounces?.push(waited);
        cpu?.mainMs?.push(mainThreadMsOf(session.child.pid!) - m0);
      }
      previous = next;
    }
    // the server's CPU over the timed edits (the waits between them cost it nothing)
    if (cpu) cpu.msPerEdit = (cpuMsOf(session.child.pid!) - cpuStart) / edits;
    await toggleProfile();
    return out;
  } finally {
    await session.close();
  }
}

/**
 * Time the process's main thread has spent on a CPU so far (Linux /proc schedstat, in ns
 * there; NaN elsewhere), ms: per edit, the latency without the time a loaded machine made
 * the server wait for a core (the analysis runs on the main thread).
 */
function mainThreadMsOf(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** User + system CPU time of a process so far (Linux /proc; 0 elsewhere), in ms. */
function cpuMsOf(pid: number): number {
  try {
    // fields after the command name (which may hold spaces): utime and stime are the 12th and 13th
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/**
 * Responsiveness while a large file is analysed: a workspace of a generated Python file of
 * `functions` functions (about 40 characters and 12 tokens each, under the per-file budget)
 * and a small script with a finding, both open; `edits` times, an edit of the large file
 * (it is re-parsed), then hovers on the small one every 10 ms until the analysis ends.
 * Returns each hover's latency (ms) and each analysis's time (edit → idle, less the debounce).
 */
export async function hoverLatencies(functions: number, edits: number): Promise<{ hovers: number[]; analyses: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-bench-large-'));
  const big = path.join(dir, 'generated.py');
  const small = path.join(dir, 'main.py');
  const lines: string[] = [];
  for (let i = 0; i < functions; i++) lines.push(`def f_${i}(x):`, `    return x + ${i}`, '');
  fs.writeFileSync(big, `${lines.join('\n')}\n`);
  fs.writeFileSync(small, 'from multiprocessing import Pool\n\nGREETING = None\n\n\ndef task(x):\n    return f"{GREETING} {x}"\n\n\nif __name__ == "__main__":\n    GREETING = "Hello"\n    with Pool(2) as p:\n        print(p.map(task, [1, 2]))\n');
  const session = await startSession(dir, { folderName: 'large' });
  const hovers: number[] = [];
  const analyses: number[] = [];
  try {
    const seen = idleCount(session);
    await session.open(small, 'python');
    await session.open(big, 'python');
    await idleAfter(session, seen, LOAD_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const hover = { textDocument: { uri: pathToFileURL(small).href }, position: { line: 6, character: 15 } };
    for (let i = 0; i < edits; i++) {
      const before = idleCount(session);
      const t0 = performance.now();
      await session.edit(big, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, `    y = ${i}\n`);
      // the debounce first, then hovers while the server parses and analyses
      await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS));
      while (idleCount(session) <= before) {
        const h0 = performance.now();
        await session.connection.sendRequest('textDocument/hover', hover);
        hovers.push(performance.now() - h0);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      analyses.push(performance.now() - t0 - lastDebounce(session));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } finally {
    await session.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { hovers, analyses };
}

/** The standard library's files (site-packages apart), the way bench/table.ts builds the server's workspaces. */
async function stdlibFiles(): Promise<{ root: string; std: string[]; rest: string[] }> {
  const { execFileSync } = await import('node:child_process');
  const { loadTree } = await import('./common');
  const { SKIPPED_DIRECTORIES } = await import('../server/src/shared/protocol');
  const root = execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
  const all = (await loadTree(root, new Set(SKIPPED_DIRECTORIES))).files.map((f) => f.path);
  const inSite = (f: string) => f.includes(`${path.sep}site-packages${path.sep}`);
  return { root, std: all.filter((f) => !inSite(f)), rest: all.filter(inSite) };
}

/**
 * A server script that runs `server` and, on SIGUSR2, starts V8's CPU profiler (the first
 * time) or writes the profile to `out` (the second): the timed edits alone, without the load;
 * and the collections made meanwhile (count, total and longest pause per kind) to `out`.gc.json.
 */
function profilingServer(server: string, out: string): string {
  const wrapper = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-bench-prof-')), 'server.js');
  fs.writeFileSync(
    wrapper,
    `const inspector = require('node:inspector');
const fs = require('node:fs');
const { PerformanceObserver, constants } = require('node:perf_hooks');
const session = new inspector.Session();
session.connect();
let on = false;
const gcs = new Map();
const kinds = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak' };
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const k = kinds[e.detail.kind] ?? String(e.detail.kind);
    const g = gcs.get(k) ?? { count: 0, ms: 0, max: 0 };
    g.count++; g.ms += e.duration; g.max = Math.max(g.max, e.duration);
    gcs.set(k, g);
  }
});
process.on('SIGUSR2', () => {
  if (!on) {
    on = true;
    observer.observe({ entryTypes: ['gc'] });
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
  } else {
    observer.disconnect();
    fs.writeFileSync(${JSON.stringify(out)} + '.gc.json', JSON.stringify(Object.fromEntries(gcs)));
    session.post('Profiler.stop', (err, res) => { if (!err) fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(res.profile)); });
  }
});
process.argv[1] = ${JSON.stringify(server)};
require(${JSON.stringify(server)});
`,
  );
  return wrapper;
}

/**
 * On its own: `npx tsx bench/server.ts [--edits N] [--pause MS] [--profile FILE] [--rss] [--10k] [--large [--functions N]]`
 * — edit → diagnostics latency on tarfile.py in the standard library workspace (median,
 * p95; --pause: the wait between an analysis and the next edit, 250 ms by default, past
 * the server's IDLE_MS to include its idle collections), with --rss the server's RSS after indexing that workspace (--10k: the 10,000-file
 * one), with --large hover latency while a large file is analysed ({@link hoverLatencies}).
 * CROSSPROC_SERVER picks another build's dist/server.js. --profile writes a CPU profile of
 * the server during the timed edits (summarise it with bench/cpuprofile.ts --bundle dist/server.js).
 */
async function main(): Promise<void> {
  const { argValue, fmt, percentile } = await import('./common');
  const args = process.argv.slice(2);
  const edits = Number(argValue(args, '--edits') ?? 20);
  const { root, std, rest } = await stdlibFiles();
  const ws = args.includes('--10k') ? linkWorkspace('10k', root, [...std, ...rest].slice(0, 10_000)) : linkWorkspace('stdlib', root, std);
  const load = () => os.loadavg().map((x) => fmt(x)).join(' ');
  try {
    if (args.includes('--rss')) {
      const r = await indexRss(ws);
      console.log(`RSS after indexing ${r.files} files: ${fmt(r.rssMb, 0)} MB (load ${fmt(r.loadMs / 1000)} s, ready after ${fmt(r.seconds)} s; load average ${load()})`);
    }
    if (args.includes('--large')) {
      const functions = Number(argValue(args, '--functions') ?? 12_000);
      const { hovers, analyses } = await hoverLatencies(functions, 5);
      console.log(`hover while a ${functions}-function file is analysed: ${hovers.length} hovers, median ${fmt(percentile(hovers, 50), 0)} ms, p95 ${fmt(percentile(hovers, 95), 0)} ms, max ${fmt(Math.max(...hovers), 0)} ms; analyses ${analyses.map((x) => fmt(x, 0)).join(', ')} ms (load average ${load()})`);
    }
    if (edits > 0) {
      const cpu = { msPerEdit: NaN, debounces: [] as number[], mainMs: [] as number[], totalMs: [] as number[] };
      const pause = Number(argValue(args, '--pause') ?? 250);
      const xs = await editLatencies(ws, path.join(ws, 'tarfile.py'), edits, cpu, argValue(args, '--profile'), pause);
      console.log(`edit → diagnostics beyond the debounce, tarfile.py, ${xs.length} edits: median ${fmt(percentile(xs, 50), 0)} ms, p95 ${fmt(percentile(xs, 95), 0)} ms; server CPU ${fmt(cpu.msPerEdit, 1)} ms per edit (load average ${load()})`);
      console.log(`  the server's main thread on a CPU from the edit to its diagnostics: median ${fmt(percentile(cpu.mainMs, 50), 1)} ms, p95 ${fmt(percentile(cpu.mainMs, 95), 1)} ms`);
      console.log(`  edit → diagnostics, the debounce included: median ${fmt(percentile(cpu.totalMs, 50), 0)} ms, p95 ${fmt(percentile(cpu.totalMs, 95), 0)} ms`);
      console.log(`  debounce waited (adaptive): median ${fmt(percentile(cpu.debounces, 50), 0)} ms, min ${fmt(Math.min(...cpu.debounces), 0)} ms, max ${fmt(Math.max(...cpu.debounces), 0)} ms`);
      console.log(`  samples: ${xs.map((x) => fmt(x, 0)).join(' ')}`);
    }
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
