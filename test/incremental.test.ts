/**
 * The project patches its linked graph in place on an edit (only what the edit can affect
 * is re-linked and recomputed): after any sequence of edits, additions and removals its
 * findings, and the graph itself, must equal those of a project built from scratch on the
 * same texts.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Project } from '../server/src/engine/project';
import { ProjectGraph, unitKey } from '../server/src/engine/contexts';
import type { Finding } from '../server/src/engine/findings';
import type { ModuleModel } from '../server/src/engine/model';
import { FIXTURES_ROOT, listSourceFiles } from './support/fixtures';

const rel = (s: string): string => s.split(FIXTURES_ROOT + path.sep).join('');

function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${path.relative(FIXTURES_ROOT, f.file)}:${f.range.start.line}:${f.range.start.character} ${f.rule} ${f.symbol} ${f.message}`);
}

async function fresh(texts: Map<string, string>): Promise<string[]> {
  const p = await Project.create();
  for (const [f, t] of texts) p.updateFile(f, t);
  return summary(p.analyze());
}

/**
 * Everything rules, hover and fixes read of a graph, in iteration order where that order
 * can show (programs, their sets and maps, access lists, callees), and whether every
 * reference points at the project's current models.
 */
function snapshot(g: ProjectGraph): unknown {
  const current = (m: ModuleModel | undefined): string => (!m ? '-' : g.modules.get(m.path) === m ? rel(m.path) : `STALE ${rel(m.path)}`);
  const pos = (r: { start: { line: number; character: number } }): string => `${r.start.line}:${r.start.character}`;
  const spawn = (r: ProjectGraph['spawnRecords'][number]): string =>
    `${current(r.module)}@${pos(r.site.range)} ${r.site.label} wm=${current(r.workerModule)} sm=${r.startMethod} ${r.pinnedInCode}`;
  const keys = [...g.units.keys()].sort();
  return {
    units: keys.map((k) => `${rel(k)} ${current(g.units.get(k)!.module)} ${g.units.get(k)!.module.units[g.units.get(k)!.unit.id] === g.units.get(k)!.unit}`),
    callees: keys.map((k) => `${rel(k)} > ${g.callees(k).map(rel).join(' ')}`),
    importTime: [...g.importTime].map(rel).sort(),
    importers: [...g.importers].map(([k, v]) => `${rel(k)} < ${[...v].map(rel).sort().join(' ')}`).sort(),
    accesses: [...g.accessesBySymbol]
      .map(([sym, recs]) => `${rel(sym)}: ${recs.map((r) => `${rel(r.key)}@${pos(r.access.range)} ${r.access.kind} ${current(r.module)}`).join(', ')}`)
      .sort(),
    byUnit: [...g.accessesByUnit].map(([k, recs]) => `${rel(k)}: ${recs.map((r) => `${rel(r.symbol)}@${pos(r.access.range)}`).join(', ')}`).sort(),
    spawns: g.spawnRecords.map(spawn),
    programs: g.programs.map((p) => ({
      root: `${rel(unitKey(p.root.module, p.root.unit))} ${current(p.root.module)}`,
      parent: [...p.parent].map(rel),
      worker: [...p.worker].map(([k, w]) => `${rel(k)} ${w.via} ${rel(w.file)}@${pos(w.range)} ${spawn(w.spawn)}`),
      init: [...p.init].map(rel),
      spawns: p.spawns.map(spawn),
      happensBefore: p.spawns.map((r) => {
        const { fully, cut } = g.happensBefore(p, r);
        return `${[...fully].map(rel).sort().join(' ')} | ${[...cut].map(([k, n]) => `${rel(k)}<${n}`).join(' ')}`;
      }),
    })),
  };
}

/** The project's graph against one built from scratch on the same models. */
function assertSameGraph(project: Project, what: string): void {
  const models = new Map(project.files().map((f) => [f, project.model(f)!] as [string, ModuleModel]));
  assert.deepEqual(snapshot(project.graph()), snapshot(new ProjectGraph(models)), `graph after ${what}`);
  assert.deepEqual(project.lastErrors, [], `no fallback to a full rebuild after ${what}`);
}

async function assertSame(project: Project, texts: Map<string, string>, what: string): Promise<void> {
  assert.deepEqual(summary(project.analyze()), await fresh(texts), what);
  assertSameGraph(project, what);
}

type Edit = (text: string, file: string, siblings: string[]) => string;

/** Edits a user makes, per language: each can change what a different part of the graph depends on. */
const PY_EDITS: Record<string, Edit> = {
  body: (t) => insertInFunction(t, /^def \w+\(.*\).*:\s*$/, '_ks = 1'),
  'new function first (unit ids and positions shift)': (t) => `def _inserted_fn():\n    return 0\n\n\n${t}`,
  'new module-level name': (t) => `${t}\nEXTRA_NAME = 1\n`,
  'that name becomes a class': (t) => `${t}\nclass EXTRA_NAME:\n    def __init__(self):\n        pass\n`,
  'main guard removed': (t) => t.replace(/if __name__ == ["']__main__["']:/g, 'if True:'),
  'main guard with a spawn added': (t) => {
    const fn = /^def (\w+)\(/m.exec(t)?.[1] ?? 'print';
    return `${t}\nif __name__ == "__main__":\n    import multiprocessing\n    multiprocessing.Process(target=${fn}).start()\n`;
  },
  'imports removed': (t) => t.replace(/^(import |from \S+ import ).*$/gm, ''),
  'import added': (t, _f, sib) => (sib.length ? `import ${path.basename(sib[0]!, '.py')}\n${t}` : t),
  'call added': (t) => {
    const fn = /^def (\w+)\(/m.exec(t)?.[1];
    return fn ? insertInFunction(t, /^def \w+\(.*\).*:\s*$/, `${fn}()`) : t;
  },
  'closure added first (unit ids shift, same interface)': (t) => `print(lambda: 0)
${t}`,
  emptied: () => '',
};

const JS_EDITS: Record<string, Edit> = {
  body: (t) => insertInFunction(t, /^(export\s+)?(async\s+)?function\s*\*?\s*\w+\s*\(.*\)\s*\{\s*$/, 'void 0;'),
  'new function first (unit ids and positions shift)': (t) => `function insertedFn() { return 0; }\n${t}`,
  'new module-level name': (t) => `${t}\nexports.EXTRA_NAME = 1;\nvar EXTRA_LOCAL = 1;\n`,
  'that name becomes a class': (t) => `${t}\nclass EXTRA_LOCAL2 { constructor() {} }\nexports.EXTRA_NAME = EXTRA_LOCAL2;\n`,
  'imports removed': (t) => t.replace(/^.*(require\(|^import ).*$/gm, ''),
  'import added': (t, f, sib) => (sib.length ? `require('./${path.relative(path.dirname(f), sib[0]!).split(path.sep).join('/')}');\n${t}` : t),
  'worker handler added': (t) => `${t}\nrequire('node:worker_threads').parentPort.on('message', (m) => { console.log(m); });\n`,
  'unguarded self-spawn added': (t) => `${t}\nnew (require('node:worker_threads').Worker)(__filename);\n`,
  'closure added first (unit ids shift, same interface)': (t) => `console.log(() => 0);\n${t}`,
  'main branch added': (t) =>
    `${t}\nif (require('node:worker_threads').isMainThread) { new (require('node:worker_threads').Worker)(__filename); } else { console.log(1); }\n`,
  emptied: () => '',
};

function insertInFunction(text: string, header: RegExp, stmt: string): string {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const indent = /^\s+/.exec(lines[i + 1]!)?.[0];
    if (header.test(lines[i]!) && indent && lines[i + 1]!.trim()) {
      lines.splice(i + 1, 0, indent + stmt);
      return lines.join('\n');
    }
  }
  return `${text}\n`;
}

/** Small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

describe('incremental linking', () => {
  const files = listSourceFiles(FIXTURES_ROOT);

  it('agrees with a fresh project after body edits, interface edits, removals and additions', async function () {
    // long on a loaded machine (the suite runs files in parallel): a time limit, not a speed test
    this.timeout(600_000);
    // eight cross-file fixtures get their shared module edited in three ways
    const shared = files.filter((f) => /\/(config|state|prefs|settings|logger|helpers|tasks)\.(py|js|ts|mjs)$/.test(f)).slice(0, 8);
    assert.ok(shared.length >= 5, `cross-file fixtures found: ${shared.length}`);
    // The project holds their folders and 40 others (every folder has its main.py, so names
    // collide as in a real tree); the whole fixture tree made each of the 34 fresh comparisons
    // cost a full analysis of every fixture, and this test 47 s of the suite.
    const editedDirs = new Set(shared.map((f) => path.dirname(f)));
    const otherDirs = [...new Set(files.map((f) => path.dirname(f)))].filter((d) => !editedDirs.has(d)).slice(0, 40);
    const inProject = new Set([...editedDirs, ...otherDirs]);
    const texts = new Map(files.filter((f) => inProject.has(path.dirname(f))).map((f) => [f, readFileSync(f, 'utf8')] as [string, string]));
    assert.ok(otherDirs.some((d) => d.includes(`${path.sep}js${path.sep}`)) || shared.some((f) => !f.endsWith('.py')), 'both languages in the project');
    const project = await Project.create();
    for (const [f, t] of texts) project.updateFile(f, t);
    await assertSame(project, texts, 'loading');

    const steps: Array<[string, (t: string, py: boolean) => string]> = [
      ['a comment (no interface change)', (t, py) => `${t}\n${py ? '#' : '//'} edited\n`],
      ['a new module-level name (interface change)', (t, py) => (py ? `${t}\nEXTRA_NAME = 1\n` : `${t}\nexport const EXTRA_NAME = 1;\n`)],
      ['everything removed', () => ''],
    ];
    for (const file of shared) {
      const original = texts.get(file)!;
      for (const [what, change] of steps) {
        const text = change(original, file.endsWith('.py'));
        texts.set(file, text);
        project.updateFile(file, text);
        await assertSame(project, texts, `${rel(file)}: ${what}`);
      }
      texts.set(file, original);
      project.updateFile(file, original);
      await assertSame(project, texts, `${rel(file)}: restored`);
    }

    // removing and re-adding a module changes how imports resolve
    const victim = shared[0]!;
    const kept = texts.get(victim)!;
    texts.delete(victim);
    project.removeFile(victim);
    await assertSame(project, texts, 'after a removal');
    texts.set(victim, kept);
    project.updateFile(victim, kept);
    await assertSame(project, texts, 'after re-adding');
  });

  /**
   * Every fixture file gets two cumulative edits, each followed by a comparison of the
   * patched graph with a fresh one. The fixture folders are independent programs, so they
   * are edited in projects of {@link CHUNK} folders each: a fresh graph of the whole
   * fixture tree after each of the ~1,300 edits made this test quadratic in the number of
   * fixtures (over 6 minutes), while each project still holds a dozen or more modules with
   * colliding names (every folder has its main.py) for the incremental indexes to keep apart.
   * (Projects of 30 folders cost twice the CPU of 8, for the same edits and comparisons.)
   */
  const CHUNK = 8;
  it('keeps the graph equal to a fresh one through every kind of edit, in every fixture', async function () {
    this.timeout(600_000);
    const byFolder = new Map<string, string[]>();
    for (const f of files) {
      const dir = path.dirname(f);
      byFolder.set(dir, [...(byFolder.get(dir) ?? []), f]);
    }
    const folders = [...byFolder];
    const next = random(20240611);
    const kinds = new Map<string, number>();
    for (let c = 0; c < folders.length; c += CHUNK) {
      const chunk = folders.slice(c, c + CHUNK);
      const chunkFiles = chunk.flatMap(([, group]) => group);
      const texts = new Map(chunkFiles.map((f) => [f, readFileSync(f, 'utf8')] as [string, string]));
      const project = await Project.create();
      for (const [f, t] of texts) project.updateFile(f, t);
      project.analyze();
      let edited = 0;
      let version = 0;
      for (const [dir, group] of chunk) {
        for (const file of group) {
          const py = file.endsWith('.py');
          const edits = Object.entries(py ? PY_EDITS : JS_EDITS);
          const siblings = group.filter((f) => f !== file && f.endsWith('.py') === py);
          // two rounds, cumulative, so combinations (a name that becomes a class, a guard then a spawn) occur
          for (let round = 0; round < 2; round++) {
            const [what, edit] = edits[Math.floor(next() * edits.length)]!;
            kinds.set(what, (kinds.get(what) ?? 0) + 1);
            const text = edit(texts.get(file)!, file, siblings);
            texts.set(file, text);
            // with a version, as the server gives an open document: Python files re-parse from their last tree
            project.updateFile(file, text, ++version);
            project.analyze();
            assertSameGraph(project, `${rel(file)}: ${what}`);
          }
        }
        // findings now and then: a fresh project parses everything (the graph, compared above, is what they come from)
        if (edited++ % 10 === 0) assert.deepEqual(summary(project.analyze()), await fresh(texts), `findings after editing ${rel(dir)}`);
      }
      // and back to the original texts, one file at a time
      for (const f of chunkFiles) {
        const original = readFileSync(f, 'utf8');
        texts.set(f, original);
        project.updateFile(f, original);
      }
      await assertSame(project, texts, `restoring every file of folders ${c + 1}-${c + chunk.length}`);
    }
    for (const what of new Set([...Object.keys(PY_EDITS), ...Object.keys(JS_EDITS)])) assert.ok(kinds.get(what), `edit kind never drawn: ${what}`);
  });

  /**
   * Edits that only one of the patch's rules notices: each scenario fails if that rule is
   * dropped (a cached program kept, an edge or the import-time set not updated).
   */
  const ROOT = path.join(path.sep, 'virtual', 'incremental');
  const scenarios: Array<{ name: string; files: Record<string, string>; edits: Array<Record<string, string>> }> = [
    {
      name: "a task's unit id shifts, nothing else it reaches changes",
      files: {
        'main.py': 'from tasks import work\nfrom multiprocessing import Pool\n\nif __name__ == "__main__":\n    with Pool() as p:\n        p.map(work, [1])\n',
        'tasks.py': 'def work(x):\n    return x\n',
      },
      edits: [{ 'tasks.py': 'print(lambda: 0)\n\n\ndef work(x):\n    return x\n' }],
    },
    {
      name: 'a re-export now points elsewhere (only the interface read while resolving the task changes)',
      files: {
        'main.py': 'import tasks\nfrom multiprocessing import Pool\n\nif __name__ == "__main__":\n    with Pool() as p:\n        p.map(tasks.work, [1])\n',
        'tasks.py': 'from impl import work\n',
        'impl.py': 'def work(x):\n    return x\n',
        'impl2.py': 'N = 0\n\n\ndef work(x):\n    return x + N\n',
      },
      edits: [{ 'tasks.py': 'from impl2 import work\n' }, { 'tasks.py': 'from impl import work\n' }],
    },
    {
      name: 'a function in another module becomes (and stops being) a remote task: the script submitting it at its top level becomes a root',
      files: {
        'main.py': 'import tasks\n\ntasks.GREETING = "hi"\ntasks.greet.delay("ada")\n',
        'tasks.py': 'from celery import shared_task\n\nGREETING = "unset"\n\n\ndef greet(name):\n    return GREETING + name\n',
      },
      edits: [
        { 'tasks.py': 'from celery import shared_task\n\nGREETING = "unset"\n\n\n@shared_task\ndef greet(name):\n    return GREETING + name\n' },
        { 'tasks.py': 'from celery import shared_task\n\nGREETING = "unset"\n\n\ndef greet(name):\n    return GREETING + name\n' },
      ],
    },
    {
      name: "the callee's unit id shifts, the caller's module is untouched",
      files: {
        'main.py': 'from a import helper\n\nif __name__ == "__main__":\n    helper()\n',
        'a.py': 'def helper():\n    pass\n\n\ndef other():\n    pass\n',
      },
      edits: [{ 'a.py': 'print(lambda: 0)\n\n\ndef helper():\n    pass\n\n\ndef other():\n    pass\n' }],
    },
    {
      name: 'a spawn appears in a function the main guard reaches, in another module, with no new call edge',
      files: {
        'main.py': 'from lib import run\n\nif __name__ == "__main__":\n    run()\n',
        'lib.py': 'from multiprocessing import Pool\nimport state\n\n\ndef run():\n    print(1)\n',
        'state.py': 'X = 0\n\n\ndef work(x):\n    return x + X\n',
      },
      edits: [
        { 'lib.py': 'from multiprocessing import Pool\nimport state\n\n\ndef run():\n    state.X = 5\n    with Pool() as p:\n        p.map(state.work, [1])\n' },
        { 'lib.py': 'from multiprocessing import Pool\nimport state\n\n\ndef run():\n    print(1)\n' },
      ],
    },
    {
      name: 'a module stops (and starts again) being a worker module, so it becomes an entry',
      files: {
        'main.js': "const { Worker } = require('node:worker_threads');\nconst config = require('./config');\nconfig.settings.mode = 'fast';\nnew Worker('./worker.js');\n",
        'config.js': "module.exports.settings = { mode: 'slow' };\n",
        'worker.js': "const config = require('./config');\nconsole.log(config.settings.mode);\n",
      },
      edits: [
        { 'main.js': "const { Worker } = require('node:worker_threads');\nconst config = require('./config');\nconfig.settings.mode = 'fast';\nnew Worker('./other.js');\n" },
        { 'main.js': "const { Worker } = require('node:worker_threads');\nconst config = require('./config');\nconfig.settings.mode = 'fast';\nnew Worker('./worker.js');\n" },
      ],
    },
    {
      name: 'a call on the path to the spawn moves down, in a module between the root and the spawning one',
      files: {
        'main.py': 'import state\nfrom lib import run\n\nif __name__ == "__main__":\n    run()\n',
        'lib.py': 'import state\nfrom spawner import start\n\n\ndef run():\n    start()\n    state.X = 5\n',
        'spawner.py': 'from multiprocessing import Pool\nimport state\n\n\ndef start():\n    with Pool() as p:\n        p.map(state.work, [1])\n',
        'state.py': 'X = 0\n\n\ndef work(x):\n    return x + X\n',
      },
      edits: [{ 'lib.py': 'import state\nfrom spawner import start\n\n\ndef run():\n    state.X = 5\n    start()\n' }],
    },
    {
      name: 'two calls swap places in a module the program only passes through',
      files: {
        'main.py': 'from lib import run\n\nif __name__ == "__main__":\n    run()\n',
        'lib.py': 'def a():\n    pass\n\n\ndef b():\n    pass\n\n\ndef run():\n    a()\n    b()\n',
      },
      edits: [{ 'lib.py': 'def a():\n    pass\n\n\ndef b():\n    pass\n\n\ndef run():\n    b()\n    a()\n' }],
    },
    {
      name: 'a re-export chain gets a new link: the importer resolves as before but through another module, which then changes',
      files: {
        'main.py': 'from a import f\n\nif __name__ == "__main__":\n    f()\n',
        'a.py': 'from b import f\n',
        'b.py': 'def f():\n    pass\n',
        'c.py': 'from b import f\n',
        'd.py': 'def g():\n    pass\n\n\ndef f():\n    g()\n',
      },
      edits: [{ 'a.py': 'from c import f\n' }, { 'c.py': 'from d import f\n' }],
    },
    {
      // the caller's link depends on the kind of `X` (`mod.Cls()` resolves to a member symbol), not only on its name
      name: "a name called through its module becomes a class (only the binding's kind changes)",
      files: {
        'main.py': 'import a\n\nif __name__ == "__main__":\n    a.X()\n',
        'a.py': 'X = 1\n',
      },
      edits: [{ 'a.py': 'class X:\n    def __init__(self):\n        pass\n' }, { 'a.py': 'X = 1\n' }],
    },
    {
      // the flow program's choice of modules is kept across edits that change nothing it read
      name: 'a module starts (and stops) importing the helper whose pool only the value-flow layer resolves: it joins the flow program',
      files: {
        'lib.py': 'from multiprocessing import Pool\n\n\ndef run_all(task, items):\n    with Pool(2) as pool:\n        return pool.map(task, items)\n',
        'app.py': 'FACTOR = 1\n\n\nclass Job:\n    def work(self, x):\n        return x * FACTOR\n\n\ndef run_all(task, items):\n    return [task(x) for x in items]\n\n\nif __name__ == "__main__":\n    FACTOR = 10\n    print(run_all(Job().work, [1, 2]))\n',
      },
      edits: [
        { 'app.py': 'from lib import run_all\n\nFACTOR = 1\n\n\nclass Job:\n    def work(self, x):\n        return x * FACTOR\n\n\nif __name__ == "__main__":\n    FACTOR = 10\n    print(run_all(Job().work, [1, 2]))\n' },
        { 'app.py': 'FACTOR = 1\n\n\nclass Job:\n    def work(self, x):\n        return x * FACTOR\n\n\ndef run_all(task, items):\n    return [task(x) for x in items]\n\n\nif __name__ == "__main__":\n    FACTOR = 10\n    print(run_all(Job().work, [1, 2]))\n' },
      ],
    },
  ];
  it('keeps the solved value-flow program across an edit outside its modules, and solves it again for an edit inside', async () => {
    // the task is a bound method handed down as a parameter: only the value-flow layer resolves it
    const main = path.join(ROOT, 'flow', 'main.py');
    const other = path.join(ROOT, 'flow', 'other.py');
    const texts = new Map([
      [main, 'from multiprocessing import Pool\n\nFACTOR = 1\n\n\nclass Job:\n    def work(self, x):\n        return x * FACTOR\n\n\ndef run_all(task, items):\n    with Pool(2) as pool:\n        return pool.map(task, items)\n\n\ndef main():\n    global FACTOR\n    FACTOR = 10\n    print(run_all(Job().work, [1, 2]))\n\n\nif __name__ == "__main__":\n    main()\n'],
      [other, 'def helper():\n    return 1\n'],
    ]);
    const project = await Project.create();
    for (const [f, t] of texts) project.updateFile(f, t);
    await assertSame(project, texts, 'loading');
    assert.ok(summary(project.analyze()).some((f) => f.includes('stale-global-read')), 'the flow-resolved task is found');
    const flowOf = (): unknown => project.graph()['flowLink']();
    const first = flowOf();
    const choiceOf = (): unknown => project.graph()['s'].flowChoice;
    const choice = choiceOf();
    assert.ok(first, 'the project has a value-flow program');
    assert.deepEqual((first as { modules: string[] }).modules, [main], 'other.py is outside it');

    texts.set(other, 'def helper():\n    return 2\n\n\nEXTRA = 1\n');
    project.updateFile(other, texts.get(other)!);
    await assertSame(project, texts, 'an edit outside the flow program');
    assert.equal(flowOf(), first, 'the same solved program');
    assert.equal(choiceOf(), choice, 'the same choice of modules, not made again');

    texts.set(main, texts.get(main)!.replace('return x * FACTOR', 'return x * FACTOR + 1'));
    project.updateFile(main, texts.get(main)!);
    await assertSame(project, texts, 'an edit inside the flow program');
    assert.notEqual(flowOf(), first, 'solved again');
  });

  for (const sc of scenarios) {
    it(`stays equal to a fresh graph when ${sc.name}`, async () => {
      const texts = new Map(Object.entries(sc.files).map(([f, t]) => [path.join(ROOT, f), t] as [string, string]));
      const project = await Project.create();
      for (const [f, t] of texts) project.updateFile(f, t);
      await assertSame(project, texts, 'loading');
      let step = 0;
      for (const edit of sc.edits) {
        step++;
        const before = snapshot(project.graph());
        for (const [f, t] of Object.entries(edit)) {
          texts.set(path.join(ROOT, f), t);
          project.updateFile(path.join(ROOT, f), t);
        }
        await assertSame(project, texts, `edit ${step}`);
        assert.notDeepEqual(snapshot(project.graph()), before, `edit ${step} changes the graph (else the scenario tests nothing)`);
      }
    });
  }
});
