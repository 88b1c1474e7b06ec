/**
 * Whether a JS/TS text is shallow enough that no front-end pass can run out of stack on
 * it: the CLI leaves a file no finding can involve out of a run (../engine/relevance.ts),
 * but a full run would list it as skipped if the front end ran out of stack on it, so a
 * file the text scan cannot clear (`mayBeTooDeep`) is measured — by a depth bound read from
 * its text (./depthBound.ts: 92 % of such text on node_modules), else by its parsed
 * tree, without the front end.
 *
 * The front end's passes recurse once per tree level (a few frames each). Measured, they
 * run out of the main thread's stack at about 600 nested functions (some 1,800 levels)
 * and at a few thousand terms of one operator (as many levels): {@link SHALLOW_DEPTH} is
 * under a sixth of that, and a worker's stack is larger.
 */
import ts from 'typescript';
import { scriptKindFor } from './frontend';
import { depthBound } from './depthBound';

/** tree levels (as `ts.forEachChild` goes) up to which the front end certainly does not run out of stack */
export const SHALLOW_DEPTH = 300;

/**
 * Whether the tree of `text` is at most {@link SHALLOW_DEPTH} levels deep (false when
 * parsing itself runs out of stack): told by a bound read from the text when it can
 * (./depthBound.ts), else by parsing it.
 */
export function isShallow(path: string, text: string, limit = SHALLOW_DEPTH): boolean {
  const kind = scriptKindFor(path);
  if (depthBound(text, kind !== ts.ScriptKind.TS, limit) <= limit) return true;
  return parsedDepthAtMost(path, text, limit);
}

/** {@link isShallow} by parsing: the tree's depth as `ts.forEachChild` goes. */
export function parsedDepthAtMost(path: string, text: string, limit = SHALLOW_DEPTH): boolean {
  let sf: ts.SourceFile;
  try {
    // as the front end parses (js/frontend.ts), without parent pointers
    sf = ts.createSourceFile(path, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, scriptKindFor(path));
  } catch (err) {
    if (err instanceof RangeError) return false;
    throw err;
  }
  // depth first with an explicit stack: no recursion of ours to run out of
  const nodes: ts.Node[] = [sf];
  const depths: number[] = [0];
  let depth = 0;
  const push = (n: ts.Node): undefined => {
    if (n.kind > ts.SyntaxKind.LastToken) {
      nodes.push(n);
      depths.push(depth + 1);
    }
    return undefined;
  };
  const pushAll = (list: ts.NodeArray<ts.Node>): undefined => {
    for (let i = 0; i < list.length; i++) push(list[i]);
    return undefined;
  };
  while (nodes.length) {
    const n = nodes.pop()!;
    depth = depths.pop()!;
    if (depth >= limit) return false;
    ts.forEachChild(n, push, pushAll);
  }
  return true;
}
