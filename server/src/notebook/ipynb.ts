/**
 * The .ipynb file format (nbformat 4 JSON): reading a notebook's cells, and writing changed
 * cell sources back into the file's text with the smallest edit (the rest of the file —
 * outputs, metadata, key order, indentation — stays byte for byte).
 */
import { applyEdits, modify, parseTree, findNodeAtLocation, type Node as JsonNode } from 'jsonc-parser/lib/esm/main.js';
import { notebookSource, splitNotebookSource, CellLayout, type NotebookCellText } from './cells';

export interface ParsedNotebook {
  cells: NotebookCellText[];
  /** false for a notebook whose kernel is not Python (R, Julia...): nothing in it is analysed */
  python: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** nbformat's "multiline string": a string, or a list of lines to concatenate. */
function sourceText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string').join('');
  return '';
}

/** The notebook's language, from its metadata (absent: assumed Python, as Jupyter's default kernel). */
function isPythonNotebook(meta: unknown): boolean {
  if (!isObject(meta)) return true;
  const info = meta['language_info'];
  if (isObject(info) && typeof info['name'] === 'string') return info['name'].toLowerCase() === 'python';
  const spec = meta['kernelspec'];
  if (isObject(spec) && typeof spec['language'] === 'string') return spec['language'].toLowerCase() === 'python';
  return true;
}

/** Reads a notebook's JSON text; undefined when it is not a notebook (not JSON, no `cells` list). */
export function parseNotebook(json: string): ParsedNotebook | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(json.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  if (!isObject(doc) || !Array.isArray(doc['cells'])) return undefined;
  const python = isPythonNotebook(doc['metadata']);
  const cells: NotebookCellText[] = doc['cells'].map((c) => {
    if (!isObject(c)) return { kind: 'other', text: '' };
    const text = sourceText(c['source']).replace(/\r\n?/g, '\n');
    return { kind: python && c['cell_type'] === 'code' ? 'code' : 'other', text };
  });
  return { cells, python };
}

/** The engine's Python text of a notebook file's JSON ('' for a file that is not a Python notebook). */
export function notebookJsonToSource(json: string): string {
  const nb = parseNotebook(json);
  return nb ? notebookSource(nb.cells) : '';
}

/** nbformat's way of storing a cell's text: lines, each but the last ending in a newline. */
function toLines(text: string): string[] {
  const out = text.split('\n').map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** The indentation the file uses (nbformat writes 1 space; other tools 2 or 4). */
function indentOf(json: string): number {
  const m = /\n( +)"/.exec(json);
  return m ? m[1].length : 1;
}

/**
 * The notebook JSON with its cells' sources replaced by those of `source` (the engine's text
 * after a fix). Undefined when `source` no longer holds the notebook's code cells one for
 * one, or the file is not a notebook: then nothing may be written.
 */
export function applySourceToNotebook(json: string, source: string): string | undefined {
  const nb = parseNotebook(json);
  if (!nb) return undefined;
  const expected = new CellLayout(notebookSource(nb.cells)).cells();
  const texts = splitNotebookSource(source, expected);
  if (!texts) return undefined;
  const bom = json.startsWith('\uFEFF') ? '\uFEFF' : '';
  let out = bom ? json.slice(1) : json;
  const tree: JsonNode | undefined = parseTree(out);
  if (!tree) return undefined;
  const crlf = out.includes('\r\n');
  for (const [cell, text] of [...texts].sort((a, b) => b[0] - a[0])) {
    if (nb.cells[cell - 1]?.text === text) continue;
    const node = findNodeAtLocation(tree, ['cells', cell - 1, 'source']);
    const value = node?.type === 'string' ? text : toLines(text);
    const edits = modify(out, ['cells', cell - 1, 'source'], value, {
      formattingOptions: { insertSpaces: true, tabSize: indentOf(out), eol: crlf ? '\r\n' : '\n' },
    });
    out = applyEdits(out, edits);
  }
  return bom + out;
}

/** Positions in a notebook's text, as cells: built from the engine's source of it. */
export { CellLayout };
