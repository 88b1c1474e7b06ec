/**
 * A JS/TS file as the Node.js fix providers edit it: parsed with the TypeScript compiler
 * API for exact syntax positions (cached on the text), offsets ↔ LSP positions, the node at
 * a range, and the file's layout (line starts, indentation, line endings).
 */
import ts from 'typescript';
import type { Position, Range } from '../../engine/model';
import type { FixContext, TextEdit } from '../types';
import { scriptKindFor } from '../../js/frontend';
import { lineOf, lineStarts } from '../../shared/lines';

export interface JsFile {
  file: string;
  text: string;
  sf: ts.SourceFile;
}

const parsed = new Map<string, { text: string; sf: ts.SourceFile }>();

/** Parses a file of the project (cached on the text); undefined when it is unknown or has parse errors. */
export function jsFile(ctx: FixContext, file: string): JsFile | undefined {
  const text = ctx.text(file);
  if (text === undefined) return undefined;
  const hit = parsed.get(file);
  let sf: ts.SourceFile;
  if (hit && hit.text === text) sf = hit.sf;
  else {
    sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindFor(file));
    if (parsed.size > 64) parsed.clear();
    parsed.set(file, { text, sf });
  }
  const diags = (sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics;
  if (diags && diags.length > 0) return undefined;
  return { file, text, sf };
}

export function offsetOf(text: string, p: Position): number {
  const starts = lineStarts(text);
  if (p.line >= starts.length) return text.length;
  return Math.min(starts[p.line] + p.character, text.length);
}

export function positionOf(text: string, offset: number): Position {
  const starts = lineStarts(text);
  const line = lineOf(starts, offset);
  return { line, character: offset - starts[line]! };
}

export function rangeOf(text: string, start: number, end: number): Range {
  return { start: positionOf(text, start), end: positionOf(text, end) };
}

export function insertAt(text: string, offset: number, newText: string): TextEdit {
  const p = positionOf(text, offset);
  return { range: { start: p, end: p }, newText };
}

export function replace(text: string, start: number, end: number, newText: string): TextEdit {
  return { range: rangeOf(text, start, end), newText };
}

/** The innermost node that starts at `start` (token start, no trivia) and ends at `end`. */
export function nodeSpanning(sf: ts.SourceFile, start: number, end: number): ts.Node | undefined {
  let best: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (n.getStart(sf) <= start && n.end >= end) {
      if (n.getStart(sf) === start && n.end === end) best = n;
      n.forEachChild(visit);
    }
  };
  sf.forEachChild(visit);
  return best;
}

/** The node for an LSP range (innermost exact match). */
export function nodeAtRange(f: JsFile, r: Range): ts.Node | undefined {
  return nodeSpanning(f.sf, offsetOf(f.text, r.start), offsetOf(f.text, r.end));
}

export function lineStartOf(text: string, offset: number): number {
  const i = text.lastIndexOf('\n', offset - 1);
  return i + 1;
}

/** Offset just after the line break that ends the line containing `offset` (or text end). */
export function endOfLine(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

export function indentAt(text: string, offset: number): string {
  const ls = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(ls))![0];
}

/** One indentation step of the file (two spaces unless it uses four or tabs). */
export function indentUnit(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text);
  if (!m) return '  ';
  if (m[1].startsWith('\t')) return '\t';
  return m[1].length >= 4 && m[1].length % 4 === 0 ? '    ' : '  ';
}

export function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}
