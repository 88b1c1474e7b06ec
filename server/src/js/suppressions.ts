/** Suppression comments in JS/TS files: `// crossproc-disable-next-line rule`, `// crossproc-disable-line`. */
import type ts from 'typescript';

const SUPPRESS_RE = /\/[/*]\s*crossproc-disable-(next-line|line)(?![\w-])([^\n]*)/g;

export function scanSuppressions(text: string, sf?: ts.SourceFile): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (text.indexOf('crossproc-disable') < 0) return out;
  let lineStarts: readonly number[] | undefined = sf?.getLineStarts();
  if (!lineStarts) {
    const ls = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) ls.push(i + 1);
    lineStarts = ls;
  }
  const lineOf = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts!.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts![mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  SUPPRESS_RE.lastIndex = 0;
  for (let m = SUPPRESS_RE.exec(text); m; m = SUPPRESS_RE.exec(text)) {
    let rest = m[2];
    const close = rest.indexOf('*/');
    if (close >= 0) rest = rest.slice(0, close);
    const dash = rest.search(/\s--\s|\s--$/);
    if (dash >= 0) rest = rest.slice(0, dash);
    const ids = rest
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter((s) => /^[a-z0-9][a-z0-9-]*$/i.test(s));
    const line = lineOf(m.index) + (m[1] === 'next-line' ? 1 : 0);
    const list = ids.length ? ids : ['*'];
    const prev = out.get(line);
    out.set(line, prev ? Array.from(new Set([...prev, ...list])) : list);
  }
  return out;
}
