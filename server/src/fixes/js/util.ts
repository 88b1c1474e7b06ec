/**
 * Shared helpers of the Node.js fix providers: parsing a file for exact syntax positions,
 * position conversion, scopes, and adding imports in the style of the file (ESM or CJS).
 */
import ts from 'typescript';
import type { Finding, RuleId } from '../../engine/findings';
import type { Position, Range } from '../../engine/model';
import type { AccessRecord, Program, ProjectGraph, SpawnRecord, WorkerReason } from '../../engine/contexts';
import type { FileEdit, FixContext, FixEdit, FixProvider, TextEdit } from '../types';
import { scriptKindFor } from '../../js/frontend';

export interface JsFile {
  file: string;
  text: string;
  sf: ts.SourceFile;
}

/** What a provider's `build` works out for one finding: the fix's title and its edits. */
export interface Plan {
  title: string;
  changes: FileEdit[];
}

/**
 * A provider whose describe and compute share one plan per graph and finding, built once by
 * `build`; a build that throws offers nothing.
 */
export function planProvider(kind: string, rules: RuleId[], build: (ctx: FixContext, f: Finding) => Plan | undefined): FixProvider {
  const memo = new WeakMap<object, Map<string, Plan | null>>();
  const plan = (ctx: FixContext, f: Finding): Plan | undefined => {
    let perGraph = memo.get(ctx.graph);
    if (!perGraph) memo.set(ctx.graph, (perGraph = new Map()));
    const key = `${f.file}:${f.range.start.line}:${f.range.start.character}`;
    if (perGraph.has(key)) return perGraph.get(key) ?? undefined;
    let p: Plan | undefined;
    try {
      p = build(ctx, f);
    } catch {
      p = undefined;
    }
    perGraph.set(key, p ?? null);
    return p;
  };
  return {
    kind,
    rules,
    describe(ctx, f) {
      const p = plan(ctx, f);
      return p ? { kind, title: p.title } : undefined;
    },
    compute(ctx, f) {
      const p = plan(ctx, f);
      return p ? ({ kind, title: p.title, changes: p.changes } satisfies FixEdit) : undefined;
    },
  };
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

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function offsetOf(text: string, p: Position): number {
  const starts = lineStarts(text);
  if (p.line >= starts.length) return text.length;
  return Math.min(starts[p.line] + p.character, text.length);
}

export function positionOf(text: string, offset: number): Position {
  const starts = lineStarts(text);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
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

export function isFunctionLike(n: ts.Node): n is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(n) ||
    ts.isFunctionExpression(n) ||
    ts.isArrowFunction(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n) ||
    ts.isGetAccessor(n) ||
    ts.isSetAccessor(n)
  );
}

/** Names bound by a binding name (identifier or destructuring pattern). */
export function boundNamesOf(name: ts.BindingName, out: string[] = []): string[] {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) boundNamesOf(el.name, out);
  return out;
}

/** Names a top-level statement declares. */
export function declaredBy(s: ts.Statement): string[] {
  const out: string[] = [];
  if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) boundNamesOf(d.name, out);
  else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) out.push(s.name.text);
  else if (ts.isImportDeclaration(s) && s.importClause) {
    const c = s.importClause;
    if (c.name) out.push(c.name.text);
    if (c.namedBindings) {
      if (ts.isNamespaceImport(c.namedBindings)) out.push(c.namedBindings.name.text);
      else for (const e of c.namedBindings.elements) out.push(e.name.text);
    }
  } else if (ts.isImportEqualsDeclaration(s)) out.push(s.name.text);
  return out;
}

/** Every name declared at the top level of the file. */
export function topLevelNames(sf: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  for (const s of sf.statements) for (const n of declaredBy(s)) out.add(n);
  return out;
}

/** Whether an identifier named `name` is referenced (as a value, not a property name) inside `n`. */
export function references(n: ts.Node, name: string): boolean {
  let hit = false;
  const visit = (x: ts.Node): void => {
    if (hit) return;
    if (ts.isIdentifier(x) && x.text === name && isValueReference(x)) {
      hit = true;
      return;
    }
    x.forEachChild(visit);
  };
  visit(n);
  return hit;
}

export function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (!p) return true;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isPropertyAssignment(p) && p.name === id) return false;
  if ((ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isQualifiedName(p) && p.right === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if ((ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) && p.propertyName === id) return false;
  return true;
}

/**
 * Whether `name` is declared by something other than the top level between `at` and the
 * source file (a parameter, a local variable, a nested function's name...), i.e. whether a
 * top-level binding of that name is shadowed at `at`.
 */
export function isShadowedAt(sf: ts.SourceFile, at: ts.Node, name: string): boolean {
  for (let cur: ts.Node | undefined = at.parent; cur && cur !== sf; cur = cur.parent) {
    if (declaresLocally(cur, name)) return true;
  }
  return false;
}

function declaresLocally(scope: ts.Node, name: string): boolean {
  if (isFunctionLike(scope)) {
    for (const p of scope.parameters) if (boundNamesOf(p.name).includes(name)) return true;
    if ((ts.isFunctionExpression(scope) || ts.isFunctionDeclaration(scope)) && scope.name?.text === name && ts.isFunctionExpression(scope)) return true;
    if (scope.body && ts.isBlock(scope.body) && blockDeclares(scope.body, name, true)) return true;
    return false;
  }
  if (ts.isBlock(scope) || ts.isCaseBlock(scope)) return blockDeclares(scope, name, false);
  if (ts.isForStatement(scope) || ts.isForInStatement(scope) || ts.isForOfStatement(scope)) {
    const init = scope.initializer;
    if (init && ts.isVariableDeclarationList(init)) for (const d of init.declarations) if (boundNamesOf(d.name).includes(name)) return true;
    return false;
  }
  if (ts.isCatchClause(scope)) return !!scope.variableDeclaration && boundNamesOf(scope.variableDeclaration.name).includes(name);
  if (ts.isClassExpression(scope)) return scope.name?.text === name;
  return false;
}

/** Declarations directly in a block (and, for function bodies, `var`s anywhere in it). */
function blockDeclares(block: ts.Node, name: string, functionBody: boolean): boolean {
  let hit = false;
  const statements = ts.isCaseBlock(block) ? block.clauses.flatMap((c) => [...c.statements]) : [...(block as ts.Block).statements];
  for (const s of statements) if (declaredBy(s).includes(name)) return true;
  if (functionBody) {
    const visit = (x: ts.Node): void => {
      if (hit || isFunctionLike(x)) return;
      if (ts.isVariableDeclarationList(x) && !(x.flags & ts.NodeFlags.BlockScoped)) {
        for (const d of x.declarations) if (boundNamesOf(d.name).includes(name)) hit = true;
      }
      x.forEachChild(visit);
    };
    block.forEachChild(visit);
  }
  return hit;
}

/** `require('x')` (through parentheses/`as`), returning the specifier. */
export function requireSpecifier(e: ts.Expression | undefined): string | undefined {
  if (!e) return undefined;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments.length === 1) {
    const a = e.arguments[0];
    if (ts.isStringLiteralLike(a)) return a.text;
  }
  return undefined;
}

export function isEsm(f: JsFile): boolean {
  if (/\.m[jt]s$/i.test(f.file)) return true;
  if (/\.c[jt]s$/i.test(f.file)) return false;
  for (const s of f.sf.statements) {
    if (ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s)) return true;
    if (ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
  }
  return false;
}

/** Whether a top-level statement is an import: `import ...`, `const x = require(...)`, `require(...)`. */
export function isImportStatement(s: ts.Statement): boolean {
  if (ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s)) return true;
  if (ts.isVariableStatement(s)) {
    return s.declarationList.declarations.every((d) => {
      let init = d.initializer;
      // `require('x').y`
      while (init && ts.isPropertyAccessExpression(init)) init = init.expression;
      return requireSpecifier(init) !== undefined;
    });
  }
  if (ts.isExpressionStatement(s)) return requireSpecifier(s.expression) !== undefined;
  return false;
}

/** Offset right after the leading run of import statements (and directives); 0-based line start. */
export function afterImportsOffset(f: JsFile): { offset: number; lastImport?: ts.Statement } {
  let last: ts.Statement | undefined;
  for (const s of f.sf.statements) {
    if (isImportStatement(s)) {
      last = s;
      continue;
    }
    if (ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression) && !last) {
      last = s; // 'use strict'
      continue;
    }
    break;
  }
  if (!last) {
    // after a shebang / leading comments: at the first statement's start line, else 0
    const first = f.sf.statements[0];
    if (!first) return { offset: f.text.length };
    return { offset: lineStartOf(f.text, first.getStart(f.sf)) };
  }
  return { offset: endOfLine(f.text, last.end), lastImport: last };
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

export interface ImportResult {
  /** the expression to use for the imported value (`workerData`, `wt.workerData`) */
  expr: string;
  edits: TextEdit[];
}

/**
 * Makes the named export `name` of one of `modules` available at the top level of the file:
 * reuses an existing import/require (adding the name to it), or adds an import in the
 * file's style after its imports. Undefined when the name is taken by something else.
 */
export function ensureNamedImport(f: JsFile, name: string, modules: string[]): ImportResult | undefined {
  const taken = topLevelNames(f.sf);
  let extend: { at: number; text: string } | undefined;
  for (const s of f.sf.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && modules.includes(s.moduleSpecifier.text)) {
      const c = s.importClause;
      if (!c || c.isTypeOnly) continue;
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) return { expr: `${nb.name.text}.${name}`, edits: [] };
      if (nb && ts.isNamedImports(nb)) {
        const el = nb.elements.find((e) => (e.propertyName ?? e.name).text === name && !e.isTypeOnly);
        if (el) return { expr: el.name.text, edits: [] };
        if (!extend && nb.elements.length > 0) extend = { at: nb.elements[nb.elements.length - 1].end, text: `, ${name}` };
      }
      if (c.name && !nb && !extend) extend = { at: c.name.end, text: `, { ${name} }` };
      continue;
    }
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        const spec = requireSpecifier(d.initializer);
        if (spec && modules.includes(spec)) {
          if (ts.isIdentifier(d.name)) return { expr: `${d.name.text}.${name}`, edits: [] };
          if (ts.isObjectBindingPattern(d.name)) {
            const el = d.name.elements.find((e) => !e.dotDotDotToken && propName(e) === name);
            if (el && ts.isIdentifier(el.name)) return { expr: el.name.text, edits: [] };
            const last = d.name.elements[d.name.elements.length - 1];
            if (!extend && last && !last.dotDotDotToken) extend = { at: last.end, text: `, ${name}` };
          }
        }
        // const workerData = require('worker_threads').workerData
        if (
          d.initializer &&
          ts.isPropertyAccessExpression(d.initializer) &&
          d.initializer.name.text === name &&
          ts.isIdentifier(d.name) &&
          modules.includes(requireSpecifier(d.initializer.expression) ?? '')
        ) {
          return { expr: d.name.text, edits: [] };
        }
      }
    }
  }
  if (taken.has(name)) return undefined;
  if (extend) return { expr: name, edits: [insertAt(f.text, extend.at, extend.text)] };
  const nl = eol(f.text);
  const spec = modules[0];
  const line = isEsm(f) ? `import { ${name} } from '${spec}';${nl}` : `const { ${name} } = require('${spec}');${nl}`;
  const { offset } = afterImportsOffset(f);
  const prefix = offset > 0 && f.text[offset - 1] !== '\n' ? nl : '';
  return { expr: name, edits: [insertAt(f.text, offset, prefix + line)] };
}

/** A default import (ESM) of `module`: reuses an existing one or adds `import Local from 'module'`. */
export function ensureDefaultImport(f: JsFile, module: string, local: string): ImportResult | undefined {
  for (const s of f.sf.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.moduleSpecifier.text === module) {
      const c = s.importClause;
      if (c?.name && !c.isTypeOnly) return { expr: c.name.text, edits: [] };
    }
  }
  if (!isEsm(f)) return undefined;
  if (topLevelNames(f.sf).has(local)) return undefined;
  const nl = eol(f.text);
  const { offset } = afterImportsOffset(f);
  const prefix = offset > 0 && f.text[offset - 1] !== '\n' ? nl : '';
  return { expr: local, edits: [insertAt(f.text, offset, `${prefix}import ${local} from '${module}';${nl}`)] };
}

function propName(e: ts.BindingElement): string | undefined {
  const n = e.propertyName ?? e.name;
  if (ts.isIdentifier(n) || ts.isStringLiteral(n)) return n.text;
  return undefined;
}

export const WORKER_THREADS = ['node:worker_threads', 'worker_threads'];

// ---------------------------------------------------------------------------------------
// engine look-ups

const accessIndex = new WeakMap<ProjectGraph, Map<string, AccessRecord>>();

function rangeKey(file: string, r: Range): string {
  return `${file}:${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}`;
}

/** The access record a finding is about (same file and range); indexed once per graph. */
export function accessOf(graph: ProjectGraph, f: Finding): AccessRecord | undefined {
  let index = accessIndex.get(graph);
  if (!index) {
    index = new Map();
    for (const recs of graph.accessesBySymbol.values()) {
      for (const r of recs) {
        const k = rangeKey(r.module.path, r.access.range);
        if (!index.has(k)) index.set(k, r);
      }
    }
    accessIndex.set(graph, index);
  }
  return index.get(rangeKey(f.file, f.range));
}

/** Every (program, reason) that runs the access's unit in a worker. */
export function workerReasons(graph: ProjectGraph, key: string): Array<{ prog: Program; why: WorkerReason }> {
  const out: Array<{ prog: Program; why: WorkerReason }> = [];
  for (const prog of graph.programs) {
    const why = prog.worker.get(key);
    if (why) out.push({ prog, why });
  }
  return out;
}

/** The single spawn record behind all the worker reasons, or undefined when several spawns reach it. */
export function singleSpawn(reasons: Array<{ why: WorkerReason }>): SpawnRecord | undefined {
  const spawns = new Set(reasons.map((r) => r.why.spawn.site));
  if (spawns.size !== 1) return undefined;
  return reasons[0].why.spawn;
}

/** Whether a unit key is parent-side in any program. */
export function isParentSide(graph: ProjectGraph, key: string): boolean {
  return graph.programs.some((p) => p.parent.has(key) && !p.worker.has(key));
}

/**
 * How module `m` (by path) can name the symbol `sym` at its top level: `name` (a local
 * binding or a named import of it) or `ns.name` (a namespace / whole-module require).
 */
export function exprForSymbol(graph: ProjectGraph, modulePath: string, sym: string): string | undefined {
  const m = graph.modules.get(modulePath);
  if (!m) return undefined;
  const hash = sym.lastIndexOf('#');
  const symFile = sym.slice(0, hash);
  const symName = sym.slice(hash + 1);
  if (symFile === modulePath && m.bindings.has(symName)) return symName;
  for (const b of m.bindings.values()) {
    if (graph.linker.resolveRef(m, { name: b.name }) === sym && b.kind === 'import') return b.name;
  }
  for (const b of m.bindings.values()) {
    if (b.kind !== 'import') continue;
    if (graph.linker.resolveRef(m, { name: b.name, member: symName }) === sym && /^[A-Za-z_$][\w$]*$/.test(symName)) return `${b.name}.${symName}`;
  }
  return undefined;
}

/** Whether any analysed module imports `m` (then code inserted at its top level also runs there). */
export function isImportedByAnyModule(graph: ProjectGraph, path: string): boolean {
  for (const other of graph.modules.values()) {
    if (other.path === path) continue;
    for (const spec of other.imports) if (graph.linker.resolveModule(other, spec)?.path === path) return true;
  }
  return false;
}

/** Whether any unit calls the unit `key` (other than through the pool that runs it). */
export function hasCallers(graph: ProjectGraph, key: string): boolean {
  for (const k of graph.units.keys()) if (k !== key && graph.callees(k).includes(key)) return true;
  return false;
}

export function symbolParts(sym: string): { file: string; name: string } {
  const i = sym.lastIndexOf('#');
  return { file: sym.slice(0, i), name: sym.slice(i + 1) };
}
