/**
 * unsendable-payload → "Turn the lambda into a module-level def" (Python).
 *
 * `pool.map(lambda x: x * x, xs)` → a module-level `def _task_N(x):\n    return x * x`
 * inserted before the top-level statement that holds the call, and the lambda replaced by
 * its name (picklable by reference). Offered only for one-line lambdas whose free names are
 * builtins or import-time module bindings that never change (imports, defs, classes,
 * constants) and are not shadowed by a local of an enclosing function.
 */
import type { Node } from 'web-tree-sitter';
import type { Finding } from '../../engine/findings';
import type { ModuleModel } from '../../engine/model';
import type { FixContext, FixEdit, FixProvider, TextEdit } from '../types';
import { indentUnit, insertBeforeTopLevel } from './layout';
import { BUILTINS, enclosingScopes, freeNames, freshName, identifiers, isLocalOf } from './scopes';
import { ancestor, isMainGuard, isPython, nodeAt, nodeRange, pyRoot, topLevelStatement } from './syntax-tree';

const KIND = 'lambda-to-def';
const TITLE = 'Turn the lambda into a module-level def';
const STABLE_KINDS = new Set(['function', 'class', 'import', 'constant']);

/** A free name the moved code may use: a builtin, or an import-time module binding that never changes. */
export function moduleLevelName(m: ModuleModel, root: Node, name: string, from: Node): boolean {
  for (const scope of enclosingScopes(from)) if (scope.type !== 'function_definition' || isLocalOf(scope, name)) return false;
  const b = m.bindings.get(name);
  if (!b) return BUILTINS.has(name);
  if (!STABLE_KINDS.has(b.kind)) return false;
  const decl = nodeAt(root, b.range);
  const top = decl ? topLevelStatement(decl) : undefined;
  return !!top && !isMainGuard(top) && top.type !== 'if_statement' && top.type !== 'try_statement';
}

function plan(ctx: FixContext, f: Finding): (() => TextEdit[] | undefined) | undefined {
  if (!isPython(f.file)) return undefined;
  const m = ctx.graph.modules.get(f.file);
  const p = m?.payloads.find((x) => x.what === 'lambda' && x.range.start.line === f.range.start.line && x.range.start.character === f.range.start.character);
  if (!m || !p) return undefined;
  const text = ctx.text(f.file);
  if (text === undefined) return undefined;
  const root = pyRoot(text);
  if (!root) return undefined;
  const lam = nodeAt(root, p.range, ['lambda']);
  if (!lam || lam.startPosition.row !== lam.endPosition.row) return undefined;
  if (ancestor(lam, ['lambda', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression', 'class_definition'])) return undefined;
  const body = lam.childForFieldName('body');
  if (!body) return undefined;
  for (const n of freeNames(lam)) if (!moduleLevelName(m, root, n, lam)) return undefined;
  const top = topLevelStatement(lam);
  if (!top) return undefined;
  const params = lam.childForFieldName('parameters');
  return () => {
    const name = freshName(identifiers(root), ['_task', '_task_1']);
    const def = `def ${name}(${params ? params.text : ''}):\n${indentUnit(root, text)}return ${body.text}`;
    return [insertBeforeTopLevel(text, top, def), { range: nodeRange(lam), newText: name }];
  };
}

export const lambdaToDef: FixProvider = {
  kind: KIND,
  rules: ['unsendable-payload'],
  describe(ctx, f) {
    return plan(ctx, f) ? { kind: KIND, title: TITLE } : undefined;
  },
  compute(ctx, f): FixEdit | undefined {
    const edits = plan(ctx, f)?.();
    return edits ? { kind: KIND, title: TITLE, changes: [{ file: f.file, edits }] } : undefined;
  },
};
