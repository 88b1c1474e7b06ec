/**
 * Jupyter notebooks as Python text the engine can analyse, and back.
 *
 * A notebook's code cells, in order, become one Python module (the notebook's `__main__`):
 * each code cell is preceded by a marker comment line that names its cell (1-based, counted
 * over all cells as nbformat and VS Code do, markdown included). IPython syntax — line
 * magics (`%time`), shell escapes (`!ls`, `x = !ls`), help (`obj?`) and non-Python cell
 * magics (`%%bash`) — is commented out with a tag, so every other line keeps its line and
 * column, and the tag lets the text be split back into cells exactly.
 *
 * The marker lines carry the layout: positions map to cells from the text alone, with no
 * side table that could go stale when a fix edits the text.
 */

/** Starts the line before each code cell; the cell's 1-based number follows. */
export const CELL_MARK = '#%% crossproc cell ';
/** Put (after the indentation) before an IPython-only line, which Python cannot parse. */
export const MAGIC_TAG = '#crossproc-magic:';

/** Cell magics whose body is Python code (the magic line itself is tagged). */
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug']);

export interface NotebookCellText {
  /** 'code' for a Python code cell; anything else (markdown, raw, other languages) is not analysed */
  kind: 'code' | 'other';
  text: string;
}

export interface CellPosition {
  /** 1-based cell number */
  cell: number;
  /** 0-based line within the cell */
  line: number;
  /** 0-based UTF-16 column within the cell's line */
  character: number;
}

export function isNotebookPath(file: string): boolean {
  return file.toLowerCase().endsWith('.ipynb');
}

/** Whether `text` is the engine's form of a notebook (rather than its .ipynb JSON). */
export function isNotebookSource(text: string): boolean {
  return text.startsWith(CELL_MARK) || text === '';
}

/** An IPython-only line (not Python): `%magic`, `!cmd`, `x = !cmd`, `x = %magic`, `obj?`, `?obj`. */
function isMagicLine(line: string): boolean {
  return (
    /^\s*[%!]/.test(line) ||
    /^\s*[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!]/.test(line) ||
    /^\s*\?{1,2}[A-Za-z_][\w.]*\s*$/.test(line) ||
    /^\s*[A-Za-z_][\w.]*\?{1,2}\s*$/.test(line)
  );
}

function tagLine(line: string): string {
  const indent = /^\s*/.exec(line)![0];
  return `${indent}${MAGIC_TAG}${line.slice(indent.length)}`;
}

/** One code cell's text in the engine's form (IPython-only lines tagged). */
function cellToSource(text: string, python: boolean): string {
  const lines = text.split('\n');
  const magic = /^\s*%%(\w+)/.exec(lines[0] ?? '');
  // a whole cell in another language (%%bash, %%writefile, a non-Python cell): every line is tagged
  if (!python || (magic && !PYTHON_CELL_MAGICS.has(magic[1]))) return lines.map(tagLine).join('\n');
  return lines.map((l) => (isMagicLine(l) ? tagLine(l) : l)).join('\n');
}

/** The engine's Python text of a notebook's cells (all cells, in order; only code cells appear). */
export function notebookSource(cells: readonly NotebookCellText[]): string {
  const parts: string[] = [];
  cells.forEach((c, i) => {
    if (c.kind === 'code') parts.push(`${CELL_MARK}${i + 1}\n${cellToSource(c.text, true)}`);
  });
  return parts.join('\n');
}

/** The line numbers (0-based) of the marker lines, and the cell each one opens. */
function markers(source: string): Array<{ line: number; cell: number }> {
  const out: Array<{ line: number; cell: number }> = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l.startsWith(CELL_MARK)) continue;
    const cell = Number(l.slice(CELL_MARK.length).trim());
    if (Number.isInteger(cell) && cell > 0) out.push({ line: i, cell });
  }
  return out;
}

/** The layout of a notebook's source: which lines are which cell's. Build once per text. */
export class CellLayout {
  private readonly marks: Array<{ line: number; cell: number }>;
  private readonly lines: string[];

  constructor(source: string) {
    this.marks = markers(source);
    this.lines = source.split('\n');
  }

  /** The cell numbers present, in order. */
  cells(): number[] {
    return this.marks.map((m) => m.cell);
  }

  /**
   * The cell position of a position in the source. A position on a marker line, or before
   * the first one, is the start of the cell that follows (an edit inserting at the top of
   * the module lands at the top of the first code cell).
   */
  toCell(p: { line: number; character: number }): CellPosition | undefined {
    if (this.marks.length === 0) return undefined;
    let k = -1;
    for (let i = 0; i < this.marks.length && this.marks[i].line <= p.line; i++) k = i;
    if (k < 0 || this.marks[k].line === p.line) {
      const next = k < 0 ? this.marks[0] : this.marks[k];
      return { cell: next.cell, line: 0, character: 0 };
    }
    const m = this.marks[k];
    const text = this.lines[p.line] ?? '';
    let character = p.character;
    // a tagged IPython line shows in the cell without its tag
    const tagAt = text.indexOf(MAGIC_TAG);
    if (tagAt >= 0 && /^\s*$/.test(text.slice(0, tagAt)) && character > tagAt) character = Math.max(tagAt, character - MAGIC_TAG.length);
    return { cell: m.cell, line: p.line - m.line - 1, character };
  }

  /**
   * {@link toCell} for the end of a range: the start of a marker line (where a range that
   * takes a cell's last lines whole ends) is the end of the cell before it.
   */
  toCellEnd(p: { line: number; character: number }): CellPosition | undefined {
    const k = this.marks.findIndex((m) => m.line === p.line);
    if (k > 0 && p.character === 0) {
      const prev = this.marks[k - 1];
      const last = this.marks[k].line - 1;
      const text = this.lines[last] ?? '';
      const tagged = /^\s*#crossproc-magic:/.test(text);
      return { cell: prev.cell, line: last - prev.line - 1, character: text.length - (tagged ? MAGIC_TAG.length : 0) };
    }
    return this.toCell(p);
  }

  /** Whether `p` is the start of a marker line after the first: the end of the cell before it. */
  isCellEnd(p: { line: number; character: number }): boolean {
    return p.character === 0 && this.marks.findIndex((m) => m.line === p.line) > 0;
  }

  /** The source position of a cell position, or undefined when the cell is not in the source. */
  fromCell(cell: number, line: number, character: number): { line: number; character: number } | undefined {
    const m = this.marks.find((x) => x.cell === cell);
    if (!m) return undefined;
    const l = m.line + 1 + line;
    const text = this.lines[l] ?? '';
    const tagAt = text.indexOf(MAGIC_TAG);
    const shift = tagAt >= 0 && /^\s*$/.test(text.slice(0, tagAt)) && character > tagAt ? MAGIC_TAG.length : 0;
    return { line: l, character: character + shift };
  }
}

/**
 * Splits the engine's source of a notebook back into cell texts (tags removed): cell number →
 * text. Text before the first marker belongs to the first cell. Undefined when a marker is
 * missing or repeated (an edit went across cells), so nothing is written from it.
 */
export function splitNotebookSource(source: string, expectedCells: readonly number[]): Map<number, string> | undefined {
  const out = new Map<number, string[]>();
  let current: string[] | undefined;
  const before: string[] = [];
  for (const line of source.split('\n')) {
    if (line.startsWith(CELL_MARK)) {
      const cell = Number(line.slice(CELL_MARK.length).trim());
      if (!Number.isInteger(cell) || out.has(cell)) return undefined;
      current = [];
      out.set(cell, current);
      continue;
    }
    const untagged = line.replace(/^(\s*)#crossproc-magic:/, '$1');
    (current ?? before).push(untagged);
  }
  const got = [...out.keys()];
  if (got.length !== expectedCells.length || got.some((c, i) => c !== expectedCells[i])) return undefined;
  if (before.length > 0 && got.length > 0) out.get(got[0])!.unshift(...before);
  return new Map([...out].map(([cell, ls]) => [cell, ls.join('\n')]));
}
