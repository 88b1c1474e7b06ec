/**
 * What a Python file says about itself outside the analysis: syntax problems, and
 * `# crossproc: disable=...` suppression comments.
 */
import type { Node as WasmNode } from 'web-tree-sitter';
import type { ParseProblem } from '../engine/model';
import { toRange } from './syntax';
import { FILE_WIDE } from '../engine/model';

/** Syntax problems of the tree-sitter tree (at most 100). */
export function collectProblems(root: WasmNode, problems: ParseProblem[]): void {
  // on the WASM tree: `hasError` (an error cost) cannot be rebuilt from the plain copy;
  // only the paths to errors are visited, so this costs one call on a clean file
  if (!root.hasError) return;
  
  const walk = (n: WasmNode): void => {
    if (problems.length >= 100) return;
    if (n.isMissing) {
      problems.push({ range: toRange(n), message: `Syntax error: missing '${n.type}'` });
      return;
    }
    if (n.isError) {
      const snippet = n.text.split('\n')[0].slice(0, 40);
      problems.push({ range: toRange(n), message: `Syntax error near '${snippet}'` });
    }
    if (!n.hasError) return;
    for (const c of n.children) if (c) walk(c);
  };
  walk(root);
}

/**
 * `# crossproc: disable[-next-line]=rule,...` comments: line (0-based) → rule ids disabled there;
 * `# crossproc: disable-file[=rule,...]` on a line of its own: key FILE_WIDE (the whole file,
 * wherever it stands, as Ruff's and flake8's file-level `noqa` do).
 */
export function collectSuppressions(text: string, suppressions: Map<number, string[]>): void {
  // every directive holds the word: most files have none, and the search is much cheaper than the regex
  if (!text.includes('crossproc')) return;
  const re = /#\s*crossproc\s*[:\-]?\s*(disable-next-line|disable-file|disable)(?![\w-])[ \t]*(?:[=:]?[ \t]*([A-Za-z0-9_\-*]+(?:[ \t]*,[ \t]*[A-Za-z0-9_\-*]+)*))?/g;
  
  let line = 0;
  let lineStart = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    // advance the line counter to the match
    let nl = text.indexOf('\n', lineStart);
    while (nl !== -1 && nl < m.index) {
      line++;
      lineStart = nl + 1;
      nl = text.indexOf('\n', lineStart);
    }
    // a file-wide directive must be a comment line of its own (not after code, where it reads as a line directive's typo)
    if (m[1] === 'disable-file' && text.slice(lineStart, m.index).trim() !== '') continue;
    const target = m[1] === 'disable-next-line' ? line + 1 : m[1] === 'disable-file' ? FILE_WIDE : line;
    const rules = m[2] ? m[2].split(',').map((s) => s.trim()).filter(Boolean) : ['*'];
    const prev = suppressions.get(target) ?? [];
    for (const r of rules) if (!prev.includes(r)) prev.push(r);
    suppressions.set(target, prev);
  }
}
