/**
 * Equivalence harness for the Python front end: dumps the ModuleModel of a fixed set
 * of files as JSON (Maps as objects), so that two versions of the front end can be
 * compared byte for byte.
 *
 *   npx tsx bench/dump-models.ts out.json                 # dump
 *   npx tsx bench/dump-models.ts out.json base.json       # dump and compare with a saved dump
 *   REFERENCE=/path/frontend.ts npx tsx bench/dump-models.ts out.json
 *       # also run another version of the front end (e.g. a copy of the old one) on the
 *       # same inputs in the same process and compare with it (files added since a saved
 *       # dump are covered too)
 *
 * The set: every fixtures/python/**\/*.py, a deterministic sample of ~300 files of the
 * python3 standard library, and broken variants of 60 of them (truncated mid-file,
 * characters deleted at seeded random places, a stray bracket) to exercise error
 * tolerance.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initPython, parsePython } from '../server/src/python/frontend';

function walk(dir: string, out: string[], skip: Set<string>): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip.has(e.name)) walk(full, out, skip);
    } else if (e.isFile() && e.name.endsWith('.py')) {
      out.push(full);
    }
  }
}

export function stdlibDir(): string {
  return execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
}

/** All stdlib .py files (site-packages and caches excluded), sorted. */
export function stdlibFiles(root = stdlibDir()): string[] {
  const out: string[] = [];
  walk(root, out, new Set(['site-packages', '__pycache__', 'node_modules']));
  return out;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function replacer(_k: string, v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), x]));
  return v;
}

async function main(): Promise<void> {
  const [outFile, baseFile] = process.argv.slice(2);
  if (!outFile) throw new Error('usage: dump-models.ts out.json [base.json]');
  await initPython();
  const repo = path.resolve(__dirname, '..');
  const fixtures: string[] = [];
  walk(path.join(repo, 'fixtures', 'python'), fixtures, new Set());
  const std = stdlibFiles();
  const step = Math.max(1, Math.floor(std.length / 300));
  const sample = std.filter((_, i) => i % step === 0);
  const inputs: Array<{ name: string; text: string }> = [];
  for (const f of fixtures) inputs.push({ name: path.relative(repo, f), text: fs.readFileSync(f, 'utf8') });
  for (const f of sample) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    inputs.push({ name: f, text });
  }
  const rand = rng(12345);
  const brokenFrom = sample.filter((_, i) => i % 5 === 0).slice(0, 60);
  for (const f of brokenFrom) {
    const text = fs.readFileSync(f, 'utf8');
    inputs.push({ name: `${f}#truncated`, text: text.slice(0, Math.floor(text.length * (0.3 + 0.5 * rand()))) });
    let t = text;
    for (let i = 0; i < 12 && t.length > 0; i++) {
      const at = Math.floor(rand() * t.length);
      t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rand() * 3));
    }
    inputs.push({ name: `${f}#deleted`, text: t });
    const at = Math.floor(rand() * text.length);
    inputs.push({ name: `${f}#bracket`, text: text.slice(0, at) + '(' + text.slice(at) });
  }
  const models: Record<string, unknown> = {};
  const t0 = performance.now();
  for (const inp of inputs) models[inp.name] = parsePython(inp.name, inp.text);
  const ms = performance.now() - t0;
  const json = JSON.stringify(models, replacer, 1);
  fs.writeFileSync(outFile, json);
  console.log(`${inputs.length} inputs (${fixtures.length} fixtures, ${sample.length} stdlib, ${inputs.length - fixtures.length - sample.length} broken) in ${ms.toFixed(0)} ms -> ${outFile}`);
  let reference: Record<string, unknown> | undefined;
  if (process.env.REFERENCE) {
    const mod = (await import(path.resolve(process.env.REFERENCE))) as { parsePython: typeof parsePython; initPython: typeof initPython };
    await mod.initPython();
    const ref: Record<string, unknown> = {};
    const t1 = performance.now();
    for (const inp of inputs) ref[inp.name] = mod.parsePython(inp.name, inp.text);
    console.log(`reference ${process.env.REFERENCE}: ${(performance.now() - t1).toFixed(0)} ms`);
    reference = JSON.parse(JSON.stringify(ref, replacer)) as Record<string, unknown>;
  }
  const against: Array<[string, Record<string, unknown>]> = [];
  if (reference) against.push(['reference', reference]);
  if (baseFile) against.push([baseFile, JSON.parse(fs.readFileSync(baseFile, 'utf8')) as Record<string, unknown>]);
  for (const [label, base] of against) {
    const cur = JSON.parse(json) as Record<string, unknown>;
    let diff = 0;
    const names = Object.keys(cur).filter((n) => n in base);
    const onlyHere = Object.keys(cur).length - names.length;
    const onlyThere = Object.keys(base).length - names.length;
    if (onlyHere || onlyThere) console.log(`vs ${label}: ${onlyHere} inputs not in it, ${onlyThere} of its inputs gone (not compared)`);
    for (const n of names) {
      const a = JSON.stringify(base[n]);
      const b = JSON.stringify(cur[n]);
      if (a !== b) {
        diff++;
        if (diff <= 10) {
          let i = 0;
          while (i < Math.min(a?.length ?? 0, b?.length ?? 0) && a[i] === b[i]) i++;
          console.log(`DIFF ${n}\n  base: ${a?.slice(Math.max(0, i - 120), i + 120)}\n  cur:  ${b?.slice(Math.max(0, i - 120), i + 120)}`);
        }
      }
    }
    console.log(`vs ${label}: ` + (diff === 0 ? `IDENTICAL: ${names.length} models` : `${diff} of ${names.length} models differ`));
    if (diff) process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
