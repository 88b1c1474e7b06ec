/**
 * Suppression comments in JS/TS files: `// crossproc-disable-next-line rule`, `// crossproc-disable-line`,
 * and ESLint's file-level form `/* crossproc-disable rule *\/`, which (as `eslint-disable` does)
 * silences the rules from the comment to the end of the file: at the top, the whole file.
 */
import type ts from 'typescript';
import { fromLineKey } from '../engine/model';
import { lineOf as lineAt, lineStarts as textLineStarts } from '../shared/lines';

const SUPPRESS_RE = /\/[/*]\s*crossproc-disable-(next-line|line)(?![\w-])([^\n]*)/g;
/** only a block comment, and only one that starts its line (so not inside a string on a code line), like ESLint's */
const FILE_RE = /^[ \t]*\/\*\s*crossproc-disable(?![\w-])([\s\S]*?)\*\//gm;

/** Rule ids of a directive's text: comma/space separated, an ESLint-style ` -- reason` dropped. */
function idsOf(rest: string): string[] {
  const dash = rest.search(/\s--\s|\s--$/);
  if (dash >= 0) rest = rest.slice(0, dash);
  return rest
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => /^[a-z0-9][a-z0-9-]*$/i.test(s));
}

export function scanSuppressions(text: string, sf?: ts.SourceFile): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (text.indexOf('crossproc-disable') < 0) return out;
  let lineStarts: readonly number[] | undefined = sf?.getLineStarts();
  if (!lineStarts) lineStarts = textLineStarts(text);
  const lineOf = (pos: number): number => lineAt(lineStarts!, pos);
  const add = (key: number, ids: string[]): void => {
    const list = ids.length ? ids : ['*'];
    const prev = out.get(key);
    out.set(key, prev ? Array.from(new Set([...prev, ...list])) : list);
  };
  SUPPRESS_RE.lastIndex = 0;
  for (let m = SUPPRESS_RE.exec(text); m; m = SUPPRESS_RE.exec(text)) {
    let rest = m[2];
    const close = rest.indexOf('*/');
    if (close >= 0) rest = rest.slice(0, close);
    const ids = idsOf(rest);
    add(lineOf(m.index) + (m[1] === 'next-line' ? 1 : 0), ids);
  }
  FILE_RE.lastIndex = 0;
  for (let m = FILE_RE.exec(text); m; m = FILE_RE.exec(text)) add(fromLineKey(lineOf(m.index + m[0].indexOf('/*'))), idsOf(m[1]));
  return out;
}
