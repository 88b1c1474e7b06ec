/**
 * `--report-unused-disable-directives`: suppression comments that suppress nothing, as
 * ESLint's option of that name reports them, each with an edit that removes the comment
 * (or only the rule ids of it that are unused).
 *
 * The comments are found again here, with their positions, by the same patterns the front
 * ends use (python/suppressions.ts, js/suppressions.ts: only line numbers survive in the
 * model). A directive is used when the engine dropped a finding on a line it covers for a
 * rule it names (Project.suppressedHits); when two directives cover the same finding both
 * count as used, so only a comment that silences nothing at all is reported.
 */
import type { Finding, RuleId, Severity } from '../engine/findings';
import { isRuleId } from '../engine/findings';
import { languageOf } from '../engine/language';
import type { SuppressedHit } from '../engine/project';
import { lineOf as lineAt, lineStarts } from '../shared/lines';

/** The `rule` of an unused-directive finding (not an engine rule: no rule doc, no --rule). */
export const UNUSED_DIRECTIVE = 'unused-disable-directive';

/** One suppression comment, as written. */
export interface Directive {
  /** offsets of the whole directive text (from `#`/`//`/`/*` to the end of its rule list or comment) */
  start: number;
  end: number;
  /** the lines it covers (0-based): [first, last]; last = Infinity to the end of the file */
  from: number;
  to: number;
  /** the rule ids named, with their offsets; empty = every rule */
  ids: Array<{ id: string; start: number; end: number }>;
  /** whether the comment ends at its line's end (else other comment text follows: remove only the directive) */
  lineComment: boolean;
}

const PY_RE = /#\s*crossproc\s*[:\-]?\s*(disable-next-line|disable-file|disable)(?![\w-])[ \t]*(?:[=:]?[ \t]*([A-Za-z0-9_\-*]+(?:[ \t]*,[ \t]*[A-Za-z0-9_\-*]+)*))?/g;
const JS_LINE_RE = /\/[/*]\s*crossproc-disable-(next-line|line)(?![\w-])([^\n]*)/g;
const JS_FILE_RE = /^[ \t]*\/\*\s*crossproc-disable(?![\w-])([\s\S]*?)\*\//gm;

/** Rule-id tokens of `text` (at `base`), split on commas/spaces; `*` means every rule. */
function idTokens(text: string, base: number, re: RegExp): Directive['ids'] {
  const out: Directive['ids'] = [];
  for (const m of text.matchAll(re)) out.push({ id: m[0], start: base + m.index!, end: base + m.index! + m[0].length });
  return out;
}

/** The suppression comments of a file, in order. */
export function findDirectives(file: string, text: string): Directive[] {
  const lang = languageOf(file);
  if (!lang || !text.includes('crossproc')) return [];
  const starts = lineStarts(text);
  const endOfLine = (offset: number) => {
    const nl = text.indexOf('\n', offset);
    return nl < 0 ? text.length : nl;
  };
  const out: Directive[] = [];
  if (lang === 'python') {
    for (const m of text.matchAll(PY_RE)) {
      const start = m.index!;
      const line = lineAt(starts, start);
      if (m[1] === 'disable-file' && text.slice(starts[line]!, start).trim() !== '') continue;
      const end = start + m[0].length;
      const idsAt = m[2] ? end - m[2].length : end;
      const ids = m[2] ? idTokens(m[2], idsAt, /[A-Za-z0-9_\-*]+/g) : [];
      const [from, to] = m[1] === 'disable-next-line' ? [line + 1, line + 1] : m[1] === 'disable-file' ? [0, Infinity] : [line, line];
      out.push({ start, end, from, to, ids: ids.some((t) => t.id === '*') ? [] : ids, lineComment: text.slice(end, endOfLine(end)).trim() === '' });
    }
    return out;
  }
  for (const m of text.matchAll(JS_LINE_RE)) {
    const start = m.index!;
    const line = lineAt(starts, start);
    const block = m[0].startsWith('/*');
    let rest = m[2]!;
    const restAt = start + m[0].length - rest.length;
    const close = block ? rest.indexOf('*/') : -1;
    if (close >= 0) rest = rest.slice(0, close);
    const dash = rest.search(/\s--\s|\s--$/);
    const idText = dash >= 0 ? rest.slice(0, dash) : rest;
    const ids = idTokens(idText, restAt, /[a-z0-9][a-z0-9-]*/gi);
    const end = block && close >= 0 ? restAt + close + 2 : restAt + m[2]!.length;
    const target = m[1] === 'next-line' ? line + 1 : line;
    out.push({ start, end, from: target, to: target, ids, lineComment: text.slice(end, endOfLine(end)).trim() === '' });
  }
  for (const m of text.matchAll(JS_FILE_RE)) {
    const start = m.index! + m[0].indexOf('/*');
    const end = m.index! + m[0].length;
    const bodyAt = end - 2 - m[1]!.length;
    const dash = m[1]!.search(/\s--\s|\s--$/);
    const ids = idTokens(dash >= 0 ? m[1]!.slice(0, dash) : m[1]!, bodyAt, /[a-z0-9][a-z0-9-]*/gi);
    out.push({ start, end, from: lineAt(starts, start), to: Infinity, ids, lineComment: text.slice(end, endOfLine(end)).trim() === '' });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** An unused directive (or the unused ids of one) and the text that removes it. */
export interface UnusedDirective {
  directive: Directive;
  /** the unused rule ids; empty = the whole directive is unused */
  unusedIds: string[];
  /** the file's text with the directive (or those ids) removed */
  fixed: (text: string) => string;
}

/**
 * The directives of `text` that suppress nothing. `hits`: the suppressed findings of this
 * file; `checked(rule)`: whether the engine ran that rule (a directive for a rule that is
 * off cannot be judged, and is left alone).
 */
export function unusedDirectives(file: string, text: string, hits: readonly SuppressedHit[], checked: (rule: RuleId) => boolean): UnusedDirective[] {
  const out: UnusedDirective[] = [];
  const starts = lineStarts(text);
  for (const d of findDirectives(file, text)) {
    const covered = hits.filter((h) => h.line >= d.from && h.line <= d.to);
    if (d.ids.length === 0) {
      if (covered.length === 0) out.push({ directive: d, unusedIds: [], fixed: (t) => removeDirective(t, d, starts) });
      continue;
    }
    // an unknown id suppresses nothing; an id of a rule that is off is not judged
    const unused = d.ids.filter((t) => !isRuleId(t.id) || (checked(t.id) && !covered.some((h) => h.rule === t.id)));
    if (unused.length === 0) continue;
    if (unused.length === d.ids.length) {
      out.push({ directive: d, unusedIds: [], fixed: (t) => removeDirective(t, d, starts) });
    } else {
      const keep = d.ids.filter((t) => !unused.includes(t)).map((t) => t.id);
      const first = d.ids[0]!.start;
      const last = d.ids[d.ids.length - 1]!.end;
      out.push({ directive: d, unusedIds: unused.map((t) => t.id), fixed: (t) => t.slice(0, first) + keep.join(', ') + t.slice(last) });
    }
  }
  return out;
}

/** Removes a directive: its whole line when nothing else is on it, else the comment and the blanks before it. */
function removeDirective(text: string, d: Directive, starts: readonly number[]): string {
  const line = lineAt(starts, d.start);
  const lineStart = starts[line]!;
  const nl = text.indexOf('\n', d.end);
  const lineEnd = nl < 0 ? text.length : nl;
  const before = text.slice(lineStart, d.start);
  const after = text.slice(d.end, lineEnd);
  if (before.trim() === '' && after.trim() === '') {
    // the comment is the line (or lines): drop them with their line break
    const next = nl < 0 ? text.length : nl + 1;
    return text.slice(0, lineStart) + text.slice(next);
  }
  if (d.lineComment) {
    // code (or another comment) before it: drop the blanks that separated it too
    let from = d.start;
    while (from > lineStart && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
    return text.slice(0, from) + text.slice(lineEnd);
  }
  // more comment text follows (`# crossproc: disable=x  # noqa`): drop the directive and the blanks after it
  let to = d.end;
  while (to < lineEnd && (text[to] === ' ' || text[to] === '\t')) to++;
  return text.slice(0, d.start) + text.slice(to);
}

/** The findings for a file's unused directives (a range over the comment; one fix that removes it). */
export function unusedDirectiveFindings(file: string, text: string, unused: readonly UnusedDirective[], severity: Severity): Finding[] {
  const starts = lineStarts(text);
  const pos = (offset: number) => {
    const line = lineAt(starts, offset);
    return { line, character: offset - starts[line]! };
  };
  return unused.map((u) => {
    const what = u.unusedIds.length === 0 ? (u.directive.ids.length === 0 ? '' : ` (no problems were reported from ${u.directive.ids.map((t) => `'${t.id}'`).join(', ')})`) : ` (no problems were reported from ${u.unusedIds.map((id) => `'${id}'`).join(', ')})`;
    const message = u.directive.ids.length === 0 && u.unusedIds.length === 0 ? 'Unused crossproc disable directive (no problems were reported).' : `Unused crossproc disable directive${what}.`;
    return {
      // not an engine rule (no doc, not in RULE_IDS): the output formats take `rule` as a string
      rule: UNUSED_DIRECTIVE as RuleId,
      severity,
      file,
      range: { start: pos(u.directive.start), end: pos(u.directive.end) },
      symbol: u.unusedIds.join(',') || u.directive.ids.map((t) => t.id).join(',') || '*',
      message,
      related: [],
      fixes: [{ kind: 'remove-unused-directive', title: u.unusedIds.length ? `Remove ${u.unusedIds.join(', ')} from the directive` : 'Remove the unused directive' }],
    };
  });
}

/** A file's text with every unused directive removed (last first, so offsets hold). */
export function withoutUnusedDirectives(text: string, unused: readonly UnusedDirective[]): string {
  let out = text;
  for (const u of [...unused].sort((a, b) => b.directive.start - a.directive.start)) out = u.fixed(out);
  return out;
}
