/**
 * Python fixes keep to the project's line length: a line a fix wrote or lengthened that is
 * longer than the limit is split the way Black (and Ruff's formatter) would split it —
 * after the last opening bracket ("right-hand split"), the contents indented one level,
 * and, when they still do not fit, one element per line with a trailing comma:
 *
 *     with ProcessPoolExecutor(
 *         max_workers=2, initializer=_init_MODE, initargs=(MODE,)
 *     ) as executor:
 *
 * Lines the fix did not touch are left as they are, and so are a line that is long only
 * because of its trailing comment and any line that cannot be split inside brackets (a
 * comment, a long string, a backslash continuation). Splitting only
 * inside brackets never changes what the code means; the result is re-parsed, and the fix
 * keeps its unsplit edits if it does not parse.
 */
import type { FixEdit, TextEdit } from '../types';
import { applyEdits } from '../apply';
import { indentUnit } from './layout';
import { pythonLineLength } from './line-length';
import type { Node } from 'web-tree-sitter';
import { pyRoot, walk } from './syntax-tree';
import { lineOf as lineAt, lineStarts } from '../../shared/lines';

const OPEN = '([{';
const CLOSE = ')]}';

interface Scan {
  /** offset of each bracket's partner, for the brackets outside strings and comments */
  partner: Map<number, number>;
  /** depth-0 positions of brackets, commas, colons and the `lambda` keyword */
  top: Array<{ i: number; ch: string }>;
  /** where a trailing `#` comment starts, if any */
  comment?: number;
}

/** Brackets, commas and the comment of one line of code; undefined when they do not balance or a string does not end. */
function scan(code: string): Scan | undefined {
  const partner = new Map<number, number>();
  const top: Scan['top'] = [];
  const stack: number[] = [];
  let i = 0;
  while (i < code.length) {
    const ch = code[i];
    if (ch === '#') return stack.length ? undefined : { partner, top, comment: i };
    if (ch === '"' || ch === "'") {
      const triple = code.startsWith(ch.repeat(3), i);
      const quote = triple ? ch.repeat(3) : ch;
      let j = i + quote.length;
      for (;;) {
        if (j >= code.length) return undefined;
        if (code[j] === '\\') j += 2;
        else if (code.startsWith(quote, j)) break;
        else j++;
      }
      i = j + quote.length;
      continue;
    }
    if (OPEN.includes(ch)) {
      if (stack.length === 0) top.push({ i, ch });
      stack.push(i);
    } else if (CLOSE.includes(ch)) {
      const o = stack.pop();
      if (o === undefined || OPEN.indexOf(code[o]) !== CLOSE.indexOf(ch)) return undefined;
      partner.set(o, i);
      partner.set(i, o);
      if (stack.length === 0) top.push({ i, ch });
    } else if (stack.length === 0 && (ch === ',' || ch === ':')) {
      top.push({ i, ch });
    } else if (stack.length === 0 && code.startsWith('lambda', i) && !/[\w]/.test(code[i - 1] ?? '') && !/[\w]/.test(code[i + 6] ?? '')) {
      top.push({ i, ch: 'lambda' });
    }
    i++;
  }
  return stack.length ? undefined : { partner, top };
}

/** The top-level elements of a comma-separated list (a lambda's parameters are not split). */
function splitElements(body: string): string[] | undefined {
  const s = scan(body);
  if (!s || s.comment !== undefined) return undefined;
  const out: string[] = [];
  let from = 0;
  let inLambda = false;
  for (const t of s.top) {
    if (t.ch === 'lambda') inLambda = true;
    else if (t.ch === ':' && inLambda) inLambda = false;
    else if (t.ch === ',' && !inLambda) {
      out.push(body.slice(from, t.i).trim());
      from = t.i + 1;
    }
  }
  const last = body.slice(from).trim();
  if (last) out.push(last);
  return out;
}

/**
 * One overlong line split as Black would, or undefined when it fits or cannot be split.
 * `indent` is the line's own indentation, `unit` one indentation step.
 */
export function splitLine(line: string, limit: number, unit: string): string[] | undefined {
  if (line.length <= limit) return undefined;
  const indent = /^[ \t]*/.exec(line)![0];
  let code = line.slice(indent.length);
  if (/\\\s*$/.test(code)) return undefined;
  const s = scan(code);
  if (!s) return undefined;
  let comment = '';
  if (s.comment !== undefined) {
    comment = `  ${code.slice(s.comment).trim()}`;
    code = code.slice(0, s.comment).trimEnd();
    // a line long only because of its comment stays whole: the comment stays by its code
    if (indent.length + code.length <= limit) return undefined;
  }
  // the last bracket pair with something inside (an empty `()` after it stays in the tail)
  const closes = s.top.filter((t) => CLOSE.includes(t.ch));
  for (let k = closes.length - 1; k >= 0; k--) {
    const close = closes[k].i;
    const open = s.partner.get(close)!;
    const body = code.slice(open + 1, close).trim();
    if (!body) continue;
    const head = code.slice(0, open + 1);
    const tail = code.slice(close);
    const inner = indent + unit;
    let middle: string[];
    const elements = splitElements(body);
    if ((inner + body).length <= limit || !elements) middle = [inner + body];
    else if (elements.length >= 2 || body.endsWith(',')) {
      // one element per line, each with its comma (Black's "magic trailing comma")
      middle = elements.flatMap((e) => {
        const l = `${inner}${e},`;
        return splitLine(l, limit, unit) ?? [l];
      });
    } else {
      middle = splitLine(inner + body, limit, unit) ?? [inner + body];
    }
    return [indent + head, ...middle, indent + tail + comment];
  }
  return undefined;
}

/**
 * The fix's edits of one Python file, with every line it wrote that is longer than `limit`
 * split (see the module comment). Edits that write no overlong line are returned as they
 * are; a run of lines holding one becomes a single edit of those whole lines.
 */
export function fitEdits(text: string, edits: readonly TextEdit[], limit: number, unit: string): TextEdit[] {
  if (edits.length === 0) return [...edits];
  const starts = lineStarts(text);
  const offset = (p: { line: number; character: number }) =>
    p.line >= starts.length ? text.length : Math.min(starts[p.line] + p.character, p.line + 1 < starts.length ? starts[p.line + 1] : text.length);
  const lineOf = (o: number) => lineAt(starts, o);
  // whole-line spans around the edits, merged where they touch
  const spans: Array<{ from: number; to: number; edits: TextEdit[] }> = [];
  const sorted = [...edits].map((e) => ({ e, s: offset(e.range.start), t: offset(e.range.end) })).sort((a, b) => a.s - b.s || a.t - b.t);
  for (const { e, s, t } of sorted) {
    const fromLine = lineOf(s);
    const toLine = lineOf(t);
    const from = starts[fromLine];
    const to = toLine + 1 < starts.length ? starts[toLine + 1] : text.length;
    const last = spans[spans.length - 1];
    if (last && from < last.to) {
      last.to = Math.max(last.to, to);
      last.edits.push(e);
    } else spans.push({ from, to, edits: [e] });
  }
  let changed = false;
  const out: TextEdit[] = [];
  for (const span of spans) {
    const before = text.slice(span.from, span.to);
    const shift = (p: { line: number; character: number }) => ({ line: p.line - lineOf(span.from), character: p.character });
    const after = applyEdits(before, span.edits.map((e) => ({ range: { start: shift(e.range.start), end: shift(e.range.end) }, newText: e.newText })));
    const old = new Set(before.split('\n'));
    let spanChanged = false;
    const fitted = after
      .split('\n')
      .map((l) => {
        if (old.has(l)) return l;
        const cr = l.endsWith('\r') ? '\r' : '';
        const split = splitLine(cr ? l.slice(0, -1) : l, limit, unit);
        if (!split) return l;
        spanChanged = true;
        return split.join(`${cr}\n`) + cr;
      })
      .join('\n');
    if (!spanChanged) out.push(...span.edits);
    else {
      changed = true;
      const a = { line: lineOf(span.from), character: 0 };
      const b = span.to === text.length ? { line: lineOf(text.length), character: text.length - starts[lineOf(text.length)] } : { line: lineOf(span.to), character: 0 };
      out.push({ range: { start: a, end: b }, newText: fitted });
    }
  }
  if (!changed) return [...edits];
  // the split must leave the file parsing wherever the unsplit fix did, and every string
  // literal as it was (a line that was inside a multi-line string is not code to split)
  const plain = pyRoot(applyEdits(text, edits));
  if (!plain) return out;
  const fitted = pyRoot(applyEdits(text, out));
  if (!fitted || stringsOf(fitted).join('\0') !== stringsOf(plain).join('\0')) return [...edits];
  return out;
}

function stringsOf(root: Node): string[] {
  const out: string[] = [];
  walk(root, (n) => {
    if (n.type === 'string') {
      out.push(n.text);
      return false;
    }
    return true;
  });
  return out;
}

/** A computed fix with the overlong lines it writes into Python files split (`fitEdits`). */
export function fitPythonFix(fix: FixEdit, text: (file: string) => string | undefined): FixEdit {
  const seen = new Set<string>();
  const changes = fix.changes.map((fe) => {
    const t = text(fe.file);
    // a file edited twice by one fix: the second edit is against the first one's result
    if (!/\.pyi?$/.test(fe.file) || t === undefined || seen.has(fe.file)) return fe;
    seen.add(fe.file);
    const root = pyRoot(t);
    const unit = root ? indentUnit(root, t) : '    ';
    return { ...fe, edits: fitEdits(t, fe.edits, pythonLineLength(fe.file), unit) };
  });
  return { ...fix, changes };
}
