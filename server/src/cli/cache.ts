/**
 * `--cache`: a file's results are reused only when its text, and the text of every module
 * its analysis can depend on, are unchanged — and the tool, the settings the engine sees
 * and the set of files are the same.
 *
 * What a finding in a module depends on, in this engine: the modules that start workers
 * running its code, the modules whose globals it reads or that read its globals, the
 * callers that pass it tasks, the re-exports in between... All of these are reached
 * through module references: imports (static, deferred, star, `from pkg import sub`, the
 * value-flow layer's imports), Node worker/child module paths, and (Python) a module's
 * package `__init__.py`, through which `pkg.sub` is reached. The cache therefore groups the
 * files into the connected components of that reference graph, in both directions: a
 * file's results depend on its whole component. One changed file re-analyses its
 * component (and any component its new text now references); the others are reused.
 * This over-approximates (a component may hold unrelated code), never the other way.
 *
 * Invalidated wholesale: another tool build, other engine settings (rule levels, start
 * method, the Python version the messages name), a file added or removed (an import may now resolve elsewhere), a changed
 * package.json the JS linker reads, and — because the value-flow layer covers only a
 * project's first 4 MB of Python, which depends on the order of all files — any change in
 * a project with more Python than that.
 */
import { hexDigest } from './digest';
import { promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Finding, RuleId, SeveritySetting, StartMethodSetting } from '../engine/findings';
import { languageOf } from '../engine/language';
import { Linker } from '../engine/link';
import type { ModuleModel } from '../engine/model';
import { FLOW_FACTS_BYTES, emptyModel, type Project, type SuppressedHit } from '../engine/project';
import { packageAt } from '../js/package-self';

/** Bump when the stored shape changes. */
const FORMAT = 1;

/** The default cache file (in the working folder), as ESLint's `.eslintcache`. */
export const DEFAULT_CACHE_FILE = '.crossproccache';

/** What is kept per file. */
export interface CachedFile {
  /** sha1 of the text */
  hash: string;
  /** the component (see the module comment): its first file's path */
  group: string;
  /** the engine's findings in this file (fixes as descriptors) */
  findings: Finding[];
  /** the findings suppression comments dropped (for --report-unused-disable-directives) */
  suppressed: SuppressedHit[];
  /** why the engine did not analyse it (over budget, too deep) */
  skip?: string;
}

interface CacheData {
  format: number;
  key: string;
  files: Record<string, CachedFile>;
}

/** What the run must analyse, and what it may take from the cache. */
export interface CachePlan {
  /** the files to analyse; all of them when the cache cannot help */
  analyse: Set<string>;
  reused: Map<string, CachedFile>;
  /** the cached groups, for growing {@link analyse} by whole components */
  previous: CacheData | undefined;
}

export function hashText(text: string): string {
  return hexDigest('sha1', text);
}

/** The cache file for --cache-location (a folder, or a path ending in a slash, gets {@link DEFAULT_CACHE_FILE}). */
export async function cacheFile(cwd: string, location: string | undefined): Promise<string> {
  if (location === undefined) return path.join(cwd, DEFAULT_CACHE_FILE);
  const full = path.resolve(cwd, location);
  if (/[\\/]$/.test(location)) return path.join(full, DEFAULT_CACHE_FILE);
  const stat = await fs.stat(full).catch(() => undefined);
  return stat?.isDirectory() ? path.join(full, DEFAULT_CACHE_FILE) : full;
}

/**
 * The run's key: everything besides file texts that the engine's results depend on. The
 * tool is identified by its version and its bundle's size and time (a rebuild is another tool).
 */
export function cacheKey(input: {
  version: string;
  rules: Partial<Record<RuleId, SeveritySetting>>;
  startMethod: StartMethodSetting;
  pythonVersion: string | undefined;
  files: readonly string[];
}): string {
  let build = '';
  try {
    const s = statSync(__filename);
    build = `${s.size}:${s.mtimeMs}`;
  } catch {
    // no bundle on disk (tests through tsx): the version alone
  }
  const packages = new Set<string>();
  for (const dir of new Set(input.files.filter((f) => languageOf(f) === 'js').map((f) => path.dirname(f)))) {
    const pkg = packageAt(dir);
    if (pkg) packages.add(JSON.stringify(pkg));
  }
  const rules = Object.entries(input.rules).sort(([a], [b]) => (a < b ? -1 : 1));
  return hashText(JSON.stringify([FORMAT, input.version, build, rules, input.startMethod, input.pythonVersion ?? null, [...input.files].sort(), [...packages].sort()]));
}

/** Reads the cache file; anything unreadable or of another format is no cache. */
async function readCache(file: string): Promise<CacheData | undefined> {
  try {
    const data = JSON.parse(await fs.readFile(file, 'utf8')) as CacheData;
    if (!data || data.format !== FORMAT || typeof data.key !== 'string' || !data.files || typeof data.files !== 'object') return undefined;
    // a file edited by hand (or by another tool) is no cache rather than a crash
    const valid = Object.values(data.files).every(
      (e) => e && typeof e.hash === 'string' && typeof e.group === 'string' && Array.isArray(e.findings) && Array.isArray(e.suppressed),
    );
    return valid ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decides what to analyse: with the same key, the files of every component that holds a
 * changed file; otherwise everything. `texts` are the files' current texts, in run order.
 */
export async function planCache(file: string, key: string, texts: ReadonlyMap<string, string>): Promise<CachePlan> {
  const all = new Set(texts.keys());
  const data = await readCache(file);
  if (!data || data.key !== key) return { analyse: all, reused: new Map(), previous: undefined };
  let python = 0;
  for (const [f, text] of texts) if (languageOf(f) === 'python') python += text.length;
  const changed = new Set<string>();
  for (const [f, text] of texts) {
    const entry = data.files[f];
    if (!entry || entry.hash !== hashText(text)) changed.add(f);
  }
  if (changed.size > 0 && python > FLOW_FACTS_BYTES) return { analyse: all, reused: new Map(), previous: data };
  const groups = new Set([...changed].map((f) => data.files[f]?.group ?? f));
  const analyse = new Set<string>();
  const reused = new Map<string, CachedFile>();
  for (const f of texts.keys()) {
    const entry = data.files[f];
    if (!entry || changed.has(f) || groups.has(entry.group)) analyse.add(f);
    else reused.set(f, entry);
  }
  return { analyse, reused, previous: data };
}

function joinPy(spec: string, name: string): string {
  return spec.endsWith('.') ? spec + name : `${spec}.${name}`;
}

/** The analysed files a module references (see the module comment), resolved against `linker`'s files. */
export function referencedFiles(linker: Linker, m: ModuleModel): string[] {
  const specs = new Set<string>([...m.imports, ...(m.deferredImports ?? []), ...m.starExports]);
  for (const b of m.bindings.values()) {
    if (!b.importFrom) continue;
    specs.add(b.importFrom.specifier);
    if (m.language === 'python' && b.importFrom.imported !== '*') specs.add(joinPy(b.importFrom.specifier, b.importFrom.imported));
  }
  for (const e of m.exports.values()) if (e.from) specs.add(e.from.specifier);
  for (const op of m.flow?.nodes ?? []) {
    if (op.k !== 'import') continue;
    specs.add(op.spec);
    if (op.name) specs.add(joinPy(op.spec, op.name));
  }
  const out = new Set<string>();
  for (const spec of specs) {
    const t = linker.resolveModule(m, spec);
    if (t) out.add(t.path);
  }
  for (const site of m.spawns) {
    if (!site.workerModule || site.workerModule === 'self') continue;
    const t = linker.resolveWorkerModule(m, site.workerModule);
    if (t) out.add(t.path);
  }
  if (m.language === 'python') {
    // `pkg.sub` is reached through pkg/__init__.py: a module belongs with its package's
    const init = linker.resolveModule(m, '.');
    if (init && init.path !== m.path) out.add(init.path);
  }
  out.delete(m.path);
  return [...out];
}

/** A linker over every file of the run: the project's models, placeholders for the files not loaded. */
function fullLinker(project: Project, files: Iterable<string>): Linker {
  const models = new Map<string, ModuleModel>();
  for (const f of files) {
    const lang = languageOf(f);
    if (!lang) continue;
    models.set(f, project.model(f) ?? emptyModel(f, lang));
  }
  return new Linker(models);
}

/**
 * The files outside `analysed` that the analysed modules now reference, with the rest of
 * their cached component: the analysis must load them too (a changed file may have
 * gained an import into another component).
 */
export function missingDependencies(project: Project, plan: CachePlan, files: Iterable<string>): Set<string> {
  const linker = fullLinker(project, files);
  const missing = new Set<string>();
  for (const f of plan.analyse) {
    const m = project.model(f);
    if (!m) continue;
    for (const t of referencedFiles(linker, m)) if (!plan.analyse.has(t)) missing.add(t);
  }
  if (missing.size === 0 || !plan.previous) return missing;
  const groups = new Set([...missing].map((f) => plan.previous!.files[f]?.group ?? f));
  for (const [f, entry] of Object.entries(plan.previous.files)) if (groups.has(entry.group) && !plan.analyse.has(f)) missing.add(f);
  return missing;
}

/** Connected components of the reference graph over the analysed files: file → its component's first path. */
export function componentsOf(project: Project, analysed: ReadonlySet<string>, files: Iterable<string>): Map<string, string> {
  const linker = fullLinker(project, files);
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let y = x; y !== r; ) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  for (const f of analysed) parent.set(f, f);
  for (const f of analysed) {
    const m = project.model(f);
    if (!m) continue;
    for (const t of referencedFiles(linker, m)) {
      if (!parent.has(t)) continue;
      const a = find(f);
      const b = find(t);
      if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
    }
  }
  const out = new Map<string, string>();
  for (const f of analysed) out.set(f, find(f));
  return out;
}

/** Plain data for a finding (its lazily computed fixes included). */
function plainFinding(f: Finding): Finding {
  return { rule: f.rule, severity: f.severity, file: f.file, range: f.range, symbol: f.symbol, message: f.message, related: f.related, fixes: f.fixes.map((x) => ({ kind: x.kind, title: x.title })) };
}

/** What is written per file: fresh results (with the text, hashed on writing) or a reused entry. */
export type CacheEntries = Map<string, { text: string; group: string; findings: Finding[]; suppressed: SuppressedHit[]; skip?: string } | CachedFile>;

/** Writes the cache (atomically); a failure is a warning line, never the run's failure. */
export async function writeCache(file: string, key: string, entries: CacheEntries): Promise<string | undefined> {
  const files: Record<string, CachedFile> = {};
  for (const [f, e] of entries) {
    files[f] =
      'text' in e
        ? { hash: hashText(e.text), group: e.group, findings: e.findings.map(plainFinding), suppressed: e.suppressed, ...(e.skip ? { skip: e.skip } : {}) }
        : e;
  }
  const data: CacheData = { format: FORMAT, key, files };
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, JSON.stringify(data));
    await fs.rename(tmp, file);
    return undefined;
  } catch (error) {
    await fs.unlink(tmp).catch(() => undefined);
    return `cannot write the cache '${file}': ${error instanceof Error ? error.message : String(error)}`;
  }
}
