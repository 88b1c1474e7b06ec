/**
 * Package self-imports: a package's own tests and examples import it through a relative
 * path — `import Piscina from '..'`, `require('.')`, `'../../lib/index.mjs'` — that names
 * the package root or the built entry its `package.json` points to (`main`, `module`,
 * `exports`). Two questions, both answered from the nearest `package.json` (read from
 * disk, cached per folder; never executed):
 *   - which package a relative specifier denotes, so the front end knows `'..'` in
 *     piscina's tests is 'piscina' (see {@link selfPackageName});
 *   - which analysed source file it denotes, so the linker follows it to the real module
 *     (`lib/index.mjs`, absent from a checkout, built from `src/index.ts`; see
 *     {@link selfEntryCandidates}).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PackageInfo {
  root: string;
  name?: string;
  /** absolute paths of the entry files the manifest names (main, module, exports '.', every exports target) */
  entries: string[];
}

const BY_DIR = new Map<string, PackageInfo | null>();

function readPackage(dir: string): PackageInfo | null {
  const file = path.join(dir, 'package.json');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (!json || typeof json !== 'object') return null;
  const pkg = json as Record<string, unknown>;
  const entries: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.startsWith('./') || !v.startsWith('.')) entries.push(path.resolve(dir, v));
    } else if (Array.isArray(v)) {
      v.forEach(add);
    } else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) if (k !== 'types' && k !== './package.json') add(inner);
    }
  };
  add(pkg.main);
  add(pkg.module);
  const exp = pkg.exports;
  if (exp && typeof exp === 'object' && !Array.isArray(exp)) {
    const rec = exp as Record<string, unknown>;
    // `exports: { ".": ... }` (subpaths) or `exports: { import, require }` (conditions of ".")
    add(Object.keys(rec).some((k) => k.startsWith('.')) ? rec['.'] : rec);
  } else {
    add(exp);
  }
  if (entries.length === 0) entries.push(path.join(dir, 'index.js'));
  return { root: dir, name: typeof pkg.name === 'string' ? pkg.name : undefined, entries };
}

/** The nearest package.json at or above `dir` (skipping none), or undefined. */
export function packageAt(dir: string): PackageInfo | undefined {
  const seen: string[] = [];
  let hit: PackageInfo | null | undefined;
  for (let d = dir; ; ) {
    hit = BY_DIR.get(d);
    if (hit !== undefined) break;
    seen.push(d);
    if (path.basename(d) === 'node_modules') {
      hit = null;
      break;
    }
    hit = readPackage(d);
    if (hit) break;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const d of seen) BY_DIR.set(d, hit ?? null);
  return hit ?? undefined;
}

/** Drops the cache (tests write package.json files). */
export function clearPackageCache(): void {
  BY_DIR.clear();
}

function stripExt(p: string): string {
  return p.replace(/\.(d\.ts|[mc]?[jt]sx?)$/, '');
}

/**
 * The package a relative specifier in `fromFile` denotes when it names the file's own
 * package root or one of its entries (`'..'`, `'.'`, `'../lib/index.mjs'`), else undefined.
 */
export function selfPackageName(fromFile: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const pkg = packageAt(path.dirname(fromFile));
  if (!pkg?.name) return undefined;
  const target = path.resolve(path.dirname(fromFile), spec);
  if (target === pkg.root) return pkg.name;
  const bare = stripExt(target);
  for (const e of pkg.entries) if (stripExt(e) === bare) return pkg.name;
  return undefined;
}

/**
 * Source files to try, in order, for a specifier resolving to `target` (a folder with a
 * package.json, or an entry that folder's manifest names): the entries themselves, then
 * their sources — `lib/index.mjs`, `dist/main.js` built from `src/index.ts` / `src/main.ts`.
 * Undefined when `target` is neither.
 */
export function selfEntryCandidates(target: string): string[] | undefined {
  let pkg = packageAt(target);
  if (!pkg) return undefined;
  if (pkg.root !== target) {
    const bare = stripExt(target);
    if (!pkg.entries.some((e) => stripExt(e) === bare)) return undefined;
  }
  const out: string[] = [];
  const entries = pkg.root === target ? pkg.entries : [target];
  for (const e of entries) {
    out.push(e);
    const rel = path.relative(pkg.root, stripExt(e)).split(path.sep);
    if (rel.length >= 2 && /^(lib|dist|build|out|esm|cjs)$/.test(rel[0])) {
      const rest = rel.slice(1).filter((s) => !/^(esm|cjs|src)$/.test(s));
      out.push(path.join(pkg.root, 'src', ...rest));
      if (rest[rest.length - 1] === 'main') out.push(path.join(pkg.root, 'src', ...rest.slice(0, -1), 'index'));
    }
  }
  out.push(path.join(pkg.root, 'src', 'index'), path.join(pkg.root, 'index'));
  pkg = undefined;
  return out;
}
