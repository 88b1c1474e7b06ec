/**
 * Applying a fix's edits to texts: what the CLI's --fix, fix-all and the tests do with a
 * computed fix, and what a provider uses to look at its own result.
 */
import type { FileEdit, FixEdit, TextEdit } from './types';
import { lineStarts } from '../shared/lines';

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
