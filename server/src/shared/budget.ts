/**
 * How much work one file may cost. The analysis time of a file grows with its syntax
 * nodes, not its bytes: measured (CPU time, parse + model + rules) on real minified and
 * generated files and large hand-written ones, the cost ranged from 0.3 µs per token
 * (data tables, docstring dumps) to 4.1 µs per token (dense test modules, bundled JS). A
 * file over {@link MAX_FILE_TOKENS} is skipped with a note, so that no file costs more
 * than about a second; the largest hand-written files measured (scipy's
 * `_continuous_distns.py`, CPython's `test_typing.py`, pydoc's `topics.py`) stay under it,
 * while bundles such as sql-asm.js (1 M tokens) and megabyte-long data lines do not.
 */

/** Files with more tokens than this are not analysed. */
export const MAX_FILE_TOKENS = 200_000;

/** The note for a file over the budget (no trailing period). */
// digits grouped by hand: toLocaleString would load ICU's locale data at start-up (10–40 ms)
export const OVER_BUDGET_NOTE = `more than ${String(MAX_FILE_TOKENS).replace(/\B(?=(\d{3})+$)/g, ',')} tokens (minified or generated code?)`;

/**
 * A cheap, language-neutral estimate of a text's tokens: each run of identifier or number
 * characters counts once, every other non-space character once. Stops counting past `limit`.
 * Strings count per word, so the estimate errs on the high side.
 */
export function countTokens(text: string, limit = Infinity): number {
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const word = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c >= 128;
    if (word) {
      if (!inWord && ++count > limit) return count;
      inWord = true;
    } else {
      inWord = false;
      // space, tab, CR, LF, FF, VT
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 12 && c !== 11 && ++count > limit) return count;
    }
  }
  return count;
}

/** the answers of {@link isOverBudget} for the texts it counted, once {@link rememberBudgets} is called */
let remembered: Map<string, boolean> | undefined;

/**
 * Makes {@link isOverBudget} remember its answer for each text it counts. A CLI run asks
 * it up to six times of each large file (reading, the relevance scan, the depth check, the
 * project) and keeps every text alive anyway; the language server does not call this.
 */
export function rememberBudgets(): void {
  remembered ??= new Map();
}

/** Whether `text` is over the per-file budget ({@link MAX_FILE_TOKENS}). */
export function isOverBudget(text: string): boolean {
  // every token is at least one character: most files are decided without a scan
  if (text.length <= MAX_FILE_TOKENS) return false;
  const known = remembered?.get(text);
  if (known !== undefined) return known;
  const over = countTokens(text, MAX_FILE_TOKENS) > MAX_FILE_TOKENS;
  remembered?.set(text, over);
  return over;
}

/** The note for a file a front end could not walk: nesting deeper than its stack allows. */
export const TOO_DEEP_NOTE = 'nested too deeply to analyse';

/**
 * Whether a front end ran out of stack on a text: both catch the RangeError and record it as
 * a model problem ("Maximum call stack size exceeded"). Its model is partial then, and no
 * model is better than a partial one (findings built on half a file would be wrong).
 */
export function ranOutOfStack(problems: ReadonlyArray<{ message: string }>): boolean {
  return problems.some((p) => /Maximum call stack size exceeded/.test(p.message));
}
