/**
 * Python front end: tree-sitter-python syntax tree → {@link ModuleModel}.
 *
 * Two passes over the tree:
 *  - pass A (declare): units, scopes (Python LEGB rules: a name assigned anywhere in a
 *    function is local unless declared `global`), module-level bindings, the values
 *    assigned to every name (to recognise pools, contexts, managers, proxies, files...);
 *  - pass B (use): accesses, calls, spawn sites, task submissions, payloads,
 *    proxy serialisation.
 * Pool submissions are resolved after pass B (a method may submit to `self.pool`
 * before the method that creates it appears).
 *
 * Positions: web-tree-sitter parses JS strings as UTF-16, its `startIndex` and
 * `startPosition.column` are UTF-16 code units, which is what LSP wants (tested).
 *
 * Speed: the passes run over a plain-JS copy of the tree (./tree.ts, one cursor walk),
 * not over web-tree-sitter `Node`s, whose every property access crosses into WASM;
 * only the syntax-problem scan uses the WASM tree. bench/dump-models.ts checks that the
 * models stay identical, bench/verify-tree.ts that the copy matches the Node API.
 */
import type { Node as WasmNode } from 'web-tree-sitter';
import type {
  Access,
  AccessKind,
  Binding,
  Call,
  ModuleModel,
  ParseProblem,
  Payload,
  Range,
  Ref,
  SpawnSite,
  StartMethod,
  SystemKind,
  Unit,
  ValueKind,
} from '../engine/model';
import { getPythonParser } from './parser';
import { copyTree, type SyntaxNode as Node } from './tree';
import { extractPythonFacts } from './facts';

export { initPython } from './parser';

// ---------------------------------------------------------------------------------------
// tables

const MUTATING_METHODS = new Set([
  // list
  'append', 'extend', 'insert', 'pop', 'remove', 'clear', 'sort', 'reverse',
  // dict
  'update', 'setdefault', 'popitem',
  // set
  'add', 'discard', 'difference_update', 'intersection_update', 'symmetric_difference_update',
  // deque / Counter / OrderedDict
  'appendleft', 'extendleft', 'popleft', 'rotate', 'subtract', 'move_to_end',
  // queues, pipes, events, proxies
  'put', 'put_nowait', 'send', 'set',
  '__setitem__', '__delitem__', '__iadd__',
]);

const THREAD_PRIMITIVES = new Set([
  'threading.Lock', 'threading.RLock', 'threading.Semaphore', 'threading.BoundedSemaphore',
  'threading.Event', 'threading.Condition', 'threading.Barrier',
  'queue.Queue', 'queue.LifoQueue', 'queue.PriorityQueue', 'queue.SimpleQueue',
]);

const MP_PRIMITIVE_NAMES = new Set([
  'Queue', 'SimpleQueue', 'JoinableQueue', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore',
  'Event', 'Condition', 'Barrier', 'Value', 'Array', 'Pipe', 'RawValue', 'RawArray',
]);
const MP_QUEUES = new Set(['Queue', 'SimpleQueue', 'JoinableQueue']);
const MP_LOCKLIKE = new Set(['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Event', 'Condition', 'Barrier', 'Value', 'Array']);

const MANAGER_CTORS = new Set(['multiprocessing.Manager', 'multiprocessing.managers.SyncManager']);
const MANAGER_PROXY_METHODS = new Set([
  'list', 'dict', 'Queue', 'JoinableQueue', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore',
  'Condition', 'Event', 'Barrier', 'Value', 'Array', 'Namespace', 'Pool',
]);

const MUTABLE_CTORS = new Set([
  'list', 'dict', 'set', 'bytearray',
  'collections.defaultdict', 'collections.Counter', 'collections.deque', 'collections.OrderedDict',
  'collections.ChainMap', 'defaultdict', 'Counter', 'deque', 'OrderedDict', 'array.array',
]);
const CONSTANT_CTORS = new Set(['frozenset', 'tuple', 'types.MappingProxyType']);

const OPEN_CALLS = new Set([
  'open', 'io.open', 'builtins.open', 'os.fdopen', 'gzip.open', 'bz2.open', 'lzma.open',
  'codecs.open', 'tempfile.TemporaryFile', 'tempfile.NamedTemporaryFile', 'tempfile.SpooledTemporaryFile',
]);

interface SystemInfo {
  system: SystemKind;
  label: string;
  isProcess: boolean;
  shape: 'pool' | 'executor' | 'process' | 'manager';
}
const SYSTEMS = new Map<string, SystemInfo>();
function sys(names: string[], info: SystemInfo): void {
  for (const n of names) SYSTEMS.set(n, info);
}
sys(['multiprocessing.Pool', 'multiprocessing.pool.Pool', 'multiprocessing.context.BaseContext.Pool'],
  { system: 'mp.Pool', label: 'Pool', isProcess: true, shape: 'pool' });
sys(['multiprocessing.dummy.Pool', 'multiprocessing.pool.ThreadPool', 'multiprocessing.dummy.ThreadPool'],
  { system: 'threads', label: 'ThreadPool', isProcess: false, shape: 'pool' });
sys(['concurrent.futures.ProcessPoolExecutor', 'concurrent.futures.process.ProcessPoolExecutor'],
  { system: 'ProcessPoolExecutor', label: 'ProcessPoolExecutor', isProcess: true, shape: 'executor' });
sys(['concurrent.futures.InterpreterPoolExecutor', 'concurrent.futures.interpreter.InterpreterPoolExecutor'],
  { system: 'InterpreterPoolExecutor', label: 'InterpreterPoolExecutor', isProcess: true, shape: 'executor' });
sys(['concurrent.futures.ThreadPoolExecutor', 'concurrent.futures.thread.ThreadPoolExecutor'],
  { system: 'threads', label: 'ThreadPoolExecutor', isProcess: false, shape: 'executor' });
sys(['multiprocessing.Process', 'multiprocessing.process.Process', 'multiprocessing.context.Process'],
  { system: 'mp.Process', label: 'Process', isProcess: true, shape: 'process' });
sys(['threading.Thread', 'multiprocessing.dummy.Process'],
  { system: 'threads', label: 'Thread', isProcess: false, shape: 'process' });
sys(['multiprocessing.Manager', 'multiprocessing.managers.SyncManager'],
  { system: 'mp.Manager', label: 'Manager', isProcess: true, shape: 'manager' });

const POOL_SUBMIT = new Set(['map', 'map_async', 'imap', 'imap_unordered', 'starmap', 'starmap_async', 'apply', 'apply_async']);
const EXECUTOR_SUBMIT = new Set(['submit', 'map']);
const START_METHODS = new Set<string>(['fork', 'spawn', 'forkserver']);
/** value expressions {@link PythonFrontEnd.classCandidates} follows */
const CLASS_EXPR_TYPES = new Set(['identifier', 'attribute', 'subscript', 'conditional_expression', 'parenthesized_expression']);

// ---------------------------------------------------------------------------------------
// helpers

function toRange(n: { readonly startPosition: { row: number; column: number }; readonly endPosition: { row: number; column: number } }): Range {
  const s = n.startPosition;
  const e = n.endPosition;
  return { start: { line: s.row, character: s.column }, end: { line: e.row, character: e.column } };
}

function field(n: Node, name: string): Node | null {
  return n.childForFieldName(name);
}

/** the named children (the node's own cached array: do not modify) */
function named(n: Node): readonly Node[] {
  return n.namedChildren;
}

function refKey(r: Ref): string {
  return r.member === undefined ? r.name : `${r.name}.${r.member}`;
}

/** The value of a plain (non-f) string literal, else null. */
function stringValue(n: Node | null | undefined): string | null {
  if (!n) return null;
  if (n.type === 'concatenated_string') {
    let s = '';
    for (const c of named(n)) {
      const v = stringValue(c);
      if (v === null) return null;
      s += v;
    }
    return s;
  }
  if (n.type !== 'string') return null;
  let s = '';
  for (const c of named(n)) {
    if (c.type === 'string_content') s += c.text;
    else if (c.type === 'interpolation') return null;
  }
  return s;
}

function unparen(n: Node): Node {
  let cur = n;
  while (cur.type === 'parenthesized_expression') {
    const inner = cur.namedChildren.find((c) => c && c.type !== 'comment');
    if (!inner) break;
    cur = inner;
  }
  return cur;
}

interface Args {
  pos: Node[];
  kw: Map<string, Node>;
  hasStar: boolean;
}

function callArgs(call: Node): Args {
  const out: Args = { pos: [], kw: new Map(), hasStar: false };
  const al = field(call, 'arguments');
  if (!al) return out;
  if (al.type === 'generator_expression') {
    out.pos.push(al);
    return out;
  }
  for (const a of named(al)) {
    if (a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const k = field(a, 'name');
      const v = field(a, 'value');
      if (k && v) out.kw.set(k.text, v);
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
      out.hasStar = true;
    } else {
      out.pos.push(a);
    }
  }
  return out;
}

function startMethodOf(s: string | null): StartMethod | undefined {
  return s !== null && START_METHODS.has(s) ? (s as StartMethod) : undefined;
}

// ---------------------------------------------------------------------------------------
// scopes

type ScopeKind = 'module' | 'function' | 'class' | 'comprehension';

interface ValueSrc {
  node: Node;
  /** position when the name was a tuple-unpacking target of `node` */
  index?: number;
}

interface Scope {
  kind: ScopeKind;
  parent: Scope | null;
  /** the unit whose code runs in this scope */
  unit: number;
  locals: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
  values: Map<string, ValueSrc[]>;
  /** import aliases: local name → dotted module path (+ imported name) */
  imports: Map<string, string>;
  className?: string;
  classAttrs?: Map<string, ValueSrc[]>;
  methodOf?: Scope;
  selfName?: string;
  classBinding?: string;
}

function newScope(kind: ScopeKind, parent: Scope | null, unit: number): Scope {
  return {
    kind, parent, unit,
    locals: new Set(), globals: new Set(), nonlocals: new Set(),
    values: new Map(), imports: new Map(),
  };
}

interface Classified {
  kind: ValueKind;
  detail?: string;
  managerObj?: boolean;
  openFile?: boolean;
  generator?: boolean;
  lambda?: boolean;
  localDef?: boolean;
  context?: boolean;
}

interface Candidate {
  q: string;
  method?: StartMethod;
}

interface ChainRef {
  ref: Ref;
  rangeNode: Node;
  /** how many chain steps the ref consumed (1 for `mod.NAME`) */
  used: number;
}

// ---------------------------------------------------------------------------------------

class PythonFrontEnd {
  readonly model: ModuleModel;
  private units: Unit[];
  private moduleScope!: Scope;
  private funcInfo = new Map<number, { unit: number; scope: Scope }>();
  private classInfo = new Map<number, Scope>();
  private compInfo = new Map<number, Scope>();
  private mainGuards = new Map<number, number>();
  private moduleDecls = new Map<string, { src: ValueSrc | null; hint: ValueKind }[]>();
  private globalNames = new Map<string, Node>();
  private siteByNode = new Map<number, { site: SpawnSite; shape: SystemInfo['shape'] }>();
  private deferred: Array<() => void> = [];
  /** calls recorded for a callback argument, keyed by the argument node id (removed when it is a process task) */
  private callbackCalls = new Map<number, { unit: number; call: Call }>();
  private taskArgNodes = new Set<number>();
  private payloadKeys = new Set<string>();
  private proxyKeys = new Set<string>();
  /** {@link qualify} results by node id and depth, once pass A is done (nothing it reads changes after that) */
  private qualifyMemo: Map<number, { scope: Scope; result: Candidate | null }> | null = null;

  constructor(path: string, private readonly text: string) {
    this.units = [];
    this.model = {
      path,
      language: 'python',
      units: this.units,
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

  // -------------------------------------------------------------------------------------
  // entry

  /** `root` is the plain copy of the tree, `wasmRoot` the tree-sitter tree (for syntax problems) */
  run(root: Node, wasmRoot: WasmNode): void {
    const moduleUnit: Unit = {
      id: 0, kind: 'module', name: '<module>', range: toRange(root),
      nameRange: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      params: [], accesses: [], calls: [], isNested: false,
    };
    this.units.push(moduleUnit);
    this.moduleScope = newScope('module', null, 0);
    this.collectProblems(wasmRoot);
    // A package's `__main__.py` (`python -m pkg`) is "main only" code: multiprocessing's
    // spawn/forkserver children never re-run it (multiprocessing/spawn.py,
    // _fixup_main_from_name), so its whole top level is parent run time, like the body
    // of `if __name__ == '__main__':`.
    let top = 0;
    if (/(^|[\\/])__main__\.pyw?$/.test(this.model.path)) {
      top = this.addUnit({
        kind: 'main-guard', name: '<main>', range: toRange(root),
        nameRange: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        parent: 0, params: [], accesses: [], calls: [], isNested: false,
      });
    }
    if (top === 0) this.declare(root, this.moduleScope, 0);
    else this.declareChildren(root, this.moduleScope, top);
    // what qualify() reads (scopes, imports, the set of module bindings) is complete
    // after pass A; finishBindings adds the names only declared `global` at its end
    this.qualifyMemo = new Map();
    this.finishBindings();
    this.qualifyMemo = new Map();
    this.visitBlock(root, this.moduleScope, top);
    for (const d of this.deferred) d();
    this.finishSpawns();
  }

  // -------------------------------------------------------------------------------------
  // problems and suppressions

  private collectProblems(root: WasmNode): void {
    // on the WASM tree: `hasError` (an error cost) cannot be rebuilt from the plain copy;
    // only the paths to errors are visited, so this costs one call on a clean file
    if (!root.hasError) return;
    const problems: ParseProblem[] = this.model.problems;
    const walk = (n: WasmNode): void => {
      if (problems.length >= 100) return;
      if (n.isMissing) {
        problems.push({ range: toRange(n), message: `Syntax error: missing '${n.type}'` });
        return;
      }
      if (n.isError) {
        const snippet = n.text.split('\n')[0].slice(0, 40);
        problems.push({ range: toRange(n), message: `Syntax error near '${snippet}'` });
      }
      if (!n.hasError) return;
      for (const c of n.children) if (c) walk(c);
    };
    walk(root);
  }

  collectSuppressions(): void {
    const re = /#\s*crossproc\s*[:\-]?\s*(disable-next-line|disable)\b[ \t]*(?:[=:]?[ \t]*([A-Za-z0-9_\-*]+(?:[ \t]*,[ \t]*[A-Za-z0-9_\-*]+)*))?/g;
    const text = this.text;
    let line = 0;
    let lineStart = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      // advance the line counter to the match
      let nl = text.indexOf('\n', lineStart);
      while (nl !== -1 && nl < m.index) {
        line++;
        lineStart = nl + 1;
        nl = text.indexOf('\n', lineStart);
      }
      const target = m[1] === 'disable-next-line' ? line + 1 : line;
      const rules = m[2] ? m[2].split(',').map((s) => s.trim()).filter(Boolean) : ['*'];
      const prev = this.model.suppressions.get(target) ?? [];
      for (const r of rules) if (!prev.includes(r)) prev.push(r);
      this.model.suppressions.set(target, prev);
    }
  }

  // -------------------------------------------------------------------------------------
  // pass A: declarations

  private addUnit(u: Omit<Unit, 'id'>): number {
    const id = this.units.length;
    this.units.push({ ...u, id } as Unit);
    return id;
  }

  private isMainGuard(n: Node): boolean {
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

  /** the nearest function scope (skipping comprehensions), or null */
  private functionScope(scope: Scope): Scope | null {
    let s: Scope | null = scope;
    while (s && s.kind === 'comprehension') s = s.parent;
    return s && s.kind === 'function' ? s : null;
  }

  private insideFunction(scope: Scope): boolean {
    for (let s: Scope | null = scope; s; s = s.parent) if (s.kind === 'function') return true;
    return false;
  }

  private addName(scope: Scope, name: string, nameNode: Node, src: ValueSrc | null, hint: ValueKind = 'unknown'): void {
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
          this.model.bindings.set(name, { name, range: toRange(nameNode), kind: 'unknown', isConst: false });
        }
      } else {
        decls.push({ src, hint });
      }
      return;
    }
    s.locals.add(name);
    this.pushValue(s, name, src);
  }

  private pushValue(s: Scope, name: string, src: ValueSrc | null): void {
    if (!src) {
      if (!s.values.has(name)) s.values.set(name, []);
      return;
    }
    const arr = s.values.get(name);
    if (arr) arr.push(src);
    else s.values.set(name, [src]);
  }

  private declareTargets(t: Node, scope: Scope, value: Node | null, index?: number, hint: ValueKind = 'unknown'): void {
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

  private paramNames(params: Node | null): string[] {
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

  private declareChildren(n: Node, scope: Scope, unit: number): void {
    for (const c of n.children) if (c && c.isNamed) this.declare(c, scope, unit);
  }

  private declare(n: Node, scope: Scope, unit: number): void {
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
            for (const c of n.children) {
              if (!c || !c.isNamed) continue;
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
        for (const c of n.children) {
          if (!c || !c.isNamed || (left && c.id === left.id)) continue;
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
          if (scope.kind !== 'module') scope.globals.add(id.text);
          if (!this.globalNames.has(id.text)) this.globalNames.set(id.text, id);
        }
        return;
      }
      case 'nonlocal_statement': {
        for (const id of named(n)) if (id.type === 'identifier') scope.nonlocals.add(id.text);
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
  private declareNestedExprs(t: Node, scope: Scope, unit: number): void {
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

  private collectTargetNames(t: Node, out: Set<string>): void {
    if (t.type === 'identifier') {
      out.add(t.text);
      return;
    }
    if (t.type === 'attribute' || t.type === 'subscript') return;
    for (const k of named(t)) this.collectTargetNames(k, out);
  }

  private declareImport(n: Node, scope: Scope): void {
    const addImport = (local: string, nameNode: Node, specifier: string, imported: string, qualified: string): void => {
      this.addName(scope, local, nameNode, null, 'import');
      scope.imports.set(local, qualified);
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
    for (const c of n.children) {
      if (!c) continue;
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

  private declareFunction(n: Node, scope: Scope, unit: number): void {
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
    this.funcInfo.set(n.id, { unit: id, scope: fs });
    // defaults and decorators run in the enclosing scope
    if (params) {
      for (const p of named(params)) {
        const v = field(p, 'value');
        if (v) this.declare(v, scope, unit);
      }
    }
    const body = field(n, 'body');
    if (body) this.declare(body, fs, id);
    this.units[id].globals = [...fs.globals];
  }

  private declareLambda(n: Node, scope: Scope, unit: number): void {
    const params = field(n, 'parameters');
    const paramList = this.paramNames(params);
    const kw = n.child(0);
    const id = this.addUnit({
      kind: 'function', name: '<lambda>', range: toRange(n), nameRange: toRange(kw ?? n),
      parent: unit, params: paramList, accesses: [], calls: [], globals: [], isNested: true,
    });
    const fs = newScope('function', scope, id);
    for (const p of paramList) fs.locals.add(p);
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

  private declareClass(n: Node, scope: Scope, unit: number): void {
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
    const sup = field(n, 'superclasses');
    if (sup) this.declare(sup, scope, unit);
    const body = field(n, 'body');
    if (body) this.declare(body, cs, unit);
  }

  private finishBindings(): void {
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
      if (chosen) {
        b.kind = chosen.kind;
        if (chosen.detail) b.detail = chosen.detail;
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
        this.model.bindings.set(name, { name, range: toRange(node), kind: 'unknown', isConst: false });
        this.moduleScope.locals.add(name);
      }
    }
  }

  // -------------------------------------------------------------------------------------
  // name resolution and value classification

  private resolve(name: string, scope: Scope): Scope | 'module' | null {
    const start = scope;
    let s: Scope | null = scope;
    while (s) {
      if (s.kind === 'module') return this.model.bindings.has(name) ? 'module' : null;
      if (s.kind === 'class') {
        if (s === start && s.locals.has(name)) return s;
        s = s.parent;
        continue;
      }
      if (s.globals.has(name)) return this.model.bindings.has(name) ? 'module' : null;
      if (s.nonlocals.has(name)) {
        s = s.parent;
        continue;
      }
      if (s.locals.has(name)) return s;
      s = s.parent;
    }
    return null;
  }

  private valuesOf(name: string, scope: Scope): ValueSrc[] {
    const r = this.resolve(name, scope);
    if (r === null) return [];
    const s = r === 'module' ? this.moduleScope : r;
    return s.values.get(name) ?? [];
  }

  private importAlias(name: string, scope: Scope): string | undefined {
    const r = this.resolve(name, scope);
    if (r === null) return undefined;
    const s = r === 'module' ? this.moduleScope : r;
    return s.imports.get(name);
  }

  private isModuleLike(b: Binding | undefined): boolean {
    if (!b || b.kind !== 'import' || !b.importFrom) return false;
    const imp = b.importFrom.imported;
    return imp === '*' || /^[a-z_]/.test(imp);
  }

  private qualify(n: Node | null, scope: Scope, depth = 0): Candidate | null {
    if (!n || depth > 8) return null;
    const memo = this.qualifyMemo;
    if (!memo) return this.qualifyUncached(n, scope, depth);
    // keyed by depth too (the depth limit can cut a result short): without the memo a
    // name assigned many times from its own method calls (`fn = fn.replace(...)`, 11
    // times) costs values^(depth/2) calls
    const key = n.id * 16 + depth;
    const hit = memo.get(key);
    if (hit && hit.scope === scope) return hit.result;
    const result = this.qualifyUncached(n, scope, depth);
    memo.set(key, { scope, result });
    return result;
  }

  private qualifyUncached(n: Node, scope: Scope, depth: number): Candidate | null {
    switch (n.type) {
      case 'identifier': {
        const alias = this.importAlias(n.text, scope);
        if (alias) return { q: alias };
        for (const v of this.valuesOf(n.text, scope)) {
          if (v.index !== undefined || v.node.type !== 'call') continue;
          const f = this.qualify(field(v.node, 'function'), scope, depth + 1);
          if (f && f.q === 'multiprocessing.get_context') return { q: 'multiprocessing', method: this.getContextMethod(v.node) };
        }
        return { q: n.text };
      }
      case 'attribute': {
        const o = this.qualify(field(n, 'object'), scope, depth + 1);
        const a = field(n, 'attribute');
        if (!o || !a) return null;
        return { q: `${o.q}.${a.text}`, method: o.method };
      }
      case 'call': {
        const f = this.qualify(field(n, 'function'), scope, depth + 1);
        if (f && f.q === 'multiprocessing.get_context') return { q: 'multiprocessing', method: this.getContextMethod(n) };
        return null;
      }
      case 'parenthesized_expression':
        return this.qualify(unparen(n), scope, depth + 1);
      default:
        return null;
    }
  }

  private getContextMethod(call: Node): StartMethod | undefined {
    const a = callArgs(call);
    return startMethodOf(stringValue(a.pos[0] ?? a.kw.get('method')));
  }

  /** start method of a context expression (`get_context('spawn')`, a variable bound to one) */
  private contextExprMethod(n: Node | undefined, scope: Scope): StartMethod | undefined {
    if (!n) return undefined;
    const q = this.qualify(n, scope);
    if (q && q.q === 'multiprocessing' && q.method) return q.method;
    return undefined;
  }

  private classifySrc(src: ValueSrc, scope: Scope, depth: number): Classified {
    if (src.index !== undefined) {
      // tuple unpacking of a call: `r, w = Pipe()` — each end is a process primitive
      const v = unparen(src.node);
      if (v.type === 'call') {
        const q = this.qualify(field(v, 'function'), scope);
        if (q && (q.q === 'multiprocessing.Pipe')) return { kind: 'process-primitive', detail: 'multiprocessing.Pipe' };
      }
      return { kind: 'unknown' };
    }
    return this.classify(src.node, scope, depth);
  }

  private classify(node: Node, scope: Scope, depth = 0): Classified {
    if (depth > 6) return { kind: 'unknown' };
    const n = unparen(node);
    switch (n.type) {
      case 'none': return { kind: 'empty' };
      case 'integer': case 'float': case 'true': case 'false': case 'string': case 'concatenated_string':
      case 'ellipsis':
        return { kind: 'constant' };
      case 'unary_operator': {
        const arg = field(n, 'argument');
        return arg && ['integer', 'float'].includes(arg.type) ? { kind: 'constant' } : { kind: 'unknown' };
      }
      case 'tuple': {
        const kids = named(n).filter((k) => k.type !== 'comment');
        return kids.every((k) => this.classify(k, scope, depth + 1).kind === 'constant') ? { kind: 'constant' } : { kind: 'unknown' };
      }
      case 'list': case 'dictionary': case 'set': case 'list_comprehension': case 'dictionary_comprehension':
      case 'set_comprehension':
        return { kind: 'mutable' };
      case 'generator_expression':
        return { kind: 'unknown', generator: true };
      case 'lambda':
        return { kind: 'function', lambda: true };
      case 'function_definition': {
        const fi = this.funcInfo.get(n.id);
        const isGen = fi ? !!this.units[fi.unit].isGenerator : false;
        return { kind: 'function', localDef: fi ? this.units[fi.unit].isNested : false, generator: undefined, detail: isGen ? 'generator' : undefined };
      }
      case 'class_definition':
        return { kind: 'class' };
      case 'identifier': {
        const vals = this.valuesOf(n.text, scope);
        if (vals.length === 0) {
          const b = this.resolve(n.text, scope) === 'module' ? this.model.bindings.get(n.text) : undefined;
          return b && b.kind !== 'unknown' ? { kind: b.kind, detail: b.detail } : { kind: 'unknown' };
        }
        for (const v of vals) {
          const c = this.classifySrc(v, scope, depth + 1);
          if (c.kind !== 'unknown' || c.openFile || c.generator || c.context) return c;
        }
        return { kind: 'unknown' };
      }
      case 'call':
        return this.classifyCall(n, scope, depth);
      default:
        return { kind: 'unknown' };
    }
  }

  private classifyCall(n: Node, scope: Scope, depth: number): Classified {
    const fn = field(n, 'function');
    if (!fn) return { kind: 'unknown' };
    const q = this.qualify(fn, scope);
    if (q) {
      const name = q.q;
      if (name === 'multiprocessing.get_context') return { kind: 'unknown', context: true };
      if (OPEN_CALLS.has(name)) return { kind: 'unknown', openFile: true, detail: name };
      if (MUTABLE_CTORS.has(name)) return { kind: 'mutable', detail: name };
      if (CONSTANT_CTORS.has(name)) return { kind: 'constant' };
      if (THREAD_PRIMITIVES.has(name)) return { kind: 'thread-primitive', detail: name };
      if (MANAGER_CTORS.has(name)) return { kind: 'manager-proxy', detail: `${name.split('.').pop()}()`, managerObj: true };
      const parts = name.split('.');
      const last = parts[parts.length - 1];
      if (parts[0] === 'multiprocessing' && (parts.length === 2 || parts[1] === 'sharedctypes' || parts[1] === 'queues' || parts[1] === 'synchronize')
        && MP_PRIMITIVE_NAMES.has(last)) {
        return { kind: 'process-primitive', detail: `multiprocessing.${last}` };
      }
      if (name.startsWith('multiprocessing.shared_memory.')) return { kind: 'process-primitive', detail: name };
      const sysInfo = SYSTEMS.get(name);
      if (sysInfo && sysInfo.shape !== 'process' && sysInfo.shape !== 'manager') return { kind: 'pool', detail: sysInfo.label };
      // a call of a generator function
      if (fn.type === 'identifier') {
        for (const v of this.valuesOf(fn.text, scope)) {
          if (v.node.type === 'function_definition') {
            const fi = this.funcInfo.get(v.node.id);
            if (fi && this.units[fi.unit].isGenerator) return { kind: 'unknown', generator: true, detail: fn.text };
          }
        }
      }
    }
    // executor class chosen by an expression: `[PPE, TPE][i]()`
    const cands = this.classCandidates(fn, scope);
    if (cands.cands.some((c) => { const s = SYSTEMS.get(c.q); return s && (s.shape === 'pool' || s.shape === 'executor'); })) {
      return { kind: 'pool' };
    }
    // manager.list() / Manager().dict()
    if (fn.type === 'attribute') {
      const obj = field(fn, 'object');
      const meth = field(fn, 'attribute')?.text ?? '';
      if (obj && MANAGER_PROXY_METHODS.has(meth)) {
        const oc = this.classify(obj, scope, depth + 1);
        if (oc.kind === 'manager-proxy' && oc.managerObj) return { kind: 'manager-proxy', detail: `${oc.detail ?? 'Manager()'}.${meth}` };
      }
    }
    return { kind: 'unknown' };
  }

  /** classes an expression may evaluate to (for executor choice) */
  private classCandidates(n: Node | null, scope: Scope, depth = 0): { cands: Candidate[]; unknown: boolean } {
    const none = { cands: [] as Candidate[], unknown: true };
    if (!n || depth > 6) return none;
    const x = unparen(n);
    switch (x.type) {
      case 'identifier': {
        if (this.importAlias(x.text, scope)) {
          const q = this.qualify(x, scope);
          return q ? { cands: [q], unknown: false } : none;
        }
        const vals = this.valuesOf(x.text, scope).filter((v) => v.index === undefined);
        if (vals.length > 0 && vals.every((v) => CLASS_EXPR_TYPES.has(v.node.type))) {
          const out = { cands: [] as Candidate[], unknown: false };
          for (const v of vals) {
            const r = this.classCandidates(v.node, scope, depth + 1);
            out.cands.push(...r.cands);
            out.unknown ||= r.unknown;
          }
          return out;
        }
        const q = this.qualify(x, scope);
        return q ? { cands: [q], unknown: false } : none;
      }
      case 'attribute': {
        const q = this.qualify(x, scope);
        return q ? { cands: [q], unknown: false } : none;
      }
      case 'conditional_expression': {
        const kids = named(x);
        const a = this.classCandidates(kids[0] ?? null, scope, depth + 1);
        const b = this.classCandidates(kids[2] ?? null, scope, depth + 1);
        return { cands: [...a.cands, ...b.cands], unknown: a.unknown || b.unknown };
      }
      case 'subscript': {
        let base: Node | null = field(x, 'value');
        if (base && unparen(base).type === 'identifier') {
          const vals = this.valuesOf(unparen(base).text, scope);
          base = vals.length === 1 && vals[0].index === undefined ? vals[0].node : base;
        }
        if (!base) return none;
        base = unparen(base);
        const subs = x.childrenForFieldName('subscript').filter((s): s is Node => !!s);
        const key = subs.length === 1 ? subs[0] : null;
        let elems: Node[] = [];
        let picked: Node | null = null;
        if (base.type === 'list' || base.type === 'tuple') {
          elems = named(base).filter((k) => k.type !== 'comment');
          if (key && (key.type === 'integer' || (key.type === 'unary_operator' && field(key, 'argument')?.type === 'integer'))) {
            const i = Number.parseInt(key.text.replace(/\s+/g, ''), 10);
            const idx = i < 0 ? elems.length + i : i;
            if (idx >= 0 && idx < elems.length) picked = elems[idx];
          }
        } else if (base.type === 'dictionary') {
          const pairs = named(base).filter((k) => k.type === 'pair');
          elems = pairs.map((p) => field(p, 'value')).filter((v): v is Node => !!v);
          const ks = stringValue(key);
          if (ks !== null) {
            for (const p of pairs) if (stringValue(field(p, 'key')) === ks) picked = field(p, 'value');
          }
        } else {
          return none;
        }
        if (picked) return this.classCandidates(picked, scope, depth + 1);
        const out = { cands: [] as Candidate[], unknown: false };
        for (const e of elems) {
          const r = this.classCandidates(e, scope, depth + 1);
          out.cands.push(...r.cands);
          out.unknown ||= r.unknown;
        }
        return out;
      }
      default:
        return none;
    }
  }

  // -------------------------------------------------------------------------------------
  // chains: X, X.a, X[k], mod.NAME.b[k]

  private chainOf(n: Node): { bottom: Node; steps: Node[] } {
    const steps: Node[] = [];
    let cur = n;
    for (;;) {
      if (cur.type === 'attribute') {
        const o = field(cur, 'object');
        if (!o) break;
        steps.push(cur);
        cur = o;
      } else if (cur.type === 'subscript') {
        const v = field(cur, 'value');
        if (!v) break;
        steps.push(cur);
        cur = v;
      } else if (cur.type === 'parenthesized_expression' && steps.length > 0) {
        const inner = unparen(cur);
        if (inner === cur || inner.id === cur.id) break;
        cur = inner;
      } else {
        break;
      }
    }
    steps.reverse();
    return { bottom: cur, steps };
  }

  private refOfChain(bottom: Node, steps: Node[], scope: Scope): ChainRef | null {
    if (bottom.type !== 'identifier') return null;
    const name = bottom.text;
    if (this.resolve(name, scope) !== 'module') return null;
    const b = this.model.bindings.get(name);
    if (this.isModuleLike(b) && steps.length > 0 && steps[0].type === 'attribute') {
      const attr = field(steps[0], 'attribute');
      if (attr) return { ref: { name, member: attr.text }, rangeNode: steps[0], used: 1 };
    }
    return { ref: { name }, rangeNode: bottom, used: 0 };
  }

  private addAccess(unit: number, ref: Ref, kind: AccessKind, node: Node, detail?: string): Access {
    const a: Access = { ref, kind, range: toRange(node), offset: node.startIndex };
    if (detail !== undefined) a.detail = detail;
    this.units[unit].accesses.push(a);
    return a;
  }

  private addCall(unit: number, callee: Ref, node: Node): Call {
    const c: Call = { callee, range: toRange(node), offset: node.startIndex };
    this.units[unit].calls.push(c);
    return c;
  }

  private visitSubscripts(steps: Node[], scope: Scope, unit: number): void {
    for (const s of steps) {
      if (s.type !== 'subscript') continue;
      for (const k of s.childrenForFieldName('subscript')) if (k) this.visit(k, scope, unit);
    }
  }

  private visitChainRead(n: Node, scope: Scope, unit: number): void {
    const { bottom, steps } = this.chainOf(n);
    this.visitSubscripts(steps, scope, unit);
    if (bottom.type === 'identifier') {
      const r = this.refOfChain(bottom, steps, scope);
      if (r) this.addAccess(unit, r.ref, 'read', r.rangeNode);
    } else {
      this.visit(bottom, scope, unit);
    }
  }

  private keyText(step: Node | undefined): string | undefined {
    if (!step) return undefined;
    if (step.type === 'attribute') return field(step, 'attribute')?.text;
    const subs = step.childrenForFieldName('subscript').filter((s): s is Node => !!s);
    if (subs.length === 1 && ['string', 'integer', 'identifier', 'attribute', 'true', 'false', 'none'].includes(subs[0].type)) {
      // brackets tell a subscript from an attribute in messages
      return `[${subs[0].text}]`;
    }
    return undefined;
  }

  private visitTarget(t: Node, mode: 'assign' | 'update' | 'del', scope: Scope, unit: number): void {
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
        const r = this.refOfChain(bottom, steps, scope);
        if (!r) return;
        const rest = steps.length - r.used;
        if (rest === 0) this.addAccess(unit, r.ref, mode === 'update' ? 'update' : 'assign', r.rangeNode);
        else this.addAccess(unit, r.ref, 'item-assign', r.rangeNode, this.keyText(steps[r.used]));
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

  private visitChildren(n: Node, scope: Scope, unit: number): void {
    for (const c of n.children) if (c && c.isNamed) this.visit(c, scope, unit);
  }

  /** a statement sequence: tracks the previous statement for `v = X.get(k); if v is None: X[k] = ...` */
  private visitBlock(n: Node, scope: Scope, unit: number): void {
    let prevStart = -1;
    let prevUnit = -1;
    let prevNode: Node | null = null;
    for (const c of n.children) {
      if (!c || !c.isNamed) continue;
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

  private isGetAssignment(n: Node): boolean {
    if (n.type !== 'expression_statement') return false;
    const a = named(n)[0];
    if (!a || a.type !== 'assignment') return false;
    const r = field(a, 'right');
    if (!r || r.type !== 'call') return false;
    const f = field(r, 'function');
    return !!f && f.type === 'attribute' && field(f, 'attribute')?.text === 'get';
  }

  private visitIf(n: Node, scope: Scope, unit: number, prevStart = -1): void {
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
  private markFromParam(body: Node, unit: number, from: number): void {
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
      if (left.type !== 'identifier' && left.type !== 'attribute') break;
      heads.push([left.startIndex, left.endIndex]);
    }
    if (heads.length === 0) return;
    for (let i = from; i < u.accesses.length; i++) {
      const acc = u.accesses[i];
      if (acc.kind === 'assign' && heads.some(([s, e]) => acc.offset >= s && acc.offset < e)) acc.fromParam = true;
    }
  }

  private markLazy(u: Unit, rs: number, re: number, ws: number, we: number): void {
    const written = new Set<string>();
    for (let i = ws; i < we; i++) if (u.accesses[i].kind !== 'read') written.add(refKey(u.accesses[i].ref));
    if (written.size === 0) return;
    for (let i = rs; i < re; i++) {
      const a = u.accesses[i];
      if (a.kind === 'read' && written.has(refKey(a.ref))) a.lazyInit = true;
    }
  }

  private visit(n: Node, scope: Scope, unit: number): void {
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
        for (const c of n.children) {
          if (!c || !c.isNamed || c.id === left?.id || c.id === right?.id) continue;
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

  private visitCall(n: Node, scope: Scope, unit: number): void {
    const fn = field(n, 'function');
    this.processSpecialCall(n, scope, unit);
    if (fn && fn.type === 'attribute') {
      const recv = field(fn, 'object');
      const method = field(fn, 'attribute')?.text ?? '';
      if (recv) {
        const { bottom, steps } = this.chainOf(recv);
        this.visitSubscripts(steps, scope, unit);
        if (bottom.type === 'identifier') {
          const r = this.refOfChain(bottom, steps, scope);
          if (r) {
            const b = this.model.bindings.get(r.ref.name);
            if (steps.length === 0 && this.isModuleLike(b)) {
              this.addCall(unit, { name: r.ref.name, member: method }, fn);
            } else if (MUTATING_METHODS.has(method)) {
              this.addAccess(unit, r.ref, 'mutate-call', r.rangeNode, method);
            } else if (steps.length === 0 && b && b.kind === 'class') {
              // Cls.method(): that method (the engine maps class + member to the method's unit)
              this.addCall(unit, { name: r.ref.name, member: method }, fn);
            } else {
              this.addAccess(unit, r.ref, 'read', r.rangeNode);
            }
          } else if (steps.length === 0) {
            // self.method() inside a method of a module-level class: that method of the class
            const fs = this.functionScope(scope);
            if (fs?.methodOf?.classBinding && fs.selfName === bottom.text && this.resolve(bottom.text, scope) === fs) {
              this.addCall(unit, { name: fs.methodOf.classBinding, member: method }, fn);
            }
          }
        } else {
          this.visit(bottom, scope, unit);
        }
      }
    } else if (fn && fn.type === 'identifier') {
      if (this.resolve(fn.text, scope) === 'module') {
        const b = this.model.bindings.get(fn.text);
        this.addCall(unit, { name: fn.text }, fn);
        if (b && b.kind !== 'function' && b.kind !== 'class' && b.kind !== 'import' && b.kind !== 'unknown') {
          this.addAccess(unit, { name: fn.text }, 'read', fn);
        }
      }
    } else if (fn) {
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
    for (const a of named(al)) {
      const v = a.type === 'keyword_argument' ? field(a, 'value') : a;
      if (!v) continue;
      if (callUnit !== null && this.callbackArg(v, scope, unit, callUnit)) continue;
      this.visit(v, scope, unit);
    }
  }

  /**
   * For a call on the spine of a decorator expression (`@tag(f)`, `@a.b(f)`, `@a(f).b(g)`):
   * the unit of the decorated function, or null when a class is decorated; otherwise undefined.
   */
  private decoratedUnit(n: Node): number | null | undefined {
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
  private callbackArg(v: Node, scope: Scope, unit: number, callUnit = unit): boolean {
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

  // -------------------------------------------------------------------------------------
  // spawns, submissions, payloads, json

  private processSpecialCall(n: Node, scope: Scope, unit: number): void {
    const fn = field(n, 'function');
    if (!fn) return;
    const q = this.qualify(fn, scope);
    if (q) {
      if (q.q === 'multiprocessing.set_start_method' || (q.q === 'multiprocessing.set_start_method')) {
        const a = callArgs(n);
        const m = startMethodOf(stringValue(a.pos[0] ?? a.kw.get('method')));
        if (m && !this.model.startMethod) this.model.startMethod = m;
      }
      if (q.q === 'json.dumps' || q.q === 'json.dump') {
        const a = callArgs(n);
        const obj = a.pos[0] ?? a.kw.get('obj');
        if (obj) this.checkProxyJson(obj, q.q, scope, 0);
      }
    }
    const cands = this.classCandidates(fn, scope);
    const systems = cands.cands.map((c) => ({ c, s: SYSTEMS.get(c.q) })).filter((x) => !!x.s) as { c: Candidate; s: SystemInfo }[];
    if (systems.length > 0) {
      this.createSite(n, systems, cands.unknown || systems.length < cands.cands.length, scope, unit);
    }
    if (fn.type === 'attribute') {
      const method = field(fn, 'attribute')?.text ?? '';
      const recv = field(fn, 'object');
      if (!recv) return;
      if (POOL_SUBMIT.has(method) || EXECUTOR_SUBMIT.has(method) || method === 'start') {
        const targets = this.receiverValues(recv, scope);
        if (targets.length === 0) return;
        // mark task args now (so callbacks are not counted as parent calls); resolve sites later
        this.deferred.push(() => {
          for (const t of targets) {
            const site = this.siteByNode.get(t.id);
            if (!site) continue;
            if (method === 'start') {
              if ((site.shape === 'process') && callArgs(n).pos.length === 0) site.site.startRange = toRange(n);
              return;
            }
            if (site.shape === 'pool' && POOL_SUBMIT.has(method)) this.addSubmission(site, n, method, scope);
            else if (site.shape === 'executor' && EXECUTOR_SUBMIT.has(method)) this.addSubmission(site, n, method, scope);
            return;
          }
        });
      }
    }
  }

  private receiverValues(recv: Node, scope: Scope): Node[] {
    const r = unparen(recv);
    if (r.type === 'call') return [r];
    if (r.type === 'identifier') return this.valuesOf(r.text, scope).filter((v) => v.index === undefined).map((v) => unparen(v.node));
    if (r.type === 'attribute') {
      const obj = field(r, 'object');
      const attr = field(r, 'attribute');
      const fs = this.functionScope(scope);
      if (obj && attr && obj.type === 'identifier' && fs?.methodOf?.classAttrs && fs.selfName === obj.text) {
        return (fs.methodOf.classAttrs.get(attr.text) ?? []).filter((v) => v.index === undefined).map((v) => unparen(v.node));
      }
    }
    return [];
  }

  private createSite(n: Node, systems: { c: Candidate; s: SystemInfo }[], unknown: boolean, scope: Scope, unit: number): void {
    const processOnes = systems.filter((x) => x.s.isProcess);
    const first = processOnes[0] ?? systems[0];
    const allSame = systems.every((x) => x.s.system === first.s.system);
    let isProcess: boolean | 'maybe';
    if (unknown || !allSame) isProcess = processOnes.length > 0 && processOnes.length === systems.length && !unknown ? true : 'maybe';
    else isProcess = first.s.isProcess;
    if (processOnes.length === 0 && !unknown) isProcess = false;
    const info = first.s;
    const a = callArgs(n);
    const site: SpawnSite = {
      system: info.system, unit, range: toRange(n), offset: n.startIndex, label: info.label,
      isProcess, tasks: [], initializers: [],
    };
    let method: StartMethod | undefined = first.c.method;
    let initializer: Node | undefined;
    let initargs: Node | undefined;
    if (info.shape === 'pool') {
      initializer = a.kw.get('initializer') ?? a.pos[1];
      initargs = a.kw.get('initargs') ?? a.pos[2];
      method ??= this.contextExprMethod(a.kw.get('context') ?? a.pos[4], scope);
    } else if (info.shape === 'executor') {
      const isPPE = info.system === 'ProcessPoolExecutor';
      initializer = a.kw.get('initializer') ?? a.pos[2];
      initargs = a.kw.get('initargs') ?? a.pos[3];
      const ctxArg = isPPE ? a.kw.get('mp_context') ?? a.pos[1] : undefined;
      method ??= this.contextExprMethod(ctxArg, scope);
      if (isPPE && !method && !ctxArg && a.kw.has('max_tasks_per_child')) {
        const v = a.kw.get('max_tasks_per_child');
        if (v && v.type !== 'none') method = 'spawn';
      }
    } else if (info.shape === 'process') {
      const target = a.kw.get('target') ?? a.pos[1];
      const args = a.kw.get('args') ?? a.pos[3];
      const kwargs = a.kw.get('kwargs') ?? a.pos[4];
      if (args || kwargs) site.passesState = true;
      if (target) {
        const t = this.taskOf(target, scope);
        if (t.ref) {
          site.tasks.push({ ref: t.ref, range: toRange(n), label: `${info.label}(target=)` });
          if (isProcess !== false) this.taskArgNodes.add((t.node ?? target).id);
        } else if (!t.payload) (site.flowTasks ??= []).push({ offset: target.startIndex, range: toRange(n), label: `${info.label}(target=)` });
      }
    }
    if (initializer) {
      const t = this.taskOf(initializer, scope);
      if (t.ref) {
        site.initializers.push(t.ref);
        if (isProcess !== false) this.taskArgNodes.add((t.node ?? initializer).id);
      } else if (!t.payload) (site.flowTasks ??= []).push({ offset: initializer.startIndex, range: toRange(n), label: 'initializer', initializer: true });
    }
    if (initargs) site.passesState = true;
    if (method) site.startMethod = method;
    this.model.spawns.push(site);
    this.siteByNode.set(n.id, { site, shape: info.shape });
  }

  /** what a task-callable expression is: a module-level function ref, or an unsendable payload */
  private taskOf(node: Node, scope: Scope): { ref?: Ref; payload?: { what: Payload['what']; symbol: string }; bound: Node[]; node?: Node } {
    const n = unparen(node);
    if (n.type === 'lambda') return { payload: { what: 'lambda', symbol: 'lambda' }, bound: [] };
    if (n.type === 'call') {
      const q = this.qualify(field(n, 'function'), scope);
      if (q && (q.q === 'functools.partial' || q.q === 'partial')) {
        const a = callArgs(n);
        if (a.pos[0]) {
          const inner = this.taskOf(a.pos[0], scope);
          return { ...inner, bound: [...inner.bound, ...a.pos.slice(1), ...a.kw.values()], node: inner.node ?? unparen(a.pos[0]) };
        }
      }
      return { bound: [] };
    }
    if (n.type === 'identifier') {
      const r = this.resolve(n.text, scope);
      if (r === null) return { bound: [] };
      if (r === 'module') {
        const b = this.model.bindings.get(n.text);
        if (b && b.kind === 'function' && b.unit !== undefined && this.units[b.unit].name === '<lambda>') {
          return { payload: { what: 'lambda', symbol: n.text }, bound: [] };
        }
        return { ref: { name: n.text }, bound: [], node: n };
      }
      // local name: a nested def or a lambda bound locally
      for (const v of r.values.get(n.text) ?? []) {
        if (v.node.type === 'function_definition') return { payload: { what: 'local-function', symbol: n.text }, bound: [] };
        if (v.index === undefined && unparen(v.node).type === 'lambda') return { payload: { what: 'lambda', symbol: n.text }, bound: [] };
      }
      return { bound: [] };
    }
    if (n.type === 'attribute') {
      const { bottom, steps } = this.chainOf(n);
      if (steps.length === 1 && bottom.type === 'identifier') {
        const r = this.refOfChain(bottom, steps, scope);
        if (r && r.used === 1) return { ref: r.ref, bound: [], node: n };
      }
    }
    return { bound: [] };
  }

  private addSubmission(meta: { site: SpawnSite }, call: Node, method: string, scope: Scope): void {
    const { site } = meta;
    const label = `${site.label}.${method}`;
    const a = callArgs(call);
    const fnArg = a.pos[0] ?? a.kw.get('func') ?? a.kw.get('fn');
    const candidates: Node[] = [];
    if (fnArg) {
      const t = this.taskOf(fnArg, scope);
      if (t.ref) {
        site.tasks.push({ ref: t.ref, range: toRange(call), label });
        if (site.isProcess !== false) this.dropCallback(t.node ?? fnArg);
      } else if (!t.payload) {
        (site.flowTasks ??= []).push({ offset: fnArg.startIndex, range: toRange(call), label });
      }
      if (t.payload && site.isProcess === true) this.addPayload(fnArg, t.payload.what, t.payload.symbol, label);
      candidates.push(...t.bound);
    }
    if (site.isProcess !== true) return;
    switch (method) {
      case 'map': case 'map_async': case 'imap': case 'imap_unordered': {
        const iters = site.system === 'mp.Pool' ? [a.pos[1] ?? a.kw.get('iterable')] : a.pos.slice(1);
        for (const it of iters) if (it) candidates.push(...this.elementsOf(it));
        break;
      }
      case 'starmap': case 'starmap_async': {
        const it = a.pos[1] ?? a.kw.get('iterable');
        if (it) {
          for (const e of this.elementsOf(it)) {
            const x = unparen(e);
            if (x.type === 'tuple' || x.type === 'list') candidates.push(...named(x).filter((k) => k.type !== 'comment'));
          }
        }
        break;
      }
      case 'apply': case 'apply_async': {
        const args = a.pos[1] ?? a.kw.get('args');
        if (args) {
          const x = unparen(args);
          if (x.type === 'tuple' || x.type === 'list') candidates.push(...named(x).filter((k) => k.type !== 'comment'));
        }
        const kwds = a.pos[2] ?? a.kw.get('kwds');
        if (kwds && unparen(kwds).type === 'dictionary') {
          for (const p of named(unparen(kwds))) if (p.type === 'pair') { const v = field(p, 'value'); if (v) candidates.push(v); }
        }
        break;
      }
      case 'submit': {
        candidates.push(...a.pos.slice(1));
        for (const [k, v] of a.kw) if (k !== 'fn' && k !== 'func') candidates.push(v);
        break;
      }
      default: break;
    }
    for (const c of candidates) {
      const p = this.payloadWhat(c, scope);
      if (p) this.addPayload(c, p.what, p.symbol, label);
    }
  }

  private dropCallback(arg: Node): void {
    this.dropCallbackId(arg.id);
  }

  private dropCallbackId(id: number): void {
    const cb = this.callbackCalls.get(id);
    if (!cb) return;
    const calls = this.units[cb.unit].calls;
    const i = calls.indexOf(cb.call);
    if (i >= 0) calls.splice(i, 1);
    this.callbackCalls.delete(id);
  }

  private elementsOf(it: Node): Node[] {
    const x = unparen(it);
    if (x.type === 'list' || x.type === 'tuple' || x.type === 'set') return named(x).filter((k) => k.type !== 'comment' && k.type !== 'list_splat');
    if (x.type === 'list_comprehension' || x.type === 'generator_expression' || x.type === 'set_comprehension') {
      const body = field(x, 'body');
      return body ? [body] : [];
    }
    return [];
  }

  private payloadWhat(node: Node, scope: Scope): { what: Payload['what']; symbol: string } | null {
    const n = unparen(node);
    if (n.type === 'lambda') return { what: 'lambda', symbol: 'lambda' };
    if (n.type === 'generator_expression') return { what: 'generator', symbol: 'generator expression' };
    if (n.type === 'identifier') {
      const t = this.taskOf(n, scope);
      if (t.payload) return t.payload;
      const c = this.classify(n, scope);
      return this.payloadOfClass(c, n.text);
    }
    if (n.type === 'call') {
      const c = this.classify(n, scope);
      const fnText = field(n, 'function')?.text ?? 'call';
      return this.payloadOfClass(c, `${fnText}(...)`);
    }
    return null;
  }

  private payloadOfClass(c: Classified, symbol: string): { what: Payload['what']; symbol: string } | null {
    if (c.lambda) return { what: 'lambda', symbol };
    if (c.kind === 'function' && c.localDef) return { what: 'local-function', symbol };
    if (c.generator) return { what: 'generator', symbol };
    if (c.openFile) return { what: 'open-file', symbol };
    if (c.kind === 'thread-primitive') return { what: 'thread-lock', symbol };
    if (c.kind === 'process-primitive' && c.detail) {
      const last = c.detail.split('.').pop() ?? '';
      if (MP_QUEUES.has(last)) return { what: 'process-queue', symbol };
      if (MP_LOCKLIKE.has(last)) return { what: 'process-lock', symbol };
    }
    return null;
  }

  private addPayload(node: Node, what: Payload['what'], symbol: string, channel: string): void {
    const key = `${node.startIndex}:${what}`;
    if (this.payloadKeys.has(key)) return;
    this.payloadKeys.add(key);
    this.model.payloads.push({ range: toRange(node), symbol, what, channel });
  }

  private checkProxyJson(node: Node, callee: string, scope: Scope, depth: number): void {
    if (depth > 4) return;
    const n = unparen(node);
    switch (n.type) {
      case 'identifier': case 'call': {
        const c = this.classify(n, scope);
        if (c.kind === 'manager-proxy') {
          const key = `${n.startIndex}`;
          if (this.proxyKeys.has(key)) return;
          this.proxyKeys.add(key);
          this.model.proxySerialized.push({ range: toRange(n), symbol: n.type === 'identifier' ? n.text : n.text.slice(0, 60), callee });
        }
        return;
      }
      case 'list': case 'tuple': case 'set':
        for (const k of named(n)) this.checkProxyJson(k, callee, scope, depth + 1);
        return;
      case 'dictionary':
        for (const p of named(n)) {
          if (p.type !== 'pair') continue;
          const v = field(p, 'value');
          if (v) this.checkProxyJson(v, callee, scope, depth + 1);
        }
        return;
      default:
        return;
    }
  }

  private finishSpawns(): void {
    for (const id of this.taskArgNodes) this.dropCallbackId(id);
    if (this.model.startMethod) {
      for (const s of this.model.spawns) {
        if (!s.startMethod && s.isProcess !== false && s.system !== 'InterpreterPoolExecutor') s.startMethod = this.model.startMethod;
      }
    }
  }
}

export interface PythonParseOptions {
  /** value-flow facts (../flow): always (default), or only for a module that starts processes or threads */
  flowFacts?: true | 'if-spawns';
}

/**
 * Parse a Python file into the language-neutral model. Synchronous; call after
 * {@link initPython}. Never throws: failures end up in `problems` with whatever model
 * was built so far.
 */
export function parsePython(path: string, text: string, options: PythonParseOptions = {}): ModuleModel {
  const fe = new PythonFrontEnd(path, text);
  try {
    fe.collectSuppressions();
  } catch (err) {
    fe.model.problems.push({ range: zeroRange(), message: `suppression scan failed: ${String(err)}` });
  }
  const parser = getPythonParser();
  if (!parser) {
    fe.model.units.push(emptyModuleUnit());
    fe.model.problems.push({ range: zeroRange(), message: 'Python parser is not initialised (call initPython() first)' });
    return fe.model;
  }
  let tree: ReturnType<typeof parser.parse> = null;
  try {
    tree = parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    const root = copyTree(tree, text);
    fe.run(root, tree.rootNode);
    const facts = options.flowFacts ?? true;
    if (facts === true || fe.model.spawns.length > 0) fe.model.flow = extractPythonFacts(root);
  } catch (err) {
    if (fe.model.units.length === 0) fe.model.units.push(emptyModuleUnit());
    fe.model.problems.push({ range: zeroRange(), message: `Python analysis failed: ${err instanceof Error ? err.message : String(err)}` });
  } finally {
    try {
      tree?.delete();
    } catch {
      // ignore
    }
  }
  return fe.model;
}

function zeroRange(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

function emptyModuleUnit(): Unit {
  return {
    id: 0, kind: 'module', name: '<module>', range: zeroRange(), nameRange: zeroRange(),
    params: [], accesses: [], calls: [], isNested: false,
  };
}
