/**
 * Order of events in the parent: where the workers of each spawn site are known to have
 * finished ({@link SpawnSite.endRange}), so that the engine can tell parent code that runs
 * while they run from code that runs after them (a write after the last `join()` is not a
 * write the workers could have seen).
 *
 * Events, in the site's own unit:
 *  - leaving `with Pool(...) as p:` / `with ProcessPoolExecutor() as ex:`;
 *  - `p.join()`, `p.terminate()`, `p.kill()`, `ex.shutdown()` on the site's object, or
 *    `join()` on a loop variable (`for p in procs: p.join()`) after a `Process` site;
 *  - results: `wait(...)`, `as_completed(...)` — once they come after the site's last
 *    submission; `.result()` / `.get()` without arguments on a future / AsyncResult of the
 *    site (what its `submit`/`apply_async`/`map_async` returned, directly, through a variable,
 *    or through a list/dict of them), and a blocking `map`/`starmap`/`apply` on the site's
 *    pool, after the site's last submission: a `.get()` on a queue or on another pool's
 *    result says nothing of this site's workers.
 */
import type { Range, SpawnSite } from '../engine/model';
import { callArgs, field, named, toRange, unparen } from './syntax';
import type { Scope } from './scope';
import type { SyntaxNode as Node } from './tree';
import { FrameworkPass } from './frameworkSites';
import { BLOCKING_METHOD_NAMES, submitMethod } from '../frameworks/python';

const END_METHODS = new Set(['join', 'terminate', 'kill', 'shutdown']);
const RESULT_METHODS = new Set(['result', 'get']);
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
const RESULT_FUNCTIONS = new Set(['concurrent.futures.wait', 'concurrent.futures.as_completed', 'wait', 'as_completed']);

interface Event {
  unit: number;
  range: Range;
  /** the creating call of the one site the event belongs to (unset: any site of the unit) */
  site?: number;
}

/** the calls whose value is a future / AsyncResult of the receiver's pool or executor */
const FUTURE_METHODS = new Set(['submit', 'apply_async', 'map_async', 'starmap_async']);
/** calls that hand back (an iterable of) the futures of their first argument */
const FUTURE_PASSING = new Set(['concurrent.futures.as_completed', 'as_completed', 'list', 'reversed', 'sorted', 'tuple', 'iter']);

export abstract class EventPass extends FrameworkPass {
  /** `join()` on a name with no known value (a loop variable): ends the Process sites created before it */
  private looseJoins: Event[] = [];
  /** results events, per unit */
  private results: Event[] = [];
  /** `name.append(x)` calls: the argument, per name and the scope the name resolves to */
  private appends: { name: string; where: Scope | 'module' | null; arg: Node; scope: Scope }[] = [];

  protected override processSpecialCall(n: Node, scope: Scope, unit: number): void {
    super.processSpecialCall(n, scope, unit);
    const fn = field(n, 'function');
    if (!fn) return;
    const q = fn.type === 'identifier' || fn.type === 'attribute' ? this.qualify(fn, scope) : null;
    if (q && RESULT_FUNCTIONS.has(q.q)) this.results.push({ unit, range: toRange(n) });
    if (fn.type !== 'attribute') return;
    const method = field(fn, 'attribute')?.text ?? '';
    const recv = field(fn, 'object');
    if (!recv) return;
    if (method === 'append' && recv.type === 'identifier' && callArgs(n).pos.length === 1) {
      this.appends.push({ name: recv.text, where: this.resolve(recv.text, scope), arg: callArgs(n).pos[0], scope });
    }
    if (RESULT_METHODS.has(method) && callArgs(n).pos.length === 0) {
      this.deferred.push(() => {
        for (const id of this.futureSites(recv, scope, 0)) this.results.push({ unit, range: toRange(n), site: id });
      });
    }
    if (!END_METHODS.has(method) && !BLOCKING_METHOD_NAMES.has(method)) return;
    const targets = this.receiverValues(recv, scope);
    const r = unparen(recv);
    if (targets.length === 0 && method === 'join' && r.type === 'identifier' && callArgs(n).pos.length === 0) {
      this.looseJoins.push({ unit, range: toRange(n) });
      return;
    }
    this.deferred.push(() => {
      for (const t of targets) {
        const site = this.siteByNode.get(t.id)?.site;
        if (!site || site.unit !== unit) continue;
        if (END_METHODS.has(method)) endAt(site, toRange(n));
        else if (submitMethod(site.system, method)?.blocking) this.results.push({ unit, range: toRange(n), site: t.id });
      }
    });
  }

  /**
   * The creating calls (site node ids) of the pools/executors whose future or AsyncResult
   * `e` is: `ex.submit(...)`, a name assigned one, a loop variable over a container of them
   * (`for f in futs`, `[f.result() for f in futs]`, `as_completed(futs)`), an item `futs[i]`.
   */
  private futureSites(e: Node, scope: Scope, depth: number): Set<number> {
    const out = new Set<number>();
    const x = unparen(e);
    if (depth > 6) return out;
    if (x.type === 'call') {
      const fn = field(x, 'function');
      const obj = fn?.type === 'attribute' ? field(fn, 'object') : null;
      if (obj && FUTURE_METHODS.has(field(fn!, 'attribute')?.text ?? '')) {
        for (const v of this.receiverValues(obj, scope)) if (this.siteByNode.has(v.id)) out.add(v.id);
      }
      return out;
    }
    if (x.type === 'subscript') {
      const v = field(x, 'value');
      return v ? this.containerSites(v, scope, depth + 1) : out;
    }
    if (x.type !== 'identifier') return out;
    for (const v of this.valuesOf(x.text, scope)) {
      if (v.index === undefined) for (const id of this.futureSites(v.node, scope, depth + 1)) out.add(id);
    }
    // a loop variable: what the loop (statement or comprehension) around `e` goes over
    for (let p = x.parent; p; p = p.parent) {
      if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') break;
      const clauses = p.type === 'for_statement' ? [p] : COMPREHENSIONS.has(p.type) ? named(p).filter((c) => c.type === 'for_in_clause') : [];
      for (const c of clauses) {
        const left = field(c, 'left');
        const right = field(c, 'right');
        if (!left || !right) continue;
        if (left.type === 'identifier' && left.text === x.text) {
          for (const id of this.containerSites(right, scope, depth + 1)) out.add(id);
        } else if (left.type === 'pattern_list' || left.type === 'tuple_pattern') {
          // `for i, f in enumerate(futs)`, `for k, r in pending.items()`, `for a, f in zip(xs, futs)`
          const i = named(left).findIndex((t) => t.type === 'identifier' && t.text === x.text);
          const over = i < 0 ? null : this.unpackedFrom(right, i, scope);
          if (over) for (const id of this.containerSites(over, scope, depth + 1)) out.add(id);
        }
      }
    }
    return out;
  }

  /** The container whose items the `i`-th name of a tuple loop target over `right` takes. */
  private unpackedFrom(right: Node, i: number, scope: Scope): Node | null {
    const r = unparen(right);
    if (r.type !== 'call') return null;
    const fn = field(r, 'function');
    const args = callArgs(r).pos;
    if (fn?.type === 'attribute' && field(fn, 'attribute')?.text === 'items' && i === 1) return field(fn, 'object');
    const q = fn && (fn.type === 'identifier' || fn.type === 'attribute') ? this.qualify(fn, scope)?.q : undefined;
    if (q === 'enumerate' && i === 1) return args[0] ?? null;
    if (q === 'zip') return args[i] ?? null;
    return null;
  }

  /** {@link futureSites} of the items of a container expression. */
  private containerSites(e: Node, scope: Scope, depth: number): Set<number> {
    const out = new Set<number>();
    const x = unparen(e);
    if (depth > 6) return out;
    const add = (n: Node | null | undefined, container = false): void => {
      if (n) for (const id of container ? this.containerSites(n, scope, depth + 1) : this.futureSites(n, scope, depth + 1)) out.add(id);
    };
    switch (x.type) {
      case 'list_comprehension': case 'set_comprehension': case 'generator_expression':
        add(field(x, 'body'));
        break;
      case 'dictionary_comprehension': {
        const body = field(x, 'body');
        add(body && field(body, 'key'));
        add(body && field(body, 'value'));
        break;
      }
      case 'list': case 'tuple': case 'set':
        for (const c of named(x)) add(c);
        break;
      case 'dictionary':
        for (const c of named(x)) if (c.type === 'pair') { add(field(c, 'key')); add(field(c, 'value')); }
        break;
      case 'call': {
        const fn = field(x, 'function');
        const q = fn && (fn.type === 'identifier' || fn.type === 'attribute') ? this.qualify(fn, scope) : null;
        if (q && FUTURE_PASSING.has(q.q)) add(callArgs(x).pos[0], true);
        else if (fn?.type === 'attribute' && ['keys', 'values', 'copy'].includes(field(fn, 'attribute')?.text ?? '')) add(field(fn, 'object'), true);
        break;
      }
      case 'identifier': {
        for (const v of this.valuesOf(x.text, scope)) if (v.index === undefined) add(v.node, true);
        const where = this.resolve(x.text, scope);
        for (const a of this.appends) if (a.name === x.text && a.where === where) for (const id of this.futureSites(a.arg, a.scope, depth + 1)) out.add(id);
        break;
      }
    }
    return out;
  }

  /** The end of a `with` block whose item creates the site (`with Pool() as p:`), when there is one. */
  protected withEnd(call: Node): Range | undefined {
    let x = call.parent;
    if (x?.type === 'as_pattern') x = x.parent;
    if (x?.type !== 'with_item' || x.parent?.type !== 'with_clause' || x.parent.parent?.type !== 'with_statement') return undefined;
    return toRange(x.parent.parent);
  }

  /** Sets each site's end from the events gathered (after the deferred submissions are resolved). */
  protected finishEvents(): void {
    for (const site of this.model.spawns) {
      if (site.isProcess === false) continue;
      const node = this.siteNodes.get(site);
      const w = node && this.withEnd(node);
      if (w) endAt(site, w);
      if (site.system === 'mp.Process') {
        for (const j of this.looseJoins) if (j.unit === site.unit && before(site.range, j.range)) endAt(site, j.range);
        continue;
      }
      if (site.tasks.length === 0) continue;
      const last = site.tasks.reduce((a, t) => (before(a, t.range) ? t.range : a), site.tasks[0].range);
      const id = node?.id;
      for (const e of this.results) {
        if (e.unit === site.unit && (e.site === undefined || e.site === id) && !before(e.range, last) && startsAfterOrAt(e.range, last)) endAt(site, e.range);
      }
    }
  }
}

/** `a` starts before `b` starts. */
function before(a: Range, b: Range): boolean {
  return a.start.line < b.start.line || (a.start.line === b.start.line && a.start.character < b.start.character);
}

function startsAfterOrAt(a: Range, b: Range): boolean {
  return !before(a, b);
}

/** Keeps the earliest end (what comes after an event's end runs after the workers). */
function endAt(site: SpawnSite, r: Range): void {
  const e = site.endRange?.end;
  if (!e || r.end.line < e.line || (r.end.line === e.line && r.end.character < e.character)) site.endRange = r;
}
