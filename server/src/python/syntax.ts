/**
 * Small helpers over the plain syntax tree (./tree.ts): ranges, fields, literals, call arguments.
 */
import type { Range, Ref, StartMethod } from '../engine/model';
import type { ArgSlot } from '../frameworks/types';
import { START_METHODS } from './stdlib';
import type { SyntaxNode as Node } from './tree';

/**
 * Leaf types that neither pass acts on (no case in `declare` or `visit`; literals, string
 * parts, comments): the passes' loops over children skip such leaves without a call. Half
 * the named nodes are leaves; an `identifier` leaf is read by pass B, so it is not here.
 */
export const INERT_LEAVES: ReadonlySet<string> = new Set([
  'string_start', 'string_content', 'string_end', 'escape_sequence', 'comment', 'integer', 'float',
  'true', 'false', 'none', 'ellipsis', 'type_conversion', 'line_continuation',
]);

/**
 * The node types pass A (`declare` in ./declare.ts) has a case for: a subtree with none of
 * them declares nothing, and pass A skips it ({@link SyntaxNode.holdsDeclaring}). Keep it
 * in step with that switch.
 */
export const DECLARING_TYPES: ReadonlySet<string> = new Set([
  'function_definition', 'lambda', 'class_definition', 'list_comprehension', 'set_comprehension',
  'dictionary_comprehension', 'generator_expression', 'if_statement', 'assignment', 'augmented_assignment',
  'for_statement', 'for_in_clause', 'as_pattern', 'named_expression', 'delete_statement', 'import_statement',
  'import_from_statement', 'future_import_statement', 'global_statement', 'nonlocal_statement', 'yield',
]);

export function toRange(n: { readonly startPosition: { row: number; column: number }; readonly endPosition: { row: number; column: number } }): Range {
  const s = n.startPosition;
  const e = n.endPosition;
  return { start: { line: s.row, character: s.column }, end: { line: e.row, character: e.column } };
}

export function field(n: Node, name: string): Node | null {
  return n.childForFieldName(name);
}

/** the named children (the node's own cached array: do not modify) */
export function named(n: Node): readonly Node[] {
  return n.namedChildren;
}

export function refKey(r: Ref): string {
  const k = r.member === undefined ? r.name : `${r.name}.${r.member}`;
  return r.from === undefined ? k : `${r.from}:${k}`;
}

/** The value of a plain (non-f) string literal, else null. */
export function stringValue(n: Node | null | undefined): string | null {
  if (!n) return null;
  if (n.type === 'concatenated_string') {
    let s = '';
    for (const c of named(n)) {
      const v = stringValue(c);
      if (v === null) return null;
      s += v;
    }
    return s;
  }
  if (n.type !== 'string') return null;
  let s = '';
  for (const c of named(n)) {
    if (c.type === 'string_content') s += c.text;
    else if (c.type === 'interpolation') return null;
  }
  return s;
}

export function unparen(n: Node): Node {
  let cur = n;
  while (cur.type === 'parenthesized_expression') {
    const inner = cur.namedChildren.find((c) => c && c.type !== 'comment');
    if (!inner) break;
    cur = inner;
  }
  return cur;
}

export interface Args {
  readonly pos: readonly Node[];
  readonly kw: ReadonlyMap<string, Node>;
  readonly hasStar: boolean;
}

/**
 * The last few calls' arguments: each pass over a call (spawn sites, framework sites,
 * events, payloads) asks for them again, and each answer was a new Map and array. Callers
 * only read an {@link Args}. Nodes are never reused, so a hit is always the same call.
 */
const ARGS_CACHE_SIZE = 4;
const argsCacheKeys: Array<Node | null> = new Array<Node | null>(ARGS_CACHE_SIZE).fill(null);
const argsCacheValues: Args[] = new Array<Args>(ARGS_CACHE_SIZE);
let argsCacheNext = 0;

/** The arguments of a call, by position and keyword (do not modify the result: it is shared). */
export function callArgs(call: Node): Args {
  for (let i = 0; i < ARGS_CACHE_SIZE; i++) if (argsCacheKeys[i] === call) return argsCacheValues[i]!;
  const out = computeCallArgs(call);
  argsCacheKeys[argsCacheNext] = call;
  argsCacheValues[argsCacheNext] = out;
  argsCacheNext = (argsCacheNext + 1) % ARGS_CACHE_SIZE;
  return out;
}

/** what calls without keyword arguments share (an {@link Args} is never modified) */
const NO_KEYWORDS: ReadonlyMap<string, Node> = new Map();
const NO_ARGS: Args = { pos: [], kw: NO_KEYWORDS, hasStar: false };

function computeCallArgs(call: Node): Args {
  const al = field(call, 'arguments');
  if (!al) return NO_ARGS;
  if (al.type === 'generator_expression') return { pos: [al], kw: NO_KEYWORDS, hasStar: false };
  const pos: Node[] = [];
  let kw: Map<string, Node> | undefined;
  let hasStar = false;
  for (const a of named(al)) {
    if (a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const k = field(a, 'name');
      const v = field(a, 'value');
      if (k && v) (kw ??= new Map()).set(k.text, v);
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
      hasStar = true;
    } else {
      pos.push(a);
    }
  }
  return { pos, kw: kw ?? NO_KEYWORDS, hasStar };
}

export function startMethodOf(s: string | null): StartMethod | undefined {
  return s !== null && START_METHODS.has(s) ? (s as StartMethod) : undefined;
}

/** The argument in a model's slot: by keyword, else by position (a call gives one or the other). */
export function argAt(a: Args, slot: ArgSlot | undefined): Node | undefined {
  if (!slot) return undefined;
  return (slot.kw !== undefined ? a.kw.get(slot.kw) : undefined) ?? (slot.pos !== undefined ? a.pos[slot.pos] : undefined);
}
