/**
 * Fix registry: which fixes a finding offers, and computing one on demand.
 */
import type { FixDescriptor, Finding } from '../engine/findings';
import type { FileEdit, FixContext, FixEdit, FixProvider, TextEdit } from './types';
import { disableLine } from './disable-line';
import { disableFile } from './disable-file';
import { wrapInGuard } from './js/wrap-in-guard';
import { passWorkerData } from './js/pass-workerdata';
import { passArgv } from './js/pass-argv';
import { postResults } from './js/post-results';
import { returnResults } from './js/return-results';
import { execFreeVarsToParams } from './js/exec-free-vars-to-params';
import { moveToInitializer } from './python/move-to-initializer';
import { wrapInGuardPython } from './python/wrap-in-guard';
import { returnResultsPython } from './python/return-results';
import { sharedQueuePython } from './python/shared-queue';
import { useProcessLock } from './python/use-process-lock';
import { lambdaToDef } from './python/lambda-to-def';
import { nestedToModule } from './python/nested-to-module';
import { copyProxy } from './python/copy-proxy';
import { moveToModule } from './python/move-to-module';
import { fitPythonFix } from './python/line-fit';

/** Order matters: the first applicable provider is the finding's preferred fix (`--fix`). */
export const FIX_PROVIDERS: FixProvider[] = [
  passWorkerData,
  passArgv,
  postResults,
  returnResults,
  wrapInGuard,
  execFreeVarsToParams,
  moveToInitializer,
  wrapInGuardPython,
  returnResultsPython,
  sharedQueuePython,
  useProcessLock,
  lambdaToDef,
  nestedToModule,
  copyProxy,
  moveToModule,
];

/** Registered last so real fixes come first; every finding offers them. */
const FALLBACK: FixProvider[] = [disableLine, disableFile];

/** The fix kinds that write a suppression comment instead of changing the code (never applied by `--fix` or fix-all). */
export const SUPPRESSION_FIX_KINDS: readonly string[] = FALLBACK.map((p) => p.kind);

function providers(): FixProvider[] {
  return [...FIX_PROVIDERS, ...FALLBACK];
}

/**
 * A Python class attribute (`Config.X`): the fixes rewrite module-level names (`global X`,
 * initargs, returned values), none of which applies to it; only the suppressions are offered.
 */
function isClassAttribute(finding: Finding): boolean {
  return /\.pyw?$|\.ipynb$/.test(finding.file) && finding.symbol.includes('.') && (finding.rule === 'stale-global-read' || finding.rule === 'lost-global-write');
}

function applicable(p: FixProvider, finding: Finding): boolean {
  return p.rules.includes(finding.rule) && (!isClassAttribute(finding) || FALLBACK.includes(p));
}

export function describeFixes(ctx: FixContext, finding: Finding): FixDescriptor[] {
  const out: FixDescriptor[] = [];
  for (const p of providers()) {
    if (!applicable(p, finding)) continue;
    try {
      const d = p.describe(ctx, finding);
      if (d) out.push(d);
    } catch {
      // a provider that cannot understand this shape offers nothing
    }
  }
  return out;
}

export function computeFix(ctx: FixContext, finding: Finding, kind: string): FixEdit | undefined {
  // one kind may have a provider per language (e.g. 'wrap-in-guard'): the first that answers wins
  for (const p of providers()) {
    if (p.kind !== kind || !applicable(p, finding)) continue;
    try {
      const edit = p.compute(ctx, finding);
      // code a fix writes keeps to the project's line length; a suppression comment is exempt, as for Ruff's E501
      if (edit) return FALLBACK.includes(p) ? edit : fitPythonFix(edit, ctx.text);
    } catch {
      // this provider cannot handle the shape; another one of the same kind may
    }
  }
  return undefined;
}

export { applyEdits, applyFix } from './apply';
export type { FixContext, FixEdit, FixProvider, FileEdit, TextEdit } from './types';
