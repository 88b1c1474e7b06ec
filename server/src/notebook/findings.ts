/**
 * Findings in notebooks, as a person reads them: positions relative to a cell, and the
 * `nb.ipynb:14` references of messages (lines of the engine's text) as `nb.ipynb:cell 3:2`.
 * The engine's findings stay in the engine's coordinates (fixes are computed on them);
 * outputs (CLI formats, the language server) convert them here.
 */
import * as path from 'node:path';
import type { Finding, RelatedLocation } from '../engine/findings';
import type { Range } from '../engine/model';
import { CellLayout, isNotebookPath } from './cells';

/** A finding or related location in a notebook: its range is relative to `cell` (1-based). */
export interface InCell {
  cell?: number;
}

export type CellFinding = Finding & InCell & { related: Array<RelatedLocation & InCell> };

/** Layouts of the notebooks met, built once per source text. */
export class CellLayouts {
  private readonly cache = new Map<string, { text: string; layout: CellLayout }>();

  constructor(private readonly sourceOf: (file: string) => string | undefined) {}

  layout(file: string): CellLayout | undefined {
    if (!isNotebookPath(file)) return undefined;
    const text = this.sourceOf(file);
    if (text === undefined) return undefined;
    const hit = this.cache.get(file);
    if (hit && hit.text === text) return hit.layout;
    const layout = new CellLayout(text);
    this.cache.set(file, { text, layout });
    return layout;
  }

  /**
   * A range of `file` in cell coordinates, or undefined when `file` is not a notebook. A range
   * that ends in another cell is cut to its start, or with `strict` (an edit) undefined.
   */
  range(file: string, r: Range, strict = false): { cell: number; range: Range } | undefined {
    const layout = this.layout(file);
    const start = layout?.toCell(r.start);
    if (!layout || !start) return undefined;
    let end = layout.toCellEnd(r.end);
    if (!end || end.cell !== start.cell || end.line < start.line) {
      if (strict) return undefined;
      end = { ...start };
    }
    return {
      cell: start.cell,
      range: { start: { line: start.line, character: start.character }, end: { line: end.line, character: end.character } },
    };
  }

  /** `nb.ipynb:14` (relative to `fromFile`'s folder) → `nb.ipynb:cell 3:2`, in a message. */
  message(fromFile: string, text: string): string {
    if (!text.includes('.ipynb:')) return text;
    return text.replace(/([^\s(),;'"]*\.ipynb):(\d+)/gi, (all: string, rel: string, line: string) => {
      const layout = this.layout(path.resolve(path.dirname(fromFile), rel));
      const at = layout?.toCell({ line: Number(line) - 1, character: 0 });
      return at ? `${rel}:cell ${at.cell}:${at.line + 1}` : all;
    });
  }

  /** The finding as shown to a person: cell-relative positions with their cell, messages rewritten. */
  finding(f: Finding): CellFinding {
    const own = this.range(f.file, f.range);
    const related = f.related.map((r) => {
      const at = this.range(r.file, r.range);
      const message = this.message(f.file, r.message);
      return at ? { ...r, range: at.range, cell: at.cell, message } : { ...r, message };
    });
    const out: CellFinding = { ...f, related, message: this.message(f.file, f.message) };
    if (own) {
      out.range = own.range;
      out.cell = own.cell;
    }
    return out;
  }
}
