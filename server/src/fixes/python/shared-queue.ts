/**
 * lost-global-write → "Use a shared list for NAME" / "Use a shared dict for NAME" (Python).
 *
 * Shape: NAME is a module-level `[]`/`{}` of the spawning file; the workers change it only
 * with operations a Manager proxy forwards (list: append/extend/insert/remove/pop/sort/
 * reverse/clear/item store; dict: item store/update/pop/clear); the pool is created by
 * `with Pool(...) as p:` / `with ProcessPoolExecutor(...) as ex:`; the parent uses NAME only
 * before or after that block. The fix creates a Manager and a proxy right before the
 * block, hands the proxy to the workers through the initializer (their global NAME *is* the
 * proxy), and after the block copies the proxy's contents into the parent's NAME and shuts
 * the manager down.
 */
import type { Node } from 'web-tree-sitter';
import type { Finding } from '../../engine/findings';
import { splitSymbolKey } from '../../engine/link';
import type { FixContext, FixProvider, TextEdit } from '../types';
import {
  accessAt,
  editsProvider,
  enclosingScopes,
  eol,
  freshName,
  globalInitValue,
  identifiers,
  initializerEdits,
  isLocalOf,
  isPython,
  lineIndent,
  lines,
  mpName,
  nodeAt,
  pos,
  poolCall,
  pyRoot,
  spawnsReaching,
  type PoolCall,
} from './pyutil';

const KIND = 'shared-queue';
const LIST_METHODS = new Set(['append', 'extend', 'insert', 'remove', 'pop', 'sort', 'reverse', 'clear']);
const DICT_METHODS = new Set(['update', 'pop', 'clear']);

interface Plan {
  name: string;
  isDict: boolean;
  edits: () => TextEdit[] | undefined;
}

function plan(ctx: FixContext, f: Finding): Plan | undefined {
  if (!isPython(f.file)) return undefined;
  const graph = ctx.graph;
  const w = accessAt(graph, f.file, f.range);
  if (!w || w.access.kind === 'read') return undefined;
  const sym = w.symbol;
  const { file: defFile, name } = splitSymbolKey(sym);
  const m = graph.modules.get(defFile);
  const b = m?.bindings.get(name);
  if (!m || !b || b.kind !== 'mutable') return undefined;
  const text = ctx.text(defFile);
  if (text === undefined) return undefined;
  const root = pyRoot(text);
  if (!root) return undefined;
  const decl = nodeAt(root, b.range, ['identifier']);
  const declAsg = decl?.parent;
  if (!declAsg || declAsg.type !== 'assignment' || declAsg.parent?.parent?.type !== 'module') return undefined;
  const rhs = declAsg.childForFieldName('right');
  const isDict = rhs?.type === 'dictionary';
  if (!rhs || (rhs.type !== 'list' && !isDict)) return undefined;

  const recs = graph.accessesBySymbol.get(sym) ?? [];
  // the spawns whose workers touch NAME
  const spawns = new Set<(typeof graph.spawnRecords)[number]>();
  const workerKeys = new Set<string>();
  for (const r of recs) {
    const ss = spawnsReaching(graph, r.key);
    if (ss.length) workerKeys.add(r.key);
    for (const s of ss) spawns.add(s);
  }
  if (spawns.size === 0) return undefined;
  for (const s of spawns) if (s.module !== m) return undefined;
  // worker-side operations a proxy forwards, by the module's own name
  for (const r of recs) {
    if (!workerKeys.has(r.key)) continue;
    if (r.module !== m || r.access.ref.member) return undefined;
    const k = r.access.kind;
    if (k === 'read') continue;
    if (k === 'assign' || k === 'update') return undefined;
    const id = nodeAt(root, r.access.range, ['identifier']);
    const p = id?.parent;
    if (!id || !p) return undefined;
    if (k === 'mutate-call') {
      if (p.type !== 'attribute' || p.childForFieldName('object')?.id !== id.id) return undefined;
      const meth = p.childForFieldName('attribute')?.text ?? '';
      if (!(isDict ? DICT_METHODS : LIST_METHODS).has(meth)) return undefined;
      if (p.parent?.type !== 'call') return undefined;
    } else if (k === 'item-assign') {
      // `NAME[k] = v` only (not `NAME[k].x = v`, not `NAME[k] += v`)
      if (p.type !== 'subscript' || p.childForFieldName('value')?.id !== id.id) return undefined;
      if (p.parent?.type !== 'assignment' || p.parent.childForFieldName('left')?.id !== p.id) return undefined;
    }
  }
  // each pool: `with Pool(...) as p:` (one item), the parent touching NAME only outside the block
  const pcs: PoolCall[] = [];
  const withs: Node[] = [];
  for (const s of spawns) {
    const pc = poolCall(root, s);
    if (!pc) return undefined;
    const item = pc.call.parent?.type === 'as_pattern' ? pc.call.parent.parent : pc.call.parent;
    const clause = item?.type === 'with_item' ? item.parent : undefined;
    const ws = clause?.type === 'with_clause' ? clause.parent : undefined;
    if (!ws || ws.type !== 'with_statement' || clause!.namedChildCount !== 1) return undefined;
    if (ws.startPosition.row === ws.endPosition.row) return undefined;
    if (ws.parent?.type !== 'block' && ws.parent?.type !== 'module') return undefined;
    for (const scope of enclosingScopes(ws)) {
      if (scope.type !== 'function_definition' || isLocalOf(scope, name)) return undefined;
    }
    if (ws.parent?.type === 'module') return undefined; // import time: unguarded, another rule's job
    pcs.push(pc);
    withs.push(ws);
  }
  for (const r of recs) {
    if (workerKeys.has(r.key)) continue;
    for (const ws of withs) {
      const l = r.access.range.start.line;
      if (r.module === m && l >= ws.startPosition.row && l <= ws.endPosition.row) return undefined;
    }
  }
  return {
    name,
    isDict,
    edits: () => {
      const nl = eol(text);
      const mgrName = mpName(ctx, defFile, root, text, 'Manager');
      if (!mgrName) return undefined;
      const taken = identifiers(root);
      const shared = freshName(taken, [`${name.toLowerCase()}_shared`, `_${name.toLowerCase()}_shared`]);
      const mgr = freshName(taken, [`${name.toLowerCase()}_manager`, `_${name.toLowerCase()}_manager`]);
      if (withs.length !== 1) return undefined;
      const ws = withs[0];
      const ind = lineIndent(text, ws.startPosition.row);
      const edits: TextEdit[] = [];
      if (mgrName.edit) edits.push(mgrName.edit);
      edits.push({
        range: { start: pos(ws.startPosition.row, 0), end: pos(ws.startPosition.row, 0) },
        newText: `${ind}${mgr} = ${mgrName.expr}()${nl}${ind}${shared} = ${mgr}.${isDict ? 'dict' : 'list'}()${nl}`,
      });
      const after = `${ind}${name}.${isDict ? 'update' : 'extend'}(${shared})${nl}${ind}${mgr}.shutdown()`;
      const ls = lines(text);
      const endRow = ws.endPosition.row;
      if (endRow + 1 < ls.length) edits.push({ range: { start: pos(endRow + 1, 0), end: pos(endRow + 1, 0) }, newText: after + nl });
      else {
        const e = pos(endRow, (ls[endRow] ?? '').length);
        edits.push({ range: { start: e, end: e }, newText: nl + after });
      }
      const init = initializerEdits(ctx, defFile, root, text, pcs, globalInitValue(name, shared));
      if (!init) return undefined;
      edits.push(...init);
      return edits;
    },
  };
}

function title(p: Plan): string {
  return `Use a shared ${p.isDict ? 'dict' : 'list'} for ${p.name}`;
}

export const sharedQueuePython: FixProvider = editsProvider(KIND, ['lost-global-write'], plan, title);
