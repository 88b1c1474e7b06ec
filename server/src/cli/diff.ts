/**
 * Unified diffs for `--diff` / `--fix-dry-run`, in the format `git apply` and `patch -p1`
 * read (`--- a/path`, `+++ b/path`, hunks with 3 lines of context).
 *
 * Fixes change a few lines of a file, so the common head and tail are cut first and only
 * the middle is compared line by line (LCS); a middle too large for that is shown as
 * replaced whole, which is still a correct diff.
 */

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Lines with their terminators, so a missing final newline is a difference too. */
function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const MAX_CELLS = 4_000_000;

function diffLines(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const ops: Op[] = a.slice(0, head).map((line) => ({ kind: ' ', line }));
  if ((am.length + 1) * (bm.length + 1) > MAX_CELLS) {
    for (const line of am) ops.push({ kind: '-', line });
    for (const line of bm) ops.push({ kind: '+', line });
  } else {
    // lcs[i][j]: the longest common subsequence of am[i..] and bm[j..]
    const w = bm.length + 1;
    const lcs = new Uint32Array((am.length + 1) * w);
    for (let i = am.length - 1; i >= 0; i--) {
      for (let j = bm.length - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < am.length || j < bm.length) {
      if (i < am.length && j < bm.length && am[i] === bm[j]) {
        ops.push({ kind: ' ', line: am[i++]! });
        j++;
      } else if (i < am.length && (j === bm.length || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
        // removals before additions, as diff and git show a changed line
        ops.push({ kind: '-', line: am[i++]! });
      } else {
        ops.push({ kind: '+', line: bm[j++]! });
      }
    }
  }
  for (const line of a.slice(a.length - tail)) ops.push({ kind: ' ', line });
  return ops;
}

const range = (start: number, count: number) => `${count === 0 ? start : start + 1},${count}`;

function printLine(op: Op): string {
  return op.line.endsWith('\n') ? `${op.kind}${op.line}` : `${op.kind}${op.line}\n\\ No newline at end of file\n`;
}

/** The unified diff of `before` → `after` for `name` (a relative path with `/`), or '' when equal. */
export function unifiedDiff(name: string, before: string, after: string, context = 3, created = false): string {
  if (before === after) return '';
  const ops = diffLines(lines(before), lines(after));
  // positions (in ops) of changed lines, grouped into hunks that share or touch context
  const changed = ops.flatMap((op, i) => (op.kind === ' ' ? [] : [i]));
  const hunks: Array<[number, number]> = [];
  for (const i of changed) {
    const last = hunks.at(-1);
    if (last && i - last[1] <= 2 * context + 1) last[1] = i;
    else hunks.push([i, i]);
  }
  // a file the fix creates is new to `git apply` / `patch`
  let out = `--- ${created ? '/dev/null' : `a/${name}`}\n+++ b/${name}\n`;
  for (const [first, last] of hunks) {
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length - 1, last + context);
    // line numbers before the hunk, counted on each side
    let aStart = 0;
    let bStart = 0;
    for (let k = 0; k < from; k++) {
      if (ops[k]!.kind !== '+') aStart++;
      if (ops[k]!.kind !== '-') bStart++;
    }
    const body = ops.slice(from, to + 1);
    const aCount = body.filter((op) => op.kind !== '+').length;
    const bCount = body.filter((op) => op.kind !== '-').length;
    out += `@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n${body.map(printLine).join('')}`;
  }
  return out;
}
