/**
 * "Disable RULE for this line": writes the suppression comment of SPEC §7.
 * Python: `# crossproc: disable=rule` at the end of the line (merged into an existing
 * crossproc comment). JS/TS: `// crossproc-disable-next-line rule` above the line.
 */
import type { FixProvider } from './types';
import { RULE_IDS } from '../engine/findings';
import { languageOf } from '../engine/language';

export const disableLine: FixProvider = {
  kind: 'disable-line',
  rules: [...RULE_IDS],
  describe(_ctx, f) {
    return { kind: 'disable-line', title: `Disable ${f.rule} for this line` };
  },
  compute(ctx, f) {
    const text = ctx.text(f.file);
    if (text === undefined) return undefined;
    const lines = text.split('\n');
    const lineNo = f.range.start.line;
    const line = (lines[lineNo] ?? '').replace(/\r$/, '');
    const title = `Disable ${f.rule} for this line`;
    if (languageOf(f.file) === 'python') {
      const existing = /#\s*crossproc:\s*disable=([\w\-, ]+)/.exec(line);
      if (existing) {
        const start = existing.index + existing[0].length;
        const at = { line: lineNo, character: start };
        return { kind: 'disable-line', title, changes: [{ file: f.file, edits: [{ range: { start: at, end: at }, newText: `,${f.rule}` }] }] };
      }
      // a line continued with a backslash cannot take a trailing comment: use the line above
      if (/\\\s*$/.test(line)) {
        const indent = /^\s*/.exec(line)![0];
        const at = { line: lineNo, character: 0 };
        return {
          kind: 'disable-line',
          title,
          changes: [{ file: f.file, edits: [{ range: { start: at, end: at }, newText: `${indent}# crossproc: disable-next-line=${f.rule}\n` }] }],
        };
      }
      const at = { line: lineNo, character: line.length };
      return { kind: 'disable-line', title, changes: [{ file: f.file, edits: [{ range: { start: at, end: at }, newText: `  # crossproc: disable=${f.rule}` }] }] };
    }
    const prev = lineNo > 0 ? (lines[lineNo - 1] ?? '') : '';
    const existing = /\/\/\s*crossproc-disable-next-line\s+([\w\-, ]+)$/.exec(prev.replace(/\r$/, ''));
    if (existing) {
      const at = { line: lineNo - 1, character: prev.replace(/\r$/, '').length };
      return { kind: 'disable-line', title, changes: [{ file: f.file, edits: [{ range: { start: at, end: at }, newText: `, ${f.rule}` }] }] };
    }
    const indent = /^\s*/.exec(line)![0];
    const at = { line: lineNo, character: 0 };
    return {
      kind: 'disable-line',
      title,
      changes: [{ file: f.file, edits: [{ range: { start: at, end: at }, newText: `${indent}// crossproc-disable-next-line ${f.rule}\n` }] }],
    };
  },
};
