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
 *  - results: `wait(...)`, `as_completed(...)`, `.result()`, `.get()` without arguments, a
 *    blocking `Pool.map`/`starmap`/`apply` — once they come after the site's last submission.
 */
import type { Range, SpawnSite } from '../engine/model';
import { callArgs, field, toRange, unparen } from './syntax';
import type { Scope } from './scope';
import type { SyntaxNode as Node } from './tree';
import { SpawnPass } from './spawns';

const END_METHODS = new Set(['join', 'terminate', 'kill', 'shutdown']);
const RESULT_METHODS = new Set(['result', 'get']);
const BLOCKING_SUBMIT = new Set(['map', 'starmap', 'apply']);
const RESULT_FUNCTIONS = new Set(['concurrent.futures.wait', 'concurrent.futures.as_completed', 'wait', 'as_completed']);

interface Event {
  unit: number;
  range: Range;
}

export abstract class EventPass extends SpawnPass {
  /** `join()` on a name with no known value (a loop variable): ends the Process sites created before it */
  private looseJoins: Event[] = [];
  /** results events, per unit */
  private results: Event[] = [];

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
    if (RESULT_METHODS.has(method) && callArgs(n).pos.length === 0) this.results.push({ unit, range: toRange(n) });
    if (!END_METHODS.has(method) && !BLOCKING_SUBMIT.has(method)) return;
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
        else if (site.system === 'mp.Pool') this.results.push({ unit, range: toRange(n) });
      }
    });
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
      for (const e of this.results) if (e.unit === site.unit && !before(e.range, last) && startsAfterOrAt(e.range, last)) endAt(site, e.range);
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
