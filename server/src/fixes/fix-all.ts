/**
 * "Fix all Crossproc problems in this file" / `source.fixAll.crossproc`.
 *
 * Only the fix kinds of {@link FIX_ALL_KINDS} are applied: each is the one mechanical
 * rewrite of its shape, keeps the program's intent and edits the flagged file only. Left
 * out, because they are a choice the user makes or reach other files:
 *  - the lost-global-write fixes (return-results, shared-queue, post-results): they change
 *    how results flow back, and several of them can apply to one finding;
 *  - move-to-initializer, pass-workerdata, pass-argv: they choose when the workers get a
 *    snapshot of the state, and often edit the worker's module as well;
 *  - the suppressions (disable-line, disable-file): they hide a problem, not fix it.
 * The fixes are applied one at a time, re-analysing between them (never merging edits that
 * were computed against an older text); a fix whose result does not check out — the file
 * parses worse, a finding appears that was not there, or none goes away — is undone and
 * not tried again.
 */
import type { Finding } from '../engine/findings';
import type { ProjectGraph } from '../engine/contexts';
import type { Range } from '../engine/model';
import { applyEdits, computeFix } from './index';
import { lineOf, lineStarts } from '../shared/lines';
import type { TextEdit } from './types';

/** The fix kinds applied by fix-all (both languages; see the module comment for why). */
export const FIX_ALL_KINDS: readonly string[] = [
  'wrap-in-guard',
  'lambda-to-def',
  'nested-to-module',
  'copy-proxy',
  'use-process-lock',
  'exec-free-vars-to-params',
];

/** What fix-all needs of the project (the engine's Project). */
export interface FixAllProject {
  analyze(): Finding[];
  graph(): ProjectGraph;
  text(file: string): string | undefined;
  version(file: string): number | undefined;
  updateFile(file: string, text: string, version?: number): boolean;
  model(file: string): { problems: unknown[] } | undefined;
}

/** The first batch-safe fix a finding offers, if any. */
export function fixAllKindOf(f: Pick<Finding, 'fixes'>): string | undefined {
  return f.fixes.find((d) => FIX_ALL_KINDS.includes(d.kind))?.kind;
}

export interface FixAllResult {
  /** the file's text after every fix that checked out */
  text: string;
  /** "rule symbol: kind" of each fix applied, in order */
  applied: string[];
}

const MAX_ROUNDS = 100;

/**
 * Applies the batch-safe fixes of `file`'s findings, one by one. The project is left with the
 * file's original text (and version) however this ends: the result is only proposed.
 */
export function fixAllInFile(project: FixAllProject, file: string): FixAllResult | undefined {
  const original = project.text(file);
  if (original === undefined) return undefined;
  const version = project.version(file);
  const keyOf = (f: Finding) => `${f.rule}|${f.symbol}`;
  const inFile = () => project.analyze().filter((f) => f.file === file);
  const tried = new Set<string>();
  const applied: string[] = [];
  let text = original;
  try {
    let findings = inFile();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let kind: string | undefined;
      const target = findings.find((f) => {
        kind = fixAllKindOf(f);
        return kind !== undefined && !tried.has(`${keyOf(f)}|${kind}`);
      });
      if (!target || !kind) break;
      tried.add(`${keyOf(target)}|${kind}`);
      const fix = computeFix({ graph: project.graph(), text: (f) => project.text(f) }, target, kind);
      if (!fix || fix.changes.some((c) => c.file !== file)) continue;
      let next: string;
      try {
        next = fix.changes.reduce((t, c) => applyEdits(t, c.edits), text);
      } catch {
        continue;
      }
      if (next === text) continue;
      const problemsBefore = project.model(file)?.problems.length ?? 0;
      const before = new Set(findings.map(keyOf));
      project.updateFile(file, next);
      const after = inFile();
      const ok =
        (project.model(file)?.problems.length ?? 0) <= problemsBefore &&
        after.every((f) => before.has(keyOf(f))) &&
        after.length < findings.length;
      if (!ok) {
        project.updateFile(file, text);
        continue;
      }
      applied.push(`${target.rule} ${target.symbol}: ${kind}`);
      text = next;
      findings = after;
    }
  } finally {
    project.updateFile(file, original, version);
  }
  return applied.length ? { text, applied } : undefined;
}

/** One edit that turns `before` into `after`: the span between their common prefix and suffix. */
export function minimalEdit(before: string, after: string): TextEdit {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  // never split a CRLF or a surrogate pair between the kept and the replaced text
  while (start > 0 && ((before[start - 1] === '\r' && before[start] === '\n') || isHighSurrogate(before.charCodeAt(start - 1)))) start--;
  const splits = (at: number) => (before[at] === '\n' && before[at - 1] === '\r') || isLowSurrogate(before.charCodeAt(at));
  while (end > 0 && splits(before.length - end)) end--;
  return { range: rangeOf(before, start, before.length - end), newText: after.slice(start, after.length - end) };
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

function rangeOf(text: string, from: number, to: number): Range {
  const starts = lineStarts(text);
  const pos = (offset: number) => {
    const line = lineOf(starts, offset);
    return { line, character: offset - starts[line]! };
  };
  return { start: pos(from), end: pos(to) };
}
