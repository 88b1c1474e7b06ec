/**
 * Handing a value to the workers the way each start takes it: a Pool/ProcessPoolExecutor
 * through `initializer=`/`initargs=` (a new module-level initializer, or the existing one
 * extended with a parameter), a `Process(target=f, args=...)` as one more argument of `f`.
 */
import type { Node } from 'web-tree-sitter';
import type { SpawnRecord } from '../../engine/contexts';
import type { FixContext, TextEdit } from '../types';
import { bodyInsertPoint, eol, indentUnit, insertBeforeTopLevel } from './layout';
import { countIdentifier, freshName, identifiers, mentionedElsewhere, paramNames, scopeBindings } from './scopes';
import { type CallArgs, type PoolCall, type ProcessCall, appendArgument, namesGlobalAt, poolCall, processCall } from './spawn-sites';
import { children, endOf, moduleDef, named, nodeRange, pos, startOf, topLevelStatement } from './syntax-tree';

/**
 * One value the workers get through the initializer: the initializer assigns it with
 * `assign(param)` (e.g. `global X\nX = value`, or `config.X = value`), the parent passes `value`.
 */
export interface InitValue {
  /** the binding's name, for the new initializer's name */
  name: string;
  /** the expression the parent passes in initargs */
  value: string;
  /** statement lines (unindented) that store the parameter `p` in the worker */
  assign(p: string): string[];
  /** names the assignment needs to resolve to module level inside the initializer (e.g. `config`, `X`) */
  needsGlobal: string[];
}

/** The workers' module-level NAME set by the initializer (`global NAME; NAME = value`), the parent passing `value`. */
export function globalInitValue(name: string, value: string): InitValue {
  return { name, value, assign: (p) => [`global ${name}`, `${name} = ${p}`], needsGlobal: [name] };
}

/**
 * Edits that make every one of the pool calls hand `iv` to its workers through the
 * initializer: a new module-level `_init_NAME` (shared by the sites) or, for a single site
 * with `initializer=f` (a plain module-level def of this file), `f` extended with a parameter.
 */
export function initializerEdits(
  ctx: FixContext,
  file: string,
  root: Node,
  text: string,
  pcs: PoolCall[],
  iv: InitValue,
): TextEdit[] | undefined {
  if (pcs.length === 0) return undefined;
  const indent = indentUnit(root, text);
  const existing = pcs.filter((p) => p.keywords.has('initializer'));
  const withArgs = pcs.filter((p) => p.keywords.has('initargs') && !p.keywords.has('initializer'));
  if (withArgs.length) return undefined;
  if (existing.length === 0) {
    const taken = identifiers(root);
    const fname = freshName(taken, [`_init_${iv.name}`, `_init_${iv.name.toLowerCase()}`]);
    const param = 'value';
    const body = iv.assign(param).map((l) => indent + l);
    const def = [`def ${fname}(${param}):`, ...body].join('\n');
    const edits: TextEdit[] = [];
    // one def, before the first top-level statement holding a site
    const stmts = pcs.map((p) => topLevelStatement(p.call)).filter((s): s is Node => !!s);
    if (stmts.length !== pcs.length) return undefined;
    stmts.sort((a, b) => a.startIndex - b.startIndex);
    edits.push(insertBeforeTopLevel(text, stmts[0], def));
    for (const p of pcs) edits.push(appendArgument(p, `initializer=${fname}`, `initargs=(${iv.value},)`));
    return edits;
  }
  if (pcs.length !== 1) return undefined;
  const pc = pcs[0];
  const init = pc.keywords.get('initializer')!;
  if (init.type !== 'identifier') return undefined;
  const fn = moduleDef(root, init.text);
  if (!fn) return undefined;
  // used only here: the def's name and this keyword value
  if (countIdentifier(root, init.text) !== 2 || mentionedElsewhere(ctx, file, init.text)) return undefined;
  const ext = extendDef(fn, text, iv);
  const argsEdit = ext && extendSequence(pc, 'initargs', pc.keywords.get('initargs'), iv.value, ext.arity);
  return ext && argsEdit ? [...ext.edits, argsEdit] : undefined;
}

/**
 * Edits that make a plain module-level def take one more parameter and store it first
 * thing (`iv.assign`): for an initializer or a Process target the parent hands `iv` to.
 * `arity` is the parameter count before the change.
 */
export function extendDef(fn: Node, text: string, iv: InitValue): { edits: TextEdit[]; arity: number } | undefined {
  const params = fn.childForFieldName('parameters');
  const body = fn.childForFieldName('body');
  if (!params || !body) return undefined;
  const { names, plain } = paramNames(params);
  if (!plain) return undefined;
  // the names the assignment uses must be module-level inside the def, and not declared
  // `global` further down (Python rejects a `global` after the name's first use)
  const g = new Set<string>();
  const bound = scopeBindings(body, g);
  for (const n of iv.needsGlobal) if (names.includes(n) || bound.has(n) || g.has(n)) return undefined;
  const param = freshName(identifiers(fn), [iv.name.toLowerCase(), `${iv.name.toLowerCase()}_value`, `_${iv.name}_value`]);
  const ins = bodyInsertPoint(fn, text);
  if (!ins) return undefined;
  const nl = eol(text);
  const ps = named(params).filter((c) => c.type !== 'comment');
  let paramEdit: TextEdit;
  if (ps.length === 0) {
    const open = children(params).find((c) => c.type === '(');
    const at = open ? endOf(open) : startOf(params);
    paramEdit = { range: { start: at, end: at }, newText: param };
  } else {
    const at = endOf(ps[ps.length - 1]);
    paramEdit = { range: { start: at, end: at }, newText: `, ${param}` };
  }
  const stmtEdit: TextEdit = {
    range: { start: pos(ins.line, 0), end: pos(ins.line, 0) },
    newText: iv.assign(param).map((l) => ins.indent + l + nl).join(''),
  };
  return { edits: [paramEdit, stmtEdit], arity: names.length };
}

/**
 * The edit that appends `value` to the literal tuple/list given as `keyword=` (or adds
 * `keyword=(value,)`), when it has exactly `arity` plain elements.
 */
export function extendSequence(ca: CallArgs, keyword: string, seq: Node | undefined, value: string, arity: number): TextEdit | undefined {
  if (!seq) return arity === 0 ? appendArgument(ca, `${keyword}=(${value},)`) : undefined;
  if (seq.type !== 'tuple' && seq.type !== 'list') return undefined;
  const elements = named(seq).filter((c) => c.type !== 'comment');
  if (elements.some((e) => e.type === 'list_splat' || e.type === 'parenthesized_list_splat')) return undefined;
  if (elements.length !== arity) return undefined;
  if (elements.length === 0) return { range: nodeRange(seq), newText: seq.type === 'tuple' ? `(${value},)` : `[${value}]` };
  const lastEl = elements[elements.length - 1];
  const at = endOf(lastEl);
  // `(30,)` becomes `(30, LIMIT)`, not `(30, LIMIT,)`; a multi-line sequence keeps its trailing comma
  const comma = lastEl.nextSibling;
  if (comma?.type === ',' && seq.startPosition.row === seq.endPosition.row) {
    return { range: { start: at, end: endOf(comma) }, newText: `, ${value}` };
  }
  return { range: { start: at, end: at }, newText: `, ${value}` };
}

/**
 * Edits that hand `iv` to the processes of these `Process(target=f, args=...)` calls as one
 * more argument: `f` (a plain module-level def used only as their target) gets a parameter
 * it stores first thing, and each call's `args` gets the parent's value.
 */
export function processArgEdits(ctx: FixContext, file: string, root: Node, text: string, pcs: ProcessCall[], iv: InitValue): TextEdit[] | undefined {
  if (pcs.length === 0) return undefined;
  const target = pcs[0].target.text;
  if (pcs.some((p) => p.target.text !== target)) return undefined;
  const fn = moduleDef(root, target);
  if (!fn) return undefined;
  if (countIdentifier(root, target) !== 1 + pcs.length || mentionedElsewhere(ctx, file, target)) return undefined;
  const ext = extendDef(fn, text, iv);
  if (!ext) return undefined;
  const edits = [...ext.edits];
  for (const pc of pcs) {
    const e = extendSequence(pc, 'args', pc.argsValue, iv.value, ext.arity);
    if (!e) return undefined;
    edits.push(e);
  }
  return edits;
}

/** How a value reaches the workers of some spawns: pools through the initializer, Processes as an argument. */
export type HandOver = { via: 'initializer'; calls: PoolCall[] } | { via: 'argument'; calls: ProcessCall[] };

/** The hand-over for these spawns (all pools, or all Processes), with their calls where `names` resolve globally. */
export function handOverFor(root: Node, spawns: Iterable<SpawnRecord>, names: string[]): HandOver | undefined {
  const pools: PoolCall[] = [];
  const procs: ProcessCall[] = [];
  for (const s of spawns) {
    const pc = poolCall(root, s);
    const pr = pc ? undefined : processCall(root, s);
    const call = pc?.call ?? pr?.call;
    if (!call || !namesGlobalAt(call, names)) return undefined;
    if (pc) pools.push(pc);
    if (pr) procs.push(pr);
  }
  if (pools.length && !procs.length) return { via: 'initializer', calls: pools };
  if (procs.length && !pools.length) return { via: 'argument', calls: procs };
  return undefined;
}

export function handOverEdits(ctx: FixContext, file: string, root: Node, text: string, h: HandOver, iv: InitValue): TextEdit[] | undefined {
  return h.via === 'initializer' ? initializerEdits(ctx, file, root, text, h.calls, iv) : processArgEdits(ctx, file, root, text, h.calls, iv);
}
