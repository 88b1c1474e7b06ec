/**
 * Imports in the style of the file (ESM `import` or CommonJS `require`): recognising them,
 * where new ones go, and making a named or default export available at the top level.
 */
import ts from 'typescript';
import type { TextEdit } from '../types';
import { topLevelNames } from './scopes';
import { type JsFile, endOfLine, eol, insertAt, lineStartOf } from './source-file';

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
