/**
 * unsendable-payload → "Move NAME to module level" (Python).
 *
 * A local `def NAME(...)` given to a pool/executor cannot be pickled by name. When it uses
 * no closure (its free names are builtins or import-time module bindings that never change),
 * it moves, dedented, to module level before the top-level statement that holds it; the
 * calls keep using NAME, which now resolves to the module-level def.
 */
import type { Node } from 'web-tree-sitter';
import type { Finding } from '../../engine/findings';
import type { FixContext, FixEdit, FixProvider, TextEdit } from '../types';
import { insertBeforeTopLevel, lines } from './layout';
import { freeNames, scopeBindings } from './scopes';
import { enclosingFunction, hasMultilineString, isPython, named, pos, pyRoot, topLevelStatement, walk, nodeAt } from './syntax-tree';
import { moduleLevelName } from './lambda-to-def';

const KIND = 'nested-to-module';

function plan(ctx: FixContext, f: Finding): { name: string; edits: () => TextEdit[] | undefined } | undefined {
  if (!isPython(f.file)) return undefined;
  const m = ctx.graph.modules.get(f.file);
  const p = m?.payloads.find((x) => x.what === 'local-function' && x.range.start.line === f.range.start.line && x.range.start.character === f.range.start.character);
  if (!m || !p) return undefined;
  const text = ctx.text(f.file);
  if (text === undefined) return undefined;
  const root = pyRoot(text);
  if (!root) return undefined;
  const ref = nodeAt(root, p.range, ['identifier']);
  if (!ref) return undefined;
  const name = ref.text;
  const outer = enclosingFunction(ref);
  if (!outer || m.bindings.has(name)) return undefined;
  // the one def of NAME in the enclosing function (not in deeper scopes), and nothing else binds NAME there
  const defs: Node[] = [];
  walk(outer.childForFieldName('body')!, (x) => {
    if (x.type === 'function_definition') {
      if (x.childForFieldName('name')?.text === name) defs.push(x);
      return false;
    }
    return x.type !== 'lambda' && x.type !== 'class_definition';
  });
  if (defs.length !== 1) return undefined;
  const def = defs[0];
  if (def.parent?.type !== 'block' || enclosingFunction(def)?.id !== outer.id) return undefined;
  const bound = scopeBindings(outer.childForFieldName('body')!);
  if (!bound.has(name)) return undefined;
  let rebinds = 0;
  walk(outer.childForFieldName('body')!, (x) => {
    if (x.type === 'assignment' || x.type === 'for_statement' || x.type === 'augmented_assignment') {
      if ((x.childForFieldName('left')?.descendantsOfType('identifier') ?? []).some((i) => i?.text === name)) rebinds++;
    }
    return true;
  });
  if (rebinds) return undefined;
  if (named(def.parent).filter((s) => s.type !== 'comment').length < 2) return undefined;
  if (hasMultilineString(def)) return undefined;
  for (const n of freeNames(def)) if (n !== name && !moduleLevelName(m, root, n, def)) return undefined;
  const ls = lines(text);
  const indent = /^[ \t]*/.exec(ls[def.startPosition.row] ?? '')![0];
  if ((ls[def.startPosition.row] ?? '').slice(0, def.startPosition.column).trim() !== '') return undefined;
  for (let l = def.startPosition.row; l <= def.endPosition.row; l++) if (ls[l].trim() && !ls[l].startsWith(indent)) return undefined;
  const top = topLevelStatement(def);
  if (!top) return undefined;
  return {
    name,
    edits: () => {
      const moved = [];
      for (let l = def.startPosition.row; l <= def.endPosition.row; l++) moved.push(ls[l].slice(indent.length));
      let endRow = def.endPosition.row + 1;
      // take one blank line after the def with it
      if (endRow < ls.length && ls[endRow].trim() === '' && endRow + 1 < ls.length) endRow++;
      return [
        insertBeforeTopLevel(text, top, moved.join('\n')),
        { range: { start: pos(def.startPosition.row, 0), end: pos(endRow, 0) }, newText: '' },
      ];
    },
  };
}

export const nestedToModule: FixProvider = {
  kind: KIND,
  rules: ['unsendable-payload'],
  describe(ctx, f) {
    const p = plan(ctx, f);
    return p ? { kind: KIND, title: `Move ${p.name} to module level` } : undefined;
  },
  compute(ctx, f): FixEdit | undefined {
    const p = plan(ctx, f);
    const edits = p?.edits();
    return p && edits ? { kind: KIND, title: `Move ${p.name} to module level`, changes: [{ file: f.file, edits }] } : undefined;
  },
};
