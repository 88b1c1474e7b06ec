/**
 * Reads a V8 .cpuprofile (`node --cpu-prof dist/cli.js ...`) and prints where the CPU went:
 * self time per source module of the bundle (esbuild marks each module with a
 * `// path` comment line, which is how bundle lines map back to modules), and the
 * hottest functions by self and by total time.
 *
 *   npx tsx bench/cpuprofile.ts PROFILE.cpuprofile [--bundle dist/cli.js] [--top N] [--callers NAME]
 *
 * --callers NAME: the call stacks (5 frames) under which functions named NAME spent their self time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { argValue, fmt } from './common';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Start lines (0-based) of each module section of an esbuild bundle, sorted. */
function moduleSections(bundle: string): Array<{ line: number; name: string }> {
  const out: Array<{ line: number; name: string }> = [];
  const lines = fs.readFileSync(bundle, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\/\/ ((?:node_modules|server|rules|client|package)\S*)$/.exec(lines[i]!);
    if (m) out.push({ line: i, name: m[1]! });
  }
  return out;
}

function sectionOf(sections: ReadonlyArray<{ line: number; name: string }>, line: number): string {
  let lo = 0;
  let hi = sections.length - 1;
  if (hi < 0 || line < sections[0]!.line) return '(bundle prelude)';
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sections[mid]!.line <= line) lo = mid;
    else hi = mid - 1;
  }
  return sections[lo]!.name;
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.match(/^--(bundle|top|callers)$/));
  if (!file) throw new Error('usage: bench/cpuprofile.ts PROFILE.cpuprofile [--bundle dist/cli.js] [--top N]');
  const bundle = path.resolve(argValue(args, '--bundle') ?? path.join(__dirname, '..', 'dist', 'cli.js'));
  const top = Number(argValue(args, '--top') ?? 30);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const sections = moduleSections(bundle);
  const bundleName = path.basename(bundle);

  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = profile.timeDeltas.reduce((a, b) => a + b, 0);

  const where = (cf: CallFrame): string => {
    if (!cf.url) return cf.functionName ? `(${cf.functionName})` : '(native)';
    if (cf.url.endsWith(bundleName)) return sectionOf(sections, cf.lineNumber);
    if (cf.url.startsWith('wasm://')) return '(wasm)';
    if (cf.url.startsWith('node:')) return '(node internals)';
    return cf.url;
  };
  const label = (cf: CallFrame): string => `${cf.functionName || '(anonymous)'} ${where(cf)}:${cf.lineNumber + 1}`;

  const byModule = new Map<string, number>();
  const bySelf = new Map<string, number>();
  const byTotal = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const m = where(n.callFrame);
    byModule.set(m, (byModule.get(m) ?? 0) + t);
    const l = label(n.callFrame);
    bySelf.set(l, (bySelf.get(l) ?? 0) + t);
    // total time: every distinct function on the stack gets the sample's time once
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cl = label(byId.get(cur)!.callFrame);
      if (seen.has(cl)) continue;
      seen.add(cl);
      byTotal.set(cl, (byTotal.get(cl) ?? 0) + t);
    }
  }
  const print = (title: string, m: Map<string, number>, n: number) => {
    console.log(`\n${title}`);
    for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`  ${fmt((100 * t) / total, 1).padStart(5)} %  ${fmt(t / 1e6, 3).padStart(7)} s  ${k}`);
    }
  };
  console.log(`profile: ${fmt(total / 1e6, 2)} s sampled`);
  print('self time by module', byModule, top);
  print('self time by function', bySelf, top);
  print('total time by function', byTotal, top);
  const callersOf = argValue(args, '--callers');
  if (callersOf) {
    const stacks = new Map<string, number>();
    for (const [id, t] of self) {
      if (byId.get(id)!.callFrame.functionName !== callersOf) continue;
      const frames: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && frames.length < 5; cur = parent.get(cur)) frames.push(label(byId.get(cur)!.callFrame));
      const key = frames.join(' < ');
      stacks.set(key, (stacks.get(key) ?? 0) + t);
    }
    print(`self time of ${callersOf} by caller stack`, stacks, top);
  }
}

main();
