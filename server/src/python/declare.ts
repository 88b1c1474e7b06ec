/**
 * Pass A (declare): units, scopes, module-level bindings and the values assigned to every name.
 */
import type { Binding, Range, ValueKind } from '../engine/model';
import { CONTEXT_FACTORIES, PROCESS_CLASSES, THREAD_CLASSES } from '../frameworks/python';
import { DECLARING_TYPES, field, named, stringValue, toRange, unparen } from './syntax';
import { newScope, ownImportFrom, ownImports, ownNames, type Classified, type Scope, type ValueSrc } from './scope';
import type { SyntaxNode as Node } from './tree';
import { Resolver } from './resolve';

/**
 * A Python binding with every field of {@link Binding} present from the start (unset ones
 * undefined), in one order: the passes fill them in later, and objects that gained them in
 * different orders had different hidden classes, which made the engine's hottest lookups
 * (linker, contexts) polymorphic and deoptimised them again and again.
 */
function newBinding(name: string, range: Range, kind: ValueKind): Binding {
  return {
    name, range, kind, detail: undefined, isConst: false, importFrom: undefined, unit: undefined,
    methods: undefined, attrs: undefined, processClass: undefined, threadClass: undefined, bases: undefined,
    contextBases: undefined, contexts: undefined, remote: undefined, instanceOf: undefined,
  };
}

/** the last parts of the context factories' names (`get_context`) */
const CONTEXT_FACTORY_NAMES = [...new Set([...CONTEXT_FACTORIES.keys()].map((q) => q.slice(q.lastIndexOf('.') + 1)))];

export abstract class DeclarePass extends Resolver {
  protected isMainGuard(n: Node): boolean {
    const cond = field(n, 'condition');
    if (!cond) return false;
    const c = unparen(cond);
    if (c.type !== 'comparison_operator') return false;
    const ops = named(c);
    if (ops.length !== 2) return false;
    const opText = c.children.filter((x) => x && !x.isNamed).map((x) => x!.text).join(' ');
    if (opText !== '==') return false;
    const [a, b] = ops;
    return (a.type === 'identifier' && a.text === '__name__' && stringValue(b) === '__main__')
      || (b.type === 'identifier' && b.text === '__name__' && stringValue(a) === '__main__');
  }

  protected addName(scope: Scope, name: string, nameNode: Node, src: ValueSrc | null, hint: ValueKind = 'unknown'): void {
    // comprehension variables are handled by the comprehension scope; walrus goes outward
    let s = scope;
    if (s.kind === 'function' && s.globals.has(name)) {
      this.pushValue(this.moduleScope, name, src);
      return;
    }
    if (s.kind === 'module') {
      s.locals.add(name);
      this.pushValue(s, name, src);
      const decls = this.moduleDecls.get(name);
      if (!decls) {
        this.moduleDecls.set(name, [{ src, hint }]);
        if (!this.model.bindings.has(name)) {
          this.model.bindings.set(name, newBinding(name, toRange(nameNode), 'unknown'));
        }
      } else {
        decls.push({ src, hint });
      }
      return;
    }
    s.locals.add(name);
    this.pushValue(s, name, src);
    if (s.kind === 'class' && !(s.nameNodes ??= new Map()).has(name)) s.nameNodes.set(name, nameNode);
  }

  protected pushValue(s: Scope, name: string, src: ValueSrc | null): void {
    if (!src) {
      if (!s.values.has(name)) s.values.set(name, []);
      return;
    }
    const arr = s.values.get(name);
    if (arr) arr.push(src);
    else s.values.set(name, [src]);
  }

  protected declareTargets(t: Node, scope: Scope, value: Node | null, index?: number, hint: ValueKind = 'unknown'): void {
    switch (t.type) {
      case 'identifier':
        this.addName(scope, t.text, t, value ? { node: value, index } : null, hint);
        return;
      case 'pattern_list': case 'tuple_pattern': case 'list_pattern': case 'tuple': case 'list':
      case 'expression_list': {
        const kids = named(t).filter((k) => k.type !== 'comment');
        const v = value ? unparen(value) : null;
        const vk = v && ['tuple', 'list', 'expression_list', 'pattern_list'].includes(v.type)
          ? named(v).filter((k) => k.type !== 'comment') : null;
        kids.forEach((k, i) => {
          if (vk && vk.length === kids.length) this.declareTargets(k, scope, vk[i]);
          else this.declareTargets(k, scope, value && index === undefined ? value : null, value && index === undefined ? i : undefined);
        });
        return;
      }
      case 'parenthesized_expression': case 'as_pattern_target': case 'list_splat_pattern': case 'list_splat': {
        for (const k of named(t)) this.declareTargets(k, scope, t.type.startsWith('list_splat') ? null : value, index, hint);
        return;
      }
      case 'attribute': {
        const obj = field(t, 'object');
        const attr = field(t, 'attribute');
        const fs = this.functionScope(scope);
        if (obj && attr && obj.type === 'identifier' && fs?.methodOf && fs.selfName === obj.text && value) {
          const ca = fs.methodOf.classAttrs!;
          const arr = ca.get(attr.text);
          const src = { node: value, index };
          if (arr) arr.push(src);
          else ca.set(attr.text, [src]);
        }
        return;
      }
      default:
        return;
    }
  }

  protected paramNames(params: Node | null): string[] {
    const out: string[] = [];
    if (!params) return out;
    for (const p of named(params)) {
      switch (p.type) {
        case 'identifier': out.push(p.text); break;
        case 'default_parameter': case 'typed_default_parameter': {
          const n = field(p, 'name');
          if (n && n.type === 'identifier') out.push(n.text);
          break;
        }
        case 'typed_parameter': case 'list_splat_pattern': case 'dictionary_splat_pattern': {
          const n = named(p).find((x) => x.type === 'identifier');
          if (n) out.push(n.text);
          else {
            const inner = named(p).find((x) => x.type === 'list_splat_pattern' || x.type === 'dictionary_splat_pattern');
            const nn = inner && named(inner).find((x) => x.type === 'identifier');
            if (nn) out.push(nn.text);
          }
          break;
        }
        default: break;
      }
    }
    return out;
  }

  protected declareChildren(n: Node, scope: Scope, unit: number): void {
    // (indexed: see SyntaxNode.childForFieldName)
    const kids = n.namedChildren;
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i];
      // a node of a type `declare` has no case for, with no such node below it, declares nothing
      if (!c.holdsDeclaring && !DECLARING_TYPES.has(c.type)) continue;
      this.declare(c, scope, unit);
    }
  }

  protected declare(n: Node, scope: Scope, unit: number): void {
    // (the case labels are DECLARING_TYPES in ./syntax.ts: `declareChildren` skips subtrees without them)
    switch (n.type) {
      case 'function_definition': this.declareFunction(n, scope, unit); return;
      case 'lambda': this.declareLambda(n, scope, unit); return;
      case 'class_definition': this.declareClass(n, scope, unit); return;
      case 'list_comprehension': case 'set_comprehension': case 'dictionary_comprehension':
      case 'generator_expression': {
        const cs = newScope('comprehension', scope, scope.unit === unit ? unit : unit);
        cs.unit = unit;
        for (const c of named(n)) {
          if (c.type === 'for_in_clause') {
            const left = field(c, 'left');
            if (left) this.collectTargetNames(left, cs.locals);
          }
        }
        this.compInfo.set(n.id, cs);
        this.declareChildren(n, cs, unit);
        return;
      }
      case 'if_statement': {
        if (scope.kind === 'module' && unit === 0 && n.parent?.type === 'module' && this.isMainGuard(n)) {
          const body = field(n, 'consequence');
          if (body) {
            const kw = n.child(0);
            const mu = this.addUnit({
              kind: 'main-guard', name: '<main>', range: toRange(body), nameRange: toRange(kw ?? n),
              parent: 0, params: [], accesses: [], calls: [], isNested: false,
            });
            this.mainGuards.set(n.id, mu);
            for (const c of n.namedChildren) {
              this.declare(c, scope, c.id === body.id ? mu : unit);
            }
            return;
          }
        }
        this.declareChildren(n, scope, unit);
        return;
      }
      case 'assignment': {
        const left = field(n, 'left');
        let right = field(n, 'right');
        const type = field(n, 'type');
        // chained assignment: a = b = value
        let finalValue = right;
        while (finalValue && finalValue.type === 'assignment') finalValue = field(finalValue, 'right');
        if (left) this.declareTargets(left, scope, finalValue, undefined, !right && type ? 'empty' : 'unknown');
        if (right) this.declare(right, scope, unit);
        if (left) this.declareNestedExprs(left, scope, unit);
        right = null;
        return;
      }
      case 'augmented_assignment': {
        const left = field(n, 'left');
        const right = field(n, 'right');
        if (left && left.type === 'identifier') this.addName(scope, left.text, left, null);
        if (right) this.declare(right, scope, unit);
        return;
      }
      case 'for_statement': case 'for_in_clause': {
        const left = field(n, 'left');
        if (left && n.type === 'for_statement') this.declareTargets(left, scope, null);
        for (const c of n.namedChildren) {
          if (left && c.id === left.id) continue;
          this.declare(c, scope, unit);
        }
        return;
      }
      case 'as_pattern': {
        const alias = field(n, 'alias');
        const value = named(n)[0];
        if (value) this.declare(value, scope, unit);
        if (alias) {
          const withValue = n.parent?.type === 'with_item' ? value ?? null : null;
          this.declareTargets(alias, scope, withValue);
        }
        return;
      }
      case 'named_expression': {
        const name = field(n, 'name');
        const value = field(n, 'value');
        let s = scope;
        while (s.kind === 'comprehension' && s.parent) s = s.parent;
        if (name) this.addName(s, name.text, name, value ? { node: value } : null);
        if (value) this.declare(value, scope, unit);
        return;
      }
      case 'delete_statement': {
        for (const t of named(n)) {
          const targets = t.type === 'expression_list' ? named(t) : [t];
          for (const x of targets) if (x.type === 'identifier') this.addName(scope, x.text, x, null);
        }
        return;
      }
      case 'import_statement': case 'import_from_statement': case 'future_import_statement':
        this.declareImport(n, scope);
        return;
      case 'global_statement': {
        for (const id of named(n)) {
          if (id.type !== 'identifier') continue;
          if (scope.kind !== 'module') ownNames(scope, 'globals').add(id.text);
          if (!this.globalNames.has(id.text)) this.globalNames.set(id.text, id);
        }
        return;
      }
      case 'nonlocal_statement': {
        for (const id of named(n)) if (id.type === 'identifier') ownNames(scope, 'nonlocals').add(id.text);
        return;
      }
      case 'yield': {
        const u = this.units[scope.unit];
        if (u && u.kind === 'function') u.isGenerator = true;
        this.declareChildren(n, scope, unit);
        return;
      }
      default:
        this.declareChildren(n, scope, unit);
    }
  }

  /** lambdas/comprehensions inside assignment targets (rare: `x[lambda: 1] = 2`) */
  protected declareNestedExprs(t: Node, scope: Scope, unit: number): void {
    if (t.type === 'subscript') {
      for (const s of t.childrenForFieldName('subscript')) if (s) this.declare(s, scope, unit);
      const v = field(t, 'value');
      if (v) this.declareNestedExprs(v, scope, unit);
    } else if (t.type === 'attribute') {
      const o = field(t, 'object');
      if (o) this.declareNestedExprs(o, scope, unit);
    } else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'expression_list', 'parenthesized_expression'].includes(t.type)) {
      for (const k of named(t)) this.declareNestedExprs(k, scope, unit);
    } else if (t.type === 'call') {
      this.declare(t, scope, unit);
    }
  }

  protected collectTargetNames(t: Node, out: Set<string>): void {
    if (t.type === 'identifier') {
      out.add(t.text);
      return;
    }
    if (t.type === 'attribute' || t.type === 'subscript') return;
    for (const k of named(t)) this.collectTargetNames(k, out);
  }

  protected declareImport(n: Node, scope: Scope): void {
    const addImport = (local: string, nameNode: Node, specifier: string, imported: string, qualified: string): void => {
      this.addName(scope, local, nameNode, null, 'import');
      ownImports(scope).set(local, qualified);
      if (scope.kind === 'function') ownImportFrom(scope).set(local, { specifier, imported });
      if (scope.kind === 'module') {
        const b = this.model.bindings.get(local);
        if (b && b.kind === 'unknown' && !b.importFrom) {
          b.kind = 'import';
          b.importFrom = { specifier, imported };
        }
      }
    };
    const pushSpec = (s: string): void => {
      if (!this.model.imports.includes(s)) this.model.imports.push(s);
    };
    if (n.type === 'future_import_statement') return;
    if (n.type === 'import_statement') {
      for (const c of n.childrenForFieldName('name')) {
        if (!c) continue;
        if (c.type === 'dotted_name') {
          const first = named(c)[0];
          if (!first) continue;
          pushSpec(c.text);
          addImport(first.text, first, first.text, '*', first.text);
        } else if (c.type === 'aliased_import') {
          const nm = field(c, 'name');
          const alias = field(c, 'alias');
          if (!nm || !alias) continue;
          pushSpec(nm.text);
          addImport(alias.text, alias, nm.text, '*', nm.text);
        }
      }
      return;
    }
    // from X import ...
    const mod = field(n, 'module_name');
    if (!mod) return;
    const spec = mod.text.replace(/\s+/g, '');
    pushSpec(spec);
    for (const c of n.namedChildren) {
      if (c.type === 'wildcard_import') {
        if (scope.kind === 'module' && !this.model.starExports.includes(spec)) this.model.starExports.push(spec);
        continue;
      }
    }
    for (const c of n.childrenForFieldName('name')) {
      if (!c) continue;
      if (c.type === 'dotted_name') {
        addImport(c.text, c, spec, c.text, `${spec}.${c.text}`);
      } else if (c.type === 'aliased_import') {
        const nm = field(c, 'name');
        const alias = field(c, 'alias');
        if (!nm || !alias) continue;
        addImport(alias.text, alias, spec, nm.text, `${spec}.${nm.text}`);
      }
    }
  }

  protected declareFunction(n: Node, scope: Scope, unit: number): void {
    const nameNode = field(n, 'name');
    const name = nameNode?.text ?? '<anonymous>';
    const params = field(n, 'parameters');
    const inClass = scope.kind === 'class';
    const display = inClass && scope.className ? `${scope.className}.${name}` : name;
    const paramList = this.paramNames(params);
    const id = this.addUnit({
      kind: 'function', name: display, range: toRange(n), nameRange: toRange(nameNode ?? n),
      parent: unit, params: paramList, accesses: [], calls: [], globals: [],
      isNested: this.insideFunction(scope),
    });
    const fs = newScope('function', scope, id);
    for (const p of paramList) fs.locals.add(p);
    if (inClass) {
      fs.methodOf = scope;
      const isStatic = n.parent?.type === 'decorated_definition'
        && named(n.parent).some((d) => d.type === 'decorator' && /staticmethod/.test(d.text));
      if (!isStatic && paramList.length > 0) fs.selfName = paramList[0];
      const isClassMethod = n.parent?.type === 'decorated_definition'
        && named(n.parent).some((d) => d.type === 'decorator' && /^@\s*classmethod\b/.test(d.text));
      if (isClassMethod && fs.selfName) fs.clsName = fs.selfName;
      if (scope.classBinding) {
        const b = this.model.bindings.get(scope.classBinding);
        if (b && b.kind === 'class') (b.methods ??= []).push(id);
      }
    }
    if (nameNode) {
      this.addName(scope, name, nameNode, { node: n });
      if (scope.kind === 'module') {
        const b = this.model.bindings.get(name);
        if (b && b.kind === 'unknown' && b.unit === undefined && this.moduleDecls.get(name)?.length === 1) {
          b.kind = 'function';
          b.unit = id;
        }
        this.units[id].binding = name;
      }
    }
    this.declareParamsAndBody(n, params, scope, unit, fs, id);
    this.units[id].globals = [...fs.globals];
  }

  protected declareLambda(n: Node, scope: Scope, unit: number): void {
    const params = field(n, 'parameters');
    const paramList = this.paramNames(params);
    const kw = n.child(0);
    const id = this.addUnit({
      kind: 'function', name: '<lambda>', range: toRange(n), nameRange: toRange(kw ?? n),
      parent: unit, params: paramList, accesses: [], calls: [], globals: [], isNested: true,
    });
    const fs = newScope('function', scope, id);
    for (const p of paramList) fs.locals.add(p);
    this.declareParamsAndBody(n, params, scope, unit, fs, id);
  }

  /** A def's or lambda's defaults (evaluated in the enclosing scope), then its body in its own. */
  private declareParamsAndBody(n: Node, params: Node | null, scope: Scope, unit: number, fs: Scope, id: number): void {
    this.funcInfo.set(n.id, { unit: id, scope: fs });
    if (params) {
      for (const p of named(params)) {
        const v = field(p, 'value');
        if (v) this.declare(v, scope, unit);
      }
    }
    const body = field(n, 'body');
    if (body) this.declare(body, fs, id);
  }

  protected declareClass(n: Node, scope: Scope, unit: number): void {
    const nameNode = field(n, 'name');
    const name = nameNode?.text ?? '<class>';
    if (nameNode) this.addName(scope, name, nameNode, { node: n });
    const cs = newScope('class', scope, unit);
    cs.className = scope.kind === 'class' && scope.className ? `${scope.className}.${name}` : name;
    cs.classAttrs = new Map();
    if (scope.kind === 'module' && nameNode) {
      const b = this.model.bindings.get(name);
      if (b && b.kind === 'unknown' && this.moduleDecls.get(name)?.length === 1) {
        b.kind = 'class';
        b.methods = [];
      }
      cs.classBinding = name;
    }
    this.classInfo.set(n.id, cs);
    if (cs.classBinding) this.moduleClasses.push(n);
    const sup = field(n, 'superclasses');
    if (sup) this.declare(sup, scope, unit);
    const body = field(n, 'body');
    if (body) this.declare(body, cs, unit);
  }

  protected finishBindings(): void {
    for (const [name, decls] of this.moduleDecls) {
      const b = this.model.bindings.get(name);
      if (!b || b.kind === 'import' || b.kind === 'function' || b.kind === 'class') continue;
      let chosen: Classified | null = null;
      for (const d of decls) {
        const c: Classified = d.src ? this.classifySrc(d.src, this.moduleScope, 0) : { kind: d.hint };
        if (!chosen) chosen = c;
        else if (chosen.kind === 'unknown' && c.kind !== 'unknown') chosen = c;
        if (chosen.kind !== 'unknown') break;
      }
      // `X = None` at import time, `X = Manager().dict()` later: writes through X may reach a manager
      const vals = chosen?.kind === 'manager-proxy' ? undefined : this.moduleScope.values.get(name);
      if (vals && vals.length > 1 && vals.some((v) => v.node.type === 'call' && v.index === undefined && this.classifySrc(v, this.moduleScope, 0).kind === 'manager-proxy')) {
        b.laterProxy = true;
      }
      if (chosen) {
        b.kind = chosen.kind;
        if (chosen.detail) b.detail = chosen.detail;
        // `FLAG = Flag()`, `STORE = store.Store()`: what the engine checks the class of
        const v = b.kind === 'unknown' && decls.length === 1 && decls[0].src?.index === undefined ? decls[0].src?.node : undefined;
        const fn = v?.type === 'call' ? field(v, 'function') : null;
        if (fn && (fn.type === 'identifier' || fn.type === 'attribute')) {
          const { bottom, steps } = this.chainOf(fn);
          const r = this.refOfChain(bottom, steps, this.moduleScope);
          if (r && r.used === steps.length && !r.viaCls) b.instanceOf = r.ref;
        }
        if (chosen.kind === 'function' && chosen.lambda) {
          const src = decls[0]?.src;
          const fi = src && this.funcInfo.get(src.node.id);
          if (fi) {
            b.unit = fi.unit;
            this.units[fi.unit].binding = name;
          }
        }
      }
    }
    // names only declared `global` inside functions
    for (const [name, node] of this.globalNames) {
      if (!this.model.bindings.has(name)) {
        this.model.bindings.set(name, newBinding(name, toRange(node), 'unknown'));
        this.moduleScope.locals.add(name);
      }
    }
  }


  /** The key path of a base `NAME['k1']['k2'].Process` (after the steps the ref used), or null. */
  private contextBase(used: number, steps: Node[]): string[] | null {
    const rest = steps.slice(used);
    const last = rest[rest.length - 1];
    if (rest.length < 2 || last.type !== 'attribute' || field(last, 'attribute')?.text !== 'Process') return null;
    const keys: string[] = [];
    for (const s of rest.slice(0, -1)) {
      const k = s.type === 'subscript' ? stringValue(s.childrenForFieldName('subscript')[0]) : null;
      if (k === null || s.childrenForFieldName('subscript').length !== 1) return null;
      keys.push(k);
    }
    return keys;
  }

  /** Module-level dict literals of multiprocessing contexts: {@link Binding.contexts}. */
  private noteContextDicts(): void {
    // a context factory is named in the source (`get_context`, maybe through an import
    // alias, whose import names it too): without that name no dict value can be one, and the
    // walk over every module-level dict (large tables included) is skipped
    if (!CONTEXT_FACTORY_NAMES.some((f) => this.text.includes(f))) return;
    for (const [name, decls] of this.moduleDecls) {
      const b = this.model.bindings.get(name);
      const v = decls.length === 1 && decls[0].src && decls[0].src.index === undefined ? unparen(decls[0].src.node) : null;
      if (b && v?.type === 'call') {
        // `context = multiprocessing.get_context('fork')`: the context itself (the empty key
        // path), for classes of other modules based on its `Process` (ansible's WorkerProcess)
        const f = this.qualify(field(v, 'function'), this.moduleScope);
        const cf = f && CONTEXT_FACTORIES.get(f.q);
        if (cf) {
          const m = this.getContextMethod(v, cf.method);
          b.contexts = [m ? { keys: [], startMethod: m } : { keys: [] }];
        }
        continue;
      }
      if (!b || v?.type !== 'dictionary') continue;
      const out: NonNullable<typeof b.contexts> = [];
      const walk = (d: Node, keys: string[]): void => {
        for (const p of named(d)) {
          if (p.type !== 'pair' || keys.length > 4) continue;
          const k = stringValue(field(p, 'key'));
          let val = field(p, 'value');
          // `mp.get_context('fork') if FORK_AVAILABLE else None`: the context when there is one
          if (val?.type === 'conditional_expression') val = named(val)[0] ?? null;
          val = val && unparen(val);
          if (k === null || !val) continue;
          if (val.type === 'dictionary') walk(val, [...keys, k]);
          else if (val.type === 'call') {
            const f = this.qualify(field(val, 'function'), this.moduleScope);
            const cf = f && CONTEXT_FACTORIES.get(f.q);
            if (!cf) continue;
            const c: (typeof out)[number] = { keys: [...keys, k] };
            const m = this.getContextMethod(val, cf.method);
            if (m) c.startMethod = m;
            out.push(c);
          }
        }
      };
      walk(v, []);
      if (out.length) b.contexts = out;
    }
  }

  /**
   * Bases of module-level classes, once every name is declared: a standard-library process
   * class marks the class as one (its `run()` is worker code); other module-level bases are
   * kept for the engine, which follows them across files.
   */
  protected finishClasses(): void {
    this.noteContextDicts();
    for (const n of this.moduleClasses) {
      const name = field(n, 'name')?.text;
      const b = name ? this.model.bindings.get(name) : undefined;
      if (!b || b.kind !== 'class') continue;
      const cs = this.classInfo.get(n.id);
      for (const [attr, node] of cs?.nameNodes ?? []) {
        const vals = cs!.values.get(attr) ?? [];
        const c = vals.length ? this.classifySrc(vals[0], cs!, 0) : { kind: 'unknown' as const };
        (b.attrs ??= new Map()).set(attr, newBinding(`${name}.${attr}`, toRange(node), c.kind));
      }
      const sup = field(n, 'superclasses');
      if (!sup) continue;
      for (const base of named(sup)) {
        if (base.type === 'keyword_argument' || base.type === 'comment') continue;
        const q = this.qualify(base, this.moduleScope);
        if (q && PROCESS_CLASSES.has(q.q)) {
          b.processClass = {};
          const method = q.method ?? PROCESS_CLASSES.get(q.q);
          if (method) b.processClass.startMethod = method;
          continue;
        }
        if (q && THREAD_CLASSES.has(q.q)) {
          b.threadClass = true;
          continue;
        }
        const { bottom, steps } = this.chainOf(base);
        const r = bottom.type === 'identifier' ? this.refOfChain(bottom, steps, this.moduleScope) : null;
        if (r && r.used === steps.length) (b.bases ??= []).push(r.ref);
        const cb = r && this.contextBase(r.used, steps);
        if (cb) (b.contextBases ??= []).push({ ref: r!.ref, keys: cb });
      }
    }
  }
}
