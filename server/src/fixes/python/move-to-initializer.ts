/**
 * stale-global-read → "Pass NAME to the workers through the initializer" (Python).
 *
 * For the Pool / ctx.Pool / ProcessPoolExecutor spawns whose tasks reach the stale read:
 * the creating call gets `initializer=_init_NAME, initargs=(NAME,)` and the module gets
 * `def _init_NAME(value): global NAME; NAME = value` (or, for a global of another module
 * read as `config.NAME`, `config.NAME = value`). An existing `initializer=f` (a plain
 * module-level def of the spawning file, used nowhere else) is extended instead.
 *
 * For `Process(target=f, args=(...))` spawns ("Pass NAME to the process as an argument"):
 * `f` (a plain module-level def used only as their target) gets one more parameter that it
 * stores in the global first thing, and each call's `args` gets the parent's NAME.
 *
 * Offered only when: every spawn that reaches the read is of one kind (pools or Processes)
 * in one file with plain arguments; every parent write happens before the workers are
 * created (the value passed is the parent's value at the spawn site, so a later write would
 * still be missed); NAME is not a local where the workers are created; and, across modules,
 * every read outside the defining module goes through the module attribute.
 */
import type { Finding } from '../../engine/findings';
import { posOrder } from '../../engine/contexts';
import { isWrite } from '../../engine/rule';
import { splitSymbolKey } from '../../engine/link';
import type { FixContext, FixProvider, TextEdit } from '../types';
import { editsProvider } from './edits-provider';
import { globalInitValue, handOverEdits, handOverFor, type HandOver, type InitValue } from './hand-over';
import { accessAt, spawnsReaching } from './spawn-sites';
import { isPython, pyRoot } from './syntax-tree';

const KIND = 'move-to-initializer';

interface Plan {
  file: string;
  name: string;
  via: HandOver['via'];
  edits: () => TextEdit[] | undefined;
}

function plan(ctx: FixContext, f: Finding): Plan | undefined {
  if (!isPython(f.file)) return undefined;
  const graph = ctx.graph;
  const read = accessAt(graph, f.file, f.range, ['read']);
  if (!read) return undefined;
  const sym = read.symbol;
  const { file: defFile, name } = splitSymbolKey(sym);
  const b = graph.linker.binding(sym);
  if (!b || b.kind === 'function' || b.kind === 'class' || b.kind === 'import') return undefined;
  const spawns = spawnsReaching(graph, read.key);
  if (spawns.length === 0) return undefined;
  const spawnMod = spawns[0].module;
  if (spawns.some((s) => s.module !== spawnMod)) return undefined;
  const file = spawnMod.path;
  const text = ctx.text(file);
  if (text === undefined) return undefined;
  const root = pyRoot(text);
  if (!root) return undefined;

  // every parent write happens before the workers start
  const recs = graph.accessesBySymbol.get(sym) ?? [];
  for (const s of spawns) {
    for (const prog of graph.programs) {
      if (!prog.spawns.includes(s)) continue;
      const writes = recs.filter((r) => isWrite(r.access.kind) && prog.parent.has(r.key) && !prog.worker.has(r.key));
      if (writes.length === 0) continue;
      const { fully, cut } = graph.happensBefore(prog, s);
      for (const w of writes) {
        const limit = cut.get(w.key);
        const before = fully.has(w.key) || (limit !== undefined && posOrder(w.access.range.start) < limit);
        if (!before) return undefined;
      }
    }
  }

  let iv: InitValue;
  if (defFile === file) {
    iv = globalInitValue(name, name);
  } else {
    // every read outside the defining module goes through the module attribute
    for (const r of recs) {
      if (r.module.path !== defFile && r.access.ref.member !== name) return undefined;
    }
    let alias: string | undefined;
    for (const mb of spawnMod.bindings.values()) {
      if (mb.kind !== 'import' || !mb.importFrom || mb.importFrom.imported !== '*') continue;
      const t = graph.linker.resolveImport(spawnMod, mb.importFrom);
      if (t && 'module' in t && t.module.path === defFile) {
        alias = mb.name;
        break;
      }
    }
    if (!alias) return undefined;
    const a = alias;
    iv = { name, value: `${a}.${name}`, assign: (p) => [`${a}.${name} = ${p}`], needsGlobal: [a] };
  }
  const h = handOverFor(root, spawns, iv.needsGlobal);
  if (!h) return undefined;
  return { file, name, via: h.via, edits: () => handOverEdits(ctx, file, root, text, h, iv) };
}

function title(p: Plan): string {
  return p.via === 'argument' ? `Pass ${p.name} to the process as an argument` : `Pass ${p.name} to the workers through the initializer`;
}

export const moveToInitializer: FixProvider = editsProvider(KIND, ['stale-global-read'], plan, title, (_ctx, _f, p) => p.file);
