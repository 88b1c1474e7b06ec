/**
 * manager-proxy-serialized → "Copy NAME into a list/dict before serialising it" (Python).
 *
 * `json.dumps(proxy)` → `json.dumps(list(proxy))` / `dict(proxy)`, by what the proxy is: every
 * assignment of the name in its scope is `<manager>.list(...)` (ListProxy) or
 * `<manager>.dict(...)` (DictProxy). Other proxies, or a name bound otherwise: not offered.
 */
import type { Node } from 'web-tree-sitter';
import type { FixEdit, FixProvider, FixContext } from '../types';
import type { Finding } from '../../engine/findings';
import { targetNames } from './scopes';
import { enclosingFunction, isPython, nodeAt, nodeRange, pyRoot, walk } from './syntax-tree';

const KIND = 'copy-proxy';

function plan(ctx: FixContext, f: Finding): { kind: 'list' | 'dict'; name: string; node: Node } | undefined {
  if (!isPython(f.file)) return undefined;
  const text = ctx.text(f.file);
  if (text === undefined) return undefined;
  const root = pyRoot(text);
  if (!root) return undefined;
  const node = nodeAt(root, f.range, ['identifier']);
  if (!node) return undefined;
  const name = node.text;
  const scope = enclosingFunction(node) ?? root;
  let kind: 'list' | 'dict' | undefined;
  let ok = true;
  walk(scope, (x) => {
    if (!ok) return false;
    if (x !== scope && (x.type === 'function_definition' || x.type === 'lambda' || x.type === 'class_definition')) return false;
    const bindsName = (t: Node | null) => targetNames(t).includes(name);
    if ((x.type === 'assignment' || x.type === 'augmented_assignment') && bindsName(x.childForFieldName('left'))) {
      const left = x.childForFieldName('left');
      const right = x.childForFieldName('right');
      const fn = right?.type === 'call' ? right.childForFieldName('function') : undefined;
      const attr = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if (x.type !== 'assignment' || left?.type !== 'identifier' || (attr !== 'list' && attr !== 'dict') || (kind && kind !== attr)) ok = false;
      else kind = attr;
    } else if ((x.type === 'for_statement' && bindsName(x.childForFieldName('left'))) || (x.type === 'as_pattern_target' && x.text === name)) {
      ok = false;
    }
    return true;
  });
  if (scope.type === 'function_definition') {
    const params = scope.childForFieldName('parameters');
    if (params && params.descendantsOfType('identifier').some((i) => i?.text === name)) ok = false;
  }
  return ok && kind ? { kind, name, node } : undefined;
}

export const copyProxy: FixProvider = {
  kind: KIND,
  rules: ['manager-proxy-serialized'],
  describe(ctx, f) {
    const p = plan(ctx, f);
    return p ? { kind: KIND, title: `Copy ${p.name} into a ${p.kind} first: ${p.kind}(${p.name})` } : undefined;
  },
  compute(ctx, f): FixEdit | undefined {
    const p = plan(ctx, f);
    if (!p) return undefined;
    return {
      kind: KIND,
      title: `Copy ${p.name} into a ${p.kind} first: ${p.kind}(${p.name})`,
      changes: [{ file: f.file, edits: [{ range: nodeRange(p.node), newText: `${p.kind}(${p.name})` }] }],
    };
  },
};
