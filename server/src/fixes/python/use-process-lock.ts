/**
 * thread-primitive-in-process → "Use a multiprocessing LOCK shared with the workers" (Python).
 *
 * Shape: `NAME = threading.Lock()` (RLock, Semaphore(n), BoundedSemaphore(n)) at module level,
 * used by the tasks of Pool / ProcessPoolExecutor spawns of the same file. The declaration
 * becomes `multiprocessing.Lock()` (so the parent's own `with NAME:` uses the same lock) and
 * the pools hand it to their workers through the initializer, which sets the workers'
 * global NAME: one lock, shared by every process, under fork and spawn alike.
 *
 * Not offered when: a Process or another module's code uses NAME; a start method is pinned
 * anywhere (a lock of the default context cannot be given to a spawn/forkserver context's
 * workers, and creating it at import time fixes the default context); the pools cannot take
 * an initializer (see pyutil.initializerEdits).
 */
import type { Finding } from '../../engine/findings';
import { splitSymbolKey } from '../../engine/link';
import type { FixContext, FixProvider, TextEdit } from '../types';
import {
  accessAt,
  ancestor,
  editsProvider,
  enclosingScopes,
  globalInitValue,
  initializerEdits,
  isLocalOf,
  isPython,
  mpName,
  nodeAt,
  nodeRange,
  poolCall,
  pyRoot,
  spawnsReaching,
  type PoolCall,
} from './pyutil';

const KIND = 'use-process-lock';
const LOCKS = new Map([
  ['threading.Lock', 'Lock'],
  ['threading.RLock', 'RLock'],
  ['threading.Semaphore', 'Semaphore'],
  ['threading.BoundedSemaphore', 'BoundedSemaphore'],
]);

interface Plan {
  name: string;
  what: string;
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
  const recs = graph.accessesBySymbol.get(sym) ?? [];
  const isDecl = (r: (typeof recs)[number]) => r.unit.kind === 'module' && r.access.range.start.line === b.range.start.line && r.access.range.start.character === b.range.start.character;
  if (recs.some((r) => r.module !== m || (!isDecl(r) && (r.access.kind === 'assign' || r.access.kind === 'update')))) return undefined;
  const spawns = new Set<(typeof graph.spawnRecords)[number]>();
  for (const r of recs) for (const s of spawnsReaching(graph, r.key)) spawns.add(s);
  if (spawns.size === 0) return undefined;
  const pcs: PoolCall[] = [];
  for (const s of spawns) {
    if (s.module !== m || s.startMethod || s.site.startMethod) return undefined;
    const pc = poolCall(root, s);
    if (!pc) return undefined;
    if (ancestor(pc.call, ['lambda', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'])) return undefined;
    for (const scope of enclosingScopes(pc.call)) if (scope.type !== 'function_definition' || isLocalOf(scope, name)) return undefined;
    pcs.push(pc);
  }
  // the parent holding the lock around a wait for the tasks would deadlock once the lock is shared
  const workerKeys = new Set<string>();
  for (const r of recs) if (spawnsReaching(graph, r.key).length) workerKeys.add(r.key);
  for (const r of recs) {
    if (workerKeys.has(r.key) || isDecl(r)) continue;
    const id = nodeAt(root, r.access.range, ['identifier']);
    const ws = id ? ancestor(id, ['with_statement']) : undefined;
    if (!ws) continue;
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
    edits: () => {
      const mp = mpName(ctx, defFile, root, text, what);
      if (!mp) return undefined;
      const edits: TextEdit[] = [];
      if (mp.edit) edits.push(mp.edit);
      edits.push({ range: nodeRange(fnNode), newText: mp.expr });
      const init = initializerEdits(ctx, defFile, root, text, pcs, globalInitValue(name, name));
      if (!init) return undefined;
      edits.push(...init);
      return edits;
    },
  };
}

function title(p: Plan): string {
  return `Use a multiprocessing.${p.what} for ${p.name}, passed to the workers through the initializer`;
}

export const useProcessLock: FixProvider = editsProvider(KIND, ['thread-primitive-in-process'], plan, title, (ctx, f) => splitSymbolKey(accessAt(ctx.graph, f.file, f.range)!.symbol).file);
