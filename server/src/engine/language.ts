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
