/**
 * The shape the Node.js fix providers share: one plan (title and edits) per graph and
 * finding, built once and used by both describe and compute.
 */
import type { Finding, RuleId } from '../../engine/findings';
import type { FileEdit, FixContext, FixEdit, FixProvider } from '../types';

/** What a provider's `build` works out for one finding: the fix's title and its edits. */
export interface Plan {
  title: string;
  changes: FileEdit[];
}

/**
 * A provider whose describe and compute share one plan per graph and finding, built once by
 * `build`; a build that throws offers nothing.
 */
export function planProvider(kind: string, rules: RuleId[], build: (ctx: FixContext, f: Finding) => Plan | undefined): FixProvider {
  const memo = new WeakMap<object, Map<string, Plan | null>>();
  const plan = (ctx: FixContext, f: Finding): Plan | undefined => {
    let perGraph = memo.get(ctx.graph);
    if (!perGraph) memo.set(ctx.graph, (perGraph = new Map()));
    const key = `${f.file}:${f.range.start.line}:${f.range.start.character}`;
    if (perGraph.has(key)) return perGraph.get(key) ?? undefined;
    let p: Plan | undefined;
    try {
      p = build(ctx, f);
    } catch {
      p = undefined;
    }
    perGraph.set(key, p ?? null);
    return p;
  };
  return {
    kind,
    rules,
    describe(ctx, f) {
      const p = plan(ctx, f);
      return p ? { kind, title: p.title } : undefined;
    },
    compute(ctx, f) {
      const p = plan(ctx, f);
      return p ? ({ kind, title: p.title, changes: p.changes } satisfies FixEdit) : undefined;
    },
  };
}
