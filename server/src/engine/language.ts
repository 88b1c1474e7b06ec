/** Which files Crossproc analyses, and in which language. */
import * as path from 'node:path';
import type { Language } from './model';

const JS_EXTS = new Set(['.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.mts', '.cts']);

/** The language of a file Crossproc analyses, or undefined. */
export function languageOf(file: string): Language | undefined {
  const lower = file.toLowerCase();
  // a Jupyter notebook is Python: the project reads its code cells (../notebook/)
  if (lower.endsWith('.py') || lower.endsWith('.pyw') || lower.endsWith('.ipynb')) return 'python';
  if (/\.d\.[mc]?ts$/.test(lower)) return undefined;
  return JS_EXTS.has(path.extname(lower)) ? 'js' : undefined;
}

export function isAnalyzable(file: string): boolean {
  return languageOf(file) !== undefined;
}

/**
 * The text the JS front end parses: TypeScript's scanner counts U+2028/U+2029 as line ends
 * and the LSP does not; one space each keeps every offset, and the front end's positions
 * then match the editor's lines.
 */
export function jsFrontEndText(text: string): string {
  return /[\u2028\u2029]/.test(text) ? text.replace(/[\u2028\u2029]/g, ' ') : text;
}
