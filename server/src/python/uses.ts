/**
 * Pass B (use): accesses to module-level bindings, calls, callbacks passed as arguments.
 * Spawn sites and submissions are recognised by {@link UsePass.processSpecialCall} (./spawns.ts).
 */
import type { Access, AccessKind, Call, Range, Ref, Unit } from '../engine/model';
import { MUTATING_METHODS } from './stdlib';
import { field, INERT_LEAVES, named, refKey, toRange } from './syntax';
import type { ChainRef, Scope } from './scope';
import type { SyntaxNode as Node } from './tree';
import { DeclarePass } from './declare';

/** methods that put a callable in a registry (a list, set, dict or registry object) without calling it */
const REGISTRY_METHODS = new Set(['append', 'appendleft', 'add', 'insert', 'register', 'setdefault']);

/** A call record with every field present from the start (one hidden class; see newBinding in ./declare.ts). */
export function newCall(callee: Ref, range: Range, offset: number): Call {
  return {
    callee, range, offset, ifClass: undefined, asModule: undefined, started: undefined, registered: undefined,
    submits: undefined, handedOver: undefined,
  };
}

export abstract class UsePass extends DeclarePass {
  /** spawn sites, submissions, payloads, `json.dumps` of proxies (./spawns.ts) */
  protected abstract processSpecialCall(n: Node, scope: Scope, unit: number): void;

  protected addAccess(unit: number, ref: Ref, kind: AccessKind, node: Node, detail?: string): Access {
    // every field present from the start (see newBinding in ./declare.ts): one hidden class
    const a: Access = { ref, kind, range: toRange(node), offset: node.startIndex, detail, lazyInit: undefined, fromParam: undefined, member: undefined };
    this.units[unit].accesses.push(a);
    return a;
  }

  /**
   * The access a chain makes to its first attribute (`Config.X` in `Config.X = v`,
   * `Config.X.append(v)`, `print(Config.X)`), for when the engine finds the binding is a
   * class: `kind` for the attribute itself, `deeper` when the chain goes further.
   */
  protected withMember(a: Access, r: ChainRef, steps: Node[], kind: AccessKind, deeper: AccessKind, detail?: string): Access {
    const first = steps[0];
    if (r.used !== 0 || !first || first.type !== 'attribute') return a;
    const name = field(first, 'attribute')?.text;
    if (!name) return a;
    const m: NonNullable<Access['member']> = { name, kind: steps.length === 1 ? kind : deeper, range: toRange(first) };
    const d = steps.length === 1 ? detail : deeper === 'item-assign' ? this.keyText(steps[1]) : undefined;
    if (d !== undefined) m.detail = d;
    a.member = m;
    return a;
  }

  protected addCall(unit: number, callee: Ref, node: Node): Call {
    const c = newCall(callee, toRange(node), node.startIndex);
    this.units[unit].calls.push(c);
    return c;
  }

  /**
   * `self.X` read in a method of a module-level class whose body binds `X` and whose methods
   * never assign `self.X`: the class attribute `C.X` (a dict of the class's that a
   * classmethod fills and instances read, ansible's `AnsibleJSONDecoder._vaults`).
   */
  private selfClassAttrRef(bottom: Node, steps: Node[], scope: Scope): ChainRef | null {
    const first = steps[0];
    if (first?.type !== 'attribute') return null;
    const fs = this.functionScope(scope);
    const cls = fs?.methodOf;
    if (!cls?.classBinding || fs!.selfName !== bottom.text || this.resolve(bottom.text, scope) !== fs) return null;
    const name = field(first, 'attribute')?.text;
    if (!name || !cls.nameNodes?.has(name) || cls.classAttrs?.has(name)) return null;
    return { ref: { name: cls.classBinding }, rangeNode: bottom, used: 0 };
  }

  /** a method call the front end cannot name the callee of (see ModuleModel.flowCalls) */
  protected addFlowCall(unit: number, fn: Node): void {
    const start = toRange(fn).start;
    (this.model.flowCalls ??= []).push(unit, fn.startIndex, start.line * 1_000_000 + start.character);
  }

  /**
   * `x.m()` on a local `x` that holds what a call made (`s = Service()`, `s = make()`): the
   * value-flow layer may find the method, so the call's position is recorded for it. Locals
   * that only hold parameters, literals or loop items are left out (they are most local
   * method calls, and the layer rarely finds one of those in a function of the project).
   */
  private holdsCallResult(scope: Scope, name: string): boolean {
    const vs = scope.values.get(name);
    if (!vs) return false;
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i].node;
      if (vs[i].index === undefined && (v.type === 'call' || (v.type === 'await' && v.namedChildren[0]?.type === 'call'))) return true;
    }
    return false;
  }

  protected visitSubscripts(steps: Node[], scope: Scope, unit: number): void {
    for (let i = 0; i < steps.length; i++) {
      if (steps[i].type !== 'subscript') continue;
      const keys = steps[i].childrenForFieldName('subscript');
      for (let j = 0; j < keys.length; j++) this.visit(keys[j], scope, unit);
    }
  }

  protected visitChainRead(n: Node, scope: Scope, unit: number): void {
    const { bottom, steps } = this.chainOf(n);
    this.visitSubscripts(steps, scope, unit);
    if (bottom.type === 'identifier') {
      const r = this.refOfChain(bottom, steps, scope) ?? this.localImportRef(bottom, steps, scope) ?? this.selfClassAttrRef(bottom, steps, scope);
      if (r) this.withMember(this.addAccess(unit, r.ref, 'read', r.rangeNode), r, steps, 'read', 'read');
    } else {
      this.visit(bottom, scope, unit);
    }
  }

  protected keyText(step: Node | undefined): string | undefined {
    if (!step) return undefined;
    if (step.type === 'attribute') return field(step, 'attribute')?.text;
    const subs = step.childrenForFieldName('subscript').filter((s): s is Node => !!s);
    if (subs.length === 1 && ['string', 'integer', 'identifier', 'attribute', 'true', 'false', 'none'].includes(subs[0].type)) {
      // brackets tell a subscript from an attribute in messages
      return `[${subs[0].text}]`;
    }
    return undefined;
  }

  protected visitTarget(t: Node, mode: 'assign' | 'update' | 'del', scope: Scope, unit: number): void {
    switch (t.type) {
      case 'identifier': {
        if (this.resolve(t.text, scope) === 'module') {
          this.addAccess(unit, { name: t.text }, mode === 'update' ? 'update' : 'assign', t);
        }
        return;
      }
      case 'attribute': case 'subscript': {
        const { bottom, steps } = this.chainOf(t);
        this.visitSubscripts(steps, scope, unit);
        if (bottom.type !== 'identifier') {
          this.visit(bottom, scope, unit);
          return;
        }
        const r = this.refOfChain(bottom, steps, scope) ?? this.localImportRef(bottom, steps, scope);
        if (!r) return;
        const rest = steps.length - r.used;
        const kind = mode === 'update' ? 'update' : 'assign';
        if (rest === 0) this.addAccess(unit, r.ref, kind, r.rangeNode);
        else this.withMember(this.addAccess(unit, r.ref, 'item-assign', r.rangeNode, this.keyText(steps[r.used])), r, steps, kind, 'item-assign');
        return;
      }
      case 'pattern_list': case 'tuple_pattern': case 'list_pattern': case 'tuple': case 'list':
      case 'expression_list': case 'parenthesized_expression': case 'as_pattern_target':
      case 'list_splat_pattern': case 'list_splat':
        for (const k of named(t)) this.visitTarget(k, mode, scope, unit);
        return;
      default:
        this.visit(t, scope, unit);
    }
  }

  // -------------------------------------------------------------------------------------
  // pass B: uses

  protected visitChildren(n: Node, scope: Scope, unit: number): void {
    // (indexed: see SyntaxNode.childForFieldName)
    const kids = n.namedChildren;
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i];
      // an inert leaf has no case in `visit` (and no children to visit)
      if (c.namedChildren.length === 0 && INERT_LEAVES.has(c.type)) continue;
      this.visit(c, scope, unit);
    }
  }

  /** a statement sequence: tracks the previous statement for `v = X.get(k); if v is None: X[k] = ...` */
  protected visitBlock(n: Node, scope: Scope, unit: number): void {
    let prevStart = -1;
    let prevUnit = -1;
    let prevNode: Node | null = null;
    const kids = n.namedChildren;
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i];
      const u = this.units[unit];
      const before = u.accesses.length;
      if (c.type === 'if_statement' && prevNode && prevUnit === unit && this.isGetAssignment(prevNode)) {
        this.visitIf(c, scope, unit, prevStart);
      } else {
        this.visit(c, scope, unit);
      }
      prevStart = before;
      prevUnit = unit;
      prevNode = c;
    }
  }

  protected isGetAssignment(n: Node): boolean {
    if (n.type !== 'expression_statement') return false;
    const a = named(n)[0];
    if (!a || a.type !== 'assignment') return false;
    const r = field(a, 'right');
    if (!r || r.type !== 'call') return false;
    const f = field(r, 'function');
    return !!f && f.type === 'attribute' && field(f, 'attribute')?.text === 'get';
  }

  protected visitIf(n: Node, scope: Scope, unit: number, prevStart = -1): void {
    const mu = this.mainGuards.get(n.id);
    const cond = field(n, 'condition');
    const body = field(n, 'consequence');
    if (mu !== undefined) {
      if (cond) this.visit(cond, scope, unit);
      if (body) this.visitBlock(body, scope, mu);
      for (const c of n.childrenForFieldName('alternative')) if (c) this.visit(c, scope, unit);
      return;
    }
    const u = this.units[unit];
    const start = u.accesses.length;
    if (cond) this.visit(cond, scope, unit);
    const mid = u.accesses.length;
    if (body) this.visitBlock(body, scope, unit);
    const end = u.accesses.length;
    this.markLazy(u, start, mid, mid, end);
    if (prevStart >= 0) this.markLazy(u, prevStart, start, mid, end);
    for (const c of n.childrenForFieldName('alternative')) {
      if (!c) continue;
      if (c.type === 'elif_clause') this.visitIf(c, scope, unit);
      else this.visit(c, scope, unit);
    }
  }

  /**
   * Marks the head assignments `NAME = param` / `mod.NAME = param` of a def's body (after its
   * docstring and `global` statements) as `fromParam`: the value is what the caller passed.
   */
  protected markFromParam(body: Node, unit: number, from: number): void {
    const u = this.units[unit];
    const params = new Set(u.params);
    const heads: Array<[number, number]> = [];
    let first = true;
    for (const st of named(body)) {
      const isDoc = first && st.type === 'expression_statement' && named(st)[0]?.type === 'string';
      first = false;
      if (st.type === 'comment' || st.type === 'global_statement' || isDoc) continue;
      const a = st.type === 'expression_statement' && named(st).length === 1 ? named(st)[0] : undefined;
      const left = a?.type === 'assignment' ? field(a, 'left') : null;
      const right = a?.type === 'assignment' ? field(a, 'right') : null;
      if (!left || !right || right.type !== 'identifier' || !params.has(right.text)) break;
      // `A, B, _ = param` (`cls.A, cls.B = param`) unpacks what the caller passed as well
      const unpacked = (left.type === 'pattern_list' || left.type === 'tuple_pattern') && named(left).every((k) => k.type === 'identifier' || k.type === 'attribute');
      if (left.type !== 'identifier' && left.type !== 'attribute' && !unpacked) break;
      heads.push([left.startIndex, left.endIndex]);
    }
    if (heads.length === 0) return;
    for (let i = from; i < u.accesses.length; i++) {
      const acc = u.accesses[i];
      // `cls.X = param` is recorded on the class, its member assigned
      const assigns = acc.kind === 'assign' || acc.member?.kind === 'assign';
      if (assigns && heads.some(([s, e]) => acc.offset >= s && acc.offset < e)) acc.fromParam = true;
    }
  }

  protected markLazy(u: Unit, rs: number, re: number, ws: number, we: number): void {
    const written = new Set<string>();
    for (let i = ws; i < we; i++) if (u.accesses[i].kind !== 'read') written.add(refKey(u.accesses[i].ref));
    if (written.size === 0) return;
    for (let i = rs; i < re; i++) {
      const a = u.accesses[i];
      if (a.kind === 'read' && written.has(refKey(a.ref))) a.lazyInit = true;
    }
  }

  protected visit(n: Node, scope: Scope, unit: number): void {
    // (no case for INERT_LEAVES other than `comment`'s return: `visitChildren` skips such leaves)
    switch (n.type) {
      case 'comment': case 'import_statement': case 'import_from_statement': case 'future_import_statement':
      case 'global_statement': case 'nonlocal_statement': case 'dotted_name': case 'type':
      case 'case_pattern': case 'type_parameter':
        return;
      case 'module': case 'block':
        this.visitBlock(n, scope, unit);
        return;
      case 'identifier': {
        if (this.resolve(n.text, scope) === 'module') this.addAccess(unit, { name: n.text }, 'read', n);
        else {
          const r = this.localImportRef(n, [], scope);
          if (r) this.addAccess(unit, r.ref, 'read', n);
        }
        return;
      }
      case 'attribute': case 'subscript':
        this.visitChainRead(n, scope, unit);
        return;
      case 'call':
        this.visitCall(n, scope, unit);
        return;
      case 'keyword_argument': {
        const v = field(n, 'value');
        if (v) this.visit(v, scope, unit);
        return;
      }
      case 'function_definition':
      case 'lambda': {
        const fi = this.funcInfo.get(n.id);
        const params = field(n, 'parameters');
        if (params) {
          for (const p of named(params)) {
            const v = field(p, 'value');
            if (v) this.visit(v, scope, unit);
          }
        }
        const body = field(n, 'body');
        if (fi && body) {
          const before = this.units[fi.unit].accesses.length;
          this.visit(body, fi.scope, fi.unit);
          if (n.type === 'function_definition' && body.type === 'block') this.markFromParam(body, fi.unit, before);
        }
        return;
      }
      case 'class_definition': {
        const cs = this.classInfo.get(n.id);
        const sup = field(n, 'superclasses');
        if (sup) this.visit(sup, scope, unit);
        const body = field(n, 'body');
        if (cs && body) this.visit(body, cs, unit);
        return;
      }
      case 'list_comprehension': case 'set_comprehension': case 'dictionary_comprehension':
      case 'generator_expression': {
        const cs = this.compInfo.get(n.id) ?? scope;
        for (const c of named(n)) {
          if (c.type === 'for_in_clause') {
            const left = field(c, 'left');
            const right = field(c, 'right');
            if (right) this.visit(right, cs, unit);
            if (left) this.visitTarget(left, 'assign', cs, unit);
          } else {
            this.visit(c, cs, unit);
          }
        }
        return;
      }
      case 'if_statement': case 'elif_clause':
        this.visitIf(n, scope, unit);
        return;
      case 'assignment': {
        const right = field(n, 'right');
        if (right) this.visit(right, scope, unit);
        const left = field(n, 'left');
        if (left && right) this.visitTarget(left, 'assign', scope, unit);
        return;
      }
      case 'augmented_assignment': {
        const right = field(n, 'right');
        if (right) this.visit(right, scope, unit);
        const left = field(n, 'left');
        if (left) this.visitTarget(left, 'update', scope, unit);
        return;
      }
      case 'for_statement': {
        const right = field(n, 'right');
        if (right) this.visit(right, scope, unit);
        const left = field(n, 'left');
        if (left) this.visitTarget(left, 'assign', scope, unit);
        for (const c of n.namedChildren) {
          if (c.id === left?.id || c.id === right?.id) continue;
          this.visit(c, scope, unit);
        }
        return;
      }
      case 'as_pattern': {
        const kids = named(n);
        if (kids[0]) this.visit(kids[0], scope, unit);
        const alias = field(n, 'alias');
        if (alias && n.parent?.type === 'with_item') this.visitTarget(alias, 'assign', scope, unit);
        return;
      }
      case 'named_expression': {
        const v = field(n, 'value');
        if (v) this.visit(v, scope, unit);
        const name = field(n, 'name');
        let s = scope;
        while (s.kind === 'comprehension' && s.parent) s = s.parent;
        if (name) this.visitTarget(name, 'assign', s, unit);
        return;
      }
      case 'delete_statement': {
        for (const t of named(n)) {
          const targets = t.type === 'expression_list' ? named(t) : [t];
          for (const x of targets) this.visitTarget(x, 'del', scope, unit);
        }
        return;
      }
      case 'default_parameter': case 'typed_default_parameter': {
        const v = field(n, 'value');
        if (v) this.visit(v, scope, unit);
        return;
      }
      case 'parameters': case 'lambda_parameters':
        return;
      default:
        this.visitChildren(n, scope, unit);
    }
  }

  // -------------------------------------------------------------------------------------
  // calls

  protected visitCall(n: Node, scope: Scope, unit: number): void {
    const fn = field(n, 'function');
    this.processSpecialCall(n, scope, unit);
    if (fn && fn.type === 'attribute') {
      const recv = field(fn, 'object');
      const method = field(fn, 'attribute')?.text ?? '';
      if (recv) {
        const { bottom, steps } = this.chainOf(recv);
        this.visitSubscripts(steps, scope, unit);
        if (bottom.type === 'identifier') {
          let r = this.refOfChain(bottom, steps, scope);
          if (!r) {
            // through an import inside the function: `from lib import Store; Store.load()`,
            // `import lib; lib.run()` (a module's function), `lib.store.load()`
            r = this.localImportRef(bottom, steps, scope);
            const imp = r || steps.length > 0 ? undefined : this.localImport(bottom.text, scope);
            if (imp?.imported === '*') this.callOfNode.set(n.id, this.addCall(unit, { name: method, from: imp.specifier }, fn));
            else if (r && r.used === steps.length && !MUTATING_METHODS.has(method)) {
              this.callOfNode.set(n.id, this.addCall(unit, { name: r.ref.name, member: method, from: r.ref.from }, fn));
            }
          }
          if (r) {
            // through an import inside the function: another module's binding, none of this one's
            const b = r.ref.from === undefined ? this.model.bindings.get(r.ref.name) : undefined;
            // `from x import y; y.m()`: `y` may be a submodule or a value (a function, a
            // dict); what it is shows once the import is resolved, so both readings are
            // recorded, each kept by the engine only when it holds (`import x` is a module)
            const either = steps.length === 0 && b?.kind === 'import' && !!b.importFrom && b.importFrom.imported !== '*';
            const mark = either ? this.units[unit].accesses.length : -1;
            const markCalls = either ? this.units[unit].calls.length : -1;
            const onlyModule = steps.length === 0 && !either && this.isModuleLike(b);
            if (onlyModule || either) {
              const c = this.addCall(unit, { name: r.ref.name, member: method }, fn);
              if (either) c.asModule = true;
              this.callOfNode.set(n.id, c);
            }
            if (onlyModule) {
              // `import x; x.m()`: a function of module x, called above
            } else if (MUTATING_METHODS.has(method)) {
              // deeper (`DB.metadata.tables[t].insert()`) the method is most often some library object's, not a container's
              this.withMember(this.addAccess(unit, r.ref, 'mutate-call', r.rangeNode, method), r, steps, 'mutate-call', 'read', method);
            } else if (steps.length === 0 && b && b.kind === 'class') {
              // Cls.method(): that method (the engine maps class + member to the method's unit)
              this.addCall(unit, { name: r.ref.name, member: method }, fn);
            } else {
              this.withMember(this.addAccess(unit, r.ref, 'read', r.rangeNode), r, steps, 'read', 'read');
              // `Config.configure(...)` on an imported name: that method, if the name is a class
              if (steps.length === 0 && b?.kind === 'import') this.addCall(unit, { name: r.ref.name, member: method }, fn).ifClass = true;
              // `service = Service()` at the top level, `service.run()` in the main guard
              else if (steps.length === 0 && b?.kind === 'unknown' && r.used === 0) this.addFlowCall(unit, fn);
            }
            if (either) {
              for (const x of this.units[unit].accesses.slice(mark)) x.asModule = false;
              for (const x of this.units[unit].calls.slice(markCalls + 1)) x.asModule = false;
            }
          } else if (steps.length === 0) {
            // self.method() inside a method of a module-level class: that method of the class
            const fs = this.functionScope(scope);
            const where = this.resolve(bottom.text, scope);
            if (fs?.methodOf?.classBinding && fs.selfName === bottom.text && where === fs) {
              this.addCall(unit, { name: fs.methodOf.classBinding, member: method }, fn);
            } else if (where && where !== 'module' && where.kind === 'function' && this.holdsCallResult(where, bottom.text)) {
              this.addFlowCall(unit, fn);
            }
          } else if (steps.length === 1 && steps[0].type === 'attribute') {
            // `self._runner.run()`: the object an attribute of the instance holds
            const fs = this.functionScope(scope);
            if (fs?.methodOf && fs.selfName === bottom.text && this.resolve(bottom.text, scope) === fs) this.addFlowCall(unit, fn);
            // ... or the class's own, read (`self._vaults.get(k)`). Not a write when mutating: the
            // same attribute is then often read through an instance held elsewhere
            // (`config.WARNINGS.pop()`, ansible), which is not linked to the class's
            const ca = MUTATING_METHODS.has(method) ? null : this.selfClassAttrRef(bottom, steps, scope);
            if (ca) this.withMember(this.addAccess(unit, ca.ref, 'read', ca.rangeNode), ca, steps, 'read', 'read');
          }
        } else {
          this.visit(bottom, scope, unit);
        }
      }
    } else if (fn && fn.type === 'identifier') {
      if (this.resolve(fn.text, scope) === 'module') {
        const b = this.model.bindings.get(fn.text);
        this.callOfNode.set(n.id, this.addCall(unit, { name: fn.text }, fn));
        if (b && b.kind !== 'function' && b.kind !== 'class' && b.kind !== 'import' && b.kind !== 'unknown') {
          this.addAccess(unit, { name: fn.text }, 'read', fn);
        }
      } else {
        // `from lib import record` inside the function, then `record(x)`
        const imp = this.localImport(fn.text, scope);
        if (imp && imp.imported !== '*') this.callOfNode.set(n.id, this.addCall(unit, { name: imp.imported, from: imp.specifier }, fn));
      }
    } else if (fn) {
      // `HANDLERS[kind](x)`: a call dispatched through a module-level table; only the value-flow
      // layer finds what runs (the module is one of the first it reads, ../engine/flowLink.ts)
      if (!this.model.tableHandlers && fn.type === 'subscript') {
        const v = field(fn, 'value');
        if (v?.type === 'identifier' && this.resolve(v.text, scope) === 'module' && this.model.bindings.get(v.text)?.kind === 'mutable') this.model.tableHandlers = true;
      }
      this.visit(fn, scope, unit);
    }
    const al = field(n, 'arguments');
    if (!al) return;
    if (al.type !== 'argument_list') {
      this.visit(al, scope, unit);
      return;
    }
    // A decorator factory's arguments (`@tag(compute)`, `@retry(on_error=log)`) are not called
    // when the decorator is applied (import time for a module-level def): the factory stores
    // them, and a wrapper that calls them does so when the decorated function runs. So their
    // callback call belongs to the decorated function's unit (to none for a decorated class);
    // the read of the name stays here.
    const deco = this.decoratedUnit(n);
    const callUnit = deco === undefined ? unit : deco;
    const registered = this.registration(fn, scope);
    const args = named(al);
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const v = a.type === 'keyword_argument' ? field(a, 'value') : a;
      if (!v) continue;
      if (callUnit !== null && this.callbackArg(v, scope, unit, callUnit)) {
        // put in a table (`handlers.append(f)`): it runs where the table is dispatched,
        // which the value-flow layer finds (`for h in handlers: h()`); not here, not later here
        if (registered === 'table') (this.dropCallbackId(v.id), (this.model.tableHandlers = true));
        const cb = registered && this.callbackCalls.get(v.id);
        if (cb) cb.call.registered = registered as Call['registered'];
        continue;
      }
      this.visit(v, scope, unit);
    }
  }

  /**
   * `atexit.register(f)` / `signal.signal(s, f)`: `f` runs later in this process, not here
   * (see {@link Call.registered}); 'table': `handlers.append(f)`, `registry.register(f)`
   * put `f` in a registry and run nothing.
   */
  protected registration(fn: Node | null, scope: Scope): Call['registered'] | 'table' {
    if (!fn || (fn.type !== 'attribute' && fn.type !== 'identifier')) return undefined;
    const q = this.qualify(fn, scope)?.q;
    if (q === 'atexit.register') return 'exit';
    if (q === 'signal.signal') return 'later';
    return fn.type === 'attribute' && REGISTRY_METHODS.has(field(fn, 'attribute')?.text ?? '') ? 'table' : undefined;
  }

  /**
   * For a call on the spine of a decorator expression (`@tag(f)`, `@a.b(f)`, `@a(f).b(g)`):
   * the unit of the decorated function, or null when a class is decorated; otherwise undefined.
   */
  protected decoratedUnit(n: Node): number | null | undefined {
    let x = n;
    for (let p = x.parent; p && p.type !== 'decorator'; p = x.parent) {
      const onSpine = p.type === 'parenthesized_expression'
        || (p.type === 'attribute' && field(p, 'object')?.id === x.id)
        || (p.type === 'call' && field(p, 'function')?.id === x.id);
      if (!onSpine) return undefined;
      x = p;
    }
    const dd = x.parent?.parent;
    if (!dd || dd.type !== 'decorated_definition') return undefined;
    const def = field(dd, 'definition');
    return def?.type === 'function_definition' ? (this.funcInfo.get(def.id)?.unit ?? null) : null;
  }

  /** a module-level function (or `mod.func`) passed as an argument: record it as a call (from `callUnit`) */
  protected callbackArg(v: Node, scope: Scope, unit: number, callUnit = unit): boolean {
    if (v.type === 'identifier') {
      if (this.resolve(v.text, scope) !== 'module') return false;
      const b = this.model.bindings.get(v.text);
      if (!b) return false;
      if (b.kind === 'function' || b.kind === 'class') {
        this.callbackCalls.set(v.id, { unit: callUnit, call: this.addCall(callUnit, { name: v.text }, v) });
        return true;
      }
      if (b.kind === 'import' && b.importFrom?.imported !== '*') {
        this.callbackCalls.set(v.id, { unit: callUnit, call: this.addCall(callUnit, { name: v.text }, v) });
        this.addAccess(unit, { name: v.text }, 'read', v);
        return true;
      }
      return false;
    }
    if (v.type === 'attribute') {
      const { bottom, steps } = this.chainOf(v);
      if (steps.length !== 1 || bottom.type !== 'identifier') return false;
      const r = this.refOfChain(bottom, steps, scope);
      if (!r || r.used !== 1) return false;
      this.callbackCalls.set(v.id, { unit: callUnit, call: this.addCall(callUnit, r.ref, v) });
      this.addAccess(unit, r.ref, 'read', r.rangeNode);
      return true;
    }
    return false;
  }

  protected dropCallback(arg: Node): void {
    this.dropCallbackId(arg.id);
  }

  protected dropCallbackId(id: number): void {
    const cb = this.callbackCalls.get(id);
    if (!cb) return;
    const calls = this.units[cb.unit].calls;
    const i = calls.indexOf(cb.call);
    if (i >= 0) calls.splice(i, 1);
    this.callbackCalls.delete(id);
  }

}
