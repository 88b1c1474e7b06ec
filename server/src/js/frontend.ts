/**
 * JavaScript / TypeScript front end: one file's text → {@link ModuleModel}.
 *
 * Uses only `ts.createSourceFile` (no program, no checker) so it can run per keystroke.
 * One pass over the tree with a hand-rolled scope chain; a few facts that can only be
 * decided once the whole file is seen (pool receivers, handler units, exported units)
 * are resolved at the end.
 */
import ts from 'typescript';
import * as nodePath from 'node:path';
import type {
  Access,
  AccessKind,
  Binding,
  ExportEntry,
  ImportFrom,
  ModuleModel,
  Payload,
  Range,
  Ref,
  SpawnSite,
  SystemKind,
  Unit,
  UnitKind,
  ValueKind,
} from '../engine/model';
import {
  boundNames,
  climbWrappers,
  dottedName,
  exits,
  hasModifier,
  isAssignmentOperator,
  isFunctionExpr,
  isFunctionNode,
  isImportMeta,
  isStatementBoundary,
  propertyNameText,
  stringValue,
  unwrap,
} from './syntax';

export function scriptKindFor(path: string): ts.ScriptKind {
  const ext = nodePath.extname(path).toLowerCase();
  switch (ext) {
    case '.ts':
    case '.mts':
    case '.cts':
      return ts.ScriptKind.TS;
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    default:
      return ts.ScriptKind.JS;
  }
}

/** Parse one JS/TS file into the language-neutral model. Never throws. */
export function parseJs(path: string, text: string): ModuleModel {
  const model = emptyModel(path);
  let sf: ts.SourceFile | undefined;
  try {
    sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKindFor(path));
    new JsFrontend(sf, text, model).run();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    model.problems.push({ range: zeroRange(), message: `crossproc: internal error while analysing this file: ${msg}` });
  }
  try {
    model.suppressions = scanSuppressions(text, sf);
  } catch {
    /* keep defaults */
  }
  return model;
}

function emptyModel(path: string): ModuleModel {
  return {
    path,
    language: 'js',
    units: [
      {
        id: 0,
        kind: 'module',
        name: '<module>',
        range: zeroRange(),
        nameRange: zeroRange(),
        params: [],
        accesses: [],
        calls: [],
        isNested: false,
      },
    ],
    bindings: new Map(),
    exports: new Map(),
    starExports: [],
    imports: [],
    spawns: [],
    payloads: [],
    proxySerialized: [],
    workerHandlers: [],
    suppressions: new Map(),
    problems: [],
  };
}

function zeroRange(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

// ---------------------------------------------------------------------------------------
// suppressions

const SUPPRESS_RE = /\/[/*]\s*crossproc-disable-(next-line|line)(?![\w-])([^\n]*)/g;

export function scanSuppressions(text: string, sf?: ts.SourceFile): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (text.indexOf('crossproc-disable') < 0) return out;
  let lineStarts: readonly number[] | undefined = sf?.getLineStarts();
  if (!lineStarts) {
    const ls = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) ls.push(i + 1);
    lineStarts = ls;
  }
  const lineOf = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts!.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts![mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  SUPPRESS_RE.lastIndex = 0;
  for (let m = SUPPRESS_RE.exec(text); m; m = SUPPRESS_RE.exec(text)) {
    let rest = m[2];
    const close = rest.indexOf('*/');
    if (close >= 0) rest = rest.slice(0, close);
    const dash = rest.search(/\s--\s|\s--$/);
    if (dash >= 0) rest = rest.slice(0, dash);
    const ids = rest
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter((s) => /^[a-z0-9][a-z0-9-]*$/i.test(s));
    const line = lineOf(m.index) + (m[1] === 'next-line' ? 1 : 0);
    const list = ids.length ? ids : ['*'];
    const prev = out.get(line);
    out.set(line, prev ? Array.from(new Set([...prev, ...list])) : list);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// scopes

type DeclKind =
  | 'var'
  | 'let'
  | 'const'
  | 'function'
  | 'class'
  | 'enum'
  | 'namespace'
  | 'import'
  | 'param'
  | 'catch'
  | 'self';

interface Scope {
  decls: Map<string, Decl>;
  parent: Scope | undefined;
  depth: number;
}

interface Decl {
  name: string;
  kind: DeclKind;
  scope: Scope;
  isModule: boolean;
  nameNode: ts.Node;
  /** unwrapped initializer of a simple `name = init` declarator */
  init?: ts.Expression;
  /** declared through a destructuring pattern */
  pattern?: boolean;
  fnNode?: ts.FunctionLikeDeclaration;
  classNode?: ts.ClassLikeDeclaration;
  importFrom?: ImportFrom;
  isAsync?: boolean;
  poolSystem?: SystemKind;
  proc?: 'child' | 'worker';
}

interface Frame {
  unitId: number;
  depth: number;
  free: Set<string>;
  selfName?: string;
}

interface RecvKey {
  decl?: Decl;
  member?: string;
  direct?: Creation;
  unknown?: boolean;
}

interface Creation {
  pool?: SystemKind;
  proc?: 'child' | 'worker';
}

interface PendingPoolCall {
  recv: RecvKey;
  method: 'run' | 'exec';
  payloads: Payload[];
  execFn?: { fn: ts.FunctionLikeDeclaration; range: Range; symbol: string; inline: boolean };
}

const MUTATING = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
  'set',
  'delete',
  'clear',
  'add',
]);

const KNOWN_MODULES = new Set([
  'worker_threads',
  'child_process',
  'cluster',
  'piscina',
  'tinypool',
  'workerpool',
  'process',
  'path',
  'url',
]);

const MUTABLE_CTORS = new Set([
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Array',
  'Object',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]);

/** Constructors whose instances clone fine (or are handled elsewhere): never 'class-instance'. */
const CLONE_SAFE = new Set([
  ...MUTABLE_CTORS,
  'Date',
  'RegExp',
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'URL',
  'URLSearchParams',
  'Buffer',
  'Blob',
  'File',
  'String',
  'Number',
  'Boolean',
  'MessageChannel',
  'MessagePort',
  'BroadcastChannel',
  'TextEncoder',
  'TextDecoder',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'Promise',
]);

const WT = 'worker_threads';

/** Callees that run a function argument (for imported callbacks, whose kind is unknown). */
const CALLBACK_TAKERS = new Set([
  'map', 'forEach', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast',
  'findLastIndex', 'flatMap', 'sort', 'then', 'catch', 'finally', 'on', 'once', 'addListener',
  'prependListener', 'addEventListener', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask',
  'nextTick', 'from', 'all', 'allSettled', 'race', 'any',
]);

function normModule(spec: string): string {
  return spec.startsWith('node:') ? spec.slice(5) : spec;
}

function moduleObject(mod: string): string {
  return mod === 'piscina' ? 'piscina.Piscina' : mod;
}

function defaultOf(mod: string): string {
  if (mod === 'piscina') return 'piscina.Piscina';
  if (mod === 'tinypool') return 'tinypool.Tinypool';
  return mod;
}

function memberSym(base: string, name: string): string {
  if (base === 'piscina.Piscina' && (name === 'Piscina' || name === 'default')) return base;
  if (base === 'tinypool' && name === 'default') return 'tinypool.Tinypool';
  if (name === 'default' && !base.includes('.')) return base;
  return `${base}.${name}`;
}

type BranchKind = 'main' | 'worker';
interface CondClass {
  then?: BranchKind;
  else?: BranchKind;
}

function invertKind(k: BranchKind | undefined): BranchKind | undefined {
  return k === 'main' ? 'worker' : k === 'worker' ? 'main' : undefined;
}

const enum Act {
  ANone = 0,
  AIdentifier,
  APropertyAccessExpression,
  AQualifiedName,
  AFunctionDeclaration,
  AClassDeclaration,
  ABlock,
  AModuleBlock,
  AModuleDeclaration,
  AVariableStatement,
  AForStatement,
  ACatchClause,
  ACaseBlock,
  AIfStatement,
  AVariableDeclaration,
  AParameter,
  APropertyAssignment,
  AShorthandPropertyAssignment,
  AEnumDeclaration,
  ALabeledStatement,
  AAsExpression,
  AExpressionWithTypeArguments,
  AHeritageClause,
  ACallExpression,
  ANewExpression,
  ATaggedTemplateExpression,
  ABinaryExpression,
  AJsxOpeningElement,
  AJsxAttribute,
  AExportAssignment,
  ADecorator,
  AType,
}

/** node kind → visitor action (a numeric switch is much faster than comparing against `ts.SyntaxKind.X` loads) */
const ACT: Uint8Array = (() => {
  const t = new Uint8Array(ts.SyntaxKind.Count + 1);
  for (let k = ts.SyntaxKind.FirstTypeNode; k <= ts.SyntaxKind.LastTypeNode; k++) t[k] = Act.AType;
  t[ts.SyntaxKind.TypeParameter] = Act.AType;
  t[ts.SyntaxKind.Identifier] = Act.AIdentifier;
  t[ts.SyntaxKind.PropertyAccessExpression] = Act.APropertyAccessExpression;
  t[ts.SyntaxKind.QualifiedName] = Act.AQualifiedName;
  t[ts.SyntaxKind.MetaProperty] = Act.AQualifiedName;
  t[ts.SyntaxKind.InterfaceDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.TypeAliasDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.ImportDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.ExportDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.ImportEqualsDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.BreakStatement] = Act.AQualifiedName;
  t[ts.SyntaxKind.ContinueStatement] = Act.AQualifiedName;
  t[ts.SyntaxKind.JsxClosingElement] = Act.AQualifiedName;
  t[ts.SyntaxKind.DebuggerStatement] = Act.AQualifiedName;
  t[ts.SyntaxKind.IndexSignature] = Act.AQualifiedName;
  t[ts.SyntaxKind.SemicolonClassElement] = Act.AQualifiedName;
  t[ts.SyntaxKind.NamespaceExportDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.MissingDeclaration] = Act.AQualifiedName;
  t[ts.SyntaxKind.FunctionDeclaration] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.FunctionExpression] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.ArrowFunction] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.MethodDeclaration] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.GetAccessor] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.SetAccessor] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.Constructor] = Act.AFunctionDeclaration;
  t[ts.SyntaxKind.ClassDeclaration] = Act.AClassDeclaration;
  t[ts.SyntaxKind.ClassExpression] = Act.AClassDeclaration;
  t[ts.SyntaxKind.Block] = Act.ABlock;
  t[ts.SyntaxKind.ModuleBlock] = Act.AModuleBlock;
  t[ts.SyntaxKind.ModuleDeclaration] = Act.AModuleDeclaration;
  t[ts.SyntaxKind.VariableStatement] = Act.AVariableStatement;
  t[ts.SyntaxKind.ForStatement] = Act.AForStatement;
  t[ts.SyntaxKind.ForInStatement] = Act.AForStatement;
  t[ts.SyntaxKind.ForOfStatement] = Act.AForStatement;
  t[ts.SyntaxKind.CatchClause] = Act.ACatchClause;
  t[ts.SyntaxKind.CaseBlock] = Act.ACaseBlock;
  t[ts.SyntaxKind.IfStatement] = Act.AIfStatement;
  t[ts.SyntaxKind.VariableDeclaration] = Act.AVariableDeclaration;
  t[ts.SyntaxKind.Parameter] = Act.AParameter;
  t[ts.SyntaxKind.PropertyAssignment] = Act.APropertyAssignment;
  t[ts.SyntaxKind.ShorthandPropertyAssignment] = Act.AShorthandPropertyAssignment;
  t[ts.SyntaxKind.EnumDeclaration] = Act.AEnumDeclaration;
  t[ts.SyntaxKind.LabeledStatement] = Act.ALabeledStatement;
  t[ts.SyntaxKind.AsExpression] = Act.AAsExpression;
  t[ts.SyntaxKind.SatisfiesExpression] = Act.AAsExpression;
  t[ts.SyntaxKind.TypeAssertionExpression] = Act.AAsExpression;
  t[ts.SyntaxKind.NonNullExpression] = Act.AAsExpression;
  t[ts.SyntaxKind.ExpressionWithTypeArguments] = Act.AExpressionWithTypeArguments;
  t[ts.SyntaxKind.HeritageClause] = Act.AHeritageClause;
  t[ts.SyntaxKind.CallExpression] = Act.ACallExpression;
  t[ts.SyntaxKind.NewExpression] = Act.ANewExpression;
  t[ts.SyntaxKind.TaggedTemplateExpression] = Act.ATaggedTemplateExpression;
  t[ts.SyntaxKind.BinaryExpression] = Act.ABinaryExpression;
  t[ts.SyntaxKind.JsxOpeningElement] = Act.AJsxOpeningElement;
  t[ts.SyntaxKind.JsxSelfClosingElement] = Act.AJsxOpeningElement;
  t[ts.SyntaxKind.JsxAttribute] = Act.AJsxAttribute;
  t[ts.SyntaxKind.ExportAssignment] = Act.AExportAssignment;
  t[ts.SyntaxKind.Decorator] = Act.ADecorator;
  return t;
})();

// ---------------------------------------------------------------------------------------

class JsFrontend {
  private readonly units: Unit[];
  private readonly moduleScope: Scope;
  private scope: Scope;
  private unit: Unit;
  private readonly frames: Frame[] = [];
  private readonly fnUnit = new Map<ts.Node, number>();
  private readonly freeNames = new Map<number, Set<string>>();
  private readonly classMethods = new Map<ts.Node, number[]>();
  /** function nodes exported under names (CJS exports, anonymous default exports) */
  private readonly exportFnNames = new Map<ts.Node, string[]>();
  private readonly exportFnBinding = new Map<ts.Node, string>();
  private readonly pendingHandlers: ts.Node[] = [];
  private readonly pendingPoolCalls: PendingPoolCall[] = [];
  private readonly pendingSends: { recv: RecvKey; payloads: Payload[] }[] = [];
  private readonly memberCreations = new Map<string, Creation>();
  private readonly importSet = new Set<string>();
  private readonly lazyCache = new Map<ts.Node, Map<string, boolean>>();

  constructor(
    private readonly sf: ts.SourceFile,
    private readonly text: string,
    private readonly model: ModuleModel,
  ) {
    this.units = model.units;
    this.unit = this.units[0];
    this.moduleScope = { decls: new Map(), parent: undefined, depth: 0 };
    this.scope = this.moduleScope;
  }

  // ----- positions

  private pos(p: number) {
    return this.sf.getLineAndCharacterOfPosition(p);
  }

  private range(n: ts.Node): Range {
    return { start: this.pos(n.getStart(this.sf)), end: this.pos(n.end) };
  }

  private spanRange(start: number, end: number): Range {
    return { start: this.pos(start), end: this.pos(end) };
  }

  // ----- driver

  run(): void {
    const sf = this.sf;
    const mod = this.units[0];
    mod.range = this.spanRange(0, sf.end);
    mod.nameRange = this.spanRange(0, 0);

    const diags = (sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
    for (const d of diags.slice(0, 20)) {
      const start = d.start ?? 0;
      this.model.problems.push({
        range: this.spanRange(start, Math.min(sf.end, start + (d.length ?? 0))),
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      });
    }

    // module scope: imports, hoisted declarations, exports
    this.hoistLexical(sf.statements, this.moduleScope);
    this.collectVars(sf.statements, this.moduleScope);
    this.collectEsmExports(sf.statements);
    this.createBindings();

    this.visitStatements(sf.statements);

    this.finish();
    this.model.imports = Array.from(this.importSet);
  }

  // ----- declarations

  private newScope(): Scope {
    const s: Scope = { decls: new Map(), parent: this.scope, depth: this.scope.depth + 1 };
    this.scope = s;
    return s;
  }

  private popScope(s: Scope): void {
    this.scope = s.parent ?? this.moduleScope;
  }

  private declare(scope: Scope, nameNode: ts.Identifier, kind: DeclKind, extra?: Partial<Decl>): Decl {
    const name = nameNode.text;
    const existing = scope.decls.get(name);
    if (existing) {
      // keep the first declaration; a function implementation replaces an overload signature
      if (extra?.fnNode && existing.fnNode && !existing.fnNode.body && extra.fnNode.body) existing.fnNode = extra.fnNode;
      return existing;
    }
    const d: Decl = { name, kind, scope, isModule: scope === this.moduleScope, nameNode, ...extra };
    scope.decls.set(name, d);
    return d;
  }

  private declareVariable(scope: Scope, d: ts.VariableDeclaration, kind: DeclKind): void {
    const init = d.initializer ? unwrap(d.initializer) : undefined;
    if (ts.isIdentifier(d.name)) {
      this.declare(scope, d.name, kind, {
        init,
        fnNode: isFunctionExpr(init) ? init : undefined,
        classNode: init && ts.isClassExpression(init) ? init : undefined,
        importFrom: init ? requireImport(init) : undefined,
        isAsync: isFunctionExpr(init) ? hasModifier(init, ts.SyntaxKind.AsyncKeyword) : undefined,
      });
      return;
    }
    const whole = init ? requireImport(init) : undefined;
    const spec = whole && whole.imported === '*' ? whole.specifier : undefined;
    this.declarePattern(scope, d.name, kind, spec);
  }

  private declarePattern(scope: Scope, name: ts.BindingPattern, kind: DeclKind, spec: string | undefined): void {
    for (const el of name.elements) {
      if (!ts.isBindingElement(el)) continue;
      if (ts.isIdentifier(el.name)) {
        let importFrom: ImportFrom | undefined;
        if (spec && ts.isObjectBindingPattern(name) && !el.dotDotDotToken) {
          const imported = el.propertyName ? propertyNameText(el.propertyName) : el.name.text;
          if (imported) importFrom = { specifier: spec, imported };
        }
        this.declare(scope, el.name, kind, { pattern: true, importFrom });
      } else {
        this.declarePattern(scope, el.name, kind, undefined);
      }
    }
  }

  /** let/const/class/function/enum/namespace/import declared directly in a statement list. */
  private hoistLexical(stmts: readonly ts.Statement[], scope: Scope): void {
    for (const s of stmts) {
      if (ts.isVariableStatement(s)) {
        if (hasModifier(s, ts.SyntaxKind.DeclareKeyword)) continue;
        const flags = s.declarationList.flags;
        if (flags & ts.NodeFlags.BlockScoped) {
          const kind: DeclKind = flags & ts.NodeFlags.Const ? 'const' : 'let';
          for (const d of s.declarationList.declarations) this.declareVariable(scope, d, kind);
        }
      } else if (ts.isFunctionDeclaration(s)) {
        if (s.name && !hasModifier(s, ts.SyntaxKind.DeclareKeyword)) {
          this.declare(scope, s.name, 'function', {
            fnNode: s,
            isAsync: hasModifier(s, ts.SyntaxKind.AsyncKeyword),
          });
        }
      } else if (ts.isClassDeclaration(s)) {
        if (s.name && !hasModifier(s, ts.SyntaxKind.DeclareKeyword)) this.declare(scope, s.name, 'class', { classNode: s });
      } else if (ts.isEnumDeclaration(s)) {
        if (!hasModifier(s, ts.SyntaxKind.DeclareKeyword)) this.declare(scope, s.name, 'enum');
      } else if (ts.isModuleDeclaration(s)) {
        if (ts.isIdentifier(s.name) && !hasModifier(s, ts.SyntaxKind.DeclareKeyword) && s.body)
          this.declare(scope, s.name, 'namespace');
      } else if (ts.isImportDeclaration(s)) {
        const spec = stringValue(s.moduleSpecifier);
        const clause = s.importClause;
        if (spec === undefined) continue;
        if (clause?.isTypeOnly) continue;
        this.importSet.add(spec);
        if (!clause) continue;
        if (clause.name) this.declare(scope, clause.name, 'import', { importFrom: { specifier: spec, imported: 'default' } });
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) {
          this.declare(scope, nb.name, 'import', { importFrom: { specifier: spec, imported: '*' } });
        } else if (nb && ts.isNamedImports(nb)) {
          for (const el of nb.elements) {
            if (el.isTypeOnly) continue;
            const imported = (el.propertyName ?? el.name).text;
            this.declare(scope, el.name, 'import', { importFrom: { specifier: spec, imported } });
          }
        }
      } else if (ts.isImportEqualsDeclaration(s)) {
        if (s.isTypeOnly) continue;
        if (ts.isExternalModuleReference(s.moduleReference)) {
          const spec = stringValue(s.moduleReference.expression);
          if (spec !== undefined) {
            this.importSet.add(spec);
            this.declare(scope, s.name, 'import', { importFrom: { specifier: spec, imported: '*' } });
          }
        } else {
          this.declare(scope, s.name, 'const');
        }
      }
    }
  }

  /** `var` declarations anywhere in a function body (not inside nested functions). */
  private collectVars(stmts: readonly ts.Node[], fnScope: Scope): void {
    const visitStmt = (s: ts.Node | undefined): void => {
      if (!s) return;
      switch (s.kind) {
        case ts.SyntaxKind.VariableStatement: {
          const vs = s as ts.VariableStatement;
          if (hasModifier(vs, ts.SyntaxKind.DeclareKeyword)) return;
          visitList(vs.declarationList);
          return;
        }
        case ts.SyntaxKind.Block:
          (s as ts.Block).statements.forEach(visitStmt);
          return;
        case ts.SyntaxKind.IfStatement:
          visitStmt((s as ts.IfStatement).thenStatement);
          visitStmt((s as ts.IfStatement).elseStatement);
          return;
        case ts.SyntaxKind.ForStatement: {
          const f = s as ts.ForStatement;
          if (f.initializer && ts.isVariableDeclarationList(f.initializer)) visitList(f.initializer);
          visitStmt(f.statement);
          return;
        }
        case ts.SyntaxKind.ForInStatement:
        case ts.SyntaxKind.ForOfStatement: {
          const f = s as ts.ForInOrOfStatement;
          if (ts.isVariableDeclarationList(f.initializer)) visitList(f.initializer);
          visitStmt(f.statement);
          return;
        }
        case ts.SyntaxKind.WhileStatement:
        case ts.SyntaxKind.DoStatement:
        case ts.SyntaxKind.LabeledStatement:
        case ts.SyntaxKind.WithStatement:
          visitStmt((s as ts.WhileStatement).statement);
          return;
        case ts.SyntaxKind.TryStatement: {
          const t = s as ts.TryStatement;
          visitStmt(t.tryBlock);
          visitStmt(t.catchClause?.block);
          visitStmt(t.finallyBlock);
          return;
        }
        case ts.SyntaxKind.SwitchStatement:
          for (const c of (s as ts.SwitchStatement).caseBlock.clauses) c.statements.forEach(visitStmt);
          return;
        default:
          return;
      }
    };
    const visitList = (list: ts.VariableDeclarationList): void => {
      if (list.flags & ts.NodeFlags.BlockScoped) return;
      for (const d of list.declarations) this.declareVariable(fnScope, d, 'var');
    };
    stmts.forEach(visitStmt);
  }

  private createBindings(): void {
    for (const d of this.moduleScope.decls.values()) {
      const [kind, detail] = this.declValueKind(d);
      const b: Binding = {
        name: d.name,
        range: this.range(d.nameNode),
        kind,
        isConst: d.kind === 'const' || d.kind === 'import',
      };
      if (detail) b.detail = detail;
      if (d.importFrom) b.importFrom = d.importFrom;
      this.model.bindings.set(d.name, b);
    }
  }

  private declValueKind(d: Decl): [ValueKind, string?] {
    if (d.importFrom) return ['import'];
    switch (d.kind) {
      case 'function':
        return ['function'];
      case 'class':
        return ['class'];
      case 'enum':
        return ['constant', 'enum'];
      case 'import':
        return ['import'];
      case 'namespace':
        return ['unknown', 'namespace'];
      default:
        break;
    }
    if (d.pattern) return ['unknown'];
    if (!d.init) return ['empty'];
    return this.exprValueKind(d.init);
  }

  private exprValueKind(e0: ts.Expression): [ValueKind, string?] {
    const e = unwrap(e0);
    switch (e.kind) {
      case ts.SyntaxKind.NumericLiteral:
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.BigIntLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TrueKeyword:
      case ts.SyntaxKind.FalseKeyword:
      case ts.SyntaxKind.RegularExpressionLiteral:
        return ['constant'];
      case ts.SyntaxKind.NullKeyword:
      case ts.SyntaxKind.VoidExpression:
        return ['empty'];
      case ts.SyntaxKind.Identifier:
        return (e as ts.Identifier).text === 'undefined' && !this.lookup('undefined') ? ['empty'] : ['unknown'];
      case ts.SyntaxKind.PrefixUnaryExpression: {
        const inner = unwrap((e as ts.PrefixUnaryExpression).operand);
        return ts.isNumericLiteral(inner) || ts.isBigIntLiteral(inner) ? ['constant'] : ['unknown'];
      }
      case ts.SyntaxKind.ArrayLiteralExpression:
        return ['mutable', 'array'];
      case ts.SyntaxKind.ObjectLiteralExpression:
        return ['mutable', 'object'];
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
        return ['function'];
      case ts.SyntaxKind.ClassExpression:
        return ['class'];
      case ts.SyntaxKind.NewExpression: {
        const ne = e as ts.NewExpression;
        const c = this.creationOf(ne, this.moduleScope);
        if (c?.pool) return ['pool', c.pool === 'piscina' ? 'new Piscina' : 'new Tinypool'];
        const n = dottedName(ne.expression);
        if (n && MUTABLE_CTORS.has(n) && !this.lookup(n)) return ['mutable', `new ${n}`];
        return ['unknown', n ? `new ${n}` : undefined];
      }
      case ts.SyntaxKind.CallExpression: {
        const ce = e as ts.CallExpression;
        const n = dottedName(ce.expression);
        if (n === 'Object.freeze') return ['constant', 'Object.freeze'];
        const c = this.creationOf(ce, this.moduleScope);
        if (c?.pool) return ['pool', 'workerpool.pool'];
        if (n && /^(Array\.(from|of)|Array|Object\.(create|assign|fromEntries|entries|keys|values))$/.test(n))
          return ['mutable', n];
        return ['unknown', n];
      }
      default:
        return ['unknown'];
    }
  }

  // ----- lookup

  private lookup(name: string, from: Scope = this.scope): Decl | undefined {
    for (let s: Scope | undefined = from; s; s = s.parent) {
      const d = s.decls.get(name);
      if (d) return d;
    }
    return undefined;
  }

  /** lookup for a reference in code: also records free names of the enclosing functions */
  private lookupRef(name: string): Decl | undefined {
    const d = this.lookup(name);
    if (!d) return undefined;
    const depth = d.scope.depth;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i];
      if (f.depth <= depth) break;
      if (f.selfName !== name) f.free.add(name);
    }
    return d;
  }

  /** Resolve an expression to a well-known module symbol ('worker_threads.Worker', 'process', ...). */
  private sym(e0: ts.Expression, scope: Scope = this.scope, depth = 0): string | undefined {
    const e = unwrap(e0);
    if (depth > 4) return undefined;
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text, scope);
      if (!d) return e.text === 'process' ? 'process' : undefined;
      if (d.importFrom) {
        const mod = normModule(d.importFrom.specifier);
        if (!KNOWN_MODULES.has(mod)) return undefined;
        if (d.importFrom.imported === '*') return moduleObject(mod);
        if (d.importFrom.imported === 'default') return defaultOf(mod);
        return memberSym(moduleObject(mod), d.importFrom.imported);
      }
      if (d.init && !d.pattern && (d.kind === 'const' || d.kind === 'let' || d.kind === 'var'))
        return this.sym(d.init, d.scope, depth + 1);
      return undefined;
    }
    if (ts.isCallExpression(e)) {
      const spec = this.requireSpec(e, scope);
      if (spec !== undefined) {
        const mod = normModule(spec);
        return KNOWN_MODULES.has(mod) ? moduleObject(mod) : undefined;
      }
      return undefined;
    }
    if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.name)) {
      const base = this.sym(e.expression, scope, depth + 1);
      return base ? memberSym(base, e.name.text) : undefined;
    }
    return undefined;
  }

  /** `require('x')` with an unshadowed `require` → 'x' */
  private requireSpec(e: ts.CallExpression, scope: Scope = this.scope): string | undefined {
    const c = e.expression;
    if (ts.isIdentifier(c) && c.text === 'require' && e.arguments.length >= 1 && !this.lookup('require', scope)) {
      return stringValue(e.arguments[0]);
    }
    return undefined;
  }

  private creationOf(e0: ts.Expression, scope: Scope = this.scope): Creation | undefined {
    const e = unwrap(e0);
    if (ts.isNewExpression(e)) {
      const s = this.sym(e.expression, scope);
      if (s === 'piscina.Piscina') return { pool: 'piscina' };
      if (s === 'tinypool.Tinypool') return { pool: 'tinypool' };
      if (s === `${WT}.Worker`) return { proc: 'worker' };
    } else if (ts.isCallExpression(e)) {
      const s = this.sym(e.expression, scope);
      if (s === 'workerpool.pool') return { pool: 'workerpool' };
      if (s === 'child_process.fork' || s === 'cluster.fork') return { proc: 'child' };
    }
    return undefined;
  }

  // ----- exports

  private setExport(name: string, entry: ExportEntry): void {
    if (!this.model.exports.has(name)) this.model.exports.set(name, entry);
  }

  private addExportFn(fn: ts.Node, name: string): void {
    const list = this.exportFnNames.get(fn);
    if (list) {
      if (!list.includes(name)) list.push(name);
    } else {
      this.exportFnNames.set(fn, [name]);
    }
  }

  private collectEsmExports(stmts: readonly ts.Statement[]): void {
    for (const s of stmts) {
      if (ts.isExportDeclaration(s)) {
        if (s.isTypeOnly) continue;
        const spec = s.moduleSpecifier ? stringValue(s.moduleSpecifier) : undefined;
        if (spec !== undefined) this.importSet.add(spec);
        const clause = s.exportClause;
        if (!clause) {
          if (spec !== undefined) this.model.starExports.push(spec);
        } else if (ts.isNamespaceExport(clause)) {
          if (spec !== undefined) this.setExport(clause.name.text, { from: { specifier: spec, imported: '*' } });
        } else {
          for (const el of clause.elements) {
            if (el.isTypeOnly) continue;
            const exported = el.name.text;
            const local = (el.propertyName ?? el.name).text;
            if (spec !== undefined) this.setExport(exported, { from: { specifier: spec, imported: local } });
            else this.setExport(exported, { local });
          }
        }
        continue;
      }
      if (ts.isExportAssignment(s)) {
        const e = unwrap(s.expression);
        if (ts.isIdentifier(e) && this.moduleScope.decls.has(e.text)) this.setExport('default', { local: e.text });
        else {
          this.setExport('default', {});
          if (isFunctionExpr(e)) this.addExportFn(e, 'default');
        }
        continue;
      }
      if (!hasModifier(s, ts.SyntaxKind.ExportKeyword) || hasModifier(s, ts.SyntaxKind.DeclareKeyword)) continue;
      const isDefault = hasModifier(s, ts.SyntaxKind.DefaultKeyword);
      if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations)
          for (const id of boundNames(d.name)) this.setExport(id.text, { local: id.text });
      } else if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) {
        if (ts.isFunctionDeclaration(s) && !s.body) continue;
        const exported = isDefault ? 'default' : s.name?.text;
        if (!exported) continue;
        if (s.name) this.setExport(exported, { local: s.name.text });
        else {
          this.setExport(exported, {});
          if (ts.isFunctionDeclaration(s)) this.addExportFn(s, exported);
        }
      } else if (ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s)) {
        if (ts.isIdentifier(s.name)) this.setExport(s.name.text, { local: s.name.text });
      } else if (ts.isImportEqualsDeclaration(s)) {
        this.setExport(s.name.text, { local: s.name.text });
      }
    }
  }

  /** CommonJS `module.exports = ...`, `module.exports.x = ...`, `exports.x = ...` */
  private onCjsExport(left: ts.Expression, right0: ts.Expression): void {
    const right = unwrap(right0);
    if (this.isModuleExports(left)) {
      if (ts.isObjectLiteralExpression(right)) {
        this.exportObjectLiteral(right);
      } else if (ts.isIdentifier(right) && this.moduleScope.decls.has(right.text) && this.lookup(right.text) === this.moduleScope.decls.get(right.text)) {
        this.setExport('default', { local: right.text });
        const d = this.moduleScope.decls.get(right.text)!;
        if (d.init && ts.isObjectLiteralExpression(d.init)) this.exportObjectLiteral(d.init);
      } else if (ts.isCallExpression(right) && this.requireSpec(right) !== undefined) {
        const spec = this.requireSpec(right)!;
        this.model.starExports.push(spec);
        this.setExport('default', { from: { specifier: spec, imported: '*' } });
      } else {
        this.setExport('default', {});
        if (isFunctionExpr(right)) this.addExportFn(right, 'default');
      }
      return;
    }
    let name: string | undefined;
    const l = unwrap(left);
    if (ts.isPropertyAccessExpression(l) && this.isExportsObject(l.expression)) name = l.name.text;
    else if (ts.isElementAccessExpression(l) && this.isExportsObject(l.expression)) name = stringValue(l.argumentExpression);
    if (!name) return;
    this.exportValue(name, right);
  }

  private exportValue(name: string, value: ts.Expression): void {
    const v = unwrap(value);
    if (ts.isIdentifier(v) && this.moduleScope.decls.has(v.text) && this.lookup(v.text) === this.moduleScope.decls.get(v.text)) {
      this.setExport(name, { local: v.text });
    } else {
      this.setExport(name, {});
      if (isFunctionExpr(v)) {
        this.addExportFn(v, name);
        if (!this.moduleScope.decls.has(name)) this.exportFnBinding.set(v, name);
      }
    }
  }

  private exportObjectLiteral(obj: ts.ObjectLiteralExpression): void {
    for (const p of obj.properties) {
      if (ts.isPropertyAssignment(p)) {
        const k = propertyNameText(p.name);
        if (k) this.exportValue(k, p.initializer);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        this.exportValue(p.name.text, p.name);
      } else if (ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p)) {
        const k = propertyNameText(p.name);
        if (k) {
          this.setExport(k, {});
          if (ts.isMethodDeclaration(p)) this.addExportFn(p, k);
        }
      } else if (ts.isSpreadAssignment(p)) {
        const e = unwrap(p.expression);
        if (ts.isCallExpression(e)) {
          const spec = this.requireSpec(e);
          if (spec !== undefined) this.model.starExports.push(spec);
        }
      }
    }
  }

  private isModuleExports(e0: ts.Expression): boolean {
    const e = unwrap(e0);
    return (
      ts.isPropertyAccessExpression(e) &&
      e.name.text === 'exports' &&
      ts.isIdentifier(e.expression) &&
      e.expression.text === 'module' &&
      !this.lookup('module')
    );
  }

  private isExportsObject(e0: ts.Expression): boolean {
    const e = unwrap(e0);
    if (ts.isIdentifier(e)) return e.text === 'exports' && !this.lookup('exports');
    return this.isModuleExports(e);
  }

  // ----- walking

  private visitStatements(stmts: readonly ts.Statement[]): void {
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      if (this.unit.kind === 'module' && ts.isIfStatement(s) && !s.elseStatement && i + 1 < stmts.length) {
        const cls = this.classifyCond(s.expression);
        if (cls.else && exits(s.thenStatement)) {
          this.visit(s);
          const rest = stmts.slice(i + 1);
          const body = this.spanRange(rest[0].getStart(this.sf), rest[rest.length - 1].end);
          this.withBranch(cls.else, body, this.ifKeywordRange(s), () => {
            for (const r of rest) this.visit(r);
          });
          return;
        }
      }
      this.visit(s);
    }
  }

  private ifKeywordRange(s: ts.IfStatement): Range {
    const start = s.getStart(this.sf);
    return this.spanRange(start, start + 2);
  }

  private withBranch(kind: BranchKind, range: Range, nameRange: Range, f: () => void): void {
    const parent = this.unit;
    const ukind: UnitKind = kind === 'main' ? 'main-branch' : 'worker-branch';
    const u: Unit = {
      id: this.units.length,
      kind: ukind,
      name: kind === 'main' ? '<main>' : '<worker branch>',
      range,
      nameRange,
      parent: 0,
      params: [],
      accesses: [],
      calls: [],
      isNested: false,
    };
    this.units.push(u);
    this.unit = u;
    try {
      f();
    } finally {
      this.unit = parent;
    }
  }

  private classifyCond(e0: ts.Expression): CondClass {
    const e = unwrap(e0);
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
      const c = this.classifyCond(e.operand);
      return { then: c.else, else: c.then };
    }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
        const a = this.classifyCond(e.left);
        const b = this.classifyCond(e.right);
        if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
          const then = a.then && b.then && a.then !== b.then ? undefined : (a.then ?? b.then);
          const els = a.else && b.else && a.else === b.else ? a.else : undefined;
          return { then, else: els };
        }
        const then = a.then && b.then && a.then === b.then ? a.then : undefined;
        const els = a.else && b.else && a.else !== b.else ? undefined : (a.else ?? b.else);
        return { then, else: els };
      }
      const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
      const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
      if (eq || ne) {
        let subject = e.left;
        let other = unwrap(e.right);
        let c = this.leafCond(subject);
        if (!c) {
          subject = e.right;
          other = unwrap(e.left);
          c = this.leafCond(subject);
        }
        if (!c) return {};
        let truthy: boolean | undefined;
        if (other.kind === ts.SyntaxKind.TrueKeyword) truthy = true;
        else if (
          other.kind === ts.SyntaxKind.FalseKeyword ||
          other.kind === ts.SyntaxKind.NullKeyword ||
          ts.isVoidExpression(other) ||
          (ts.isIdentifier(other) && other.text === 'undefined')
        )
          truthy = false;
        if (truthy === undefined) return {};
        const positive = eq ? truthy : !truthy;
        return positive ? { then: c, else: invertKind(c) } : { then: invertKind(c), else: c };
      }
      return {};
    }
    const k = this.leafCond(e);
    return k ? { then: k, else: invertKind(k) } : {};
  }

  private leafCond(e: ts.Expression): BranchKind | undefined {
    const s = this.sym(e);
    switch (s) {
      case `${WT}.isMainThread`:
      case 'cluster.isPrimary':
      case 'cluster.isMaster':
        return 'main';
      case 'cluster.isWorker':
      case `${WT}.parentPort`:
      case `${WT}.workerData`:
      case 'cluster.worker':
      case 'process.send':
        return 'worker';
      default:
        return undefined;
    }
  }

  private visit = (node: ts.Node): void => {
    switch (ACT[node.kind]) {
      case Act.AIdentifier:
        this.onIdentifier(node as ts.Identifier);
        return;
      case Act.APropertyAccessExpression:
        this.visit((node as ts.PropertyAccessExpression).expression);
        return;
      case Act.AQualifiedName:
        return;
      case Act.AFunctionDeclaration:
        this.visitFunction(node as ts.FunctionLikeDeclaration);
        return;
      case Act.AClassDeclaration:
        this.visitClass(node as ts.ClassLikeDeclaration);
        return;
      case Act.ABlock:
        this.visitBlock(node as ts.Block);
        return;
      case Act.AModuleBlock: {
        const s = this.newScope();
        const stmts = (node as ts.ModuleBlock).statements;
        this.hoistLexical(stmts, s);
        this.collectVars(stmts, s);
        this.visitStatements(stmts);
        this.popScope(s);
        return;
      }
      case Act.AModuleDeclaration: {
        const m = node as ts.ModuleDeclaration;
        if (hasModifier(m, ts.SyntaxKind.DeclareKeyword) || !m.body || !ts.isIdentifier(m.name)) return;
        this.visit(m.body);
        return;
      }
      case Act.AVariableStatement:
        if (hasModifier(node, ts.SyntaxKind.DeclareKeyword)) return;
        this.visit((node as ts.VariableStatement).declarationList);
        return;
      case Act.AForStatement:
        this.visitFor(node as ts.ForStatement | ts.ForInOrOfStatement);
        return;
      case Act.ACatchClause: {
        const c = node as ts.CatchClause;
        const s = this.newScope();
        if (c.variableDeclaration) {
          for (const id of boundNames(c.variableDeclaration.name)) this.declare(s, id, 'catch');
          this.visitBindingDefaults(c.variableDeclaration.name);
        }
        this.visit(c.block);
        this.popScope(s);
        return;
      }
      case Act.ACaseBlock: {
        const cb = node as ts.CaseBlock;
        const s = this.newScope();
        for (const c of cb.clauses) this.hoistLexical(c.statements, s);
        for (const c of cb.clauses) {
          if (ts.isCaseClause(c)) this.visit(c.expression);
          this.visitStatements(c.statements);
        }
        this.popScope(s);
        return;
      }
      case Act.AIfStatement:
        this.visitIf(node as ts.IfStatement);
        return;
      case Act.AVariableDeclaration:
        this.visitVariableDeclaration(node as ts.VariableDeclaration);
        return;
      case Act.AParameter: {
        const p = node as ts.ParameterDeclaration;
        this.visitBindingDefaults(p.name);
        if (p.initializer) this.visit(p.initializer);
        return;
      }
      case Act.APropertyAssignment: {
        const p = node as ts.PropertyAssignment;
        if (ts.isComputedPropertyName(p.name)) this.visit(p.name.expression);
        this.visit(p.initializer);
        return;
      }
      case Act.AShorthandPropertyAssignment: {
        const p = node as ts.ShorthandPropertyAssignment;
        this.onIdentifier(p.name);
        if (p.objectAssignmentInitializer) this.visit(p.objectAssignmentInitializer);
        return;
      }
      case Act.AEnumDeclaration: {
        const en = node as ts.EnumDeclaration;
        if (hasModifier(en, ts.SyntaxKind.DeclareKeyword)) return;
        for (const m of en.members) if (m.initializer) this.visit(m.initializer);
        return;
      }
      case Act.ALabeledStatement:
        this.visit((node as ts.LabeledStatement).statement);
        return;
      case Act.AAsExpression:
        this.visit((node as ts.AsExpression).expression);
        return;
      case Act.AExpressionWithTypeArguments:
        this.visit((node as ts.ExpressionWithTypeArguments).expression);
        return;
      case Act.AHeritageClause: {
        const h = node as ts.HeritageClause;
        if (h.token === ts.SyntaxKind.ExtendsKeyword) for (const t of h.types) this.visit(t.expression);
        return;
      }
      case Act.ACallExpression:
        this.visitCall(node as ts.CallExpression);
        return;
      case Act.ANewExpression:
        this.visitNew(node as ts.NewExpression);
        return;
      case Act.ATaggedTemplateExpression: {
        const t = node as ts.TaggedTemplateExpression;
        this.visit(t.tag);
        this.visit(t.template);
        return;
      }
      case Act.ABinaryExpression:
        this.visitBinary(node as ts.BinaryExpression);
        return;
      case Act.AJsxOpeningElement: {
        const j = node as ts.JsxOpeningElement;
        const tag = j.tagName;
        if (ts.isIdentifier(tag)) {
          if (/^[A-Z_$]/.test(tag.text)) this.onIdentifier(tag);
        } else if (ts.isPropertyAccessExpression(tag)) {
          this.visit(tag);
        }
        this.visit(j.attributes);
        return;
      }
      case Act.AJsxAttribute: {
        const a = node as ts.JsxAttribute;
        if (a.initializer) this.visit(a.initializer);
        return;
      }
      case Act.AExportAssignment:
        this.visit((node as ts.ExportAssignment).expression);
        return;
      case Act.ADecorator:
        this.visit((node as ts.Decorator).expression);
        return;
      case Act.AType:
        return;
      default:
        ts.forEachChild(node, this.visit);
    }
  };

  private visitBlock(b: ts.Block): void {
    if (!hasLexicalDeclarations(b.statements)) {
      this.visitStatements(b.statements);
      return;
    }
    const s = this.newScope();
    this.hoistLexical(b.statements, s);
    this.visitStatements(b.statements);
    this.popScope(s);
  }

  private visitFor(f: ts.ForStatement | ts.ForInOrOfStatement): void {
    const init = f.initializer;
    let s: Scope | undefined;
    if (init && ts.isVariableDeclarationList(init) && init.flags & ts.NodeFlags.BlockScoped) {
      s = this.newScope();
      const kind: DeclKind = init.flags & ts.NodeFlags.Const ? 'const' : 'let';
      for (const d of init.declarations) this.declareVariable(s, d, kind);
    }
    if (init) this.visit(init);
    if (ts.isForStatement(f)) {
      if (f.condition) this.visit(f.condition);
      if (f.incrementor) this.visit(f.incrementor);
    } else {
      this.visit(f.expression);
    }
    this.visit(f.statement);
    if (s) this.popScope(s);
  }

  private visitBindingDefaults(name: ts.BindingName): void {
    if (ts.isIdentifier(name)) return;
    for (const el of name.elements) {
      if (!ts.isBindingElement(el)) continue;
      if (el.propertyName && ts.isComputedPropertyName(el.propertyName)) this.visit(el.propertyName.expression);
      this.visitBindingDefaults(el.name);
      if (el.initializer) this.visit(el.initializer);
    }
  }

  private visitVariableDeclaration(d: ts.VariableDeclaration): void {
    this.visitBindingDefaults(d.name);
    if (!d.initializer) return;
    if (ts.isIdentifier(d.name)) {
      const c = this.creationOf(d.initializer);
      if (c) {
        const decl = this.lookup(d.name.text);
        if (decl) {
          if (c.pool) decl.poolSystem = c.pool;
          if (c.proc) decl.proc = c.proc;
        }
      }
    }
    this.visit(d.initializer);
  }

  private visitIf(s: ts.IfStatement): void {
    if (this.unit.kind === 'module' && this.frames.length === 0) {
      const cls = this.classifyCond(s.expression);
      if (cls.then || cls.else) {
        this.visit(s.expression);
        const kw = this.ifKeywordRange(s);
        if (cls.then) this.withBranch(cls.then, this.range(s.thenStatement), kw, () => this.visit(s.thenStatement));
        else this.visit(s.thenStatement);
        const els = s.elseStatement;
        if (els) {
          if (cls.else) {
            const elseKw = this.text.lastIndexOf('else', els.getStart(this.sf));
            const nr = elseKw >= s.thenStatement.end ? this.spanRange(elseKw, elseKw + 4) : kw;
            this.withBranch(cls.else, this.range(els), nr, () => this.visit(els));
          } else {
            this.visit(els);
          }
        }
        return;
      }
    }
    ts.forEachChild(s, this.visit);
  }

  private visitBinary(b: ts.BinaryExpression): void {
    if (b.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = unwrap(b.left);
      if (looksLikeCjsExport(left)) this.onCjsExport(left, b.right);
      const c = this.creationOf(b.right);
      if (c) {
        if (ts.isIdentifier(left)) {
          const decl = this.lookup(left.text);
          if (decl) {
            if (c.pool) decl.poolSystem = c.pool;
            if (c.proc) decl.proc = c.proc;
          }
        } else if (ts.isPropertyAccessExpression(left)) {
          this.memberCreations.set(left.name.text, c);
        }
      }
    }
    this.visit(b.left);
    this.visit(b.right);
  }

  // ----- functions & classes

  private functionInfo(node: ts.FunctionLikeDeclaration): { name: string; nameNode?: ts.Node; contextual: boolean } {
    const clsName = (c: ts.Node): string | undefined => {
      if (!ts.isClassLike(c)) return undefined;
      if (c.name) return c.name.text;
      const t = climbWrappers(c);
      if (ts.isVariableDeclaration(t.parent) && ts.isIdentifier(t.parent.name)) return t.parent.name.text;
      return undefined;
    };
    const withClass = (c: ts.Node, n: string): string => {
      const cn = clsName(c);
      return cn ? `${cn}.${n}` : n;
    };
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) && node.name) {
      return { name: node.name.text, nameNode: node.name, contextual: true };
    }
    if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
      const k = propertyNameText(node.name) ?? '<computed>';
      return { name: withClass(node.parent, k), nameNode: node.name, contextual: true };
    }
    if (ts.isConstructorDeclaration(node)) {
      return { name: withClass(node.parent, 'constructor'), contextual: true };
    }
    if (ts.isFunctionDeclaration(node)) {
      // `export default function () {}`
      return { name: 'default', contextual: true };
    }
    const t = climbWrappers(node);
    const p = t.parent;
    if (ts.isVariableDeclaration(p) && p.initializer === t && ts.isIdentifier(p.name))
      return { name: p.name.text, nameNode: p.name, contextual: true };
    if (ts.isPropertyAssignment(p) && p.initializer === t) {
      const k = propertyNameText(p.name);
      if (k) return { name: k, nameNode: p.name, contextual: true };
    }
    if (ts.isPropertyDeclaration(p) && p.initializer === t) {
      const k = propertyNameText(p.name);
      if (k) return { name: withClass(p.parent, k), nameNode: p.name, contextual: true };
    }
    if (ts.isBinaryExpression(p) && p.right === t && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const l = unwrap(p.left);
      if (ts.isIdentifier(l)) return { name: l.text, nameNode: l, contextual: true };
      if (this.isModuleExports(l)) return { name: 'module.exports', nameNode: l, contextual: true };
      if (ts.isPropertyAccessExpression(l)) return { name: l.name.text, nameNode: l.name, contextual: true };
    }
    if (ts.isExportAssignment(p)) return { name: 'default', contextual: true };
    return { name: '<anonymous>', contextual: false };
  }

  private anonNameRange(node: ts.FunctionLikeDeclaration): Range {
    if (ts.isArrowFunction(node)) return this.range(node.equalsGreaterThanToken);
    const start = node.getStart(this.sf);
    const word = ts.isConstructorDeclaration(node) ? 'constructor' : 'function';
    const at = this.text.indexOf(word, start);
    const limit = node.body ? node.body.getStart(this.sf) : node.end;
    if (at >= 0 && at < limit) return this.spanRange(at, at + word.length);
    return this.spanRange(start, start);
  }

  private visitFunction(node: ts.FunctionLikeDeclaration): void {
    const decorators = ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined;
    if (decorators) for (const d of decorators) this.visit(d.expression);
    if (node.name && ts.isComputedPropertyName(node.name)) this.visit(node.name.expression);
    if (!node.body) return; // overload signature / abstract / declare

    const info = this.functionInfo(node);
    const parent = this.unit;
    const id = this.units.length;
    const unit: Unit = {
      id,
      kind: 'function',
      name: info.name,
      range: this.range(node),
      nameRange: info.nameNode ? this.range(info.nameNode) : this.anonNameRange(node),
      parent: parent.id,
      params: [],
      accesses: [],
      calls: [],
      isNested: this.frames.length > 0 || !info.contextual,
    };
    if (node.asteriskToken) unit.isGenerator = true;
    const exp = this.exportFnNames.get(node);
    if (exp) unit.exportedAs = [...exp];
    const expBinding = this.exportFnBinding.get(node);
    if (expBinding) unit.binding = expBinding;
    this.units.push(unit);
    this.fnUnit.set(node, id);

    const scope = this.newScope();
    let selfName: string | undefined;
    if (ts.isFunctionExpression(node) && node.name) {
      this.declare(scope, node.name, 'self', { fnNode: node });
      selfName = node.name.text;
    } else if (ts.isFunctionDeclaration(node) && node.name) {
      selfName = node.name.text;
    }
    for (const p of node.parameters) {
      for (const idn of boundNames(p.name)) {
        if (idn.text === 'this') continue;
        unit.params.push(idn.text);
        this.declare(scope, idn, 'param');
      }
    }
    const frame: Frame = { unitId: id, depth: scope.depth, free: new Set(), selfName };
    this.frames.push(frame);
    this.unit = unit;
    try {
      for (const p of node.parameters) this.visit(p);
      const body = node.body;
      if (ts.isBlock(body)) {
        this.hoistLexical(body.statements, scope);
        this.collectVars(body.statements, scope);
        this.visitStatements(body.statements);
      } else {
        this.visit(body);
      }
    } finally {
      this.unit = parent;
      this.frames.pop();
      this.popScope(scope);
    }
    this.freeNames.set(id, frame.free);
  }

  private visitClass(node: ts.ClassLikeDeclaration): void {
    const decorators = ts.getDecorators(node);
    if (decorators) for (const d of decorators) this.visit(d.expression);
    if (hasModifier(node, ts.SyntaxKind.DeclareKeyword)) return;
    for (const h of node.heritageClauses ?? []) this.visit(h);
    let s: Scope | undefined;
    if (ts.isClassExpression(node) && node.name) {
      s = this.newScope();
      this.declare(s, node.name, 'class', { classNode: node });
    }
    const methods: number[] = [];
    for (const m of node.members) {
      if (
        ts.isMethodDeclaration(m) ||
        ts.isGetAccessorDeclaration(m) ||
        ts.isSetAccessorDeclaration(m) ||
        ts.isConstructorDeclaration(m)
      ) {
        this.visitFunction(m);
        const id = this.fnUnit.get(m);
        if (id !== undefined) methods.push(id);
      } else if (ts.isPropertyDeclaration(m)) {
        const decs = ts.getDecorators(m);
        if (decs) for (const d of decs) this.visit(d.expression);
        if (ts.isComputedPropertyName(m.name)) this.visit(m.name.expression);
        if (m.initializer) {
          this.visit(m.initializer);
          const init = unwrap(m.initializer);
          const id = this.fnUnit.get(init);
          if (id !== undefined) methods.push(id);
        }
      } else if (ts.isClassStaticBlockDeclaration(m)) {
        this.visit(m.body);
      }
    }
    this.classMethods.set(node, methods);
    if (s) this.popScope(s);
  }

  // ----- references

  private onIdentifier(id: ts.Identifier): void {
    const name = id.text;
    const decl = this.lookupRef(name);
    if (!decl) return;
    if (decl.importFrom && normModule(decl.importFrom.specifier) === WT) {
      const imp = decl.importFrom.imported;
      if (imp === 'workerData') this.model.readsWorkerData = true;
      else if ((imp === '*' || imp === 'default') && ts.isPropertyAccessExpression(id.parent) && id.parent.expression === id && id.parent.name.text === 'workerData')
        this.model.readsWorkerData = true;
    } else if (!decl.isModule && decl.init && !decl.importFrom) {
      // local alias of workerData (e.g. `const { workerData } = require('worker_threads')` handled via importFrom)
    }
    if (!decl.isModule) return;

    const nsLike = !!decl.importFrom && (decl.importFrom.imported === '*' || decl.importFrom.imported === 'default');
    let refNode: ts.Expression = id;
    const ref: Ref = { name };
    const p = id.parent;
    if (nsLike && ts.isPropertyAccessExpression(p) && p.expression === id && ts.isIdentifier(p.name)) {
      refNode = p;
      ref.member = p.name.text;
    } else if (nsLike && ts.isElementAccessExpression(p) && p.expression === id) {
      const k = stringValue(p.argumentExpression);
      if (k !== undefined) {
        refNode = p;
        ref.member = k;
      }
    }
    const cls = this.classifyRef(refNode);
    const access: Access = {
      ref,
      kind: cls.kind,
      range: this.range(refNode),
      offset: refNode.getStart(this.sf),
    };
    if (cls.detail !== undefined) access.detail = cls.detail;
    if (cls.kind === 'read') {
      if (this.isLazyRead(cls.top, ref)) access.lazyInit = true;
    } else if (cls.lazyOp || this.isLazyWrite(cls.writeNode ?? cls.top, ref)) {
      access.lazyInit = true;
    }
    this.unit.accesses.push(access);

    // calls
    const top = cls.top;
    const tp = top.parent;
    if (
      ((ts.isCallExpression(tp) || ts.isNewExpression(tp)) && tp.expression === top) ||
      (ts.isTaggedTemplateExpression(tp) && tp.tag === top) ||
      ts.isDecorator(tp)
    ) {
      this.unit.calls.push({ callee: ref, range: this.range(tp), offset: tp.getStart(this.sf) });
    } else if ((ts.isCallExpression(tp) || ts.isNewExpression(tp)) && tp.arguments?.includes(top as ts.Expression)) {
      const b = this.model.bindings.get(name);
      const callee = unwrap(tp.expression);
      const calleeName = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      const isExec = calleeName === 'exec' && ts.isPropertyAccessExpression(callee);
      const isFn = b?.kind === 'function' || (b?.kind === 'import' && (!nsLike || !!ref.member) && CALLBACK_TAKERS.has(calleeName));
      if (isFn && !isExec) this.unit.calls.push({ callee: ref, range: this.range(top), offset: top.getStart(this.sf) });
    }
  }

  /** How the reference `refNode` (identifier or `ns.member`) is used. Purely syntactic. */
  private classifyRef(refNode: ts.Node): {
    kind: AccessKind;
    detail?: string;
    top: ts.Node;
    writeNode?: ts.Node;
    lazyOp?: boolean;
  } {
    const top = climbWrappers(refNode);
    const w = writeKindOf(top);
    if (w === 'assign' || w === 'update') {
      return { kind: w, top, writeNode: top, lazyOp: isLogicalAssign(top.parent) };
    }
    // member chain
    let cur: ts.Node = top;
    const path: string[] = [];
    let simple = true;
    for (;;) {
      const p = cur.parent;
      if (ts.isPropertyAccessExpression(p) && p.expression === cur) {
        path.push(p.name.text);
      } else if (ts.isElementAccessExpression(p) && p.expression === cur) {
        const arg = unwrap(p.argumentExpression);
        const k = stringValue(arg) ?? (ts.isNumericLiteral(arg) ? arg.text : ts.isIdentifier(arg) ? arg.text : undefined);
        if (k === undefined) simple = false;
        path.push(k ?? '[]');
      } else {
        break;
      }
      cur = climbWrappers(p);
    }
    if (path.length > 0) {
      const w2 = writeKindOf(cur);
      if (w2) {
        return {
          kind: 'item-assign',
          detail: simple ? path.join('.') : undefined,
          top,
          writeNode: cur,
          lazyOp: isLogicalAssign(cur.parent),
        };
      }
      const cp = cur.parent;
      const last = path[path.length - 1];
      if (ts.isCallExpression(cp) && cp.expression === cur && MUTATING.has(last)) {
        return { kind: 'mutate-call', detail: last, top, writeNode: cp };
      }
      return { kind: 'read', top };
    }
    const tp = top.parent;
    if (ts.isCallExpression(tp) && tp.arguments[0] === top) {
      const callee = dottedName(tp.expression);
      if (
        (callee === 'Object.assign' || callee === 'Object.defineProperty' || callee === 'Object.defineProperties') &&
        !this.lookup('Object')
      ) {
        return { kind: 'item-assign', top, writeNode: tp };
      }
    }
    return { kind: 'read', top };
  }

  // ----- lazy initialisation

  private refMatches(id: ts.Identifier, ref: Ref): ts.Node | undefined {
    if (id.text !== ref.name) return undefined;
    if (!ref.member) return id;
    const p = id.parent;
    if (ts.isPropertyAccessExpression(p) && p.expression === id && p.name.text === ref.member) return p;
    if (ts.isElementAccessExpression(p) && p.expression === id && stringValue(p.argumentExpression) === ref.member) return p;
    return undefined;
  }

  private scanRefs(root: ts.Node, ref: Ref, pred: (refNode: ts.Node) => boolean): boolean {
    let found = false;
    const walk = (n: ts.Node): void => {
      if (found) return;
      if (ts.isIdentifier(n)) {
        const r = this.refMatches(n, ref);
        if (r && pred(r)) found = true;
        return;
      }
      if (isFunctionNode(n) && n !== root) return;
      ts.forEachChild(n, walk);
    };
    walk(root);
    return found;
  }

  private mentions(root: ts.Node, ref: Ref): boolean {
    return this.scanRefs(root, ref, () => true);
  }

  private writes(root: ts.Node, ref: Ref): boolean {
    const key = ref.member ? `${ref.name}.${ref.member}` : ref.name;
    let m = this.lazyCache.get(root);
    const cached = m?.get(key);
    if (cached !== undefined) return cached;
    const r = this.scanRefs(root, ref, (n) => this.classifyRef(n).kind !== 'read');
    if (!m) this.lazyCache.set(root, (m = new Map()));
    m.set(key, r);
    return r;
  }

  private laterSiblingsWrite(s: ts.Statement, ref: Ref): boolean {
    const p = s.parent;
    const list: readonly ts.Statement[] | undefined =
      ts.isBlock(p) || ts.isSourceFile(p) || ts.isModuleBlock(p) || ts.isCaseClause(p) || ts.isDefaultClause(p) ? p.statements : undefined;
    if (!list) return false;
    const i = list.indexOf(s);
    for (let j = i + 1; j < list.length; j++) if (this.writes(list[j], ref)) return true;
    return false;
  }

  private isLazyRead(top: ts.Node, ref: Ref): boolean {
    let n = top;
    for (let guard = 0; guard < 64; guard++) {
      const p = n.parent;
      if (!p) return false;
      if (ts.isIfStatement(p)) {
        if (p.expression !== n) return false;
        return (
          this.writes(p.thenStatement, ref) ||
          (!!p.elseStatement && this.writes(p.elseStatement, ref)) ||
          (exits(p.thenStatement) && this.laterSiblingsWrite(p, ref))
        );
      }
      if (ts.isBinaryExpression(p) && p.left === n) {
        const op = p.operatorToken.kind;
        if ((op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) && this.writes(p.right, ref))
          return true;
      }
      if (ts.isConditionalExpression(p) && p.condition === n) {
        if (this.writes(p.whenTrue, ref) || this.writes(p.whenFalse, ref)) return true;
      }
      if (isStatementBoundary(p) || ts.isVariableStatement(p) || ts.isExpressionStatement(p) || ts.isReturnStatement(p))
        return false;
      n = p;
    }
    return false;
  }

  private isLazyWrite(w: ts.Node, ref: Ref): boolean {
    let n = w;
    for (let guard = 0; guard < 256; guard++) {
      const p = n.parent;
      if (!p || isFunctionNode(p) || ts.isSourceFile(p)) return false;
      if (ts.isBinaryExpression(p) && p.right === n) {
        const op = p.operatorToken.kind;
        if ((op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) && this.mentions(p.left, ref))
          return true;
      }
      if (ts.isIfStatement(p) && (p.thenStatement === n || p.elseStatement === n) && this.mentions(p.expression, ref))
        return true;
      if ((ts.isBlock(p) || ts.isCaseClause(p) || ts.isDefaultClause(p)) && ts.isIfStatement(n) === false) {
        const list = p.statements;
        const i = list.indexOf(n as ts.Statement);
        for (let j = i - 1; j >= 0; j--) {
          const s = list[j];
          if (ts.isIfStatement(s) && exits(s.thenStatement) && this.mentions(s.expression, ref)) return true;
        }
      }
      n = p;
    }
    return false;
  }

  // ----- calls, spawns, handlers, payloads

  private visitCall(call: ts.CallExpression): void {
    const callee = unwrap(call.expression);
    // imports
    if (callee.kind === ts.SyntaxKind.ImportKeyword) {
      const spec = stringValue(call.arguments[0]);
      if (spec !== undefined) this.importSet.add(spec);
    } else {
      const spec = this.requireSpec(call);
      if (spec !== undefined) {
        this.importSet.add(spec);
        if (normModule(spec) === WT) {
          const p = climbWrappers(call).parent;
          if (ts.isPropertyAccessExpression(p) && p.name.text === 'workerData') this.model.readsWorkerData = true;
        }
      }
    }

    const s = ts.isIdentifier(callee) || ts.isPropertyAccessExpression(callee) ? this.sym(callee) : undefined;
    if (s === 'child_process.fork') {
      this.addSpawn('child_process.fork', 'fork', call, call.arguments[0] ? this.modulePath(call.arguments[0]) : undefined);
    } else if (s === 'cluster.fork') {
      this.addSpawn('cluster', 'cluster.fork', call, 'self');
    } else if (s === 'workerpool.pool') {
      const site = this.addSpawn(
        'workerpool',
        'workerpool.pool',
        call,
        call.arguments[0] && !ts.isObjectLiteralExpression(unwrap(call.arguments[0])) ? this.modulePath(call.arguments[0]) : undefined,
      );
      const opts = call.arguments.find((a) => ts.isObjectLiteralExpression(unwrap(a)));
      if (opts) {
        const wd = this.findWorkerData(opts, 2);
        if (wd) {
          site.passesState = true;
          this.analyzePayload(wd, 'workerData');
        }
      }
    }

    let method: string | undefined;
    let recvExpr: ts.Expression | undefined;
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)) {
      method = callee.name.text;
      recvExpr = callee.expression;
    }

    // payloads known before visiting
    if (method === 'postMessage' || (ts.isIdentifier(callee) && callee.text === 'postMessage' && !this.lookup('postMessage'))) {
      if (call.arguments[0]) this.analyzePayload(call.arguments[0], 'postMessage');
    } else if (method === 'send' && recvExpr && call.arguments[0]) {
      const rs = this.sym(recvExpr);
      if (rs === 'process') this.analyzePayload(call.arguments[0], 'process.send');
      else {
        const payloads: Payload[] = [];
        this.analyzePayload(call.arguments[0], 'process.send', undefined, undefined, payloads);
        if (payloads.length) this.pendingSends.push({ recv: this.recvKey(recvExpr), payloads });
      }
    }

    // visit children
    this.visit(call.expression);
    for (const a of call.arguments) this.visit(a);

    // handlers
    if (
      method &&
      recvExpr &&
      (method === 'on' || method === 'once' || method === 'addListener' || method === 'prependListener' || method === 'addEventListener') &&
      stringValue(call.arguments[0]) === 'message' &&
      call.arguments[1]
    ) {
      const rs = this.sym(recvExpr);
      if (rs === `${WT}.parentPort` || rs === 'process' || rs === 'cluster.worker') {
        const fn = this.functionNodeOf(call.arguments[1]);
        if (fn) this.pendingHandlers.push(fn);
      }
    }
    if (s === 'workerpool.worker' && call.arguments[0]) {
      let obj = unwrap(call.arguments[0]);
      if (ts.isIdentifier(obj)) {
        const d = this.lookup(obj.text);
        if (d?.init) obj = d.init;
      }
      if (ts.isObjectLiteralExpression(obj)) {
        for (const p of obj.properties) {
          let fn: ts.Node | undefined;
          if (ts.isMethodDeclaration(p)) fn = p;
          else if (ts.isPropertyAssignment(p)) fn = this.functionNodeOf(p.initializer);
          else if (ts.isShorthandPropertyAssignment(p)) fn = this.functionNodeOf(p.name);
          if (fn) this.pendingHandlers.push(fn);
        }
      }
    }
    // pool submissions
    if ((method === 'run' || method === 'exec') && recvExpr) {
      const pc: PendingPoolCall = { recv: this.recvKey(recvExpr), method, payloads: [] };
      const a0 = call.arguments[0];
      if (method === 'run') {
        if (a0) this.analyzePayload(a0, 'piscina.run', undefined, undefined, pc.payloads);
      } else if (a0) {
        const fn = this.functionNodeOf(a0);
        if (fn) {
          const u = unwrap(a0);
          pc.execFn = {
            fn,
            range: this.range(a0),
            symbol: ts.isIdentifier(u) ? u.text : this.functionInfo(fn).name,
            inline: isFunctionExpr(u),
          };
        }
        if (call.arguments[1]) this.analyzePayload(call.arguments[1], 'pool.exec', undefined, undefined, pc.payloads);
      }
      if (pc.execFn || pc.payloads.length) this.pendingPoolCalls.push(pc);
    }
  }

  private visitNew(ne: ts.NewExpression): void {
    const s = this.sym(ne.expression);
    const args = ne.arguments ?? [];
    if (s === `${WT}.Worker`) {
      const site = this.addSpawn('worker_threads', 'new Worker', ne, args[0] ? this.modulePath(args[0]) : undefined);
      if (args[1]) {
        const wd = this.findWorkerData(args[1], 1);
        if (wd) {
          site.passesState = true;
          this.analyzePayload(wd, 'workerData');
        }
      }
    } else if (s === 'piscina.Piscina' || s === 'tinypool.Tinypool') {
      const system: SystemKind = s === 'piscina.Piscina' ? 'piscina' : 'tinypool';
      const site = this.addSpawn(system, system === 'piscina' ? 'new Piscina' : 'new Tinypool', ne, undefined);
      if (args[0]) {
        const opts = this.objectLiteralOf(args[0]);
        if (opts) {
          const fname = this.propValue(opts, 'filename');
          if (fname) site.workerModule = this.modulePath(fname);
          const wd = this.propValue(opts, 'workerData');
          if (wd) {
            site.passesState = true;
            this.analyzePayload(wd, 'workerData');
          }
        } else {
          // piscina also accepts (filename) in older versions
          site.workerModule = this.modulePath(args[0]);
        }
      }
    }
    this.visit(ne.expression);
    for (const a of args) this.visit(a);
  }

  private addSpawn(system: SystemKind, label: string, node: ts.Node, workerModule: string | undefined): SpawnSite {
    const site: SpawnSite = {
      system,
      unit: this.unit.id,
      range: this.range(node),
      offset: node.getStart(this.sf),
      label,
      isProcess: true,
      tasks: [],
      initializers: [],
    };
    if (workerModule !== undefined) site.workerModule = workerModule;
    this.model.spawns.push(site);
    return site;
  }

  private objectLiteralOf(e0: ts.Expression, depth = 0): ts.ObjectLiteralExpression | undefined {
    const e = unwrap(e0);
    if (ts.isObjectLiteralExpression(e)) return e;
    if (ts.isIdentifier(e) && depth < 2) {
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern) return this.objectLiteralOf(d.init, depth + 1);
    }
    return undefined;
  }

  private propValue(obj: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
    for (const p of obj.properties) {
      if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === key) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p) && p.name.text === key) return p.name;
    }
    return undefined;
  }

  private findWorkerData(opts0: ts.Expression, depth: number): ts.Expression | undefined {
    const opts = this.objectLiteralOf(opts0);
    if (!opts) return undefined;
    const direct = this.propValue(opts, 'workerData');
    if (direct) return direct;
    if (depth > 1) {
      for (const p of opts.properties) {
        if (ts.isPropertyAssignment(p)) {
          const inner = this.findWorkerData(p.initializer, depth - 1);
          if (inner) return inner;
        }
      }
    }
    return undefined;
  }

  private functionNodeOf(e0: ts.Expression): ts.FunctionLikeDeclaration | undefined {
    let e = unwrap(e0);
    // handler.bind(x)
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind') {
      e = unwrap(e.expression.expression);
    }
    if (isFunctionExpr(e)) return e;
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      return d?.fnNode;
    }
    return undefined;
  }

  private recvKey(e0: ts.Expression): RecvKey {
    const e = unwrap(e0);
    const direct = this.creationOf(e);
    if (direct) return { direct };
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      return d && !d.importFrom ? { decl: d } : { unknown: true };
    }
    if (ts.isPropertyAccessExpression(e)) return { member: e.name.text };
    return { unknown: true };
  }

  private recvCreation(k: RecvKey): Creation | undefined {
    if (k.direct) return k.direct;
    if (k.decl) {
      if (k.decl.poolSystem || k.decl.proc) return { pool: k.decl.poolSystem, proc: k.decl.proc };
      return undefined;
    }
    if (k.member) return this.memberCreations.get(k.member);
    return undefined;
  }

  /** The worker/child module as written, 'self', or undefined. */
  private modulePath(e0: ts.Expression, depth = 0): string | undefined {
    const e = unwrap(e0);
    if (depth > 4) return undefined;
    const lit = stringValue(e);
    if (lit !== undefined) return lit;
    if (this.isSelf(e, depth)) return 'self';
    if (ts.isPropertyAccessExpression(e) && (e.name.text === 'href' || e.name.text === 'pathname')) {
      const inner = unwrap(e.expression);
      return ts.isNewExpression(inner) ? this.modulePath(inner, depth + 1) : undefined;
    }
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern) return this.modulePath(d.init, depth + 1);
      return undefined;
    }
    if (ts.isNewExpression(e)) {
      const c = dottedName(e.expression);
      const args = e.arguments ?? [];
      if ((c === 'URL' || c?.endsWith('.URL')) && args.length >= 1) {
        const first = stringValue(unwrap(args[0]));
        if (first !== undefined) return args.length >= 2 ? first : first;
      }
      return undefined;
    }
    if (ts.isCallExpression(e)) {
      const name = dottedName(e.expression);
      // `require('node:path').join(...)`: no dotted name, but the method name is what matters
      const callee = unwrap(e.expression);
      const last = name?.split('.').pop() ?? (ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined);
      if (last === 'fileURLToPath' || last === 'pathToFileURL' || name === 'require.resolve') {
        return e.arguments[0] ? this.modulePath(e.arguments[0], depth + 1) : undefined;
      }
      if ((last === 'join' || last === 'resolve') && e.arguments.length >= 1) {
        const parts: string[] = [];
        e.arguments.forEach((a, i) => {
          const v = unwrap(a);
          if (i === 0 && this.isDirname(v, depth)) return;
          const s = stringValue(v);
          parts.push(s ?? '\0');
        });
        if (parts.includes('\0') || parts.length === 0) return undefined;
        return relPath(...parts);
      }
      return undefined;
    }
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const r = stringValue(unwrap(e.right));
      if (r !== undefined && this.isDirname(unwrap(e.left), depth)) return relPath(r.replace(/^[/\\]+/, ''));
      return undefined;
    }
    if (ts.isTemplateExpression(e)) {
      if (e.head.text === '' && e.templateSpans.length === 1 && this.isDirname(unwrap(e.templateSpans[0].expression), depth))
        return relPath(e.templateSpans[0].literal.text.replace(/^[/\\]+/, ''));
      return undefined;
    }
    return undefined;
  }

  private isSelf(e: ts.Expression, depth: number): boolean {
    if (ts.isIdentifier(e)) {
      if (e.text === '__filename' && !this.lookup('__filename')) return true;
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern && depth < 4) return this.isSelf(unwrap(d.init), depth + 1);
      return false;
    }
    if (isImportMeta(e, 'url') || isImportMeta(e, 'filename')) return true;
    if (ts.isNewExpression(e)) {
      const c = dottedName(e.expression);
      const args = e.arguments ?? [];
      return (c === 'URL' || !!c?.endsWith('.URL')) && args.length === 1 && this.isSelf(unwrap(args[0]), depth + 1);
    }
    if (ts.isCallExpression(e)) {
      const last = dottedName(e.expression)?.split('.').pop();
      if ((last === 'fileURLToPath' || last === 'pathToFileURL') && e.arguments[0]) return this.isSelf(unwrap(e.arguments[0]), depth + 1);
      return false;
    }
    if (ts.isElementAccessExpression(e)) {
      const n = dottedName(e.expression);
      const arg = unwrap(e.argumentExpression);
      return n === 'process.argv' && ts.isNumericLiteral(arg) && arg.text === '1';
    }
    return false;
  }

  private isDirname(e: ts.Expression, depth: number): boolean {
    if (ts.isIdentifier(e)) {
      if (e.text === '__dirname' && !this.lookup('__dirname')) return true;
      const d = this.lookup(e.text);
      if (d?.init && !d.pattern && depth < 4) return this.isDirname(unwrap(d.init), depth + 1);
      return false;
    }
    if (isImportMeta(e, 'dirname')) return true;
    if (ts.isCallExpression(e)) {
      const last = dottedName(e.expression)?.split('.').pop();
      if (last === 'dirname' && e.arguments[0]) return this.isSelf(unwrap(e.arguments[0]), depth + 1);
      if ((last === 'fileURLToPath') && e.arguments[0]) {
        // fileURLToPath(new URL('.', import.meta.url))
        const a = unwrap(e.arguments[0]);
        if (ts.isNewExpression(a) && a.arguments && a.arguments.length === 2 && /^\.\/?$/.test(stringValue(unwrap(a.arguments[0])) ?? 'x'))
          return true;
      }
    }
    return false;
  }

  /**
   * Find unsendable values in a payload expression. `siteRange`/`siteSymbol` override
   * range and symbol when the value was reached through an identifier's initializer.
   */
  private analyzePayload(
    e0: ts.Expression,
    channel: string,
    hint?: string,
    site?: { range: Range; symbol: string },
    out: Payload[] = this.model.payloads,
    depth = 0,
  ): void {
    if (depth > 8) return;
    const e = unwrap(e0);
    const add = (what: Payload['what'], symbol: string): void => {
      out.push({ range: site?.range ?? this.range(e), symbol: site?.symbol ?? symbol, what, channel });
    };
    if (isFunctionExpr(e)) {
      add('function', hint ?? (ts.isFunctionExpression(e) && e.name ? e.name.text : '<anonymous>'));
      return;
    }
    if (ts.isClassExpression(e)) {
      add('function', hint ?? e.name?.text ?? '<class>');
      return;
    }
    if (ts.isObjectLiteralExpression(e)) {
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p)) {
          this.analyzePayload(p.initializer, channel, propertyNameText(p.name) ?? hint, site, out, depth + 1);
        } else if (ts.isShorthandPropertyAssignment(p)) {
          this.analyzePayload(p.name, channel, p.name.text, site, out, depth + 1);
        } else if (ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) {
          if (ts.isMethodDeclaration(p)) {
            out.push({
              range: site?.range ?? this.range(p),
              symbol: site?.symbol ?? propertyNameText(p.name) ?? '<method>',
              what: 'function',
              channel,
            });
          }
        } else if (ts.isSpreadAssignment(p)) {
          this.analyzePayload(p.expression, channel, hint, site, out, depth + 1);
        }
      }
      return;
    }
    if (ts.isArrayLiteralExpression(e)) {
      for (const el of e.elements) {
        this.analyzePayload(ts.isSpreadElement(el) ? el.expression : el, channel, hint, site, out, depth + 1);
      }
      return;
    }
    if (ts.isCallExpression(e)) {
      const n = dottedName(e.expression);
      if ((n === 'Symbol' || n === 'Symbol.for') && !this.lookup('Symbol')) {
        add('symbol', hint ?? n);
        return;
      }
      if (n?.startsWith('Promise.') && !this.lookup('Promise')) {
        add('promise', hint ?? n);
        return;
      }
      if (n && ts.isIdentifier(unwrap(e.expression))) {
        const d = this.lookup(n);
        if (d?.isAsync) add('promise', hint ?? `${n}()`);
      }
      return;
    }
    if (ts.isNewExpression(e)) {
      const n = dottedName(e.expression);
      if (!n) return;
      if (n === 'Promise' && !this.lookup('Promise')) {
        add('promise', hint ?? 'Promise');
        return;
      }
      if ((n === 'WeakMap' || n === 'WeakSet' || n === 'WeakRef') && !this.lookup(n)) {
        add('weakmap', hint ?? n);
        return;
      }
      const rootName = n.split('.')[0];
      const last = n.split('.').pop()!;
      const d = this.lookup(rootName);
      if (!d || CLONE_SAFE.has(last)) return;
      if (d.kind === 'class' || d.importFrom || (d.classNode && n === rootName)) add('class-instance', hint ?? n);
      return;
    }
    if (ts.isAwaitExpression(e)) return;
    if (ts.isIdentifier(e) && depth < 6) {
      const d = this.lookup(e.text);
      if (!d) return;
      const s = site ?? { range: this.range(e), symbol: e.text };
      if (d.kind === 'function' || d.kind === 'self') {
        out.push({ range: s.range, symbol: s.symbol, what: 'function', channel });
        return;
      }
      if (d.kind === 'class') {
        out.push({ range: s.range, symbol: s.symbol, what: 'function', channel });
        return;
      }
      if (d.init && !d.pattern && !d.importFrom) this.analyzePayload(d.init, channel, e.text, s, out, depth + 3);
    }
  }

  // ----- finishing

  private finish(): void {
    // module-level function/class bindings → units
    for (const d of this.moduleScope.decls.values()) {
      const b = this.model.bindings.get(d.name);
      if (!b) continue;
      if (d.fnNode) {
        const id = this.fnUnit.get(d.fnNode);
        if (id !== undefined) {
          b.unit = id;
          const u = this.units[id];
          if (!u.binding || !this.moduleScope.decls.has(u.binding)) u.binding = d.name;
        }
      }
      if (d.classNode) {
        const m = this.classMethods.get(d.classNode);
        if (m) b.methods = m;
      }
      if (d.kind === 'const' || d.kind === 'let' || d.kind === 'var') {
        if (d.poolSystem && b.kind === 'unknown') b.kind = 'pool';
      }
    }
    // exported units
    for (const [exported, entry] of this.model.exports) {
      if (!entry.local) continue;
      const d = this.moduleScope.decls.get(entry.local);
      const id = d?.fnNode ? this.fnUnit.get(d.fnNode) : undefined;
      if (id === undefined) continue;
      const u = this.units[id];
      u.exportedAs = u.exportedAs ?? [];
      if (!u.exportedAs.includes(exported)) u.exportedAs.push(exported);
    }
    // handlers
    const handlers = new Set<number>();
    for (const fn of this.pendingHandlers) {
      const id = this.fnUnit.get(fn);
      if (id !== undefined) handlers.add(id);
    }
    this.model.workerHandlers = Array.from(handlers);
    // sends on child processes
    for (const ps of this.pendingSends) {
      if (this.recvCreation(ps.recv)?.proc === 'child') this.model.payloads.push(...ps.payloads);
    }
    // pool submissions
    for (const pc of this.pendingPoolCalls) {
      const c = this.recvCreation(pc.recv);
      if (pc.method === 'run') {
        if (c?.pool === 'piscina' || c?.pool === 'tinypool') {
          for (const p of pc.payloads) this.model.payloads.push({ ...p, channel: c.pool === 'tinypool' ? 'tinypool.run' : 'piscina.run' });
        }
        continue;
      }
      const isPool = c?.pool === 'workerpool' || (!c && (pc.recv.unknown || pc.recv.member !== undefined) && !!pc.execFn?.inline);
      if (!isPool) continue;
      this.model.payloads.push(...pc.payloads);
      if (pc.execFn) {
        const id = this.fnUnit.get(pc.execFn.fn);
        const free = id !== undefined ? this.freeNames.get(id) : undefined;
        if (id !== undefined && free && free.size > 0) {
          this.model.payloads.push({
            range: pc.execFn.range,
            symbol: pc.execFn.symbol,
            what: 'closure',
            channel: 'pool.exec',
            freeNames: Array.from(free),
            unit: id,
          });
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// scope-free helpers

function relPath(...parts: string[]): string {
  const joined = nodePath.posix.join(...parts.map((p) => p.replace(/\\/g, '/')));
  if (nodePath.posix.isAbsolute(joined)) return joined;
  return joined.startsWith('.') ? joined : `./${joined}`;
}

/** `require('x')` → '*', `require('x').y` → 'y', `await import('x')` → '*' */
function requireImport(init: ts.Expression): ImportFrom | undefined {
  const e = unwrap(init);
  const specOf = (c: ts.Expression): string | undefined => {
    const u = unwrap(c);
    if (ts.isCallExpression(u) && ts.isIdentifier(u.expression) && u.expression.text === 'require' && u.arguments.length >= 1)
      return stringValue(u.arguments[0]);
    if (ts.isAwaitExpression(u)) {
      const inner = unwrap(u.expression);
      if (ts.isCallExpression(inner) && inner.expression.kind === ts.SyntaxKind.ImportKeyword) return stringValue(inner.arguments[0]);
    }
    return undefined;
  };
  const whole = specOf(e);
  if (whole !== undefined) return { specifier: whole, imported: '*' };
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.name)) {
    const spec = specOf(e.expression);
    if (spec !== undefined) return { specifier: spec, imported: e.name.text };
  }
  return undefined;
}

/** Is `t` (already climbed through wrappers) written by its parent? */
function writeKindOf(t: ts.Node): 'assign' | 'update' | 'delete' | undefined {
  const p = t.parent;
  if (!p) return undefined;
  if (ts.isBinaryExpression(p) && p.left === t && isAssignmentOperator(p.operatorToken.kind)) {
    return p.operatorToken.kind === ts.SyntaxKind.EqualsToken ? 'assign' : 'update';
  }
  if (
    (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) &&
    (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)
  ) {
    return 'update';
  }
  if (ts.isDeleteExpression(p)) return 'delete';
  if ((ts.isForInStatement(p) || ts.isForOfStatement(p)) && p.initializer === t) return 'assign';
  if (isDestructuringTarget(t)) return 'assign';
  return undefined;
}

function isDestructuringTarget(t: ts.Node): boolean {
  let n: ts.Node = t;
  let climbed = false;
  for (let guard = 0; guard < 64; guard++) {
    const p = n.parent;
    if (!p) return false;
    if (ts.isArrayLiteralExpression(p)) {
      n = p;
      climbed = true;
    } else if (ts.isSpreadElement(p)) {
      n = p;
    } else if (ts.isSpreadAssignment(p) || (ts.isShorthandPropertyAssignment(p) && p.name === n)) {
      n = p.parent;
      climbed = true;
    } else if (ts.isPropertyAssignment(p) && p.initializer === n) {
      n = p.parent;
      climbed = true;
    } else if (ts.isParenthesizedExpression(p) && climbed) {
      n = p;
    } else if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      return climbed;
    } else if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer === n) {
      return climbed;
    } else {
      return false;
    }
  }
  return false;
}

function hasLexicalDeclarations(stmts: readonly ts.Statement[]): boolean {
  for (const s of stmts) {
    switch (s.kind) {
      case ts.SyntaxKind.VariableStatement:
        if ((s as ts.VariableStatement).declarationList.flags & ts.NodeFlags.BlockScoped) return true;
        break;
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.ClassDeclaration:
      case ts.SyntaxKind.EnumDeclaration:
      case ts.SyntaxKind.ModuleDeclaration:
        return true;
      default:
        break;
    }
  }
  return false;
}

/** `module.exports`, `module.exports.x`, `exports.x`, `exports['x']` (scope checked later) */
function looksLikeCjsExport(left: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(left) && !ts.isElementAccessExpression(left)) return false;
  const base = unwrap(left.expression);
  if (ts.isIdentifier(base)) return base.text === 'exports' || (base.text === 'module' && ts.isPropertyAccessExpression(left) && left.name.text === 'exports');
  return ts.isPropertyAccessExpression(base) && base.name.text === 'exports' && ts.isIdentifier(base.expression) && base.expression.text === 'module';
}

function isLogicalAssign(p: ts.Node | undefined): boolean {
  if (!p || !ts.isBinaryExpression(p)) return false;
  const k = p.operatorToken.kind;
  return k === ts.SyntaxKind.QuestionQuestionEqualsToken || k === ts.SyntaxKind.BarBarEqualsToken;
}
