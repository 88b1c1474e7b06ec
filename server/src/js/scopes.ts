/**
 * Scopes and declarations of one JS/TS file: the scope chain, what each name is declared
 * as (and its initializer), module-level bindings with their value kinds, and the
 * resolution of expressions to well-known module symbols ('worker_threads.Worker',
 * 'cluster.fork', ...). The base of the front end's class chain (see frontend.ts).
 */
import ts from 'typescript';
import type { ImportFrom, ModuleModel, Payload, Range, SystemKind, Unit, ValueKind } from '../engine/model';
import { newBinding } from './records';
import { dottedName, hasModifier, isFunctionExpr, isFunctionNode, propertyNameText, stringValue, unwrap } from './syntax';
import { selfPackageName } from './package-self';
import { MUTABLE_CTORS, normModule } from './known-names';
import type { JsStart } from '../frameworks/js/types';
import { KNOWN_MODULES, createdBy, startOf, creationOfType, defaultOf, memberSym, moduleObject, poolCallLabel, GLOBAL_SYMBOLS, workerImportOf } from '../frameworks/js';
import { lineOf } from '../shared/lines';

export type DeclKind =
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

export interface Scope {
  decls: Map<string, Decl>;
  parent: Scope | undefined;
  depth: number;
}

export interface Decl {
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
  /** a poolifier cluster pool: messages travel over the cluster IPC channel (JSON) */
  poolCluster?: boolean;
  proc?: 'child' | 'worker';
}

export interface Frame {
  unitId: number;
  depth: number;
  free: Set<string>;
  selfName?: string;
}

export interface RecvKey {
  decl?: Decl;
  member?: string;
  direct?: Creation;
  unknown?: boolean;
}

export interface Creation {
  pool?: SystemKind;
  cluster?: boolean;
  proc?: 'child' | 'worker';
  /** the start's label ('new Piscina'), when made directly by one */
  label?: string;
}

export interface PendingPoolCall {
  recv: RecvKey;
  method: string;
  payloads: Payload[];
  execFn?: { fn: ts.FunctionLikeDeclaration; range: Range; symbol: string; inline: boolean };
  /** start offset of the call */
  at: number;
}

export abstract class ScopeModel {
  protected readonly units: Unit[];
  protected readonly moduleScope: Scope;
  protected scope: Scope;
  protected unit: Unit;
  protected readonly frames: Frame[] = [];
  protected readonly fnUnit = new Map<ts.Node, number>();
  protected readonly freeNames = new Map<number, Set<string>>();
  protected readonly classMethods = new Map<ts.Node, number[]>();
  /** function nodes exported under names (CJS exports, anonymous default exports) */
  protected readonly exportFnNames = new Map<ts.Node, string[]>();
  protected readonly exportFnBinding = new Map<ts.Node, string>();
  protected readonly pendingHandlers: ts.Node[] = [];
  protected readonly pendingPoolCalls: PendingPoolCall[] = [];
  protected readonly pendingSends: { recv: RecvKey; payloads: Payload[] }[] = [];
  protected readonly memberCreations = new Map<string, Creation>();
  protected readonly importSet = new Set<string>();
  /**
   * TypeScript: relative imports TS drops from its output when none of their names is used
   * as a value (`import { Job } from './worker'` with `Job` only in types): specifier → the
   * local names; see JsFrontend.elideTypeOnlyImports.
   */
  protected readonly elidable = new Map<string, string[]>();
  /** specifiers also imported in a form TS keeps (`import './x'`, `export ... from`, `require`) */
  protected readonly keptImports = new Set<string>();
  /** module-level import names read as values (not only in types) */
  protected readonly valueImportNames = new Set<string>();
  /** `this.x = <init>` / class field `x = <init>`: the initializer per member name (which class an instance is of) */
  protected readonly memberInits = new Map<string, ts.Expression>();
  /** env keys (→ literal values) / argv strings this file's forks and Workers give their children */
  protected readonly childEnv = new Map<string, Set<string>>();
  protected readonly childArgs = new Set<string>();
  /** specifiers required in main branches / functions, and at load time (see ModuleModel.deferredImports) */
  protected readonly deferredRequires = new Set<string>();
  protected readonly eagerRequires = new Set<string>();
  /** `w.on('exit', fn)` registrations, resolved against what `w` is at the end */
  protected readonly pendingExitHandlers: { recv: RecvKey | 'cluster'; fn: ts.FunctionLikeDeclaration; at: number }[] = [];
  private readonly selfNames = new Map<string, string>();
  protected readonly lazyCache = new Map<ts.Node, Map<string, boolean>>();
  private readonly lineStarts: readonly number[];
  private lastLine = 0;
  private startNode: ts.Node | undefined = undefined;
  private startPos = 0;

  constructor(
    protected readonly sf: ts.SourceFile,
    protected readonly text: string,
    protected readonly model: ModuleModel,
  ) {
    this.lineStarts = sf.getLineStarts();
    this.units = model.units;
    this.unit = this.units[0];
    this.moduleScope = { decls: new Map(), parent: undefined, depth: 0 };
    this.scope = this.moduleScope;
  }

  // ----- positions

  /**
   * `sf.getLineAndCharacterOfPosition(p)`, from the last line found: the walk asks for
   * positions mostly in order, so the answer is usually on that line or the next, and the
   * binary search is for the rest.
   */
  protected pos(p: number): ts.LineAndCharacter {
    const starts = this.lineStarts;
    let l = this.lastLine;
    if (!(starts[l] <= p && (l + 1 === starts.length || p < starts[l + 1]))) {
      l++;
      if (!(l < starts.length && starts[l] <= p && (l + 1 === starts.length || p < starts[l + 1]))) l = lineOf(starts, p);
      this.lastLine = l;
    }
    return { line: l, character: p - starts[l] };
  }

  /** `n.getStart(sf)` (which skips the trivia before the node), remembered for the last node asked: a range and an offset ask twice. */
  protected nodeStart(n: ts.Node): number {
    if (n !== this.startNode) {
      this.startNode = n;
      this.startPos = n.getStart(this.sf);
    }
    return this.startPos;
  }

  protected range(n: ts.Node): Range {
    return { start: this.pos(this.nodeStart(n)), end: this.pos(n.end) };
  }

  protected spanRange(start: number, end: number): Range {
    return { start: this.pos(start), end: this.pos(end) };
  }

  // ----- declarations

  protected newScope(): Scope {
    const s: Scope = { decls: new Map(), parent: this.scope, depth: this.scope.depth + 1 };
    this.scope = s;
    return s;
  }

  protected popScope(s: Scope): void {
    this.scope = s.parent ?? this.moduleScope;
  }

  protected declare(scope: Scope, nameNode: ts.Identifier, kind: DeclKind, extra?: Partial<Decl>): Decl {
    const name = nameNode.text;
    const existing = scope.decls.get(name);
    if (existing) {
      // keep the first declaration; a function implementation replaces an overload signature
      if (extra?.fnNode && existing.fnNode && !existing.fnNode.body && extra.fnNode.body) existing.fnNode = extra.fnNode;
      return existing;
    }
    // every field present, in one order: one hidden class for every declaration
    const d: Decl = {
      name, kind, scope, isModule: scope === this.moduleScope, nameNode,
      init: extra?.init, pattern: extra?.pattern, fnNode: extra?.fnNode, classNode: extra?.classNode, importFrom: extra?.importFrom,
      isAsync: extra?.isAsync, poolSystem: undefined, poolCluster: undefined, proc: undefined,
    };
    scope.decls.set(name, d);
    return d;
  }

  protected declareVariable(scope: Scope, d: ts.VariableDeclaration, kind: DeclKind): void {
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

  protected declarePattern(scope: Scope, name: ts.BindingPattern, kind: DeclKind, spec: string | undefined): void {
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
  protected hoistLexical(stmts: readonly ts.Statement[], scope: Scope): void {
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
        if (!clause) {
          this.keptImports.add(spec);
          continue;
        }
        if (/\.[cm]?tsx?$/i.test(this.sf.fileName) && spec.startsWith('.')) {
          const names = this.elidable.get(spec) ?? [];
          if (clause.name) names.push(clause.name.text);
          const b = clause.namedBindings;
          if (b && ts.isNamespaceImport(b)) names.push(b.name.text);
          else if (b) for (const el of b.elements) if (!el.isTypeOnly) names.push(el.name.text);
          this.elidable.set(spec, names);
        } else {
          this.keptImports.add(spec);
        }
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
  protected collectVars(stmts: readonly ts.Node[], fnScope: Scope): void {
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

  protected createBindings(): void {
    for (const d of this.moduleScope.decls.values()) {
      const [kind, detail] = this.declValueKind(d);
      const b = newBinding(d.name, this.range(d.nameNode), kind, detail || undefined, d.kind === 'const' || d.kind === 'import', d.importFrom);
      this.model.bindings.set(d.name, b);
    }
  }

  protected declValueKind(d: Decl): [ValueKind, string?] {
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

  protected exprValueKind(e0: ts.Expression): [ValueKind, string?] {
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
        const n = dottedName(ne.expression);
        if (c?.pool) return ['pool', c.label ?? (n ? `new ${n}` : undefined)];
        if (n && MUTABLE_CTORS.has(n) && !this.lookup(n)) return ['mutable', `new ${n}`];
        return ['unknown', n ? `new ${n}` : undefined];
      }
      case ts.SyntaxKind.CallExpression: {
        const ce = e as ts.CallExpression;
        const n = dottedName(ce.expression);
        if (n === 'Object.freeze') return ['constant', 'Object.freeze'];
        const c = this.creationOf(ce, this.moduleScope);
        if (c?.pool) return ['pool', poolCallLabel(c.pool) ?? n];
        if (n && /^(Array\.(from|of)|Array|Object\.(create|assign|fromEntries|entries|keys|values))$/.test(n))
          return ['mutable', n];
        return ['unknown', n];
      }
      default:
        return ['unknown'];
    }
  }

  // ----- lookup

  protected lookup(name: string, from: Scope = this.scope): Decl | undefined {
    for (let s: Scope | undefined = from; s; s = s.parent) {
      const d = s.decls.get(name);
      if (d) return d;
    }
    return undefined;
  }

  /** lookup for a reference in code: also records free names of the enclosing functions */
  protected lookupRef(name: string): Decl | undefined {
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
  protected sym(e0: ts.Expression, scope: Scope = this.scope, depth = 0): string | undefined {
    const e = unwrap(e0);
    if (depth > 4) return undefined;
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e.text, scope);
      if (!d) return e.text === 'process' ? 'process' : GLOBAL_SYMBOLS.has(e.text) ? e.text : undefined;
      if (d.importFrom) {
        const mod = this.moduleName(d.importFrom.specifier);
        // `import W from './w.js?worker'` (Vite): a Worker constructor (its script: see SpawnRecognizer.workerImport)
        if (d.importFrom.imported === 'default' && mod.includes('?')) return workerImportOf(mod)?.start?.symbol;
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
        const mod = this.moduleName(spec);
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

  /** A specifier as a module name: 'node:x' → 'x'; a relative self-import of the file's own package → its name. */
  protected moduleName(spec: string): string {
    if (!spec.startsWith('.')) return normModule(spec);
    let hit = this.selfNames.get(spec);
    if (hit === undefined) this.selfNames.set(spec, (hit = selfPackageName(this.sf.fileName, spec) ?? spec));
    return hit;
  }

  /** `require('x')` with an unshadowed `require` → 'x' */
  protected requireSpec(e: ts.CallExpression, scope: Scope = this.scope): string | undefined {
    const c = e.expression;
    if (ts.isIdentifier(c) && c.text === 'require' && e.arguments.length >= 1 && !this.lookup('require', scope)) {
      return stringValue(e.arguments[0]);
    }
    return undefined;
  }

  protected creationOf(e0: ts.Expression, scope: Scope = this.scope, depth = 0): Creation | undefined {
    const e = unwrap(e0);
    if (ts.isAwaitExpression(e) && depth < 3) return this.creationOf(e.expression, scope, depth + 1);
    if (ts.isNewExpression(e)) {
      let s = this.sym(e.expression, scope);
      // `new MyWorker()` where `class MyWorker extends Worker`
      const c = unwrap(e.expression);
      if (!s && ts.isIdentifier(c)) {
        const cls = this.lookup(c.text, scope)?.classNode;
        if (cls) s = this.baseSym(cls);
      }
      const made = createdBy('new', s);
      if (made) return made;
    } else if (ts.isCallExpression(e)) {
      const s = this.sym(e.expression, scope);
      const start = startOf('call', s);
      if (start && this.startApplies(start, e.arguments)) return { ...start.creates, label: start.label };
      // a factory in this file: `function makePool() { return new Piscina(...) }`
      const c = unwrap(e.expression);
      if (!s && ts.isIdentifier(c) && depth < 3) {
        const fn = this.lookup(c.text, scope)?.fnNode;
        if (fn?.body) return this.returnedCreation(fn, scope, depth + 1);
      }
    }
    return undefined;
  }

  /** Whether a call of a start's symbol starts what its model says (`spawn('ls')` runs no Node script); see SpawnRecognizer. */
  protected startApplies(_start: JsStart, _args: readonly ts.Expression[]): boolean {
    return true;
  }

  /** The well-known symbol a class extends (`class W extends Worker` → 'worker_threads.Worker'). */
  protected baseSym(cls: ts.ClassLikeDeclaration): string | undefined {
    for (const h of cls.heritageClauses ?? []) {
      if (h.token !== ts.SyntaxKind.ExtendsKeyword || h.types.length === 0) continue;
      return this.sym(h.types[0].expression);
    }
    return undefined;
  }

  /**
   * A parameter typed as a pool or worker (`pool: Piscina`, `w: Worker`, `p: FixedThreadPool<D, R>`):
   * what is done with it is done with one.
   */
  protected typedCreation(type: ts.TypeNode | undefined): Creation | undefined {
    if (!type || !ts.isTypeReferenceNode(type)) return undefined;
    const n = type.typeName;
    const e: ts.Expression | undefined = ts.isIdentifier(n)
      ? n
      : ts.isIdentifier(n.left)
        ? ts.factory.createPropertyAccessExpression(n.left, n.right)
        : undefined;
    if (!e) return undefined;
    return creationOfType(this.sym(e));
  }

  /** What a function returns when every `return` in it (not in nested functions) gives the same kind of worker/pool. */
  private returnedCreation(fn: ts.FunctionLikeDeclaration, scope: Scope, depth: number): Creation | undefined {
    const body = fn.body!;
    if (!ts.isBlock(body)) return this.creationOf(body, scope, depth);
    let found: Creation | undefined;
    let mixed = false;
    const walk = (n: ts.Node): void => {
      if (mixed || (n !== body && isFunctionNode(n))) return;
      if (ts.isReturnStatement(n) && n.expression) {
        let x = unwrap(n.expression);
        // `const pool = new Piscina(...); ...; return pool`
        if (ts.isIdentifier(x)) {
          const d = fn.body && this.localInit(body, x.text);
          if (d) x = d;
        }
        const c = this.creationOf(x, scope, depth);
        if (!c || (found && (found.pool !== c.pool || found.proc !== c.proc))) mixed = true;
        else found = c;
        return;
      }
      ts.forEachChild(n, walk);
    };
    walk(body);
    return mixed ? undefined : found;
  }

  /** The initializer of `const|let name = init` declared directly in a function body. */
  private localInit(body: ts.Block, name: string): ts.Expression | undefined {
    for (const st of body.statements) {
      if (!ts.isVariableStatement(st)) continue;
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return d.initializer;
    }
    return undefined;
  }
}

/** `require('x')` → '*', `require('x').y` → 'y', `await import('x')` → '*' */
export function requireImport(init: ts.Expression): ImportFrom | undefined {
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

export function hasLexicalDeclarations(stmts: readonly ts.Statement[]): boolean {
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
