/**
 * "Disable RULE for this file": writes the file-level suppression comment.
 * Python: `# crossproc: disable-file=rule` — after a shebang and a PEP 263 encoding line
 * (both must stay on lines 1–2 to work) and before the module docstring: a comment does not
 * change which statement is first, so `__doc__` stays, and file directives of Python tools
 * (`# mypy:`, `# ruff: noqa`, `# pylint: disable`) are read at the top too.
 * JS/TS: `/* crossproc-disable rule *\/` — after a shebang (Node requires it on line 1) and
 * before everything else, as `/* eslint-disable *\/` is written: the directive applies from
 * its line on, and a comment before `'use strict'` or `/// <reference>` leaves them working.
 * An existing directive on that line gets the rule appended instead.
 */
import type { FixProvider } from './types';
import { RULE_IDS } from '../engine/findings';
import { languageOf } from '../engine/language';

/** The first line after the lines that must stay first (shebang; Python: encoding declaration). */
function insertionLine(lines: string[], python: boolean): number {
  let at = 0;
  if (lines[0]?.startsWith('#!')) at = 1;
  // PEP 263: the encoding comment is honoured on line 1 or 2 only
  if (python && at < 2 && /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/.test(lines[at] ?? '')) at++;
  return at;
}

export const disableFile: FixProvider = {
  kind: 'disable-file',
  rules: [...RULE_IDS],
  describe(_ctx, f) {
    return { kind: 'disable-file', title: `Disable ${f.rule} for this file` };
  },
  compute(ctx, f) {
    const text = ctx.text(f.file);
    if (text === undefined) return undefined;
    const python = languageOf(f.file) === 'python';
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const lineNo = insertionLine(lines, python);
    const line = lines[lineNo] ?? '';
    const title = `Disable ${f.rule} for this file`;
    const edit = (character: number, newText: string) => ({
      kind: 'disable-file',
      title,
      changes: [{ file: f.file, edits: [{ range: { start: { line: lineNo, character }, end: { line: lineNo, character } }, newText }] }],
    });
    if (python) {
      const existing = /^\s*#\s*crossproc:\s*disable-file=[\w\-]+(?:\s*,\s*[\w\-]+)*/.exec(line);
      if (existing) return edit(existing[0].length, `,${f.rule}`);
      return edit(0, `# crossproc: disable-file=${f.rule}${eol}`);
    }
    const existing = /^\s*\/\*\s*crossproc-disable\s+[\w\-]+(?:\s*,\s*[\w\-]+)*/.exec(line);
    if (existing && /^\s*\*\//.test(line.slice(existing[0].length))) return edit(existing[0].length, `, ${f.rule}`);
    return edit(0, `/* crossproc-disable ${f.rule} */${eol}`);
  },
};
