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
      if (edit) return edit;
    } catch {
      // this provider cannot handle the shape; another one of the same kind may
    }
  }
  return undefined;
}

/** Applies non-overlapping edits to a text (positions are 0-based line/UTF-16 character). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = lineStarts(text);
  const offset = (line: number, ch: number) => {
    if (line >= starts.length) return text.length;
    return Math.min(starts[line] + ch, line + 1 < starts.length ? starts[line + 1] : text.length);
  };
  const sorted = edits
    .map((e, i) => ({ e, i, s: offset(e.range.start.line, e.range.start.character), t: offset(e.range.end.line, e.range.end.character) }))
    .sort((a, b) => b.s - a.s || b.t - a.t || b.i - a.i);
  let out = text;
  let last = Infinity;
  for (const { e, s, t } of sorted) {
    if (t > last) throw new Error('overlapping edits');
    out = out.slice(0, s) + e.newText + out.slice(t);
    last = s;
  }
  return out;
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** Applies a fix to the given texts; returns the new text of every file it touches. */
export function applyFix(fix: FixEdit, text: (file: string) => string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const fe of fix.changes as FileEdit[]) {
    const before = out.get(fe.file) ?? text(fe.file) ?? (fe.create ? '' : undefined);
    if (before === undefined) throw new Error(`no text for ${fe.file}`);
    out.set(fe.file, applyEdits(before, fe.edits));
  }
  return out;
}

export type { FixContext, FixEdit, FixProvider, FileEdit, TextEdit } from './types';
