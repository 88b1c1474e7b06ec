/**
 * The contract between findings and quick fixes. A fix provider decides cheaply whether
 * it applies to a finding (`describe`, called for every finding when the analysis runs) and
 * computes the edit only when asked (`compute`, called from `codeAction/resolve`, the CLI's
 * `--fix` and the tests). A provider offers a fix only for code shapes where the
 * transformation is known to be correct; otherwise it returns undefined.
 */
import type { FixDescriptor, Finding, RuleId } from '../engine/findings';
import type { Range } from '../engine/model';
import type { ProjectGraph } from '../engine/contexts';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface FileEdit {
  /** absolute path */
  file: string;
  edits: TextEdit[];
  /**
   * the file does not exist yet: the fix creates it (its edits insert into an empty text).
   * Writers create it only where it is new and inside the workspace / command-line paths.
   */
  create?: boolean;
}

export interface FixEdit {
  kind: string;
  title: string;
  /** edits per file; several files when the fix spans modules */
  changes: FileEdit[];
}

export interface FixContext {
  graph: ProjectGraph;
  /** current text of an analysed file */
  text(file: string): string | undefined;
}

export interface FixProvider {
  /** stable id, e.g. 'move-to-initializer' */
  kind: string;
  rules: RuleId[];
  /** Whether (and under which title) this fix applies to the finding. Must be cheap. */
  describe(ctx: FixContext, finding: Finding): FixDescriptor | undefined;
  /** The edits, or undefined if the code changed so the fix no longer applies. */
  compute(ctx: FixContext, finding: Finding): FixEdit | undefined;
}
