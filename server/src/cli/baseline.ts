/**
 * Bulk suppressions for legacy code, after ESLint's (`eslint --suppress-all`,
 * `eslint-suppressions.json`): `crossproc-suppressions.json` holds, per file (relative to
 * the file's folder, forward slashes) and rule, how many findings are accepted:
 *
 *   { "src/app.py": { "stale-global-read": { "count": 2, "symbols": { "CONFIG": 2 } } } }
 *
 * A later run reports only the findings beyond those counts. Nothing in it names a line, so
 * moving code keeps it valid. `symbols` (our addition; an ESLint-style entry without it
 * works too) says which findings are new: those of a symbol beyond its recorded count (the
 * last ones in the file); without it, the last findings beyond `count`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Finding, RuleId } from '../engine/findings';
import { isRuleId } from '../engine/findings';
import { ConfigError } from './args';

export const DEFAULT_SUPPRESSIONS_FILE = 'crossproc-suppressions.json';

interface Entry {
  count: number;
  symbols?: Record<string, number>;
}

/** file (relative, slashes) → rule → entry */
export type Suppressions = Record<string, Partial<Record<RuleId, Entry>>>;

export function suppressionsFile(cwd: string, location: string | undefined): string {
  return path.resolve(cwd, location ?? DEFAULT_SUPPRESSIONS_FILE);
}

function keyOf(file: string, finding: string): string {
  return path.relative(path.dirname(file), finding).split(path.sep).join('/');
}

/** Reads the file; a missing one is empty, a malformed one is a configuration error (exit 2). */
export async function readSuppressions(file: string): Promise<Suppressions> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read the suppressions file '${file}': ${(error as Error).message}.`);
  }
  const bad = (why: string) => new ConfigError(`${path.basename(file)}: ${why}. Fix it, or delete it and run --suppress-all again.`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw bad(`invalid JSON (${(error as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw bad('it must hold one object of files');
  for (const [f, rules] of Object.entries(data as Record<string, unknown>)) {
    if (!rules || typeof rules !== 'object' || Array.isArray(rules)) throw bad(`"${f}" must map rule ids to { "count": N }`);
    for (const [rule, entry] of Object.entries(rules as Record<string, unknown>)) {
      const count = (entry as Entry | undefined)?.count;
      if (!isRuleId(rule)) throw bad(`"${f}" names an unknown rule "${rule}"`);
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw bad(`"${f}" → "${rule}" needs a whole "count"`);
    }
  }
  return data as Suppressions;
}

function group(findings: readonly Finding[], file: string): Map<string, Map<RuleId, Finding[]>> {
  const out = new Map<string, Map<RuleId, Finding[]>>();
  for (const f of findings) {
    if (!isRuleId(f.rule)) continue;
    const key = keyOf(file, f.file);
    let rules = out.get(key);
    if (!rules) out.set(key, (rules = new Map()));
    const list = rules.get(f.rule);
    if (list) list.push(f);
    else rules.set(f.rule, [f]);
  }
  return out;
}

function entryFor(list: readonly Finding[]): Entry {
  const symbols: Record<string, number> = {};
  for (const f of list) symbols[f.symbol] = (symbols[f.symbol] ?? 0) + 1;
  return { count: list.length, symbols };
}

/**
 * The findings the suppressions do not cover (input order kept), and how many recorded
 * suppressions no longer occur (for the "prune" hint).
 */
export function applySuppressions(findings: readonly Finding[], data: Suppressions, file: string): { findings: Finding[]; unmatched: number } {
  const suppressed = new Set<Finding>();
  const grouped = group(findings, file);
  let unmatched = 0;
  for (const [key, rules] of Object.entries(data)) {
    for (const [rule, entry] of Object.entries(rules) as Array<[RuleId, Entry]>) {
      const list = grouped.get(key)?.get(rule) ?? [];
      unmatched += Math.max(0, entry.count - list.length);
      const excess = list.length - entry.count;
      if (excess <= 0) {
        list.forEach((f) => suppressed.add(f));
        continue;
      }
      // which ones are new: first those of a symbol beyond its recorded count, then the last ones
      const fresh = new Set<Finding>();
      if (entry.symbols) {
        const seen = new Map<string, number>();
        const beyond = list.filter((f) => {
          const n = (seen.get(f.symbol) ?? 0) + 1;
          seen.set(f.symbol, n);
          return n > (entry.symbols![f.symbol] ?? 0);
        });
        for (const f of beyond.reverse()) if (fresh.size < excess) fresh.add(f);
      }
      for (let i = list.length - 1; i >= 0 && fresh.size < excess; i--) fresh.add(list[i]!);
      for (const f of list) if (!fresh.has(f)) suppressed.add(f);
    }
  }
  return { findings: findings.filter((f) => !suppressed.has(f)), unmatched };
}

/** --suppress-all / --suppress-rule: the new file content (other rules' entries kept for --suppress-rule). */
export function recordSuppressions(findings: readonly Finding[], data: Suppressions, file: string, rules: 'all' | readonly RuleId[]): Suppressions {
  const out: Suppressions = {};
  if (rules !== 'all') {
    for (const [key, entries] of Object.entries(data)) {
      for (const [rule, entry] of Object.entries(entries) as Array<[RuleId, Entry]>) if (!rules.includes(rule)) (out[key] ??= {})[rule] = entry;
    }
  }
  for (const [key, byRule] of group(findings, file)) {
    for (const [rule, list] of byRule) if (rules === 'all' || rules.includes(rule)) (out[key] ??= {})[rule] = entryFor(list);
  }
  return sorted(out);
}

/** --prune-suppressions: each entry lowered to what still occurs; entries that no longer occur removed. */
export function pruneSuppressions(findings: readonly Finding[], data: Suppressions, file: string): Suppressions {
  const grouped = group(findings, file);
  const out: Suppressions = {};
  for (const [key, rules] of Object.entries(data)) {
    for (const [rule, entry] of Object.entries(rules) as Array<[RuleId, Entry]>) {
      const list = grouped.get(key)?.get(rule) ?? [];
      if (list.length === 0) continue;
      let kept: Entry;
      if (entry.symbols) {
        const now = entryFor(list).symbols!;
        const symbols: Record<string, number> = {};
        for (const [s, n] of Object.entries(entry.symbols)) if (now[s]) symbols[s] = Math.min(n, now[s]);
        const count = Object.values(symbols).reduce((a, b) => a + b, 0);
        if (count === 0) continue;
        kept = { count, symbols };
      } else {
        kept = { count: Math.min(entry.count, list.length) };
      }
      (out[key] ??= {})[rule] = kept;
    }
  }
  return sorted(out);
}

function sorted(data: Suppressions): Suppressions {
  const out: Suppressions = {};
  for (const key of Object.keys(data).sort()) {
    const rules = data[key]!;
    out[key] = {};
    for (const rule of Object.keys(rules).sort() as RuleId[]) {
      const e = rules[rule]!;
      out[key]![rule] = e.symbols ? { count: e.count, symbols: Object.fromEntries(Object.entries(e.symbols).sort(([a], [b]) => (a < b ? -1 : 1))) } : { count: e.count };
    }
  }
  return out;
}

export async function writeSuppressions(file: string, data: Suppressions): Promise<void> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, JSON.stringify(data, null, 2) + '\n');
  } catch (error) {
    throw new ConfigError(`cannot write the suppressions file '${file}': ${(error as Error).message}.`);
  }
}
