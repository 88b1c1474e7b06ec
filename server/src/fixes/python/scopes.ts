/**
 * Names and scopes in Python code for the fix providers: what an assignment target or a
 * parameter list binds, the bindings of a def's body, whether a name is local to a def,
 * a lambda's free names, and fresh names that clash with nothing.
 */
import type { Node } from 'web-tree-sitter';
import type { FixContext } from '../types';
import { children, named, walk } from './syntax-tree';

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
