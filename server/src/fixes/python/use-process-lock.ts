/**
 * thread-primitive-in-process → "Use a multiprocessing LOCK shared with the workers" (Python).
 *
 * Shape: `NAME = threading.Lock()` (RLock, Semaphore(n), BoundedSemaphore(n), Event(),
 * Barrier(n), Condition()) at module level, used by the tasks of Pool / ProcessPoolExecutor
 * spawns, or by the targets of `Process(target=f, args=...)` spawns, of the same file. The
 * declaration becomes `multiprocessing.Lock()` (so the parent's own `with NAME:` / `NAME.set()`
 * uses the same object), and the pools hand it to their workers through the initializer, the
 * Processes as one more argument that `f` stores first thing: one primitive, shared by every
 * process, under fork and spawn alike.
 *
 * Not offered when: another module's code uses NAME; a start method is pinned anywhere (a
 * primitive of the default context cannot be given to a spawn/forkserver context's workers,
 * and creating it at import time fixes the default context); the spawns cannot take it (see
 * hand-over.ts handOverFor); the parent holds it around a wait for the workers (that would deadlock
 * once it is shared).
 */
import type { Finding } from '../../engine/findings';
import { splitSymbolKey } from '../../engine/link';
import type { FixContext, FixProvider, TextEdit } from '../types';
import { editsProvider } from './edits-provider';
import { globalInitValue, handOverEdits, handOverFor, type HandOver } from './hand-over';
import { mpName } from './layout';
import { accessAt, spawnsReaching } from './spawn-sites';
import { ancestor, isPython, nodeAt, nodeRange, pyRoot } from './syntax-tree';

const KIND = 'use-process-lock';
const LOCKS = new Map([
  ['threading.Lock', 'Lock'],
  ['threading.RLock', 'RLock'],
  ['threading.Semaphore', 'Semaphore'],
  ['threading.BoundedSemaphore', 'BoundedSemaphore'],
  ['threading.Event', 'Event'],
  ['threading.Barrier', 'Barrier'],
  ['threading.Condition', 'Condition'],
]);

interface Plan {
  name: string;
  what: string;
  via: HandOver['via'];
  edits: () => TextEdit[] | undefined;
}

function plan(ctx: FixContext, f: Finding): Plan | undefined {
  if (!isPython(f.file)) return undefined;
  const graph = ctx.graph;
  const r0 = accessAt(graph, f.file, f.range);
  if (!r0) return undefined;
  const sym = r0.symbol;
  const { file: defFile, name } = splitSymbolKey(sym);
  const m = graph.modules.get(defFile);
  const b = m?.bindings.get(name);
  if (!m || !b || b.kind !== 'thread-primitive' || !b.detail) return undefined;
  const what = LOCKS.get(b.detail);
  if (!what) return undefined;
  for (const mod of graph.modules.values()) if (mod.startMethod) return undefined;
  const text = ctx.text(defFile);
  if (text === undefined) return undefined;
  const root = pyRoot(text);
  if (!root) return undefined;
  // `NAME = threading.Lock(...)` at module level, declared once
  const decl = nodeAt(root, b.range, ['identifier']);
  const asg = decl?.parent;
  if (!asg || asg.type !== 'assignment' || asg.parent?.parent?.type !== 'module') return undefined;
  const call = asg.childForFieldName('right');
  const fnNode = call?.type === 'call' ? call.childForFieldName('function') : undefined;
  if (!call || !fnNode) return undefined;
  // threading.Condition(lock) would wrap a threading lock: only the bare form maps over
  if (what === 'Condition' && (call.childForFieldName('arguments')?.namedChildCount ?? 0) > 0) return undefined;
  const recs = graph.accessesBySymbol.get(sym) ?? [];
  const isDecl = (r: (typeof recs)[number]) => r.unit.kind === 'module' && r.access.range.start.line === b.range.start.line && r.access.range.start.character === b.range.start.character;
  if (recs.some((r) => r.module !== m || (!isDecl(r) && (r.access.kind === 'assign' || r.access.kind === 'update')))) return undefined;
  const spawns = new Set<(typeof graph.spawnRecords)[number]>();
  for (const r of recs) for (const s of spawnsReaching(graph, r.key)) spawns.add(s);
  if (spawns.size === 0) return undefined;
  for (const s of spawns) if (s.module !== m || s.startMethod || s.site.startMethod) return undefined;
  const h = handOverFor(root, spawns, [name]);
  if (!h) return undefined;
  // the parent holding the lock around a wait for the tasks would deadlock once the lock is shared
  const workerKeys = new Set<string>();
  for (const r of recs) if (spawnsReaching(graph, r.key).length) workerKeys.add(r.key);
  for (const r of recs) {
    if (workerKeys.has(r.key) || isDecl(r)) continue;
    const id = nodeAt(root, r.access.range, ['identifier']);
    const ws = id ? ancestor(id, ['with_statement']) : undefined;
    if (!ws) continue;
    if (h.via === 'argument' && /\.join\(/.test(ws.text)) return undefined;
    for (const s of graph.spawnRecords) {
      if (s.module !== m) continue;
      for (const t of s.site.tasks) {
        const l = t.range.start.line;
        if (l >= ws.startPosition.row && l <= ws.endPosition.row) return undefined;
      }
    }
  }
  return {
    name,
    what,
    via: h.via,
    edits: () => {
      const mp = mpName(ctx, defFile, root, text, what);
      if (!mp) return undefined;
      const edits: TextEdit[] = [];
      if (mp.edit) edits.push(mp.edit);
      edits.push({ range: nodeRange(fnNode), newText: mp.expr });
      const init = handOverEdits(ctx, defFile, root, text, h, globalInitValue(name, name));
      if (!init) return undefined;
      edits.push(...init);
      return edits;
    },
  };
}

function title(p: Plan): string {
  const how = p.via === 'argument' ? 'passed to the process as an argument' : 'passed to the workers through the initializer';
  return `Use a multiprocessing.${p.what} for ${p.name}, ${how}`;
}

export const useProcessLock: FixProvider = editsProvider(KIND, ['thread-primitive-in-process'], plan, title, (ctx, f) => splitSymbolKey(accessAt(ctx.graph, f.file, f.range)!.symbol).file);
