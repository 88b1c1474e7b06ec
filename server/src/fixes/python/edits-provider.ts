/**
 * The shape most Python fix providers share: a plan worked out per finding, offered only
 * when its edits can be made.
 */
import type { Finding, RuleId } from '../../engine/findings';
import type { FixContext, FixEdit, FixProvider, TextEdit } from '../types';

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
