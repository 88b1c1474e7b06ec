/**
 * lost-global-write → "Use a shared list for NAME" / "Use a shared dict for NAME" (Python).
 *
 * Shape: NAME is a module-level `[]`/`{}` of the spawning file; the workers change it only
 * with operations a Manager proxy forwards (list: append/extend/insert/remove/pop/sort/
 * reverse/clear/item store; dict: item store/update/pop/clear); the workers are a pool
 * created by `with Pool(...) as p:` / `with ProcessPoolExecutor(...) as ex:`, or
 * `Process(target=f, args=...)` children created by statements of one block that later
 * `.join()`s them; the parent uses NAME only before or after that region. The fix creates
 * a Manager and a proxy right before the region, hands the proxy to the workers (through
 * the initializer, or as one more Process argument that `f` stores first thing: their
 * global NAME *is* the proxy), and after the region copies the proxy's contents into the
 * parent's NAME and shuts the manager down.
 */
import type { Node } from 'web-tree-sitter';
import type { Finding } from '../../engine/findings';
import { splitSymbolKey } from '../../engine/link';
import type { FixContext, FixProvider, TextEdit } from '../types';
import { editsProvider } from './edits-provider';
import { globalInitValue, handOverEdits, handOverFor } from './hand-over';
import { eol, lineIndent, lines, mpName } from './layout';
import { freshName, identifiers } from './scopes';
import { accessAt, spawnsReaching, type PoolCall, type ProcessCall } from './spawn-sites';
import { enclosingStatement, isPython, named, nodeAt, pos, pyRoot, walk } from './syntax-tree';

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
  const h = handOverFor(root, spawns, [name]);
  if (!h) return undefined;
  const region = h.via === 'initializer' ? poolRegion(h.calls) : processRegion(h.calls);
  // import time: unguarded, another rule's job
  if (!region || region.first.parent?.type === 'module') return undefined;
  // the copy-back goes after the region: a `return` (or a `break`/`continue` of an outer
  // loop) inside it would skip it, and the fix would change nothing
  if (leavesEarly(region)) return undefined;
  const [startRow, endRow] = [region.first.startPosition.row, region.last.endPosition.row];
  for (const r of recs) {
    if (workerKeys.has(r.key)) continue;
    const l = r.access.range.start.line;
    if (r.module === m && l >= startRow && l <= endRow) return undefined;
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
      const ind = lineIndent(text, startRow);
      const edits: TextEdit[] = [];
      if (mgrName.edit) edits.push(mgrName.edit);
      edits.push({
        range: { start: pos(startRow, 0), end: pos(startRow, 0) },
        newText: `${ind}${mgr} = ${mgrName.expr}()${nl}${ind}${shared} = ${mgr}.${isDict ? 'dict' : 'list'}()${nl}`,
      });
      const after = `${ind}${name}.${isDict ? 'update' : 'extend'}(${shared})${nl}${ind}${mgr}.shutdown()`;
      const ls = lines(text);
      if (endRow + 1 < ls.length) edits.push({ range: { start: pos(endRow + 1, 0), end: pos(endRow + 1, 0) }, newText: after + nl });
      else {
        const e = pos(endRow, (ls[endRow] ?? '').length);
        edits.push({ range: { start: e, end: e }, newText: nl + after });
      }
      const hand = handOverEdits(ctx, defFile, root, text, h, globalInitValue(name, shared));
      if (!hand) return undefined;
      edits.push(...hand);
      return edits;
    },
  };
}

/** The statements the workers live in: from the first to the last (inclusive), siblings in one block. */
interface Region {
  first: Node;
  last: Node;
}

/** Whether control can leave the region other than at its end: `return`/`yield` of its own def, `break`/`continue` of a loop around it. */
function leavesEarly(region: Region): boolean {
  const scan = (n: Node, inLoop: boolean): boolean => {
    switch (n.type) {
      case 'function_definition': case 'lambda': case 'class_definition':
        return false;
      case 'return_statement': case 'yield':
        return true;
      case 'break_statement': case 'continue_statement':
        return !inLoop;
      default: {
        const loop = inLoop || n.type === 'for_statement' || n.type === 'while_statement';
        for (const c of named(n)) if (scan(c, loop)) return true;
        return false;
      }
    }
  };
  const block = region.first.parent;
  if (!block) return false;
  const sibs = named(block);
  const from = sibs.findIndex((c) => c.id === region.first.id);
  const to = sibs.findIndex((c) => c.id === region.last.id);
  for (let i = from; i >= 0 && i <= to; i++) if (scan(sibs[i]!, false)) return true;
  return false;
}

/** One pool, created by `with Pool(...) as p:` (one item): the with statement. */
function poolRegion(pcs: PoolCall[]): Region | undefined {
  if (pcs.length !== 1) return undefined;
  const call = pcs[0].call;
  const item = call.parent?.type === 'as_pattern' ? call.parent.parent : call.parent;
  const clause = item?.type === 'with_item' ? item.parent : undefined;
  const ws = clause?.type === 'with_clause' ? clause.parent : undefined;
  if (!ws || ws.type !== 'with_statement' || clause!.namedChildCount !== 1) return undefined;
  if (ws.startPosition.row === ws.endPosition.row) return undefined;
  if (ws.parent?.type !== 'block' && ws.parent?.type !== 'module') return undefined;
  return { first: ws, last: ws };
}

/**
 * Processes created in one block (directly or in nested loops/ifs): from the first statement
 * of the innermost such block that creates one to its last statement calling `.join()`
 * (after the creations), so the parent copies the shared contents back once the children
 * are done. Stays inside the enclosing def.
 */
function processRegion(pcs: ProcessCall[]): Region | undefined {
  const within = (n: Node, outer: Node) => n.startIndex >= outer.startIndex && n.endIndex <= outer.endIndex;
  let st = enclosingStatement(pcs[0].call);
  while (st) {
    const block = st.parent;
    if (!block) return undefined;
    const sibs = named(block).filter((c) => c.type !== 'comment');
    const creating = sibs.map((c, i) => (pcs.some((p) => within(p.call, c)) ? i : -1)).filter((i) => i >= 0);
    const covered = pcs.every((p) => creating.some((i) => within(p.call, sibs[i])));
    if (covered) {
      let to = -1;
      for (let i = Math.max(...creating); i < sibs.length; i++) if (callsJoin(sibs[i])) to = i;
      if (to >= 0) return { first: sibs[Math.min(...creating)], last: sibs[to] };
    }
    // up one statement level, never out of the def (or past the module)
    if (block.type !== 'block' || !block.parent || block.parent.type === 'function_definition') return undefined;
    st = enclosingStatement(block.parent);
  }
  return undefined;
}

function callsJoin(n: Node): boolean {
  let found = false;
  walk(n, (x) => {
    if (found) return false;
    if (x.type === 'call') {
      const f = x.childForFieldName('function');
      if (f?.type === 'attribute' && f.childForFieldName('attribute')?.text === 'join') found = true;
    }
    return !found;
  });
  return found;
}

function title(p: Plan): string {
  return `Use a shared ${p.isDict ? 'dict' : 'list'} for ${p.name}`;
}

export const sharedQueuePython: FixProvider = editsProvider(KIND, ['lost-global-write'], plan, title);
