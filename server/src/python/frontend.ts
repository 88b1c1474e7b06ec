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
 * Modules, one concern each, stacked as one class hierarchy (each pass builds on the one
 * before): ./resolve.ts (state, scopes, what names and values are) ← ./declare.ts (pass A)
 * ← ./uses.ts (pass B) ← ./payloads.ts (unsendable values) ← ./spawns.ts (spawn sites,
 * submissions) ← ./events.ts (where each site's workers have finished) ← this file (entry). Tables of standard-library names: ./stdlib.ts;
 * suppression comments and syntax problems: ./suppressions.ts.
 *
 * Positions: web-tree-sitter parses JS strings as UTF-16, its `startIndex` and
 * `startPosition.column` are UTF-16 code units, which is what LSP wants (tested).
 *
 * Speed: the passes run over a plain-JS copy of the tree (./tree.ts, one cursor walk),
 * not over web-tree-sitter `Node`s, whose every property access crosses into WASM;
 * only the syntax-problem scan uses the WASM tree. bench/dump-models.ts checks that the
 * models stay identical, bench/verify-tree.ts that the copy matches the Node API.
 */
import type { Node as WasmNode, Tree } from 'web-tree-sitter';
import { reparse, type PreviousTree } from './reparse';
import type { ModuleModel, Range, Unit } from '../engine/model';
import { getPythonParser } from './parser';
import { newScope } from './scope';
import { EventPass } from './events';
import { collectProblems, collectSuppressions } from './suppressions';
import { toRange } from './syntax';
import { copyTree, type SyntaxNode as Node } from './tree';
import { extractPythonFacts } from './facts';

export { initPython } from './parser';

class PythonFrontEnd extends EventPass {
  /** `root` is the plain copy of the tree, `wasmRoot` the tree-sitter tree (for syntax problems) */
  run(root: Node, wasmRoot: WasmNode): void {
    this.addUnit({
      kind: 'module', name: '<module>', range: toRange(root),
      nameRange: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      params: [], accesses: [], calls: [], isNested: false,
    });
    this.moduleScope = newScope('module', null, 0);
    collectProblems(wasmRoot, this.model.problems);
    // A package's `__main__.py` (`python -m pkg`) is "main only" code: multiprocessing's
    // spawn/forkserver children never re-run it (multiprocessing/spawn.py,
    // _fixup_main_from_name), so its whole top level is parent run time, like the body
    // of `if __name__ == '__main__':`. So is a Jupyter notebook's (the kernel's `__main__`,
    // which no child process ever imports).
    let top = 0;
    if (/(^|[\\/])__main__\.pyw?$|\.ipynb$/i.test(this.model.path)) {
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
    this.finishClasses();
    this.qualifyMemo = new Map();
    this.visitBlock(root, this.moduleScope, top);
    for (const d of this.deferred) d();
    this.finishEvents();
    this.finishSpawns();
  }

  collectSuppressions(): void {
    collectSuppressions(this.text, this.model.suppressions);
  }
}

export interface PythonParseOptions {
  /** value-flow facts (../flow): always (default), or only for a module that starts processes */
  flowFacts?: true | 'if-spawns';
  /**
   * extract the facts on first read of `model.flow` (re-parsing the text) rather than now:
   * the engine's flow program reads the facts of a few modules around unresolved tasks
   * (engine/flowLink.ts), and extracting them for every file cost as much as the rest of
   * the front end. The facts are the same either way.
   */
  lazyFlowFacts?: boolean;
  /**
   * the language server's incremental parsing (./reparse.ts): parse from `previous` (the
   * document's last tree, which this edits; the caller deletes it), and hand the new tree
   * over in `next` instead of deleting it
   */
  trees?: { previous?: PreviousTree; next?: Tree };
}

/**
 * Models whose value-flow facts are extracted on first read (see
 * {@link PythonParseOptions.lazyFlowFacts}): the text to extract them from, then the facts.
 */
const deferredFacts = new WeakMap<ModuleModel, { text: string; settled: boolean; facts: ModuleModel['flow'] }>();

/** Whether a model has value-flow facts, without extracting deferred ones. */
export function hasFlowFacts(model: ModuleModel): boolean {
  return deferredFacts.has(model) || model.flow !== undefined;
}

/**
 * `flow` of a model with deferred facts: one getter and one setter for every model, the
 * state kept aside. A closure per model gave each model an accessor pair of its own (and
 * re-defining it as a value on first read changed its layout again), so V8 kept such models
 * — most of a large project's — as hash tables, and every engine read of their fields was a
 * lookup (the JS front end's models had the same problem).
 */
const DEFERRED_FLOW: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: ModuleModel): ModuleModel['flow'] {
    const d = deferredFacts.get(this)!;
    if (!d.settled) {
      d.settled = true;
      d.facts = extractFactsOf(this, d.text);
      d.text = '';
    }
    return d.facts;
  },
  set(this: ModuleModel, value: ModuleModel['flow']) {
    const d = deferredFacts.get(this)!;
    d.settled = true;
    d.facts = value;
    d.text = '';
  },
};

/** Makes `model.flow` the facts of `text`, extracted when first read. */
export function deferFacts(model: ModuleModel, text: string): void {
  deferredFacts.set(model, { text, settled: false, facts: undefined });
  Object.defineProperty(model, 'flow', DEFERRED_FLOW);
}

function extractFactsOf(model: ModuleModel, text: string): ModuleModel['flow'] {
  const parser = getPythonParser();
  const tree = parser?.parse(text);
  if (!tree) return undefined;
  try {
    return extractPythonFacts(copyTree(tree, text));
  } catch (err) {
    model.problems.push({ range: zeroRange(), message: `Python analysis failed: ${err instanceof Error ? err.message : String(err)}` });
    return undefined;
  } finally {
    tree.delete();
  }
}

/**
 * A module that runs the passes' rarer branches (spawn sites, submissions, joins, results,
 * walrus and `del` targets, comprehension scopes, callbacks, contexts, `match`, `except*`):
 * {@link parsePython} analyses it once before its first file. V8 optimises the passes
 * after a few files, from what they have run so far; a branch first taken after that
 * throws the optimised code away, and it is compiled again (the big passes several times
 * each). With this module's feedback recorded first, most of that compiling is not redone.
 */
const WARM_UP = `import multiprocessing as mp, os, json
from concurrent.futures import ProcessPoolExecutor, wait, as_completed
from functools import partial
from .pkg import helper as h, *
CACHE = {}
COUNT: int = 0
LIMIT = None
def work(x, *a, k=1, **kw):
    global COUNT
    COUNT += 1
    CACHE[x] = (y := x + 1)
    del CACHE[x], a[0]
    return [i for i in a if (j := i)] + {k: v for k, v in kw.items()}
class Worker(mp.Process):
    total = 0
    def __init__(self, q=None):
        super().__init__()
        self.pool = ProcessPoolExecutor(max_workers=2, initializer=work, initargs=(1,))
    def run(self):
        with self.pool as ex:
            futs = [ex.submit(work, i) for i in range(3)]
            for f in as_completed(futs):
                f.result()
        Worker.total = len(json.dumps(CACHE))
        lambda v=1: v
if __name__ == "__main__":
    mp.set_start_method("spawn")
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=work, args=(i,), kwargs={"k": 2}) for i in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    q = mp.Queue()
    w = Worker(q); w.start(); w.join()
    with mp.Pool(2) as pool:
        r = pool.map_async(partial(work, k=3), range(4), callback=CACHE.update)
        pool.apply_async(h.run, (1,)).get()
        r.wait()
    ex = ProcessPoolExecutor()
    done, _ = wait([ex.submit(work, 1)])
    ex.shutdown(wait=True)
    match COUNT:
        case [1, *rest] if rest: pass
        case {"k": v}: pass
    try:
        os.getpid()
    except* (ValueError, KeyError) as e:
        print(f"{e!r:>{COUNT}}", (CACHE)[0].x)
    LIMIT = os.cpu_count() or 1
HANDLER = print
class Sub(Worker, metaclass=type):
    def go(self, pool):
        HANDLER(pool.map(json, range(2)))
        return partial()(1)
`;
let warmedUp = false;
/**
 * Characters of Python analysed before the warm-up runs: it costs about 10 ms, which a
 * small run (one file: about 130 ms of CPU) would pay for nothing.
 */
const WARM_UP_AFTER = 64_000;
let charsSeen = 0;

/**
 * Parse a Python file into the language-neutral model. Synchronous; call after
 * {@link initPython}. Never throws: failures end up in `problems` with whatever model
 * was built so far.
 */
export function parsePython(path: string, text: string, options: PythonParseOptions = {}): ModuleModel {
  if (!warmedUp && (charsSeen += text.length) >= WARM_UP_AFTER && getPythonParser()) {
    // twice: V8 records feedback only once a function has run a few times
    warmedUp = true;
    parsePython('<warm-up>/w.py', WARM_UP);
    parsePython('<warm-up>/w.py', WARM_UP);
  }
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
    tree = options.trees?.previous ? reparse(parser, options.trees.previous, text) : parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    const root = copyTree(tree, text);
    fe.run(root, tree.rootNode);
    const facts = options.flowFacts ?? true;
    const startsProcesses = fe.model.spawns.some((x) => x.isProcess !== false);
    if (facts === true || startsProcesses) {
      // a module that starts processes is always in the engine's flow program: extract from
      // the tree at hand rather than re-parse later
      if (options.lazyFlowFacts && !startsProcesses) deferFacts(fe.model, text);
      else fe.model.flow = extractPythonFacts(root);
    }
  } catch (err) {
    if (fe.model.units.length === 0) fe.model.units.push(emptyModuleUnit());
    fe.model.problems.push({ range: zeroRange(), message: `Python analysis failed: ${err instanceof Error ? err.message : String(err)}` });
  } finally {
    try {
      if (options.trees && tree) options.trees.next = tree;
      else tree?.delete();
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
