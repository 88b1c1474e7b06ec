/**
 * Shared helpers of the Python fix providers: the syntax tree of a file (tree-sitter, the
 * parser the front end uses), scope questions (is a name local to a function? what are a
 * lambda's free names?), layout (indentation, where a new module-level def goes) and the
 * initializer machinery that several fixes share (add `initializer=`/`initargs=` to a
 * Pool/ProcessPoolExecutor, or extend the existing module-level initializer).
 *
 * Every helper answers `undefined` when the code is not in a shape it understands; the
 * providers then offer nothing (SPEC §4: a fix is offered only where it is correct).
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { Finding, RuleId } from '../../engine/findings';
import type { Position, Range } from '../../engine/model';
import type { AccessRecord, ProjectGraph, SpawnRecord, UnitKey } from '../../engine/contexts';
import { unitKey } from '../../engine/contexts';
import { getPythonParser } from '../../python/parser';
import type { FixContext, FixEdit, FixProvider, TextEdit } from '../types';

// ---------------------------------------------------------------------------------------
// trees (a tiny cache: describe() and compute() of several findings ask for the same file)

interface CachedTree {
  text: string;
  tree: Tree;
}
const TREE_CACHE: CachedTree[] = [];
const TREE_CACHE_SIZE = 6;

/** The syntax tree of `text`, or undefined when the parser is not loaded or the file has syntax errors. */
export function pyRoot(text: string): Node | undefined {
  const hit = TREE_CACHE.find((c) => c.text === text);
  if (hit) return hit.tree.rootNode.hasError ? undefined : hit.tree.rootNode;
  const parser = getPythonParser();
  if (!parser) return undefined;
  const tree = parser.parse(text);
  if (!tree) return undefined;
  TREE_CACHE.unshift({ text, tree });
  while (TREE_CACHE.length > TREE_CACHE_SIZE) {
    const old = TREE_CACHE.pop()!;
    try {
      old.tree.delete();
    } catch {
      /* ignore */
    }
  }
  return tree.rootNode.hasError ? undefined : tree.rootNode;
}

export function isPython(file: string): boolean {
  return /\.pyi?$/.test(file);
}

// ---------------------------------------------------------------------------------------
// positions and nodes

export function pos(line: number, character: number): Position {
  return { line, character };
}

export function nodeRange(n: Node): Range {
  return { start: pos(n.startPosition.row, n.startPosition.column), end: pos(n.endPosition.row, n.endPosition.column) };
}

export function samePos(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

export function sameRange(a: Range, b: Range): boolean {
  return samePos(a.start, b.start) && samePos(a.end, b.end);
}

function startOf(n: Node): Position {
  return pos(n.startPosition.row, n.startPosition.column);
}

function endOf(n: Node): Position {
  return pos(n.endPosition.row, n.endPosition.column);
}

/** The node of one of `types` whose range is exactly `r` (innermost first), if any. */
export function nodeAt(root: Node, r: Range, types?: string[]): Node | undefined {
  let n: Node | null = root.descendantForPosition(
    { row: r.start.line, column: r.start.character },
    { row: r.end.line, column: r.end.character },
  );
  while (n) {
    const nr = nodeRange(n);
    if (sameRange(nr, r) && (!types || types.includes(n.type))) return n;
    if (nr.start.line < r.start.line || (nr.start.line === r.start.line && nr.start.character < r.start.character)) {
      if (!types) return undefined;
    }
    n = n.parent;
    if (n && !containsRange(nodeRange(n), r)) return undefined;
  }
  return undefined;
}

function containsRange(outer: Range, inner: Range): boolean {
  const le = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, inner.start) && le(inner.end, outer.end);
}

export function named(n: Node): Node[] {
  const out: Node[] = [];
  for (const c of n.namedChildren) if (c) out.push(c);
  return out;
}

export function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const c of n.children) if (c) out.push(c);
  return out;
}

export function ancestor(n: Node, types: string[]): Node | undefined {
  let p = n.parent;
  while (p) {
    if (types.includes(p.type)) return p;
    p = p.parent;
  }
  return undefined;
}

/** The statement directly under `module` that contains `n`. */
export function topLevelStatement(n: Node): Node | undefined {
  let cur: Node | null = n;
  while (cur && cur.parent && cur.parent.type !== 'module') cur = cur.parent;
  return cur && cur.parent?.type === 'module' ? cur : undefined;
}

/** The innermost enclosing def (function_definition), or undefined at module level. */
export function enclosingFunction(n: Node): Node | undefined {
  return ancestor(n, ['function_definition']);
}

/** The statement (child of a block or the module) that contains `n`. */
export function enclosingStatement(n: Node): Node | undefined {
  let cur: Node | null = n;
  while (cur && cur.parent && cur.parent.type !== 'block' && cur.parent.type !== 'module') cur = cur.parent;
  return cur && cur.parent ? cur : undefined;
}

export function isScopeBoundary(n: Node): boolean {
  return (
    n.type === 'function_definition' ||
    n.type === 'lambda' ||
    n.type === 'class_definition' ||
    n.type === 'list_comprehension' ||
    n.type === 'set_comprehension' ||
    n.type === 'dictionary_comprehension' ||
    n.type === 'generator_expression'
  );
}

/** `if __name__ == '__main__':` (either operand order, either quote). */
export function isMainGuard(n: Node): boolean {
  if (n.type !== 'if_statement') return false;
  const c = n.childForFieldName('condition');
  if (!c || c.type !== 'comparison_operator') return false;
  const t = c.text.replace(/\s+/g, '');
  return /^__name__==(['"])__main__\1$/.test(t) || /^(['"])__main__\1==__name__$/.test(t);
}

export function hasElse(ifNode: Node): boolean {
  return children(ifNode).some((c) => c.type === 'else_clause' || c.type === 'elif_clause');
}

/** Any string literal spanning several lines inside `n` (re-indenting would change it). */
export function hasMultilineString(n: Node): boolean {
  let found = false;
  walk(n, (x) => {
    if (found) return false;
    if ((x.type === 'string' || x.type === 'concatenated_string') && x.startPosition.row !== x.endPosition.row) {
      found = true;
      return false;
    }
    return true;
  });
  return found;
}

/** Pre-order walk; `visit` returns false to skip a node's children. */
export function walk(n: Node, visit: (n: Node) => boolean | void): void {
  if (visit(n) === false) return;
  for (const c of n.namedChildren) if (c) walk(c, visit);
}

// ---------------------------------------------------------------------------------------
// names and scopes

export const BUILTINS = new Set(
  (
    'ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError BrokenPipeError BufferError ' +
    'BytesWarning ChildProcessError ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError ' +
    'DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception ExceptionGroup False FileExistsError ' +
    'FileNotFoundError FloatingPointError FutureWarning GeneratorExit IOError ImportError ImportWarning IndentationError ' +
    'IndexError InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ModuleNotFoundError ' +
    'NameError None NotADirectoryError NotImplemented NotImplementedError OSError OverflowError PendingDeprecationWarning ' +
    'PermissionError ProcessLookupError RecursionError ReferenceError ResourceWarning RuntimeError RuntimeWarning ' +
    'StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError True TypeError ' +
    'UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ' +
    'ValueError Warning ZeroDivisionError __build_class__ __debug__ __doc__ __import__ __loader__ __name__ __package__ __spec__ ' +
    'abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright ' +
    'credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash help ' +
    'hex id input int isinstance issubclass iter len license list locals map max memoryview min next object oct open ord pow ' +
    'print property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip'
  ).split(' '),
);

/** Names an assignment target binds (`a`, `a, b`, `(a, [b, *c])`); attributes/subscripts bind none. */
export function targetNames(n: Node | null | undefined, out: string[] = []): string[] {
  if (!n) return out;
  switch (n.type) {
    case 'identifier':
      out.push(n.text);
      break;
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'tuple':
    case 'list':
    case 'parenthesized_expression':
    case 'list_splat_pattern':
    case 'list_splat':
    case 'expression_list':
      for (const c of named(n)) targetNames(c, out);
      break;
    default:
      break;
  }
  return out;
}

/** Names of a parameter list (`parameters` / `lambda_parameters`), with whether every one is a plain positional name. */
export function paramNames(params: Node | null | undefined): { names: string[]; plain: boolean } {
  const names: string[] = [];
  let plain = true;
  if (!params) return { names, plain };
  for (const p of named(params)) {
    switch (p.type) {
      case 'identifier':
        names.push(p.text);
        break;
      case 'typed_parameter': {
        const id = named(p).find((c) => c.type === 'identifier');
        if (id) names.push(id.text);
        else {
          plain = false;
          for (const c of named(p)) targetNames(c, names);
        }
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter': {
        plain = false;
        const nm = p.childForFieldName('name');
        if (nm) names.push(nm.text);
        break;
      }
      case 'list_splat_pattern':
      case 'dictionary_splat_pattern': {
        plain = false;
        for (const c of named(p)) if (c.type === 'identifier') names.push(c.text);
        break;
      }
      default:
        plain = false;
        break;
    }
  }
  return { names, plain };
}

/**
 * Names bound in the scope whose body is `body` (a def's block, a lambda's body): assignment
 * targets, loop/with/except targets, walrus, imports, nested def/class names. Does not enter
 * nested scopes. `globals` gets the names declared `global`/`nonlocal`.
 */
export function scopeBindings(body: Node, globals: Set<string> = new Set()): Set<string> {
  const bound = new Set<string>();
  const visit = (n: Node): boolean => {
    switch (n.type) {
      case 'function_definition':
      case 'class_definition': {
        const nm = n.childForFieldName('name');
        if (nm) bound.add(nm.text);
        if (n.type === 'function_definition') {
          // defaults and decorators are evaluated in this scope: keep walking those only
          const params = n.childForFieldName('parameters');
          if (params) for (const p of named(params)) for (const c of named(p)) if (c !== p.childForFieldName('name')) walk(c, visit);
        }
        return false;
      }
      case 'lambda':
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression':
        return false;
      case 'assignment':
      case 'augmented_assignment':
        for (const x of targetNames(n.childForFieldName('left'))) bound.add(x);
        return true;
      case 'for_statement':
        for (const x of targetNames(n.childForFieldName('left'))) bound.add(x);
        return true;
      case 'as_pattern_target':
        for (const c of named(n)) for (const x of targetNames(c)) bound.add(x);
        if (n.namedChildCount === 0) bound.add(n.text);
        return true;
      case 'as_pattern': {
        const alias = n.childForFieldName('alias');
        if (alias) for (const x of targetNames(alias.type === 'as_pattern_target' ? alias.namedChild(0) ?? alias : alias)) bound.add(x);
        return true;
      }
      case 'except_clause': {
        // `except E as name` (older grammars give the name as a direct identifier child after `as`)
        const kids = children(n);
        for (let i = 0; i + 1 < kids.length; i++) if (kids[i].type === 'as' && kids[i + 1].type === 'identifier') bound.add(kids[i + 1].text);
        return true;
      }
      case 'named_expression': {
        const nm = n.childForFieldName('name');
        if (nm) bound.add(nm.text);
        return true;
      }
      case 'import_statement':
      case 'import_from_statement':
        for (const c of named(n)) {
          if (c.type === 'aliased_import') {
            const a = c.childForFieldName('alias');
            if (a) bound.add(a.text);
          } else if (c.type === 'dotted_name' && c !== n.childForFieldName('module_name')) {
            bound.add(c.text.split('.')[0]);
          }
        }
        return false;
      case 'global_statement':
      case 'nonlocal_statement':
        for (const c of named(n)) if (c.type === 'identifier') globals.add(c.text);
        return false;
      case 'delete_statement':
        for (const c of named(n)) for (const x of targetNames(c)) bound.add(x);
        return true;
      default:
        return true;
    }
  };
  walk(body, visit);
  for (const g of globals) bound.delete(g);
  return bound;
}

/** Is `name` a local of the def `fn` (a parameter, or bound in it without `global`)? */
export function isLocalOf(fn: Node, name: string): boolean {
  const { names } = paramNames(fn.childForFieldName('parameters'));
  if (names.includes(name)) return true;
  const body = fn.childForFieldName('body');
  if (!body) return true;
  const g = new Set<string>();
  const bound = scopeBindings(body, g);
  return bound.has(name);
}

/** Every function scope (def or lambda) enclosing `n`, innermost first. */
export function enclosingScopes(n: Node): Node[] {
  const out: Node[] = [];
  let p = n.parent;
  while (p) {
    if (p.type === 'function_definition' || p.type === 'lambda') out.push(p);
    p = p.parent;
  }
  return out;
}

/**
 * Names `n` reads that it does not bind itself (an over-approximation of its free names):
 * every identifier in a load position, minus names bound anywhere inside `n` (params,
 * locals, comprehension and nested-lambda variables).
 */
export function freeNames(n: Node): Set<string> {
  const used = new Set<string>();
  const bound = new Set<string>();
  walk(n, (x) => {
    if (x.type === 'identifier') {
      const p = x.parent;
      if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === x.id) return true;
      if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === x.id) return true;
      used.add(x.text);
      return true;
    }
    if (x.type === 'function_definition' || x.type === 'lambda') {
      for (const nm of paramNames(x.childForFieldName('parameters')).names) bound.add(nm);
      const body = x.childForFieldName('body');
      if (body && x.type === 'function_definition') for (const b of scopeBindings(body)) bound.add(b);
      const nm = x.childForFieldName('name');
      if (nm) bound.add(nm.text);
    }
    if (x.type === 'for_in_clause') for (const b of targetNames(x.childForFieldName('left'))) bound.add(b);
    if (x.type === 'named_expression') {
      const nm = x.childForFieldName('name');
      if (nm) bound.add(nm.text);
    }
    return true;
  });
  for (const b of bound) used.delete(b);
  return used;
}

/** Every identifier text that occurs in `n` (for picking fresh names). */
export function identifiers(n: Node): Set<string> {
  const out = new Set<string>();
  walk(n, (x) => {
    if (x.type === 'identifier') out.add(x.text);
    return true;
  });
  return out;
}

export function freshName(taken: Set<string>, candidates: string[]): string {
  for (const c of candidates) if (!taken.has(c)) return c;
  const base = candidates[candidates.length - 1];
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Count of identifier nodes with this text in `n`. */
export function countIdentifier(n: Node, name: string): number {
  let k = 0;
  walk(n, (x) => {
    if (x.type === 'identifier' && x.text === name) {
      const p = x.parent;
      if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === x.id) return true;
      if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === x.id) return true;
      k++;
    }
    return true;
  });
  return k;
}

/** Whether another analysed file mentions `name` as a word (it could import or call it). */
export function mentionedElsewhere(ctx: FixContext, file: string, name: string): boolean {
  const re = new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
  for (const m of ctx.graph.modules.values()) {
    if (m.path === file) continue;
    const t = ctx.text(m.path);
    if (t && re.test(t)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// layout

export function lines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, ''));
}

export function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** The file's indentation unit (the first indented block's step), default four spaces. */
export function indentUnit(root: Node, text: string): string {
  const ls = lines(text);
  let found: string | undefined;
  walk(root, (n) => {
    if (found !== undefined) return false;
    if (n.type === 'block' && n.parent) {
      const first = n.namedChild(0);
      if (first && first.startPosition.row !== n.parent.startPosition.row) {
        const outer = /^[ \t]*/.exec(ls[n.parent.startPosition.row] ?? '')![0];
        const inner = /^[ \t]*/.exec(ls[first.startPosition.row] ?? '')![0];
        if (inner.length > outer.length && inner.startsWith(outer)) found = inner.slice(outer.length);
        return false;
      }
    }
    return true;
  });
  return found ?? '    ';
}

export function lineIndent(text: string, line: number): string {
  return /^[ \t]*/.exec(lines(text)[line] ?? '')![0];
}

/**
 * The first line of a top-level statement including the comment lines directly above it
 * (they belong to it), for inserting something before it.
 */
export function leadingLine(text: string, stmt: Node): number {
  const ls = lines(text);
  let l = stmt.startPosition.row;
  while (l > 0 && /^\s*#/.test(ls[l - 1] ?? '')) l--;
  return l;
}

/**
 * An edit that inserts a module-level block (a def, without trailing newline) before the
 * top-level statement `stmt`, separated by two blank lines on both sides (PEP 8).
 */
export function insertBeforeTopLevel(text: string, stmt: Node, block: string): TextEdit {
  const nl = eol(text);
  const ls = lines(text);
  const at = leadingLine(text, stmt);
  let prefix = '';
  if (at > 0) {
    let blanks = 0;
    for (let l = at - 1; l >= 0 && (ls[l] ?? '').trim() === ''; l--) blanks++;
    if (blanks < 2 && at - blanks > 0) prefix = nl.repeat(2 - blanks);
  }
  const body = block.split('\n').join(nl);
  return { range: { start: pos(at, 0), end: pos(at, 0) }, newText: `${prefix}${body}${nl}${nl}${nl}` };
}

/** Inserts a line at the top of the module, after the docstring, `__future__` imports and the leading import block. */
export function addImportEdit(root: Node, text: string, line: string): TextEdit {
  const nl = eol(text);
  let after: Node | undefined;
  for (const s of named(root)) {
    if (s.type === 'comment') continue;
    if (s.type === 'expression_statement' && s.namedChild(0)?.type === 'string' && !after) {
      after = s;
      continue;
    }
    if (s.type === 'import_statement' || s.type === 'import_from_statement' || s.type === 'future_import_statement') {
      after = s;
      continue;
    }
    break;
  }
  if (!after) return { range: { start: pos(0, 0), end: pos(0, 0) }, newText: line + nl };
  const l = after.endPosition.row + 1;
  return { range: { start: pos(l, 0), end: pos(l, 0) }, newText: line + nl };
}

/**
 * How to name `multiprocessing.<attr>` in this module: an existing `import multiprocessing`
 * (or `as mp`) binding, or `from multiprocessing import <attr>`; otherwise adds
 * `import multiprocessing`.
 */
export function mpName(ctx: FixContext, file: string, root: Node, text: string, attr: string): { expr: string; edit?: TextEdit } | undefined {
  const m = ctx.graph.modules.get(file);
  if (m) {
    for (const b of m.bindings.values()) {
      if (b.kind !== 'import' || !b.importFrom) continue;
      if (b.importFrom.specifier === 'multiprocessing' && b.importFrom.imported === '*') return { expr: `${b.name}.${attr}` };
    }
    for (const b of m.bindings.values()) {
      if (b.kind === 'import' && b.importFrom?.specifier === 'multiprocessing' && b.importFrom.imported === attr && b.name === attr) return { expr: attr };
    }
    if (m.bindings.has('multiprocessing')) return undefined;
  }
  let clash = false;
  walk(root, (x) => {
    if (x.type === 'import_from_statement') return false;
    if (x.type === 'identifier' && x.text === 'multiprocessing') clash = true;
    return !clash;
  });
  if (clash) return undefined;
  return { expr: `multiprocessing.${attr}`, edit: addImportEdit(root, text, 'import multiprocessing') };
}

// ---------------------------------------------------------------------------------------
// engine look-ups

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
// pool creating calls and initializers

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
  // positional slots before `initializer`: Pool(processes), ProcessPoolExecutor(max_workers, mp_context)
  const maxPositional = sys === 'mp.Pool' ? 1 : 2;
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

/** Inserts `, text` after the last argument (or `text` into empty parentheses). */
export function appendArgument(pc: PoolCall, text: string): TextEdit {
  if (pc.last) {
    const at = endOf(pc.last);
    return { range: { start: at, end: at }, newText: `, ${text}` };
  }
  const open = children(pc.args).find((c) => c.type === '(');
  const at = open ? endOf(open) : startOf(pc.args);
  return { range: { start: at, end: at }, newText: text };
}

/** A module-level `def NAME(...)` of this tree (not decorated), by name. */
export function moduleDef(root: Node, name: string): Node | undefined {
  for (const s of named(root)) {
    if (s.type === 'function_definition' && s.childForFieldName('name')?.text === name) return s;
  }
  return undefined;
}

/** Where statements go at the top of a def's body: after its docstring. Undefined for one-line bodies. */
export function bodyInsertPoint(fn: Node, text: string): { line: number; indent: string } | undefined {
  const body = fn.childForFieldName('body');
  if (!body) return undefined;
  const stmts = named(body).filter((s) => s.type !== 'comment');
  if (stmts.length === 0) return undefined;
  const first = stmts[0];
  if (first.startPosition.row === fn.startPosition.row) return undefined;
  const indent = lineIndent(text, first.startPosition.row);
  if (first.type === 'expression_statement' && first.namedChild(0)?.type === 'string') {
    const next = stmts[1];
    if (next && next.startPosition.row === first.endPosition.row) return undefined;
    return { line: first.endPosition.row + 1, indent };
  }
  // the first statement must start its line (no `x = 1; y = 2` tricks before it)
  if ((lines(text)[first.startPosition.row] ?? '').slice(0, first.startPosition.column).trim() !== '') return undefined;
  return { line: first.startPosition.row, indent };
}

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
 * A provider whose plan works out its edits on demand: offered only when they can be made,
 * under `title(plan)`, editing `file` (the finding's file unless told).
 */
export function editsProvider<P extends { edits: () => TextEdit[] | undefined }>(
  kind: string,
  rules: RuleId[],
  plan: (ctx: FixContext, f: Finding) => P | undefined,
  title: (p: P) => string,
  file: (ctx: FixContext, f: Finding, p: P) => string = (_ctx, f) => f.file,
): FixProvider {
  return {
    kind,
    rules,
    describe(ctx, f) {
      const p = plan(ctx, f);
      return p && p.edits() ? { kind, title: title(p) } : undefined;
    },
    compute(ctx, f): FixEdit | undefined {
      const p = plan(ctx, f);
      const edits = p?.edits();
      return p && edits ? { kind, title: title(p), changes: [{ file: file(ctx, f, p), edits }] } : undefined;
    },
  };
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
    for (const p of pcs) edits.push(appendArgument(p, `initializer=${fname}, initargs=(${iv.value},)`));
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
