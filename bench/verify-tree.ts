/**
 * Checks the plain-JS tree copy (server/src/python/tree.ts) against the web-tree-sitter
 * Node API, node by node: type, named and error flags, indices, positions,
 * text, children, child(i), parent, and childForFieldName/childrenForFieldName for every
 * field name the front end uses plus every field a child reports.
 *
 *   npx tsx bench/verify-tree.ts [all|sample] [--cursor]   (default: sample, ~360 files + broken variants;
 *   --cursor: the copy through the public TreeCursor, which is used when the memory read is unavailable)
 */
import * as fs from 'node:fs';
import type { Node } from 'web-tree-sitter';
import { getPythonParser, initPython } from '../server/src/python/parser';
import { copyTree, setFastCopy, type SyntaxNode } from '../server/src/python/tree';
import { stdlibFiles } from './dump-models';

const FIELDS = ['alias', 'alternative', 'argument', 'arguments', 'attribute', 'body', 'condition', 'consequence',
  'function', 'key', 'left', 'module_name', 'name', 'object', 'parameters', 'right', 'subscript', 'superclasses',
  'type', 'value', 'operator', 'operators', 'return_type', 'definition', 'code', 'format_specifier'];

let checked = 0;
const errors: string[] = [];
const byKind = new Map<string, number>();

function same(a: SyntaxNode | null, b: Node | null): boolean {
  if (!a || !b) return a === null && b === null;
  return a.type === b.type && a.startIndex === b.startIndex && a.endIndex === b.endIndex;
}

function compare(file: string, m: SyntaxNode, n: Node): void {
  checked++;
  const where = `${file} @${n.startIndex} ${n.type}`;
  const fail = (what: string, a: unknown, b: unknown): void => {
    const kind = `${n.type}.${what.replace(/\[\d+\]/, '[i]')}`;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    if (errors.length < 50) errors.push(`${where}: ${what}: copy=${JSON.stringify(a)} wasm=${JSON.stringify(b)}`);
  };
  if (m.type !== n.type) fail('type', m.type, n.type);
  if (m.isNamed !== n.isNamed) fail('isNamed', m.isNamed, n.isNamed);
  if (m.isError !== n.isError) fail('isError', m.isError, n.isError);
  if (m.startIndex !== n.startIndex) fail('startIndex', m.startIndex, n.startIndex);
  if (m.endIndex !== n.endIndex) fail('endIndex', m.endIndex, n.endIndex);
  const sp = n.startPosition;
  const ep = n.endPosition;
  if (m.startPosition.row !== sp.row || m.startPosition.column !== sp.column) fail('startPosition', m.startPosition, sp);
  if (m.endPosition.row !== ep.row || m.endPosition.column !== ep.column) fail('endPosition', m.endPosition, ep);
  if (m.text !== n.text) fail('text', m.text.slice(0, 40), n.text.slice(0, 40));
  if (!same(m.parent, n.parent)) fail('parent', m.parent?.type, n.parent?.type);
  const kids = n.children;
  if (kids.length !== m.children.length) fail('children.length', m.children.length, kids.length);
  const named = n.namedChildren;
  if (named.length !== m.namedChildren.length) fail('namedChildren.length', m.namedChildren.length, named.length);
  for (let i = 0; i < named.length; i++) if (!same(m.namedChildren[i] ?? null, named[i])) fail(`namedChildren[${i}]`, m.namedChildren[i]?.type, named[i]?.type);
  if (!same(m.child(0), n.child(0))) fail('child(0)', m.child(0)?.type, n.child(0)?.type);
  const fieldNames = new Set(FIELDS);
  for (const c of m.children) if (c.field) fieldNames.add(c.field);
  for (let i = 0; i < kids.length; i++) {
    const f = n.fieldNameForChild(i);
    if ((m.children[i]?.field ?? null) !== f) fail(`fieldNameForChild(${i})`, m.children[i]?.field, f);
  }
  for (const f of fieldNames) {
    const a = m.childForFieldName(f);
    const b = n.childForFieldName(f);
    if (!same(a, b)) fail(`childForFieldName(${f})`, a?.type, b?.type);
    const as = m.childrenForFieldName(f);
    const bs = n.childrenForFieldName(f);
    if (as.length !== bs.length || as.some((x, i) => !same(x, bs[i]))) fail(`childrenForFieldName(${f})`, as.map((x) => x.type), bs.map((x) => x?.type));
  }
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i];
    if (k && m.children[i]) compare(file, m.children[i], k);
  }
}

function variants(text: string, seed: number): string[] {
  let s = seed;
  const r = (): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  let del = text;
  for (let i = 0; i < 10 && del.length > 0; i++) {
    const at = Math.floor(r() * del.length);
    del = del.slice(0, at) + del.slice(at + 1 + Math.floor(r() * 4));
  }
  const at = Math.floor(r() * text.length);
  return [
    text.slice(0, Math.floor(text.length * r())),
    del,
    text.slice(0, at) + '(' + text.slice(at),
    text.slice(0, at) + '\r\n\t"é😀' + text.slice(at),
  ];
}

async function main(): Promise<void> {
  await initPython();
  const parser = getPythonParser()!;
  const all = stdlibFiles();
  const mode = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'sample';
  if (process.argv.includes('--cursor')) setFastCopy(false);
  else if (!setFastCopy(true)) throw new Error('the fast copy (read from the WASM memory) is unavailable: its self-check failed');
  const files = mode === 'all' ? all : all.filter((_, i) => i % 5 === 0);
  const inputs: Array<[string, string]> = [
    ['unicode', 'x = "é😀"; y = 1\r\ndef f(a=\'😀\'):\n\treturn a  # ü\n'],
    ['empty', ''],
    ['only-error', ')))(((\n\0\u0001'],
    ['lone-surrogate', 'x = "\ud800"\ny = 2\n'],
  ];
  let i = 0;
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    inputs.push([f, text]);
    if (i++ % 4 === 0) variants(text, i).forEach((v, k) => inputs.push([`${f}#${k}`, v]));
  }
  for (const [name, text] of inputs) {
    const tree = parser.parse(text);
    if (!tree) throw new Error(`no tree for ${name}`);
    try {
      compare(name, copyTree(tree, text), tree.rootNode);
    } finally {
      tree.delete();
    }
  }
  const total = [...byKind.values()].reduce((a, b) => a + b, 0);
  console.log(`${inputs.length} inputs, ${checked} nodes compared, ${total} mismatches`, Object.fromEntries(byKind));
  for (const e of errors) console.log(e);
  if (errors.length) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
