/**
 * Linking: module specifiers → analysed files, references → module-level symbols, across
 * imports, re-exports and (Python) packages. Pure functions over a set of models: their
 * files must stay the same for a Linker's life, their models may be replaced (edits).
 */
import * as path from 'node:path';
import type { Binding, ImportFrom, ModuleModel, Ref } from './model';
import { packageAt, selfEntryCandidates } from '../js/package-self';

/** A module-level binding of one analysed file: `${file}#${name}`. */
export type SymbolKey = string;

export function symbolKey(file: string, name: string): SymbolKey {
  return `${file}#${name}`;
}

export function splitSymbolKey(key: SymbolKey): { file: string; name: string } {
  const i = key.lastIndexOf('#');
  return { file: key.slice(0, i), name: key.slice(i + 1) };
}

/** What an import binding or a module reference denotes. */
export type Target = { module: ModuleModel } | { symbol: SymbolKey };

const JS_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];
const TS_FOR_JS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
  '.jsx': ['.tsx'],
};

export class Linker {
  /** resolved paths (not models: an edited file's model is replaced, its path stays) */
  private readonly resolved = new Map<string, string | null>();
  /**
   * While set, collects the paths of the modules whose {@link interfaceOf interface} a
   * resolution reads: what an incremental graph must re-link when one of them changes.
   */
  reads?: Set<string>;

  constructor(readonly modules: ReadonlyMap<string, ModuleModel>) {}

  /** Resolves a specifier as written in `from` to an analysed module, or undefined (external/unknown). */
  resolveModule(from: ModuleModel, specifier: string): ModuleModel | undefined {
    const key = `${from.path}\0${specifier}`;
    let hit = this.resolved.get(key);
    if (hit === undefined) {
      if (from.language === 'python') {
        // a Python specifier resolves from the importing file's folder alone: files of one
        // folder share the answer (`import sys` walks up every folder to the root)
        const dir = path.dirname(from.path);
        const dirKey = `${dir}/\0${specifier}`;
        hit = this.resolved.get(dirKey);
        if (hit === undefined) {
          hit = this.resolvePython(dir, specifier)?.path ?? null;
          this.resolved.set(dirKey, hit);
        }
      } else {
        hit = this.resolveJs(from, specifier)?.path ?? null;
      }
      this.resolved.set(key, hit);
    }
    return hit === null ? undefined : this.modules.get(hit);
  }

  /**
   * A worker/child module as written at a spawn site: Node resolves a relative path given
   * to `new Worker`, `fork` or a pool against the process's working folder, which is
   * usually the package root (`'./tests/worker-files/w.mjs'` in a test two folders down),
   * so that is tried when the path does not name a file next to the spawning one.
   */
  resolveWorkerModule(from: ModuleModel, spec: string): ModuleModel | undefined {
    const near = this.resolveModule(from, spec);
    if (near || from.language !== 'js' || !spec.startsWith('.')) return near;
    const pkg = packageAt(path.dirname(from.path));
    if (!pkg) return undefined;
    const atRoot = this.fileWithExt(path.resolve(pkg.root, spec));
    if (atRoot) return atRoot;
    // a bundler flattens the source tree (tinypool's `src/runtime/thread-worker.ts` names
    // `./entry/worker.js` next to the bundle, `src/entry/worker.ts` in the source): the
    // folders above, up to the package root
    for (let dir = path.dirname(path.dirname(from.path)); dir.startsWith(pkg.root) && dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const m = this.fileWithExt(path.resolve(dir, spec));
      if (m) return m;
      if (dir === pkg.root) break;
    }
    return undefined;
  }

  private file(p: string): ModuleModel | undefined {
    return this.modules.get(p);
  }

  /** The analysed module at a path (noted as read, like a binding lookup). */
  moduleOf(p: string): ModuleModel | undefined {
    this.reads?.add(p);
    return this.modules.get(p);
  }

  private resolveJs(from: ModuleModel, spec: string): ModuleModel | undefined {
    if (spec.startsWith('file://')) {
      try {
        spec = new URL(spec).pathname;
      } catch {
        return undefined;
      }
    }
    if (!spec.startsWith('.') && !path.isAbsolute(spec)) return undefined;
    const base = path.resolve(path.dirname(from.path), spec);
    const direct = this.file(base);
    if (direct) return direct;
    const ext = path.extname(base);
    for (const alt of TS_FOR_JS[ext] ?? []) {
      const m = this.file(base.slice(0, -ext.length) + alt);
      if (m) return m;
    }
    // a folder with a package.json (`'..'` in a package's own tests) or a built entry it
    // names (`'../lib/index.mjs'`): its main/exports, or the source they are built from
    for (const c of selfEntryCandidates(base) ?? []) {
      const m = this.fileWithExt(c);
      if (m) return m;
    }
    for (const e of JS_EXTS) {
      const m = this.file(base + e) ?? this.file(path.join(base, 'index' + e));
      if (m) return m;
    }
    return undefined;
  }

  private fileWithExt(p: string): ModuleModel | undefined {
    const direct = this.file(p);
    if (direct) return direct;
    const ext = path.extname(p);
    for (const alt of TS_FOR_JS[ext] ?? []) {
      const m = this.file(p.slice(0, -ext.length) + alt);
      if (m) return m;
    }
    const bare = JS_EXTS.includes(ext) ? p.slice(0, -ext.length) : p;
    for (const e of JS_EXTS) {
      const m = this.file(bare + e);
      if (m) return m;
    }
    return undefined;
  }

  /**
   * Python: relative specifiers ('.', '..pkg.mod') from the importing file's package
   * (`fromDir`, its folder); absolute ones from that folder and its ancestors (a script's folder is
   * `sys.path[0]`; packages import siblings through the top folder).
   */
  private resolvePython(fromDir: string, spec: string): ModuleModel | undefined {
    const dots = /^\.*/.exec(spec)![0].length;
    const rest = spec.slice(dots);
    const parts = rest ? rest.split('.') : [];
    if (dots > 0) {
      let dir = fromDir;
      for (let i = 1; i < dots; i++) dir = path.dirname(dir);
      return this.pyModuleAt(dir, parts);
    }
    let dir = fromDir;
    for (;;) {
      const m = this.pyModuleAt(dir, parts);
      if (m) return m;
      const up = path.dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  }

  private pyModuleAt(dir: string, parts: string[]): ModuleModel | undefined {
    const p = path.join(dir, ...parts);
    if (parts.length === 0) return this.file(path.join(p, '__init__.py'));
    return this.file(p + '.py') ?? this.file(path.join(p, '__init__.py'));
  }

  /** What an import denotes: the module itself (namespace) or a symbol it exports. */
  resolveImport(from: ModuleModel, imp: ImportFrom, seen = new Set<string>()): Target | undefined {
    const target = this.resolveModule(from, imp.specifier);
    if (from.language === 'python') {
      if (imp.imported === '*') {
        if (target) return { module: target };
        return undefined;
      }
      if (target) {
        const viaExport = this.resolveExport(target, imp.imported, seen);
        if (viaExport) return viaExport;
      }
      // `from pkg import sub`: a submodule rather than an attribute
      const sub = this.resolveModule(from, joinPy(imp.specifier, imp.imported));
      return sub ? { module: sub } : undefined;
    }
    if (!target) return undefined;
    if (imp.imported === '*') return { module: target };
    const e = this.resolveExport(target, imp.imported, seen);
    if (e) return e;
    // default import of a CommonJS module: the whole `module.exports` object
    if (imp.imported === 'default') return { module: target };
    return undefined;
  }

  /** Follows exports and re-exports (and Python attribute lookups) to the symbol `name` of `m`. */
  resolveExport(m: ModuleModel, name: string, seen = new Set<string>()): Target | undefined {
    this.reads?.add(m.path);
    const guard = `${m.path}#${name}`;
    if (seen.has(guard)) return undefined;
    seen.add(guard);
    if (m.language === 'python') {
      const b = m.bindings.get(name);
      if (b) return this.bindingTarget(m, b, seen);
    } else {
      const e = m.exports.get(name);
      if (e) {
        if (e.from) return this.resolveImport(m, e.from, seen);
        if (e.local) {
          const b = m.bindings.get(e.local);
          if (b) return this.bindingTarget(m, b, seen);
          return { symbol: symbolKey(m.path, e.local) };
        }
        // `module.exports.x = <expr>`: the export itself holds the state
        return { symbol: symbolKey(m.path, name) };
      }
    }
    for (const star of m.starExports) {
      const t = this.resolveModule(m, star);
      if (!t) continue;
      const r = this.resolveExport(t, name, seen);
      if (r) return r;
    }
    if (m.language === 'python' && path.basename(m.path) === '__init__.py') {
      const sub = this.pyModuleAt(path.dirname(m.path), [name]);
      if (sub) return { module: sub };
    }
    return undefined;
  }

  /** (`seen` undefined: a fresh resolution, its set made only if it follows an import) */
  private bindingTarget(m: ModuleModel, b: Binding, seen: Set<string> | undefined): Target | undefined {
    if (b.kind === 'import' && b.importFrom) {
      return this.resolveImport(m, b.importFrom, seen) ?? { symbol: symbolKey(m.path, b.name) };
    }
    return { symbol: symbolKey(m.path, b.name) };
  }

  /**
   * The module-level symbol a reference in `m` denotes. `config.SETTINGS` through a module
   * binding gives config's `SETTINGS`; a member of a non-module value gives the value's own symbol.
   */
  resolveRef(m: ModuleModel, ref: Ref): SymbolKey | undefined {
    this.reads?.add(m.path);
    if (ref.from !== undefined) {
      // through an import inside a function: that module's binding, as its own code names it
      const t = this.resolveModule(m, ref.from);
      return t && t !== m ? this.resolveRef(t, ref.member === undefined ? { name: ref.name } : { name: ref.name, member: ref.member }) : undefined;
    }
    const b = m.bindings.get(ref.name);
    if (!b) {
      // CommonJS: `exports.x` / `module.exports.x` style state without a local name
      return m.exports.has(ref.name) && !ref.member ? symbolKey(m.path, ref.name) : undefined;
    }
    const t = this.bindingTarget(m, b, undefined);
    if (!t) return undefined;
    if ('symbol' in t) {
      if (ref.member) {
        // `ns.member` where ns resolved to a symbol that is itself a re-exported module binding
        const { file, name } = splitSymbolKey(t.symbol);
        this.reads?.add(file);
        const owner = this.modules.get(file);
        const ob = owner?.bindings.get(name);
        if (owner && ob?.kind === 'import' && ob.importFrom) {
          const inner = this.resolveImport(owner, ob.importFrom);
          if (inner && 'module' in inner) return this.memberOf(inner.module, ref.member);
        }
      }
      return t.symbol;
    }
    if (!ref.member) return undefined;
    return this.memberOf(t.module, ref.member);
  }

  /**
   * The symbol a called (or handed-over) reference denotes: like {@link resolveRef}, but
   * `Cls.m` on a class gives that method's symbol `Cls.m` (the engine stores methods there).
   */
  resolveCallable(m: ModuleModel, ref: Ref): SymbolKey | undefined {
    if (ref.member) {
      // a member of a class (not of a module, whose member `resolveRef` already gives)
      const base = this.resolveRef(m, ref.from === undefined ? { name: ref.name } : { name: ref.name, from: ref.from });
      const b = base ? this.binding(base) : undefined;
      // ... or a function held by an object of handlers (JS `handlers.run()`)
      if (b?.kind === 'class' || (b?.kind === 'mutable' && b.methods?.length)) return `${base}.${ref.member}`;
    }
    return this.resolveRef(m, ref);
  }

  /**
   * Python `from x import y`: whether `y` is a module (a submodule of package `x`), from
   * what the import resolves to — the case of the name only when it resolves to nothing
   * analysed (`from os import path`). `import x` is always a module.
   */
  importIsModule(m: ModuleModel, name: string): boolean {
    const b = m.bindings.get(name);
    if (!b || b.kind !== 'import' || !b.importFrom) return false;
    if (b.importFrom.imported === '*') return true;
    const t = this.resolveImport(m, b.importFrom);
    if (t && 'module' in t) return true;
    if (t) {
      const tb = this.binding(t.symbol);
      // a name the target module itself imports: a module when that is `import x`
      if (tb && tb.kind !== 'import') return false;
      if (tb?.importFrom?.imported === '*') return true;
      if (tb?.importFrom) {
        const { file } = splitSymbolKey(t.symbol);
        const owner = this.modules.get(file);
        const inner = owner && this.resolveImport(owner, tb.importFrom);
        if (inner) return 'module' in inner;
      }
    }
    return /^[a-z_]/.test(b.importFrom.imported);
  }

  /** Whether a record the front end gave both ways ({@link Call.asModule}) holds for `m`. */
  holds(m: ModuleModel, rec: { asModule?: boolean; ref?: Ref; callee?: Ref }): boolean {
    if (rec.asModule === undefined) return true;
    const name = (rec.callee ?? rec.ref)!.name;
    return this.importIsModule(m, name) === rec.asModule;
  }

  private memberOf(mod: ModuleModel, member: string): SymbolKey | undefined {
    const e = this.resolveExport(mod, member);
    if (!e) return symbolKey(mod.path, member);
    return 'symbol' in e ? e.symbol : undefined;
  }

  binding(key: SymbolKey): Binding | undefined {
    const { file, name } = splitSymbolKey(key);
    this.reads?.add(file);
    const bindings = this.modules.get(file)?.bindings;
    const b = bindings?.get(name);
    if (b || !bindings) return b;
    // a class attribute `Cls.X` (Python)
    const dot = name.indexOf('.');
    return dot > 0 ? bindings.get(name.slice(0, dot))?.attrs?.get(name.slice(dot + 1)) : undefined;
  }
}

/**
 * What linking other modules reads of a module (see {@link Linker.reads}): its module-level
 * names with whether they are classes or imports (and where from), exports and re-exports.
 * Function bodies, values and positions are not part of it, so most edits keep it unchanged.
 */
export function interfaceOf(m: ModuleModel): string {
  let hit = INTERFACES.get(m);
  if (hit === undefined) {
    const parts: string[] = [];
    for (const b of m.bindings.values()) {
      // an object of functions resolves `obj.m()` calls like a class (see computeLink)
      let kind = b.kind === 'class' || b.kind === 'import' ? `^${b.kind}` : b.kind === 'mutable' && b.methods?.length ? '^methods' : '';
      // whether a class starts processes (and through which bases) is read by the modules that instantiate it
      if (b.processClass) kind += `!${b.processClass.startMethod ?? ''}`;
      // whether a function is a framework's remote task is read by the modules that submit it
      if (b.remote) kind += `~${b.remote.system}:${b.remote.submit.join(',')}:${b.remote.isProcess}:${b.remote.actors ?? ''}:${b.remote.wraps ?? ''}`;
      if (b.threadClass) kind += '!t';
      if (b.contextBases?.length) kind += `[${b.contextBases.map((c) => `${c.ref.name}.${c.ref.member ?? ''}/${c.keys.join('/')}`).join(',')}]`;
      if (b.contexts?.length) kind += `{${b.contexts.map((c) => `${c.keys.join('/')}=${c.startMethod ?? ''}`).join(',')}}`;
      if (b.bases?.length) kind += `(${b.bases.map((r) => (r.member ? `${r.name}.${r.member}` : r.name)).join(',')})`;
      parts.push(b.importFrom ? `${b.name}${kind}<${b.importFrom.specifier}:${b.importFrom.imported}` : b.name + kind);
    }
    for (const [name, e] of m.exports) parts.push(`>${name}=${e.local ?? ''}:${e.from ? `${e.from.specifier}:${e.from.imported}` : ''}`);
    for (const s of m.starExports) parts.push(`*${s}`);
    hit = parts.join('|');
    INTERFACES.set(m, hit);
  }
  return hit;
}

const INTERFACES = new WeakMap<ModuleModel, string>();

function joinPy(spec: string, name: string): string {
  return spec.endsWith('.') ? spec + name : `${spec}.${name}`;
}
