/**
 * Value-flow facts (../flow/facts.ts) of one JS/TS file, from the tree the front end
 * already parsed: definitions (functions, arrows, methods, classes with `extends`),
 * variables, parameters, `this`, returns, calls and `new`, property stores, object
 * literals and arrays as containers, and the module's imports and exports (ESM and
 * CommonJS). Scoping is resolved here (lexical blocks, hoisted `var` and functions,
 * arrows' lexical `this`); everything that needs values or other files is the solver's.
 */
import ts from 'typescript';
import type { DefFact, FlowOp, ModuleFacts, NodeId, ParamFact, StoreFact } from '../flow/facts';
import { propertyNameText, unwrap } from './syntax';

interface FScope {
  names: Map<string, NodeId>;
  parent: FScope | null;
}

interface Ctx {
  /** def index of the enclosing function (-1: module level) */
  def: number;
  /** the node of `this` here (arrows: the enclosing function's) */
  self: NodeId;
  /** enclosing class: its def node (for `super`) */
  cls: NodeId | null;
  /** where `return` values go */
  ret: NodeId | null;
}

const NODE_BUILTINS = /^(assert|async_hooks|buffer|child_process|cluster|crypto|dgram|dns|events|fs|http|http2|https|net|os|path|perf_hooks|process|querystring|readline|stream|string_decoder|timers|tls|tty|url|util|v8|vm|worker_threads|zlib)(\/.*)?$/;

/** The value-flow facts of a parsed JS/TS file. */
export function jsFlowFacts(sf: ts.SourceFile): ModuleFacts {
  return new FactsWalk(sf).run();
}

class FactsWalk {
  private readonly nodes: FlowOp[] = [];
  private readonly defs: DefFact[] = [];
  private readonly stores: StoreFact[] = [];
  private readonly vars = new Map<string, NodeId>();
  private readonly starImports: string[] = [];
  private readonly at: number[] = [];
  private scope: FScope = { names: new Map(), parent: null };
  private ctx: Ctx;
  private moduleValue: NodeId | undefined;
  /** reads of `module.exports` (what it was replaced with, if it was) */
  private exportsRead: NodeId | undefined;
  private readonly globals = new Map<string, NodeId>();
  private anon = 0;

  constructor(private readonly sf: ts.SourceFile) {
    this.ctx = { def: -1, self: this.union(), cls: null, ret: null };
  }

  run(): ModuleFacts {
    this.hoist(this.sf.statements, true);
    this.statements(this.sf.statements);
    const f: ModuleFacts = { nodes: this.nodes, defs: this.defs, stores: this.stores, vars: this.vars, starImports: this.starImports, at: this.at, js: true, lineStarts: this.sf.getLineStarts() };
    if (this.moduleValue !== undefined) {
      if (this.exportsRead !== undefined) this.flowInto(this.exportsRead, this.moduleValue);
      f.moduleValue = this.moduleValue;
      if (!this.vars.has('default')) this.vars.set('default', this.moduleValue);
    }
    return f;
  }

  // ----- nodes

  private add(op: FlowOp): NodeId {
    this.nodes.push(op);
    return this.nodes.length - 1;
  }

  private union(from: NodeId[] = []): NodeId {
    return this.add({ k: 'union', from });
  }

  /** adds `src`'s values to the union node `to` */
  private flowInto(to: NodeId, src: NodeId): void {
    const op = this.nodes[to];
    if (op.k === 'union' && !op.from.includes(src) && to !== src) op.from.push(src);
  }

  private exportVar(name: string, src: NodeId): void {
    let v = this.vars.get(name);
    if (v === undefined) this.vars.set(name, (v = this.union()));
    this.flowInto(v, src);
  }

  private exportsValue(): NodeId {
    if (this.moduleValue === undefined) this.moduleValue = this.union();
    return this.moduleValue;
  }

  // ----- scopes

  private lookup(name: string): NodeId {
    for (let s: FScope | null = this.scope; s; s = s.parent) {
      const n = s.names.get(name);
      if (n !== undefined) return n;
    }
    let g = this.globals.get(name);
    if (g === undefined) {
      // a global (`process`, `setTimeout`): something outside the program, by its name
      g = name === 'undefined' || name === 'NaN' ? this.union() : this.add({ k: 'import', spec: name, name: null });
      this.globals.set(name, g);
    }
    return g;
  }

  private declare(name: string, s = this.scope): NodeId {
    let n = s.names.get(name);
    if (n === undefined) s.names.set(name, (n = this.union()));
    return n;
  }

  private push(): FScope {
    this.scope = { names: new Map(), parent: this.scope };
    return this.scope;
  }

  private pop(s: FScope): void {
    this.scope = s.parent!;
  }

  /** declares a statement list's lexical names, and (`vars`) the `var`s of the function body it is */
  private hoist(stmts: readonly ts.Statement[], vars: boolean): void {
    for (const st of stmts) {
      if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) this.declare(st.name.text);
      else if (ts.isVariableStatement(st) && st.declarationList.flags & ts.NodeFlags.BlockScoped) {
        for (const d of st.declarationList.declarations) for (const n of bound(d.name)) this.declare(n);
      } else if (ts.isImportDeclaration(st)) this.importDecl(st);
      else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference) && ts.isStringLiteral(st.moduleReference.expression)) {
        this.flowInto(this.declare(st.name.text), this.add({ k: 'import', spec: spec(st.moduleReference.expression.text), name: null }));
      }
    }
    if (vars) this.hoistVars(stmts);
  }

  private hoistVars(stmts: readonly ts.Node[]): void {
    const visit = (n: ts.Node): void => {
      if (ts.isVariableDeclarationList(n) && !(n.flags & ts.NodeFlags.BlockScoped)) {
        for (const d of n.declarations) for (const x of bound(d.name)) this.declare(x);
      }
      if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
      ts.forEachChild(n, visit);
    };
    for (const s of stmts) visit(s);
  }

  private importDecl(st: ts.ImportDeclaration): void {
    if (!ts.isStringLiteral(st.moduleSpecifier) || !st.importClause || st.importClause.isTypeOnly) return;
    const from = spec(st.moduleSpecifier.text);
    const c = st.importClause;
    if (c.name) this.flowInto(this.declare(c.name.text), this.add({ k: 'import', spec: from, name: 'default' }));
    const nb = c.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) this.flowInto(this.declare(nb.name.text), this.add({ k: 'import', spec: from, name: null }));
    else if (nb) {
      for (const el of nb.elements) {
        if (el.isTypeOnly) continue;
        const imported = (el.propertyName ?? el.name).text;
        this.flowInto(this.declare(el.name.text), this.add({ k: 'import', spec: from, name: imported }));
      }
    }
  }

  // ----- statements

  private statements(stmts: readonly ts.Statement[]): void {
    for (const st of stmts) this.statement(st);
  }

  private block(stmts: readonly ts.Statement[]): void {
    const s = this.push();
    this.hoist(stmts, false);
    this.statements(stmts);
    this.pop(s);
  }

  private statement(st: ts.Statement): void {
    if (ts.isFunctionDeclaration(st)) {
      if (!st.body) return;
      const fn = this.fn(st);
      if (st.name) this.flowInto(this.lookup(st.name.text), fn);
      if (hasMod(st, ts.SyntaxKind.ExportKeyword)) this.exportVar(hasMod(st, ts.SyntaxKind.DefaultKeyword) ? 'default' : (st.name?.text ?? 'default'), fn);
      return;
    }
    if (ts.isClassDeclaration(st)) {
      if (hasMod(st, ts.SyntaxKind.DeclareKeyword)) return;
      const c = this.cls(st);
      if (st.name) this.flowInto(this.lookup(st.name.text), c);
      if (hasMod(st, ts.SyntaxKind.ExportKeyword)) this.exportVar(hasMod(st, ts.SyntaxKind.DefaultKeyword) ? 'default' : (st.name?.text ?? 'default'), c);
      return;
    }
    if (ts.isVariableStatement(st)) {
      if (hasMod(st, ts.SyntaxKind.DeclareKeyword)) return;
      const exported = hasMod(st, ts.SyntaxKind.ExportKeyword);
      for (const d of st.declarationList.declarations) {
        this.varDecl(d);
        if (exported) for (const n of bound(d.name)) this.exportVar(n, this.lookup(n));
      }
      return;
    }
    if (ts.isExpressionStatement(st)) {
      this.expr(st.expression);
      return;
    }
    if (ts.isReturnStatement(st)) {
      if (st.expression) {
        const v = this.expr(st.expression);
        if (this.ctx.ret !== null) this.flowInto(this.ctx.ret, v);
      }
      return;
    }
    if (ts.isBlock(st)) {
      this.block(st.statements);
      return;
    }
    if (ts.isForOfStatement(st) || ts.isForInStatement(st)) {
      const s = this.push();
      const init = st.initializer;
      const obj = this.expr(st.expression);
      const elem = ts.isForOfStatement(st) ? this.add({ k: 'iter', obj, scope: this.ctx.def, at: st.expression.getStart(this.sf) }) : this.union();
      if (ts.isVariableDeclarationList(init)) {
        for (const d of init.declarations) {
          if (init.flags & ts.NodeFlags.BlockScoped) for (const n of bound(d.name)) this.declare(n);
          this.bindPattern(d.name, elem);
        }
      } else this.assignTo(init, elem);
      this.statement(st.statement);
      this.pop(s);
      return;
    }
    if (ts.isForStatement(st)) {
      const s = this.push();
      if (st.initializer) {
        if (ts.isVariableDeclarationList(st.initializer)) {
          for (const d of st.initializer.declarations) {
            if (st.initializer.flags & ts.NodeFlags.BlockScoped) for (const n of bound(d.name)) this.declare(n);
            this.varDecl(d);
          }
        } else this.expr(st.initializer);
      }
      if (st.condition) this.expr(st.condition);
      if (st.incrementor) this.expr(st.incrementor);
      this.statement(st.statement);
      this.pop(s);
      return;
    }
    if (ts.isTryStatement(st)) {
      this.block(st.tryBlock.statements);
      if (st.catchClause) {
        const s = this.push();
        if (st.catchClause.variableDeclaration) for (const n of bound(st.catchClause.variableDeclaration.name)) this.declare(n);
        this.block(st.catchClause.block.statements);
        this.pop(s);
      }
      if (st.finallyBlock) this.block(st.finallyBlock.statements);
      return;
    }
    if (ts.isSwitchStatement(st)) {
      this.expr(st.expression);
      const s = this.push();
      for (const c of st.caseBlock.clauses) this.hoist(c.statements, false);
      for (const c of st.caseBlock.clauses) {
        if (ts.isCaseClause(c)) this.expr(c.expression);
        this.statements(c.statements);
      }
      this.pop(s);
      return;
    }
    if (ts.isExportAssignment(st)) {
      const v = this.expr(st.expression);
      if (st.isExportEquals) this.flowInto(this.exportsValue(), v);
      else this.exportVar('default', v);
      return;
    }
    if (ts.isExportDeclaration(st)) {
      if (st.isTypeOnly) return;
      const from = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? spec(st.moduleSpecifier.text) : undefined;
      const ec = st.exportClause;
      if (!ec) {
        if (from) this.starImports.push(from);
      } else if (ts.isNamespaceExport(ec)) {
        if (from) this.exportVar(ec.name.text, this.add({ k: 'import', spec: from, name: null }));
      } else {
        for (const el of ec.elements) {
          if (el.isTypeOnly) continue;
          const local = (el.propertyName ?? el.name).text;
          this.exportVar(el.name.text, from ? this.add({ k: 'import', spec: from, name: local }) : this.lookup(local));
        }
      }
      return;
    }
    if (ts.isModuleDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st)) return;
    // if, while, do, labels, with, throw...: their expressions and statements
    ts.forEachChild(st, (n) => {
      if (ts.isBlock(n)) this.block(n.statements);
      else if (isStatement(n)) this.statement(n);
      else if (ts.isExpression(n)) this.expr(n);
    });
  }

  private varDecl(d: ts.VariableDeclaration): void {
    if (!d.initializer) return;
    const v = this.expr(d.initializer);
    this.bindPattern(d.name, v);
  }

  /** names of a binding pattern get the parts of `v` */
  private bindPattern(name: ts.BindingName, v: NodeId): void {
    if (ts.isIdentifier(name)) {
      this.flowInto(this.lookup(name.text), v);
      return;
    }
    name.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return;
      let part: NodeId;
      if (ts.isObjectBindingPattern(name)) {
        const key = el.propertyName ? propertyNameText(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
        part = el.dotDotDotToken || key === undefined ? v : this.attr(v, key);
      } else part = el.dotDotDotToken ? v : this.add({ k: 'item', obj: v, key: this.add({ k: 'const', key: `i:${i}` }) });
      if (el.initializer) part = this.union([part, this.expr(el.initializer)]);
      this.bindPattern(el.name, part);
    });
  }

  /** `target = v` */
  private assignTo(target: ts.Node, v: NodeId): void {
    const t = ts.isExpression(target) ? unwrap(target) : target;
    if (ts.isIdentifier(t)) {
      this.flowInto(this.lookup(t.text), v);
      return;
    }
    if (ts.isPropertyAccessExpression(t)) {
      const name = t.name.text;
      if (isModuleExports(t)) {
        this.flowInto(this.exportsValue(), v);
        // `module.exports = { a, b }`: its properties are the module's names too
        const r = rhsOf(t);
        if (r && ts.isObjectLiteralExpression(r)) {
          for (const [k, n] of this.objectProps.get(v) ?? []) this.exportVar(k, n);
        }
        return;
      }
      if (isExportsObject(t.expression)) {
        this.exportVar(name, v);
        return;
      }
      this.stores.push({ obj: this.expr(t.expression), name, value: v });
      return;
    }
    if (ts.isElementAccessExpression(t)) {
      const obj = this.expr(t.expression);
      const k = unwrap(t.argumentExpression);
      if (ts.isStringLiteralLike(k)) this.stores.push({ obj, name: k.text, value: v });
      else this.stores.push({ obj, key: this.expr(k), value: v });
      return;
    }
    if (ts.isObjectLiteralExpression(t) || ts.isArrayLiteralExpression(t)) {
      // destructuring assignment
      if (ts.isArrayLiteralExpression(t)) {
        t.elements.forEach((e, i) => this.assignTo(ts.isSpreadElement(e) ? e.expression : e, this.add({ k: 'item', obj: v, key: this.add({ k: 'const', key: `i:${i}` }) })));
      } else {
        for (const p of t.properties) {
          if (ts.isShorthandPropertyAssignment(p)) this.assignTo(p.name, this.attr(v, p.name.text));
          else if (ts.isPropertyAssignment(p)) {
            const k = propertyNameText(p.name);
            if (k !== undefined) this.assignTo(p.initializer, this.attr(v, k));
          }
        }
      }
    }
  }

  // ----- expressions

  private attr(obj: NodeId, name: string): NodeId {
    return this.add({ k: 'attr', obj, name, scope: this.ctx.def });
  }

  private readonly objectProps = new Map<NodeId, Array<[string, NodeId]>>();

  private expr(e: ts.Expression): NodeId {
    e = unwrap(e);
    switch (e.kind as ts.SyntaxKind) {
      case ts.SyntaxKind.Identifier:
        return this.lookup((e as ts.Identifier).text);
      case ts.SyntaxKind.ThisKeyword:
        return this.ctx.self;
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        return this.add({ k: 'const', key: `s:${(e as ts.StringLiteral).text}` });
      case ts.SyntaxKind.NumericLiteral:
        return this.add({ k: 'const', key: `i:${(e as ts.NumericLiteral).text}` });
      case ts.SyntaxKind.FunctionExpression:
      case ts.SyntaxKind.ArrowFunction:
        return this.fn(e as ts.FunctionExpression | ts.ArrowFunction);
      case ts.SyntaxKind.ClassExpression:
        return this.cls(e as ts.ClassExpression);
      case ts.SyntaxKind.ObjectLiteralExpression:
        return this.object(e as ts.ObjectLiteralExpression);
      case ts.SyntaxKind.ArrayLiteralExpression: {
        const items: Array<[string | null, NodeId]> = [];
        (e as ts.ArrayLiteralExpression).elements.forEach((x, i) => {
          if (ts.isSpreadElement(x)) items.push([null, this.add({ k: 'iter', obj: this.expr(x.expression), scope: this.ctx.def, at: x.getStart(this.sf) })]);
          else if (!ts.isOmittedExpression(x)) items.push([`i:${i}`, this.expr(x)]);
        });
        return this.add({ k: 'new', kind: 'list', items });
      }
      case ts.SyntaxKind.PropertyAccessExpression: {
        const p = e as ts.PropertyAccessExpression;
        if (p.expression.kind === ts.SyntaxKind.SuperKeyword) return this.attr(this.superNode(), p.name.text);
        if (isModuleExports(p)) return (this.exportsRead ??= this.union());
        if (isExportsObject(p.expression)) {
          let v = this.vars.get(p.name.text);
          if (v === undefined) this.vars.set(p.name.text, (v = this.union()));
          return v;
        }
        // `import.meta.url` and the like: nothing the layer follows
        if (ts.isMetaProperty(p.expression)) return this.union();
        return this.attr(this.expr(p.expression), p.name.text);
      }
      case ts.SyntaxKind.ElementAccessExpression: {
        const x = e as ts.ElementAccessExpression;
        const obj = this.expr(x.expression);
        const k = unwrap(x.argumentExpression);
        if (ts.isStringLiteralLike(k)) return this.attr(obj, k.text);
        return this.add({ k: 'item', obj, key: this.expr(k) });
      }
      case ts.SyntaxKind.CallExpression:
        return this.call(e as ts.CallExpression);
      case ts.SyntaxKind.NewExpression: {
        const n = e as ts.NewExpression;
        return this.callOp(n, this.expr(n.expression), n.arguments ?? []);
      }
      case ts.SyntaxKind.ConditionalExpression: {
        const c = e as ts.ConditionalExpression;
        this.expr(c.condition);
        return this.union([this.expr(c.whenTrue), this.expr(c.whenFalse)]);
      }
      case ts.SyntaxKind.BinaryExpression:
        return this.binary(e as ts.BinaryExpression);
      case ts.SyntaxKind.AwaitExpression:
        return this.expr((e as ts.AwaitExpression).expression);
      case ts.SyntaxKind.TemplateExpression:
        for (const s of (e as ts.TemplateExpression).templateSpans) this.expr(s.expression);
        return this.union();
      case ts.SyntaxKind.TaggedTemplateExpression: {
        const t = e as ts.TaggedTemplateExpression;
        this.expr(t.tag);
        if (ts.isTemplateExpression(t.template)) for (const s of t.template.templateSpans) this.expr(s.expression);
        return this.union();
      }
      default:
        // typeof, void, delete, prefix/postfix operators, spreads, yield, JSX...: their parts
        ts.forEachChild(e, (c) => {
          if (ts.isExpression(c)) this.expr(c);
        });
        return this.union();
    }
  }

  private binary(b: ts.BinaryExpression): NodeId {
    const op = b.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken) {
      const v = this.expr(b.right);
      this.assignTo(b.left, v);
      return op === ts.SyntaxKind.EqualsToken ? v : this.union([v, this.expr(b.left)]);
    }
    const l = this.expr(b.left);
    const r = this.expr(b.right);
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return this.union([l, r]);
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.CommaToken) return r;
    return this.union();
  }

  private object(o: ts.ObjectLiteralExpression): NodeId {
    const items: Array<[string | null, NodeId]> = [];
    const props: Array<[string, NodeId]> = [];
    for (const p of o.properties) {
      let key: string | undefined;
      let v: NodeId | undefined;
      if (ts.isPropertyAssignment(p)) {
        if (ts.isComputedPropertyName(p.name)) this.expr(p.name.expression);
        key = propertyNameText(p.name);
        v = this.expr(p.initializer);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        key = p.name.text;
        v = this.lookup(key);
      } else if (ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p)) {
        key = propertyNameText(p.name);
        if (p.body) v = this.fn(p);
      } else if (ts.isSpreadAssignment(p)) {
        this.expr(p.expression);
      }
      if (v === undefined) continue;
      items.push([key === undefined ? null : `s:${key}`, v]);
      if (key !== undefined) props.push([key, v]);
    }
    const n = this.add({ k: 'new', kind: 'object', items });
    this.objectProps.set(n, props);
    return n;
  }

  private call(c: ts.CallExpression): NodeId {
    const callee = unwrap(c.expression);
    // `require('x')`, `import('x')`
    if ((ts.isIdentifier(callee) && callee.text === 'require' && !this.declaredLocally('require')) || callee.kind === ts.SyntaxKind.ImportKeyword) {
      const a0 = c.arguments[0];
      if (a0 && ts.isStringLiteralLike(a0)) {
        const n = this.add({ k: 'import', spec: spec(a0.text), name: null });
        this.at.push(c.getStart(this.sf), n);
        return n;
      }
    }
    if (callee.kind === ts.SyntaxKind.SuperKeyword) return this.callOp(c, this.attr(this.superNode(), 'constructor'), c.arguments);
    return this.callOp(c, this.expr(callee), c.arguments);
  }

  private declaredLocally(name: string): boolean {
    for (let s: FScope | null = this.scope; s; s = s.parent) if (s.names.has(name)) return true;
    return false;
  }

  private callOp(c: ts.CallExpression | ts.NewExpression, fn: NodeId, argExprs: readonly ts.Expression[]): NodeId {
    const args: NodeId[] = [];
    let star: NodeId | null = null;
    for (const a of argExprs) {
      if (ts.isSpreadElement(a)) {
        star = this.expr(a.expression);
        break;
      }
      const n = this.expr(a);
      this.at.push(a.getStart(this.sf), n);
      args.push(n);
    }
    const n = this.add({ k: 'call', fn, args, kw: [], star, dstar: null, scope: this.ctx.def, at: c.getStart(this.sf) });
    this.at.push(c.getStart(this.sf), n);
    return n;
  }

  private superNode(): NodeId {
    return this.add({ k: 'super', cls: this.ctx.cls ?? this.union(), self: this.ctx.self });
  }

  // ----- functions and classes

  private defName(node: ts.Node, own?: string): string {
    const base = own ?? `<anonymous${++this.anon}>`;
    const parent = this.ctx.def >= 0 ? this.defs[this.ctx.def].name : '';
    return parent ? `${parent}.${base}` : base;
  }

  /** a function, arrow or method; returns the node holding it */
  private fn(node: ts.FunctionLikeDeclaration, inClass?: number, qualified?: string, method?: DefFact['method']): NodeId {
    const arrow = ts.isArrowFunction(node);
    const start = node.getStart(this.sf);
    const lc = this.sf.getLineAndCharacterOfPosition(start);
    const d: DefFact = {
      kind: arrow ? 'lambda' : 'function',
      name: qualified ?? this.defName(node, fnOwnName(node)),
      start,
      line: lc.line,
      character: lc.character,
      parent: this.ctx.def,
      params: [],
      ret: this.union(),
    };
    if (inClass !== undefined) d.inClass = inClass;
    if (method) d.method = method;
    if (arrow) d.lexicalThis = true;
    else d.thisParam = true;
    const di = this.defs.length;
    this.defs.push(d);
    const self = arrow ? this.ctx.self : this.union();
    if (!arrow) d.params.push({ name: 'this', node: self, kind: 'pos' });
    const outer = this.ctx;
    const s = this.push();
    // a named function expression sees itself
    const fnNode = this.add({ k: 'def', def: di });
    if (ts.isFunctionExpression(node) && node.name) this.flowInto(this.declare(node.name.text), fnNode);
    const params: Array<[ts.ParameterDeclaration, NodeId]> = [];
    for (const p of node.parameters) {
      if (ts.isIdentifier(p.name) && p.name.text === 'this') continue;
      const pn = ts.isIdentifier(p.name) ? this.declare(p.name.text) : this.union();
      if (!ts.isIdentifier(p.name)) for (const n of bound(p.name)) this.declare(n);
      const pf: ParamFact = { name: ts.isIdentifier(p.name) ? p.name.text : `<param${d.params.length}>`, node: pn, kind: p.dotDotDotToken ? 'star' : 'pos' };
      d.params.push(pf);
      params.push([p, pn]);
    }
    this.ctx = { def: di, self, cls: outer.cls, ret: d.ret };
    try {
      for (const [p, pn] of params) {
        if (p.initializer) this.flowInto(pn, this.expr(p.initializer));
        if (!ts.isIdentifier(p.name)) this.bindPattern(p.name, pn);
        // `constructor(private pool: Pool)`: a parameter property
        if (ts.isConstructorDeclaration(node) && ts.isIdentifier(p.name) && ts.getModifiers(p)?.length) this.stores.push({ obj: self, name: p.name.text, value: pn });
      }
      const body = node.body;
      if (body && ts.isBlock(body)) {
        this.hoist(body.statements, true);
        this.statements(body.statements);
      } else if (body) this.flowInto(d.ret, this.expr(body));
    } finally {
      this.ctx = outer;
      this.pop(s);
    }
    return fnNode;
  }

  /** a class; returns the node holding it */
  private cls(node: ts.ClassLikeDeclaration): NodeId {
    const start = node.getStart(this.sf);
    const lc = this.sf.getLineAndCharacterOfPosition(start);
    const own = node.name?.text ?? fnOwnName(node);
    const bases: NodeId[] = [];
    for (const h of node.heritageClauses ?? []) {
      if (h.token === ts.SyntaxKind.ExtendsKeyword) for (const t of h.types) bases.push(this.expr(t.expression));
    }
    const attrs = new Map<string, NodeId>();
    const d: DefFact = { kind: 'class', name: this.defName(node, own), start, line: lc.line, character: lc.character, parent: this.ctx.def, params: [], ret: this.union(), bases, attrs };
    const di = this.defs.length;
    this.defs.push(d);
    const clsNode = this.add({ k: 'def', def: di });
    const s = this.push();
    if (ts.isClassExpression(node) && node.name) this.flowInto(this.declare(node.name.text), clsNode);
    // `this` of field initialisers: every instance (what the methods' `this` get)
    const instances = this.union();
    const outer = this.ctx;
    const setAttr = (name: string, v: NodeId): void => {
      const cur = attrs.get(name);
      if (cur === undefined) attrs.set(name, v);
      else if (this.nodes[cur].k === 'union') this.flowInto(cur, v);
      else attrs.set(name, this.union([cur, v]));
    };
    this.ctx = { ...outer, cls: clsNode };
    try {
      for (const m of node.members) {
        const isStatic = hasMod(m, ts.SyntaxKind.StaticKeyword);
        if (ts.isMethodDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isConstructorDeclaration(m)) {
          if (!m.body) continue;
          const key = ts.isConstructorDeclaration(m) ? 'constructor' : propertyNameText(m.name);
          const method: DefFact['method'] = isStatic ? 'static' : ts.isGetAccessorDeclaration(m) ? 'property' : undefined;
          const f = this.fn(m, di, `${d.name}.${key ?? '<computed>'}`, method);
          if (!isStatic) {
            const fd = this.defs[(this.nodes[f] as { def: number }).def];
            this.flowInto(instances, fd.params[0].node);
          }
          if (key !== undefined) setAttr(key, f);
        } else if (ts.isPropertyDeclaration(m)) {
          const key = propertyNameText(m.name);
          if (!m.initializer) continue;
          this.ctx = { def: outer.def, self: isStatic ? clsNode : instances, cls: clsNode, ret: null };
          const v = this.expr(m.initializer);
          this.ctx = { ...outer, cls: clsNode };
          if (key === undefined) continue;
          if (isStatic) setAttr(key, v);
          else this.stores.push({ obj: instances, name: key, value: v });
        } else if (ts.isClassStaticBlockDeclaration(m)) {
          this.ctx = { def: outer.def, self: clsNode, cls: clsNode, ret: null };
          this.block(m.body.statements);
          this.ctx = { ...outer, cls: clsNode };
        }
      }
    } finally {
      this.ctx = outer;
      this.pop(s);
    }
    return clsNode;
  }
}

// ----- syntax helpers

function spec(s: string): string {
  const bare = s.startsWith('node:') ? s.slice(5) : s;
  return NODE_BUILTINS.test(bare) ? bare : s;
}

function hasMod(n: ts.Node, k: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === k);
}

function bound(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const out: string[] = [];
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) out.push(...bound(el.name));
  return out;
}

function isStatement(n: ts.Node): n is ts.Statement {
  return n.kind >= ts.SyntaxKind.FirstStatement && n.kind <= ts.SyntaxKind.LastStatement || ts.isVariableStatement(n) || ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n) || ts.isExpressionStatement(n) || ts.isReturnStatement(n) || ts.isEmptyStatement(n);
}

function isModuleExports(e: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'module' && e.name.text === 'exports';
}

function isExportsObject(e: ts.Expression): boolean {
  const x = unwrap(e);
  return (ts.isIdentifier(x) && x.text === 'exports') || isModuleExports(x);
}

function rhsOf(left: ts.Node): ts.Expression | undefined {
  let t: ts.Node = left;
  while (t.parent && (ts.isParenthesizedExpression(t.parent) || ts.isAsExpression(t.parent))) t = t.parent;
  const p = t.parent;
  return p && ts.isBinaryExpression(p) && p.left === t ? unwrap(p.right) : undefined;
}

/** the name a function or class expression takes from where it is written */
function fnOwnName(node: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isClassLike(node)) && node.name) return node.name.text;
  let t = node;
  while (t.parent && (ts.isParenthesizedExpression(t.parent) || ts.isAsExpression(t.parent) || ts.isSatisfiesExpression(t.parent))) t = t.parent;
  const p = t.parent;
  if (!p) return undefined;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && p.initializer === t) return propertyNameText(p.name);
  if (ts.isMethodDeclaration(node)) return propertyNameText(node.name);
  if (ts.isBinaryExpression(p) && p.right === t) {
    const l = unwrap(p.left);
    if (ts.isIdentifier(l)) return l.text;
    if (ts.isPropertyAccessExpression(l)) return l.name.text;
  }
  if (ts.isFunctionDeclaration(node) || ts.isExportAssignment(p)) return 'default';
  return undefined;
}
