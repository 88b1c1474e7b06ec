/**
 * The Python version a project targets, read the way its own tools declare it: the lower
 * bound of `requires-python` in pyproject.toml (PEP 621; Poetry's
 * `[tool.poetry.dependencies] python` too), else the first version in `.python-version`
 * (pyenv, uv). The nearest folder that declares one wins, walking up from the start
 * folder as the project-file lookup does. `pythonVersion` in the project file and the
 * `crossproc.pythonVersion` setting override it (their callers decide that).
 *
 * A version is kept as `major.minor` ("3.12"): only that decides the default start method.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { compareVersions } from '../engine/pythonDefaults';

export interface FoundPythonVersion {
  /** `major.minor` */
  version: string;
  /** where it came from, for the status bar: `pyproject.toml requires-python ">=3.10"` */
  source: string;
  /** absolute path of the file */
  file: string;
}

/** `3`, `3.12`, `3.12.1`, `3.12.0rc1`, `cpython-3.12`, `pypy3.10` → `major.minor` (a bare `3` is not precise enough). */
export function normalizePythonVersion(text: string): string | undefined {
  const m = /^(?:c?python-?|pypy-?|py)?(\d+)\.(\d+)(?:[.\w*+-]*)?$/i.exec(text.trim());
  if (!m || Number(m[1]) < 2) return undefined;
  return `${Number(m[1])}.${Number(m[2])}`;
}

/**
 * The lowest `major.minor` a PEP 440 specifier set allows (`>=3.9,<4` → 3.9, `~=3.10` → 3.10,
 * `==3.12.*` → 3.12, `>3.8` → 3.8); Poetry's `^3.10` and `~3.10` too. Undefined without a
 * lower bound (`<3.13`, `*`, `!=3.9`).
 */
export function requiresPythonLowerBound(spec: string): string | undefined {
  let lowest: string | undefined;
  for (const clause of spec.split(/[,|]/)) {
    const m = /^\s*(>=|~=|===|==|>|\^|~)\s*v?([\d.*]+)\s*$/.exec(clause);
    if (!m) continue;
    const version = normalizePythonVersion(m[2]!.replace(/\.\*$/, '').replace(/^(\d+)$/, '$1.0'));
    if (version === undefined) continue;
    if (lowest === undefined || compareVersions(version, lowest) < 0) lowest = version;
  }
  return lowest;
}

/** The lowest version listed in a `.python-version` file (one per line; `#` comments). */
export function parseDotPythonVersion(text: string): string | undefined {
  let lowest: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const version = normalizePythonVersion(line);
    if (version !== undefined && (lowest === undefined || compareVersions(version, lowest) < 0)) lowest = version;
  }
  return lowest;
}

/** `requires-python` (or Poetry's `python` dependency) of a pyproject.toml's text; undefined when absent or unreadable. */
export function pyprojectPythonVersion(text: string): { version: string; spec: string; key: string } | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const table = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const candidates: Array<[string, unknown]> = [
    ['requires-python', table(doc['project'])?.['requires-python']],
    ['tool.poetry.dependencies.python', table(table(table(doc['tool'])?.['poetry'])?.['dependencies'])?.['python']],
  ];
  for (const [key, spec] of candidates) {
    if (typeof spec !== 'string') continue;
    const version = requiresPythonLowerBound(spec);
    if (version !== undefined) return { version, spec, key };
  }
  return undefined;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The Python version declared for `start` (a folder, or a file whose folder is used):
 * the nearest folder with a pyproject.toml lower bound or a `.python-version` wins (in
 * that order within a folder). `cache` (keyed by folder) shares the walk between files.
 */
export async function findPythonVersion(
  start: string,
  cache: Map<string, Promise<FoundPythonVersion | undefined>> = new Map(),
): Promise<FoundPythonVersion | undefined> {
  let dir = path.resolve(start);
  // the cache is keyed by folder: a start found there is a folder, and needs no stat (the
  // language server asks at every analysis)
  const known = cache.get(dir);
  if (known) return known;
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat && !stat.isDirectory()) dir = path.dirname(dir);
  return lookup(dir, cache);
}

function lookup(dir: string, cache: Map<string, Promise<FoundPythonVersion | undefined>>): Promise<FoundPythonVersion | undefined> {
  let pending = cache.get(dir);
  if (!pending) {
    pending = (async () => {
      const pyproject = path.join(dir, 'pyproject.toml');
      const toml = await readText(pyproject);
      const declared = toml === undefined ? undefined : pyprojectPythonVersion(toml);
      if (declared) return { version: declared.version, source: `pyproject.toml ${declared.key} "${declared.spec}"`, file: pyproject };
      const dotFile = path.join(dir, '.python-version');
      const dot = await readText(dotFile);
      const pinned = dot === undefined ? undefined : parseDotPythonVersion(dot);
      if (pinned) return { version: pinned, source: '.python-version', file: dotFile };
      const parent = path.dirname(dir);
      return parent === dir ? undefined : lookup(parent, cache);
    })();
    cache.set(dir, pending);
  }
  return pending;
}
