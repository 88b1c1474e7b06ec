/**
 * The line length a Python project formats to, so the code a fix writes passes the
 * project's formatter and linter: `line-length` in the nearest `.ruff.toml` / `ruff.toml`,
 * else `[tool.ruff]` or `[tool.black]` in the nearest `pyproject.toml`; 88 (the default of
 * both) when none sets it. The search stops at the first folder holding a `pyproject.toml`
 * or a Ruff configuration (the project root, as Ruff and Black find it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';

export const DEFAULT_LINE_LENGTH = 88;

/** What one configuration file says: a length, "I am the root but say nothing", or not a root. */
type Said = number | 'root' | undefined;

const cache = new Map<string, { mtimeMs: number; size: number; said: Said }>();

function lengthOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 320 ? v : undefined;
}

function table(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function read(file: string, kind: 'ruff' | 'pyproject'): Said {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return undefined;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.said;
  let said: Said = 'root';
  try {
    const doc = parseToml(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (kind === 'ruff') said = lengthOf(doc['line-length']) ?? 'root';
    else {
      const tool = table(doc.tool);
      const ruff = table(tool?.ruff);
      const black = table(tool?.black);
      said = lengthOf(ruff?.['line-length']) ?? lengthOf(black?.['line-length']) ?? 'root';
    }
  } catch {
    // a file that does not parse sets nothing; the formatter would fail on it anyway
  }
  cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, said });
  return said;
}

/** The line length for the Python file `file` (an absolute path). */
export function pythonLineLength(file: string): number {
  let dir = path.dirname(file);
  for (;;) {
    let root = false;
    for (const [name, kind] of [
      ['.ruff.toml', 'ruff'],
      ['ruff.toml', 'ruff'],
      ['pyproject.toml', 'pyproject'],
    ] as const) {
      const said = read(path.join(dir, name), kind);
      if (typeof said === 'number') return said;
      if (said === 'root') root = true;
    }
    const up = path.dirname(dir);
    if (root || up === dir) return DEFAULT_LINE_LENGTH;
    dir = up;
  }
}
