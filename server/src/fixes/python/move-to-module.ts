/**
 * unimportable-task → "Move NAME into MODULE.py and import it" (notebooks).
 *
 * A worker can import a module file, never the notebook: the task's `def` (and the notebook
 * functions it calls) move into a new module beside the notebook, which the cell that held
 * the def imports back, so every later cell still sees NAME. What the moved code needs from
 * the notebook comes along: its import statements are repeated in the module, and constants
 * the notebook assigns exactly once (to a literal) are copied. Anything else the function
 * reads from the notebook (state the notebook changes, classes, names from `%run` or `*`
 * imports) would not be the same object in the module, so then no fix is offered.
 */
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import type { Finding } from '../../engine/findings';
import { isNotebookPath } from '../../notebook/cells';
import type { FileEdit, FixContext, FixEdit, FixProvider, TextEdit } from '../types';
import { BUILTINS, freeNames, targetNames } from './scopes';
import { named, pos, pyRoot, walk } from './syntax-tree';

const KIND = 'move-to-module';

interface Plan {
  module: string;
  moduleName: string;
  moved: Node[];
  imports: Node[];
  constants: Node[];
}

/** `Data Prep-2.ipynb` → `data_prep_2_tasks`: a module name a worker can import. */
function moduleNameFor(notebook: string): string {
  let stem = path.basename(notebook).replace(/\.ipynb$/i, '').toLowerCase().replace(/\W+/g, '_').replace(/^_+|_+$/g, '');
  if (!stem || /^\d/.test(stem)) stem = `nb_${stem}`;
  return `${stem}_tasks`;
}

/** The top-level statements that bind each name (defs, classes, imports, assignments). */
function topLevelBinders(root: Node): Map<string, Node[]> {
  const out = new Map<string, Node[]>();
  const add = (name: string, n: Node) => out.set(name, [...(out.get(name) ?? []), n]);
  for (const s of named(root)) {
    const stmt = s.type === 'decorated_definition' ? s.childForFieldName('definition') ?? s : s;
    if (stmt.type === 'function_definition' || stmt.type === 'class_definition') {
      const nm = stmt.childForFieldName('name');
      if (nm) add(nm.text, s);
    } else if (s.type === 'import_statement' || s.type === 'import_from_statement') {
      for (const c of named(s)) {
        if (c.type === 'dotted_name' && s.type === 'import_statement') add(c.text.split('.')[0], s);
        else if (c.type === 'aliased_import') add(c.childForFieldName('alias')?.text ?? '', s);
        else if (c.type === 'dotted_name' && c.id !== s.childForFieldName('module_name')?.id) add(c.text, s);
      }
    } else if (s.type === 'expression_statement') {
      const a = s.namedChild(0);
      if (a?.type === 'assignment' || a?.type === 'augmented_assignment') for (const t of targetNames(a.childForFieldName('left'))) add(t, s);
    }
  }
  return out;
}

/** Whether `name` is written anywhere but its one top-level assignment (global statements, for targets, with ... as). */
function reboundElsewhere(root: Node, name: string, at: Node): boolean {
  let found = false;
  walk(root, (x) => {
    if (found) return false;
    if (x.type === 'global_statement' && named(x).some((i) => i.text === name)) found = true;
    if ((x.type === 'assignment' || x.type === 'augmented_assignment') && x.id !== at.id) {
      if (targetNames(x.childForFieldName('left')).includes(name) && !isInsideFunction(x)) found = true;
    }
    if ((x.type === 'for_statement' || x.type === 'with_item' || x.type === 'as_pattern') && !isInsideFunction(x)) {
      if (x.text.includes(name) && targetNames(x.childForFieldName('left') ?? x.childForFieldName('alias')).includes(name)) found = true;
    }
    return true;
  });
  return found;
}

function isInsideFunction(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'lambda') return true;
  return false;
}

const LITERAL = new Set(['integer', 'float', 'string', 'true', 'false', 'none', 'concatenated_string']);

function isLiteral(n: Node | null): boolean {
  if (!n) return false;
  if (LITERAL.has(n.type)) return !named(n).some((c) => c.type === 'interpolation');
  if (n.type === 'unary_operator') return isLiteral(n.namedChild(0));
  if (n.type === 'tuple') return named(n).every(isLiteral);
  return false;
}

function plan(ctx: FixContext, f: Finding): Plan | undefined {
  if (!isNotebookPath(f.file)) return undefined;
  const text = ctx.text(f.file);
  const root = text === undefined ? undefined : pyRoot(text);
  if (!root || text === undefined) return undefined;
  const binders = topLevelBinders(root);
  const moved: Node[] = [];
  const imports: Node[] = [];
  const constants: Node[] = [];
  const seen = new Set<string>();
  const visit = (name: string): boolean => {
    if (seen.has(name)) return true;
    seen.add(name);
    const defs = binders.get(name) ?? [];
    if (defs.length === 0) return BUILTINS.has(name);
    if (defs.length !== 1) return false;
    const def = defs[0];
    if (def.type === 'function_definition') {
      // an async def or one a `global` statement writes through keeps notebook state: not moved
      if (def.text.startsWith('async') || named(def.childForFieldName('body')!).some((s) => s.type === 'global_statement')) return false;
      moved.push(def);
      return [...freeNames(def)].every((n) => n === name || visit(n));
    }
    if (def.type === 'import_statement' || def.type === 'import_from_statement') {
      if (def.startPosition.row !== def.endPosition.row || /\bimport\s+\*/.test(def.text)) return false;
      if (!imports.some((i) => i.id === def.id)) imports.push(def);
      return true;
    }
    if (def.type === 'expression_statement') {
      const a = def.namedChild(0);
      if (a?.type !== 'assignment' || a.childForFieldName('left')?.type !== 'identifier' || !isLiteral(a.childForFieldName('right'))) return false;
      if (reboundElsewhere(root, name, a)) return false;
      constants.push(def);
      return true;
    }
    return false;
  };
  if (!visit(f.symbol) || moved[0]?.childForFieldName('name')?.text !== f.symbol) return undefined;
  const moduleName = moduleNameFor(f.file);
  const module = path.join(path.dirname(f.file), `${moduleName}.py`);
  // a module of that name already analysed: it is not ours to overwrite
  if (ctx.text(module) !== undefined || ctx.graph.modules.has(module)) return undefined;
  return { module, moduleName, moved, imports, constants };
}

function compute(ctx: FixContext, f: Finding): FixEdit | undefined {
  const p = plan(ctx, f);
  const text = ctx.text(f.file);
  if (!p || text === undefined) return undefined;
  const byPos = (a: Node, b: Node) => a.startIndex - b.startIndex;
  const names = p.moved.slice().sort(byPos).map((d) => d.childForFieldName('name')!.text);
  const nbEdits: TextEdit[] = [];
  // the import takes the place of the first moved def, so every cell that used one still can
  const first = p.moved.slice().sort(byPos)[0];
  for (const def of p.moved) {
    // the whole lines of the def; the task's own def becomes the import, in its cell
    const start = pos(def.startPosition.row, 0);
    const end = pos(def.endPosition.row + 1, 0);
    const newText = def.id === first.id ? `from ${p.moduleName} import ${names.join(', ')}\n` : '';
    nbEdits.push({ range: { start, end }, newText });
  }
  // PEP 8 layout: docstring, imports, constants, then the defs two blank lines apart
  const imports = p.imports.slice().sort(byPos).map((i) => i.text).join('\n');
  const constants = p.constants.slice().sort(byPos).map((c) => c.text).join('\n');
  const defs = p.moved.slice().sort(byPos).map((d) => d.text).join('\n\n\n');
  const doc = `"""Worker functions of ${path.basename(f.file)}: a worker process can import a module, not a notebook."""`;
  const moduleText = [doc, imports && `\n${imports}`, constants && `\n${constants}`, `\n\n${defs}`].filter(Boolean).join('\n') + '\n';
  const changes: FileEdit[] = [
    { file: f.file, edits: nbEdits },
    { file: p.module, create: true, edits: [{ range: { start: pos(0, 0), end: pos(0, 0) }, newText: moduleText }] },
  ];
  return { kind: KIND, title: titleFor(f, p), changes };
}

function titleFor(f: Finding, p: Plan): string {
  return `Move '${f.symbol}' into ${p.moduleName}.py and import it`;
}

export const moveToModule: FixProvider = {
  kind: KIND,
  rules: ['unimportable-task'],
  describe(ctx, f) {
    const p = plan(ctx, f);
    return p ? { kind: KIND, title: titleFor(f, p) } : undefined;
  },
  compute,
};
