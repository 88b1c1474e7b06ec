/**
 * Line starts of a text and the line holding an offset: the one binary search the CLI's
 * directives, the fixes, the JS front end and the JS flow link share.
 */

/** The offset where each line of `text` starts (lines end at `\n`; the first starts at 0). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The 0-based line holding `offset`: the last line start at or before it (0 before the first). */
export function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
