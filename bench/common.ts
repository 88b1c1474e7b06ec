/**
 * Shared pieces of the benchmarks: gathering files the way the CLI does, timing,
 * and the report.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Finding } from '../server/src/engine/findings';
import { RULE_IDS } from '../server/src/engine/findings';
import { Project } from '../server/src/engine/project';
import { readSourceFile, walkSourceFiles } from '../server/src/shared/files';

export interface SourceFile {
  path: string;
  text: string;
}

export interface Loaded {
  files: SourceFile[];
  skipped: number;
  lines: number;
  bytes: number;
  readSeconds: number;
}

/** Walks `root` like the CLI (.gitignore, skipped folders), reads every analysable file. */
export async function loadTree(root: string, skip: ReadonlySet<string>, accept: (file: string) => boolean = () => true): Promise<Loaded> {
  const t0 = performance.now();
  const files: SourceFile[] = [];
  let skipped = 0;
  let lines = 0;
  let bytes = 0;
  for await (const file of walkSourceFiles(root, { skip })) {
    if (!accept(file)) continue;
    const r = await readSourceFile(file);
    if (r.kind !== 'text') {
      skipped++;
      continue;
    }
    files.push({ path: file, text: r.text });
    bytes += Buffer.byteLength(r.text);
    let n = 1;
    for (let i = r.text.indexOf('\n'); i !== -1; i = r.text.indexOf('\n', i + 1)) n++;
    lines += n;
  }
  return { files, skipped, lines, bytes, readSeconds: (performance.now() - t0) / 1000 };
}

/** Wall-clock and CPU (user + system, this process) seconds of a phase. */
export interface Timing {
  wall: number;
  cpu: number;
}

export function measure(fn: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

export function minus(a: Timing, b: Timing): Timing {
  return { wall: a.wall - b.wall, cpu: a.cpu - b.cpu };
}

export function plus(a: Timing, b: Timing): Timing {
  return { wall: a.wall + b.wall, cpu: a.cpu + b.cpu };
}

/** "12.34 s (cpu 11.90 s)" and, with `base`, " = 1.23 x <baseName> (cpu 1.20 x)" */
export function describe(t: Timing, base?: Timing, baseName = 'parse-only'): string {
  let out = `${fmt(t.wall)} s (cpu ${fmt(t.cpu)} s)`;
  if (base) out += `  = ${fmt(t.wall / base.wall)} x ${baseName} (cpu ${fmt(t.cpu / base.cpu)} x)`;
  return out;
}

export interface EngineTimes {
  /** Project.updateFile for every file: parse + model extraction */
  update: Timing;
  /** Project.analyze: link, contexts, rules, fixes */
  analyze: Timing;
  findings: Finding[];
  errors: string[];
}

/** What the CLI does after reading: updateFile each, then analyze once. */
export async function runEngine(files: readonly SourceFile[]): Promise<EngineTimes> {
  const project = await Project.create();
  const update = measure(() => {
    for (const f of files) project.updateFile(f.path, f.text);
  });
  let findings: Finding[] = [];
  const analyze = measure(() => {
    findings = project.analyze();
  });
  return { update, analyze, findings, errors: [...project.lastErrors] };
}

export function findingsPerRule(findings: readonly Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of RULE_IDS) out[id] = 0;
  for (const f of findings) out[f.rule] = (out[f.rule] ?? 0) + 1;
  return out;
}

export function peakRssMb(): number {
  // maxRSS is in kilobytes
  return process.resourceUsage().maxRSS / 1024;
}

export function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

export function printTable(rows: Array<[string, string]>): void {
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
}

export function printFindings(findings: readonly Finding[], root: string, limit: number): void {
  for (const f of findings.slice(0, limit)) {
    console.log(`  ${path.relative(root, f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.rule} ${f.symbol}: ${f.message}`);
  }
  if (findings.length > limit) console.log(`  ... ${findings.length - limit} more (--findings N)`);
}

export function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0 && i + 1 < args.length) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : undefined;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (0-100) of `xs`, nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

/** A child process's cost, as /usr/bin/time reports it. */
export interface ChildRun {
  /** user + system CPU seconds (the process and its threads; children waited for) */
  cpu: number;
  wall: number;
  /** peak resident set, MB */
  rssMb: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `argv` under /usr/bin/time (GNU time) and returns its CPU, wall time and peak RSS. */
export function timeChild(argv: readonly string[], options: { cwd?: string; okStatus?: readonly number[]; env?: Record<string, string> } = {}): ChildRun {
  const timeFile = path.join(os.tmpdir(), `crossproc-bench-time-${process.pid}`);
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %e %M', '-o', timeFile, ...argv], {
    cwd: options.cwd,
    env: options.env ? { ...process.env, ...options.env } : undefined,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const ok = options.okStatus ?? [0, 1];
  if (r.status === null || !ok.includes(r.status)) {
    throw new Error(`${argv.slice(0, 3).join(' ')} ... exited ${r.status ?? r.signal}: ${(r.stderr ?? '').slice(0, 2000)}`);
  }
  const [user, sys, wall, rss] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
  return { cpu: user! + sys!, wall: wall!, rssMb: rss! / 1024, status: r.status, stdout: r.stdout, stderr: r.stderr };
}
