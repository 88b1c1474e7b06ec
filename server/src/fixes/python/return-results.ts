/**
 * lost-global-write → "Return results from TASK and collect them in the parent" (Python).
 *
 * Shape: a module-level task `def TASK(...)` that appends to (or extends) a module-level list,
 * or stores `NAME[k] = v` into a module-level dict, of its own file, and returns nothing; it
 * is submitted exactly once, with `pool.map/imap/imap_unordered/starmap/apply/apply_async`
 * or `executor.map/submit`, as a statement whose result is discarded. The task then returns
 * what it produced and the parent collects it (map-like calls and `apply` directly;
 * `apply_async` through `callback=NAME.append`; `submit` through
 * `.add_done_callback(lambda future: NAME.append(future.result()))`, run in the parent as
 * each task ends, before the pool's join/shutdown returns):
 *   - one `NAME.append(e)` as the task's last statement → `return e`, parent
 *     `NAME.extend(pool.map(TASK, xs))`;
 *   - one `NAME[k] = v` as the last statement (k a plain name/literal), map-like calls →
 *     `return (k, v)`, parent `NAME.update(pool.map(TASK, xs))`;
 *   - otherwise (appends/extends/item stores anywhere in the task) the task fills a local
 *     list/dict it returns, and the parent merges every part.
 * Not offered when the task returns or yields anything, reads NAME, is used anywhere else,
 * or when the submission's result is used.
 */
import type { Node } from 'web-tree-sitter';
import type { Finding } from '../../engine/findings';
import { unitKey } from '../../engine/contexts';
import { splitSymbolKey } from '../../engine/link';
import type { FixContext, FixProvider, TextEdit } from '../types';
import { editsProvider } from './edits-provider';
import { eol, lines, bodyInsertPoint } from './layout';
import { countIdentifier, enclosingScopes, freshName, identifiers, isLocalOf, mentionedElsewhere } from './scopes';
import { accessAt, appendArgument, callArgs, spawnsReaching } from './spawn-sites';
import { isPython, moduleDef, named, nodeAt, nodeRange, pos, pyRoot, walk } from './syntax-tree';

const KIND = 'return-results';
/** How the parent gets each submission's result back. */
type Collect = 'map' | 'direct' | 'callback' | 'future';
const LABELS = new Map<string, Collect>([
  ['Pool.map', 'map'],
  ['Pool.imap', 'map'],
  ['Pool.imap_unordered', 'map'],
  ['Pool.starmap', 'map'],
  ['ProcessPoolExecutor.map', 'map'],
  ['Pool.apply', 'direct'],
  ['Pool.apply_async', 'callback'],
  ['ProcessPoolExecutor.submit', 'future'],
]);
const SIMPLE_KEY = new Set(['identifier', 'string', 'integer', 'float', 'true', 'false', 'none']);

interface Plan {
  task: string;
  edits: () => TextEdit[] | undefined;
}

/** The write statement of one access of NAME: `NAME.append(x)` / `NAME.extend(x)` / `NAME[k] = v`. */
function writeStatement(idNode: Node, isDict: boolean): { stmt: Node; method?: string; arg?: Node; key?: Node; value?: Node } | undefined {
  const p = idNode.parent;
  if (!p) return undefined;
  if (!isDict && p.type === 'attribute' && p.childForFieldName('object')?.id === idNode.id) {
    const method = p.childForFieldName('attribute')?.text;
    const call = p.parent;
    if (!call || call.type !== 'call' || call.childForFieldName('function')?.id !== p.id) return undefined;
    if (method !== 'append' && method !== 'extend') return undefined;
    const args = call.childForFieldName('arguments');
    const a = args ? named(args).filter((c) => c.type !== 'comment') : [];
    if (!args || args.type !== 'argument_list' || a.length !== 1 || a[0].type === 'keyword_argument' || a[0].type === 'list_splat') return undefined;
    const stmt = call.parent;
    if (!stmt || stmt.type !== 'expression_statement' || stmt.namedChildCount !== 1) return undefined;
    return { stmt, method, arg: a[0] };
  }
  if (isDict && p.type === 'subscript' && p.childForFieldName('value')?.id === idNode.id) {
    const asg = p.parent;
    if (!asg || asg.type !== 'assignment' || asg.childForFieldName('left')?.id !== p.id) return undefined;
    const value = asg.childForFieldName('right');
    const key = p.childForFieldName('subscript');
    const stmt = asg.parent;
    if (!value || !key || !stmt || stmt.type !== 'expression_statement' || stmt.namedChildCount !== 1) return undefined;
    return { stmt, key, value };
  }
  return undefined;
}

function plan(ctx: FixContext, f: Finding): Plan | undefined {
  if (!isPython(f.file)) return undefined;
  const graph = ctx.graph;
  const w = accessAt(graph, f.file, f.range);
  if (!w || w.access.kind === 'read' || w.access.ref.member) return undefined;
  const { file: defFile, name } = splitSymbolKey(w.symbol);
  if (defFile !== f.file) return undefined;
  const m = w.module;
  const b = m.bindings.get(name);
  if (!b || b.kind !== 'mutable') return undefined;
  const unit = w.unit;
  if (unit.kind !== 'function' || unit.isNested || !unit.binding) return undefined;
  const task = unit.binding;
  const text = ctx.text(f.file);
  if (text === undefined) return undefined;
  const root = pyRoot(text);
  if (!root) return undefined;
  // NAME's kind from its module-level declaration
  const decl = nodeAt(root, b.range, ['identifier']);
  const declAsg = decl?.parent;
  if (!declAsg || declAsg.type !== 'assignment' || declAsg.parent?.parent?.type !== 'module') return undefined;
  const rhs = declAsg.childForFieldName('right');
  const isDict = rhs?.type === 'dictionary';
  if (!rhs || (rhs.type !== 'list' && !isDict)) return undefined;

  const fn = moduleDef(root, task);
  if (!fn) return undefined;
  if (countIdentifier(root, task) !== 2 || mentionedElsewhere(ctx, f.file, task)) return undefined;
  // the task returns nothing and yields nothing
  let bad = false;
  walk(fn.childForFieldName('body')!, (x) => {
    if (x.type === 'function_definition' || x.type === 'lambda' || x.type === 'class_definition') return false;
    if (x.type === 'return_statement' || x.type === 'yield') bad = true;
    return !bad;
  });
  if (bad) return undefined;
  // every access of NAME in the task is a plain write statement
  const taskKey = unitKey(m, unit);
  const recs = (graph.accessesBySymbol.get(w.symbol) ?? []).filter((r) => r.key === taskKey);
  const writes: Array<NonNullable<ReturnType<typeof writeStatement>>> = [];
  for (const r of recs) {
    if (r.access.kind === 'read' && !isDict) {
      // `NAME.append(...)` may be recorded as a read of NAME plus the mutate-call: same node
      if (recs.some((o) => o !== r && o.access.kind !== 'read' && o.access.range.start.line === r.access.range.start.line && o.access.range.start.character === r.access.range.start.character)) continue;
    }
    if (r.access.kind !== 'mutate-call' && r.access.kind !== 'item-assign') return undefined;
    const id = nodeAt(root, r.access.range, ['identifier']);
    if (!id || id.text !== name) return undefined;
    const ws = writeStatement(id, isDict);
    if (!ws) return undefined;
    if (!writes.some((x) => x.stmt.id === ws.stmt.id)) writes.push(ws);
  }
  if (writes.length === 0) return undefined;
  // NAME must not be read otherwise in the task
  let uses = 0;
  walk(fn, (x) => {
    if (x.type === 'global_statement') return false;
    if (x.type === 'identifier' && x.text === name) uses++;
    return true;
  });
  if (uses !== writes.length) return undefined;

  // exactly one submission of the task, as a discarded map-like statement
  const subs: Array<{ rec: (typeof graph.spawnRecords)[number]; range: import('../../engine/model').Range; label: string }> = [];
  for (const rec of graph.spawnRecords) {
    for (const t of rec.site.tasks) if (graph.unitsOfTask(rec.module, t).includes(taskKey)) subs.push({ rec, range: t.range, label: t.label });
  }
  const collect = subs.length === 1 ? LABELS.get(subs[0].label) : undefined;
  if (!collect || subs[0].rec.module !== m) return undefined;
  if (spawnsReaching(graph, taskKey).length !== 1) return undefined;
  const call = nodeAt(root, subs[0].range, ['call']);
  if (!call || call.parent?.type !== 'expression_statement' || call.parent.namedChildCount !== 1) return undefined;
  const cargs = call.childForFieldName('arguments');
  const first = cargs ? named(cargs).find((c) => c.type !== 'comment') : undefined;
  if (!first || first.type !== 'identifier' || first.text !== task) return undefined;
  for (const scope of enclosingScopes(call)) {
    if (scope.type !== 'function_definition' || isLocalOf(scope, name)) return undefined;
  }

  const body = fn.childForFieldName('body')!;
  const stmts = named(body).filter((s) => s.type !== 'comment');
  const last = stmts[stmts.length - 1];
  // one result per submission: `return e` (a dict's `(k, v)` pair only where map results are merged)
  const single =
    writes.length === 1 &&
    writes[0].stmt.id === last.id &&
    (isDict ? collect === 'map' && SIMPLE_KEY.has(writes[0].key!.type) : writes[0].method === 'append');
  const merge = single ? 'append' : isDict ? 'update' : 'extend';
  // apply_async: the result comes back through `callback=` (run in the parent as each task ends)
  const ca = collect === 'callback' ? callArgs(call) : undefined;
  if (collect === 'callback' && (!ca || ca.keywords.has('callback') || ca.positional.length > 3)) return undefined;

  return {
    task,
    edits: () => {
      const nl = eol(text);
      const edits: TextEdit[] = [];
      const callText = call.text;
      const used = identifiers(call);
      // the parent's side: merge each submission's result into NAME
      const parentEdit = (c: Exclude<Collect, 'map'>): TextEdit => {
        switch (c) {
          case 'direct':
            return { range: nodeRange(call), newText: `${name}.${merge}(${callText})` };
          case 'callback':
            return appendArgument(ca!, `callback=${name}.${merge}`);
          case 'future': {
            const fut = freshName(new Set([...used, name]), ['future', '_future']);
            return { range: nodeRange(call), newText: `${callText}.add_done_callback(lambda ${fut}: ${name}.${merge}(${fut}.result()))` };
          }
        }
      };
      if (single) {
        const ws = writes[0];
        const ret = isDict ? `return (${ws.key!.text}, ${ws.value!.text})` : `return ${ws.arg!.text}`;
        edits.push({ range: nodeRange(ws.stmt), newText: ret });
        edits.push(collect === 'map' ? { range: nodeRange(call), newText: `${name}.${isDict ? 'update' : 'extend'}(${callText})` } : parentEdit(collect));
        return edits;
      }
      const local = freshName(identifiers(fn), ['results', '_results']);
      const ins = bodyInsertPoint(fn, text);
      if (!ins) return undefined;
      edits.push({ range: { start: pos(ins.line, 0), end: pos(ins.line, 0) }, newText: `${ins.indent}${local} = ${isDict ? '{}' : '[]'}${nl}` });
      for (const ws of writes) {
        // replace the NAME identifier of each write by the local
        const id = ws.stmt.descendantsOfType('identifier').find((x) => x && x.text === name);
        if (!id) return undefined;
        edits.push({ range: nodeRange(id), newText: local });
      }
      // `return local` after the task's last line, at body indentation
      const ls = lines(text);
      const endRow = fn.endPosition.row;
      const at = endRow + 1 < ls.length ? { start: pos(endRow + 1, 0), end: pos(endRow + 1, 0) } : undefined;
      const ret = `${ins.indent}return ${local}`;
      if (at) edits.push({ range: at, newText: ret + nl });
      else {
        const e = pos(endRow, (ls[endRow] ?? '').length);
        edits.push({ range: { start: e, end: e }, newText: nl + ret });
      }
      if (collect !== 'map') {
        edits.push(parentEdit(collect));
        return edits;
      }
      const part = freshName(used, ['part', '_part']);
      const item = freshName(used, isDict ? ['kv', '_kv'] : ['item', '_item']);
      const merged = isDict
        ? `${name}.update(${item} for ${part} in ${callText} for ${item} in ${part}.items())`
        : `${name}.extend(${item} for ${part} in ${callText} for ${item} in ${part})`;
      edits.push({ range: nodeRange(call), newText: merged });
      return edits;
    },
  };
}

function title(task: string): string {
  return `Return results from ${task} and collect them in the parent`;
}

export const returnResultsPython: FixProvider = editsProvider(KIND, ['lost-global-write'], plan, (p) => title(p.task));
