/**
 * The process starts a Python fix works on: which access a finding is about, which spawns'
 * workers reach a unit, and the creating call of a Pool / ProcessPoolExecutor / Process
 * when its arguments are in a shape a fix can extend.
 */
import type { Node } from 'web-tree-sitter';
import type { Range } from '../../engine/model';
import type { AccessRecord, ProjectGraph, SpawnRecord, UnitKey } from '../../engine/contexts';
import { unitKey } from '../../engine/contexts';
import { firstCallOf } from '../../frameworks/python';
import type { TextEdit } from '../types';
import { isLocalOf, paramNames, targetNames } from './scopes';
import { children, endOf, named, nodeAt, samePos, startOf } from './syntax-tree';

/** The access record a finding points at (same file, same range start). */
export function accessAt(graph: ProjectGraph, file: string, r: Range, kinds?: string[]): AccessRecord | undefined {
  for (const recs of graph.accessesBySymbol.values()) {
    for (const a of recs) {
      if (a.module.path !== file) continue;
      if (!samePos(a.access.range.start, r.start)) continue;
      if (kinds && !kinds.includes(a.access.kind)) continue;
      return a;
    }
  }
  return undefined;
}

const REACH_CACHE = new WeakMap<ProjectGraph, Map<SpawnRecord, Set<UnitKey>>>();

/** Units that run in the workers of one spawn (its tasks and what they call). */
export function taskReach(graph: ProjectGraph, rec: SpawnRecord): Set<UnitKey> {
  let m = REACH_CACHE.get(graph);
  if (!m) REACH_CACHE.set(graph, (m = new Map()));
  let s = m.get(rec);
  if (!s) {
    const roots: UnitKey[] = [];
    for (const t of rec.site.tasks) roots.push(...graph.unitsOfTask(rec.module, t));
    s = graph.reach(roots);
    m.set(rec, s);
  }
  return s;
}

/** Process spawn records whose task callables reach the unit `key`. */
export function spawnsReaching(graph: ProjectGraph, key: UnitKey): SpawnRecord[] {
  return graph.spawnRecords.filter((r) => r.site.isProcess !== false && taskReach(graph, r).has(key));
}

export function spawnUnitKey(rec: SpawnRecord): UnitKey {
  return unitKey(rec.module, rec.module.units[rec.site.unit] ?? rec.module.units[0]);
}

// ---------------------------------------------------------------------------------------
// the creating calls

/** A call whose arguments are plain: no `*`/`**` splats, keywords after the positionals. */
export interface CallArgs {
  call: Node;
  args: Node;
  positional: Node[];
  keywords: Map<string, Node>;
  /** the last argument node (positional or keyword), to insert after */
  last?: Node;
}

export type PoolCall = CallArgs;

export function callArgs(call: Node): CallArgs | undefined {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return undefined;
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  let last: Node | undefined;
  for (const a of named(args)) {
    if (a.type === 'comment') continue;
    last = a;
    if (a.type === 'list_splat' || a.type === 'dictionary_splat') return undefined;
    if (a.type === 'keyword_argument') {
      const nm = a.childForFieldName('name');
      const v = a.childForFieldName('value');
      if (!nm || !v) return undefined;
      keywords.set(nm.text, v);
    } else {
      if (keywords.size) return undefined;
      positional.push(a);
    }
  }
  return { call, args, positional, keywords, last };
}

/** The creating call of a Pool / ProcessPoolExecutor spawn, when its arguments are plain. */
export function poolCall(root: Node, rec: SpawnRecord): PoolCall | undefined {
  const sys = rec.site.system;
  if (sys !== 'mp.Pool' && sys !== 'ProcessPoolExecutor') return undefined;
  if (rec.site.isProcess !== true) return undefined;
  const call = nodeAt(root, rec.site.range, ['call']);
  const ca = call && callArgs(call);
  if (!ca) return undefined;
  // positional slots before `initializer` (the model's): Pool(processes), ProcessPoolExecutor(max_workers, mp_context)
  const maxPositional = firstCallOf(sys)?.initializer?.pos;
  if (maxPositional === undefined) return undefined;
  if (ca.positional.length > maxPositional) return undefined;
  return ca;
}

/** `Process(target=f, args=(...), ...)` / `ctx.Process(...)`: a plain-name target, args a literal tuple/list (or none), no kwargs. */
export interface ProcessCall extends CallArgs {
  target: Node;
  argsValue?: Node;
}

export function processCall(root: Node, rec: SpawnRecord): ProcessCall | undefined {
  if (rec.site.system !== 'mp.Process' || rec.site.isProcess !== true) return undefined;
  const call = nodeAt(root, rec.site.range, ['call']);
  const ca = call && callArgs(call);
  // Process(group, target, name, args, kwargs) by position is too rare to be worth a shape
  if (!ca || ca.positional.length || ca.keywords.has('kwargs')) return undefined;
  const target = ca.keywords.get('target');
  if (!target || target.type !== 'identifier') return undefined;
  const argsValue = ca.keywords.get('args');
  if (argsValue && argsValue.type !== 'tuple' && argsValue.type !== 'list') return undefined;
  return { ...ca, target, argsValue };
}

/**
 * Whether plain names in an expression at `n` resolve as at module level, for `names`:
 * every enclosing def/lambda leaves them global, no comprehension around binds them, not directly in a class body.
 */
export function namesGlobalAt(n: Node, names: string[]): boolean {
  let p = n.parent;
  let inFunction = false;
  while (p) {
    // a class body is a scope only for code directly in it, not for its methods
    if (p.type === 'class_definition' && !inFunction) return false;
    if (p.type === 'function_definition' || p.type === 'lambda') inFunction = true;
    if (p.type === 'function_definition') {
      for (const g of names) if (isLocalOf(p, g)) return false;
    } else if (p.type === 'lambda') {
      const { names: ps } = paramNames(p.childForFieldName('parameters'));
      if (names.some((g) => ps.includes(g))) return false;
    } else if (['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'].includes(p.type)) {
      for (const c of named(p)) {
        if (c.type !== 'for_in_clause') continue;
        if (targetNames(c.childForFieldName('left')).some((t) => names.includes(t))) return false;
      }
    }
    p = p.parent;
  }
  return true;
}

/**
 * Inserts the arguments `args` after the last argument (or into empty parentheses): on the
 * same line (`Pool(2, initializer=f, initargs=(X,))`), or, when the call already has its
 * last argument on a line of its own, each on a line of its own, keeping its trailing comma:
 *
 *     Pool(
 *         processes=2,
 *         initializer=f,
 *         initargs=(X,),
 *     )
 */
export function appendArgument(pc: PoolCall, ...args: string[]): TextEdit {
  const text = args.join(', ');
  if (pc.last) {
    const line = sourceLine(pc.last);
    const indent = line.slice(0, pc.last.startPosition.column);
    const comma = pc.last.nextSibling?.type === ',' ? pc.last.nextSibling : undefined;
    const afterLast = line.slice((comma ?? pc.last).endPosition.column).trim();
    const ownLine = indent.trim() === '' && pc.last.startPosition.row > pc.args.startPosition.row && pc.last.startPosition.row === pc.last.endPosition.row;
    if (ownLine && (afterLast === '' || afterLast === ')')) {
      const nl = line.endsWith('\r') ? '\r\n' : '\n';
      if (comma) return { range: { start: endOf(comma), end: endOf(comma) }, newText: args.map((a) => `${nl}${indent}${a},`).join('') };
      const at = endOf(pc.last);
      return { range: { start: at, end: at }, newText: args.map((a) => `,${nl}${indent}${a}`).join('') };
    }
    const at = endOf(pc.last);
    return { range: { start: at, end: at }, newText: `, ${text}` };
  }
  const open = children(pc.args).find((c) => c.type === '(');
  const at = open ? endOf(open) : startOf(pc.args);
  return { range: { start: at, end: at }, newText: text };
}

/** The source line holding the start of `n` (with its line break's `\r`, if any). */
function sourceLine(n: Node): string {
  let root = n;
  while (root.parent) root = root.parent;
  return root.text.split('\n')[n.startPosition.row] ?? '';
}
