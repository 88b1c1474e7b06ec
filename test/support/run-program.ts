/**
 * Runs a program folder the way the fixture runners do, for any language:
 *  - Python (`*.py` entry): `python3 <entry>` (or $CROSSPROC_PYTHON) with
 *    test/support/python on PYTHONPATH; its sitecustomize.py sets the start method from
 *    CROSSPROC_START_METHOD, which is set to the run's name unless the program pins its own.
 *  - Node: `node <entry>`, TypeScript entries `node --import tsx <entry>`.
 * Each program leads its own process group so that everything it started can be killed
 * (timeouts, `stopAfter` runaways, leftovers). Also checks a run against a run entry of
 * fixture.json / fix.json (keys: stdout, stdoutIncludes, stderrIncludes, exitCode, stopAfter).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FixtureRun } from './fixtures';

/**
 * The interpreter the runners start: $CROSSPROC_PYTHON, else `python3`'s own executable.
 * `python3` on PATH may be a version manager's shim (pyenv's is a bash script that costs
 * about 60 ms of CPU per start, and the runners start it several hundred times), so it is
 * asked once for `sys.executable` (the same interpreter, without the shim).
 */
export const PYTHON = process.env.CROSSPROC_PYTHON || pythonExecutable('python3');

function pythonExecutable(command: string): string {
  const r = spawnSync(command, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  const exe = r.status === 0 ? r.stdout.trim() : '';
  return exe === '' ? command : exe;
}
export const PY_SUPPORT_DIR = path.resolve(__dirname, 'python');

/**
 * Arguments that run Python program `entry` without the `site` module: `-S` and the
 * bootstrap test/support/python/crossproc_run.py, which sets up `sys.argv`, `sys.path[0]`
 * and `__main__` as `python entry` does, appends the interpreter's site-packages to
 * `sys.path` (from CROSSPROC_SITE_DIRS, see noSiteEnv) and picks the start method from
 * CROSSPROC_START_METHOD (sitecustomize.py does that where `site` runs). `site` costs
 * 20–200 ms of CPU per interpreter where site-packages hold `.pth` hooks (this machine's
 * import certifi, pathlib and re at every start), and every worker inherits `-S`.
 */
export function noSiteArgs(entry: string, args: string[] = []): string[] {
  return ['-S', path.join(PY_SUPPORT_DIR, 'crossproc_run.py'), entry, ...args];
}

const siteDirs = new Map<string, string>();

/** `env` for a noSiteArgs run of `python`: its site-packages folders, for the bootstrap to append. */
export function noSiteEnv(python: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  let dirs = siteDirs.get(python);
  if (dirs === undefined) {
    const r = spawnSync(python, ['-c', 'import os, site; print(os.pathsep.join(site.getsitepackages()))'], { encoding: 'utf8' });
    dirs = r.status === 0 ? r.stdout.trim() : '';
    siteDirs.set(python, dirs);
  }
  return { ...env, CROSSPROC_SITE_DIRS: dirs };
}
const TSX_ENTRY = /\.(?:ts|mts|cts|tsx)$/;

export interface ProgramRun {
  /** folder to run in (the program's cwd) */
  dir: string;
  /** entry file relative to dir */
  entry: string;
  /** 'spawn' | 'fork' | 'forkserver' for Python, 'node' for Node */
  method: string;
  /** Python: the program pins its own start method (do not set one) */
  pinned?: boolean;
  timeoutMs?: number;
  stopAfter?: { pattern: string; count: number };
  /** count zombie (<defunct>) processes of the group as left behind (the Node fixture runner's check) */
  zombiesAlive?: boolean;
}

/** One process to run as its own process group (see runProcess). */
export interface ProcessRun {
  cmd: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  stopAfter?: { pattern: string; count: number };
  zombiesAlive?: boolean;
}

export interface ProgramResult {
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

function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * Is any process of group `pid` still running? Zombies do not count: a program's children
 * (e.g. multiprocessing's resource tracker) are reparented when it exits, and where PID 1
 * does not reap orphans (some containers) they stay <defunct> forever.
 */
function groupAlive(pid: number, zombiesAlive = false): boolean {
  if (process.platform === 'win32') return false;
  // no process of the group left, not even a zombie: the common case, without reading /proc
  if (!signalable(pid)) return false;
  if (process.platform === 'linux' && !zombiesAlive) {
    try {
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        let stat: string;
        try {
          stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        } catch {
          continue; // exited meanwhile
        }
        // "pid (comm) state ppid pgrp ...": comm may contain spaces/parentheses
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) === pid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
      }
      return false;
    } catch {
      /* no usable /proc: fall back to kill(0) */
    }
  }
  return true;
}

/** Whether group `pid` has any process left (zombies count): signal 0 checks without sending. */
function signalable(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // there, but not ours to signal
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

function command(run: ProgramRun): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (/\.py$/.test(run.entry)) {
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    delete env.CROSSPROC_START_METHOD;
    delete env.PYTHONSTARTUP;
    env.PYTHONPATH = [PY_SUPPORT_DIR, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
    if (!run.pinned) env.CROSSPROC_START_METHOD = run.method;
    return { cmd: PYTHON, args: noSiteArgs(run.entry), env: noSiteEnv(PYTHON, env) };
  }
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.NODE_OPTIONS;
  const args = TSX_ENTRY.test(run.entry) ? ['--import', 'tsx', run.entry] : [run.entry];
  return { cmd: process.execPath, args, env };
}

/** Runs one program; never rejects. */
export function runProgram(run: ProgramRun): Promise<ProgramResult> {
  return runProcess({
    ...command(run),
    cwd: run.dir,
    timeoutMs: run.timeoutMs ?? 20000,
    stopAfter: run.stopAfter,
    zombiesAlive: run.zombiesAlive,
  });
}

/**
 * Runs `cmd` as the leader of its own process group, so that its whole tree (pool workers,
 * manager, forkserver, resource tracker, child processes) can be killed at once: on timeout,
 * once stdout holds `stopAfter.count` times `stopAfter.pattern`, and when anything of the
 * group is still running shortly after it exited (`leftovers`). Never rejects.
 */
export function runProcess(run: ProcessRun): Promise<ProgramResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const res: ProgramResult = { stdout: '', stderr: '', code: null, signal: null, timedOut: false, stopped: false, leftovers: false, ms: 0 };
    let child;
    try {
      child = spawn(run.cmd, run.args, { cwd: run.cwd, env: run.env, detached: process.platform !== 'win32', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ ...res, spawnError: err as Error });
      return;
    }
    const pid = child.pid;
    const timer = setTimeout(() => {
      res.timedOut = true;
      if (pid) killTree(pid);
    }, run.timeoutMs);
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
        // helpers such as tsx's esbuild service may take a moment to exit after the program
        for (let i = 0; i < 40 && groupAlive(pid, run.zombiesAlive); i++) await new Promise((r) => setTimeout(r, 50));
        if (groupAlive(pid, run.zombiesAlive)) {
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
export function limited<T>(limit: number): (task: () => Promise<T>) => Promise<T> {
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

export function describeResult(r: ProgramResult): string {
  return (
    `exit code ${r.code}${r.signal ? ` (signal ${r.signal})` : ''} after ${r.ms} ms\n` +
    `--- stdout ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-3000)}`
  );
}

/** Problems of a result against a run entry (empty = it matches). */
export function runMismatches(expected: FixtureRun, r: ProgramResult): string[] {
  const p: string[] = [];
  if (r.spawnError) return [`could not start: ${r.spawnError.message}`];
  if (r.timedOut) return ['timed out (killed)'];
  if (expected.stopAfter) {
    if (!r.stopped) p.push(`expected to be stopped after ${expected.stopAfter.count}× "${expected.stopAfter.pattern}"`);
  } else {
    const code = expected.exitCode ?? (expected.stderrIncludes ? undefined : 0);
    if (code !== undefined && r.code !== code) p.push(`exit code ${r.code}, expected ${code}`);
    if (r.leftovers) p.push('left processes behind');
  }
  if (expected.stdout !== undefined && r.stdout.trim() !== expected.stdout) p.push(`stdout ${JSON.stringify(r.stdout.trim())}, expected ${JSON.stringify(expected.stdout)}`);
  for (const s of expected.stdoutIncludes ?? []) if (!r.stdout.includes(s)) p.push(`stdout lacks ${JSON.stringify(s)}`);
  for (const s of expected.stderrIncludes ?? []) if (!r.stderr.includes(s)) p.push(`stderr lacks ${JSON.stringify(s)}`);
  return p;
}
