/**
 * `crossproc graph`: the call graph the engine uses and where each function runs.
 *
 *   crossproc graph [paths...] [--entry FILE] [--format pycg|json|dot|mermaid]
 *
 * `pycg` is PyCG's JSON ({"main": ["main.C.f", ...]}, names relative to the analysed
 * folder; with an entry file, its folder, and only the modules it imports); `json` lists
 * every function with its contexts (import time, parent run time, worker of which start,
 * initializer) and calls; `dot` and `mermaid` draw what runs where, one cluster per
 * process.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Project, isAnalyzable } from '../engine/project';
import { unitKey, type ProjectGraph } from '../engine/contexts';
import type { ModuleModel, Unit } from '../engine/model';
import { FlowProgram } from '../flow/program';
import { readSourceFile, walkSourceFiles } from '../shared/files';
import { START_METHOD_SETTINGS } from '../shared/protocol';
import type { StartMethodSetting } from '../engine/findings';
import { UsageError } from './args';

export type GraphFormat = 'pycg' | 'json' | 'dot' | 'mermaid';
const GRAPH_FORMATS: readonly GraphFormat[] = ['pycg', 'json', 'dot', 'mermaid'];

export const GRAPH_HELP = `Usage: crossproc graph [options] [paths...]

Prints the call graph Crossproc uses and where each function runs (import time,
parent run time, worker of which start, initializer), for Python and JavaScript/
TypeScript; the pycg format is Python's.

Options:
  --format pycg|json|dot|mermaid  output (default: json)
                                    pycg     PyCG's call-graph JSON: {"caller": ["callee", ...]},
                                             names module-qualified from the analysed folder
                                             (Python modules only)
                                    json     every function with its contexts and calls
                                    dot      Graphviz: one cluster per process
                                    mermaid  Mermaid flowchart: one subgraph per process
  --entry FILE                    analyse FILE's folder, starting from FILE (a path that
                                  is a single file means the same)
  --start-method portable|fork|spawn|forkserver
  -h, --help                      show this help`;

export interface GraphOptions {
  paths: string[];
  entry?: string;
  format: GraphFormat;
  startMethod?: StartMethodSetting;
  help: boolean;
}

export function parseGraphArgs(argv: readonly string[]): GraphOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f' },
        entry: { type: 'string' },
        'start-method': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    const msg = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`${msg} Run 'crossproc graph --help' for usage.`);
  }
  const { values, positionals } = parsed;
  const format = values.format ?? 'json';
  if (!(GRAPH_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`invalid value '${format}' for --format: use one of ${GRAPH_FORMATS.join(', ')}.`);
  }
  const sm = values['start-method'];
  if (sm !== undefined && !(START_METHOD_SETTINGS as readonly string[]).includes(sm)) {
    throw new UsageError(`invalid value '${sm}' for --start-method: use one of ${START_METHOD_SETTINGS.join(', ')}.`);
  }
  return {
    paths: positionals,
    entry: values.entry,
    format: format as GraphFormat,
    startMethod: sm as StartMethodSetting | undefined,
    help: values.help ?? false,
  };
}

/** The analysed project, its flow program and what to show. */
export interface GraphData {
  project: Project;
  graph: ProjectGraph;
  /** the Python modules' flow program (the pycg format) */
  flow: FlowProgram;
  /** the JS/TS modules' flow program: their calls, and the callbacks they register */
  flowJs: FlowProgram;
  root: string;
  /** with an entry: the modules it reaches through imports */
  shown: Set<string> | undefined;
}

export async function loadGraph(options: GraphOptions, cwd: string): Promise<GraphData> {
  let entry = options.entry ? path.resolve(cwd, options.entry) : undefined;
  const given = options.paths.map((p) => path.resolve(cwd, p));
  if (!entry && given.length === 1) {
    const st = await fs.stat(given[0]).catch(() => undefined);
    if (!st) throw new UsageError(`cannot read '${options.paths[0]}': no such file or directory.`);
    if (st.isFile()) entry = given[0];
  }
  const root = entry ? path.dirname(entry) : given.length === 1 ? given[0] : cwd;
  const targets = entry ? [root, ...given.filter((g) => g !== entry)] : given.length ? given : [cwd];
  const files = new Set<string>();
  for (const t of targets) {
    const st = await fs.stat(t).catch(() => undefined);
    if (!st) throw new UsageError(`cannot read '${path.relative(cwd, t) || t}': no such file or directory.`);
    if (st.isDirectory()) for await (const f of walkSourceFiles(t)) files.add(f);
    else if (isAnalyzable(t)) files.add(t);
  }
  if (entry) files.add(entry);
  const project = await Project.create({ startMethod: options.startMethod }, true);
  for (const f of [...files].sort()) {
    const r = await readSourceFile(f).catch(() => undefined);
    if (r?.kind === 'text') project.updateFile(f, r.text);
  }
  const all = project.files().map((f) => project.model(f)!);
  const flow = new FlowProgram(all.filter((m) => m.language === 'python'), root);
  const flowJs = new FlowProgram(all.filter((m) => m.language === 'js'), root);
  const graph = project.graph();
  const shown = entry ? reachableModules(graph, entry) : undefined;
  return { project, graph, flow, flowJs, root, shown };
}

/** the modules `entry` imports, directly or not (itself included) */
function reachableModules(graph: ProjectGraph, entry: string): Set<string> {
  const seen = new Set<string>([entry]);
  const todo = [entry];
  while (todo.length) {
    const m = graph.modules.get(todo.pop()!);
    if (!m) continue;
    const specs = new Set<string>([...m.imports, ...m.starExports]);
    for (const b of m.bindings.values()) if (b.importFrom) specs.add(b.importFrom.specifier);
    for (const op of m.flow?.nodes ?? []) if (op.k === 'import') specs.add(op.spec);
    for (const spec of specs) {
      // `import a.b.c` loads a, a.b and a.b.c
      const dots = /^\.*/.exec(spec)![0];
      const parts = spec.slice(dots.length).split('.').filter(Boolean);
      const prefixes = parts.length ? parts.map((_, i) => dots + parts.slice(0, i + 1).join('.')) : [spec];
      for (const p of prefixes) {
        const t = graph.linker.resolveModule(m, p);
        if (t && !seen.has(t.path)) {
          seen.add(t.path);
          todo.push(t.path);
        }
      }
    }
  }
  return seen;
}

export async function runGraph(argv: readonly string[], cwd: string): Promise<string> {
  const options = parseGraphArgs(argv);
  if (options.help) return `${GRAPH_HELP}\n`;
  const data = await loadGraph(options, cwd);
  return renderGraph(data, options.format);
}

export function renderGraph(data: GraphData, format: GraphFormat): string {
  switch (format) {
    case 'pycg':
      return `${JSON.stringify(pycgGraph(data), null, 2)}\n`;
    case 'json':
      return `${JSON.stringify(jsonGraph(data), null, 2)}\n`;
    case 'dot':
      return dotGraph(data);
    case 'mermaid':
      return mermaidGraph(data);
  }
}

/** PyCG's format: every function of the shown modules → what it calls */
export function pycgGraph(data: GraphData): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const files = new Map<string, string>();
  for (const f of data.flow.functions()) files.set(f.name, f.file);
  for (const [caller, callees] of data.flow.callGraph()) {
    const file = files.get(caller);
    if (data.shown && file !== undefined && !data.shown.has(file)) continue;
    if (data.shown && file === undefined && callees.size === 0 && !isCalledFromShown(data, caller, files)) continue;
    out[caller] = [...callees].sort();
  }
  return out;
}

function isCalledFromShown(data: GraphData, name: string, files: Map<string, string>): boolean {
  for (const [caller, callees] of data.flow.callGraph()) {
    const f = files.get(caller);
    if (callees.has(name) && (f === undefined || data.shown!.has(f))) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// contexts

interface FunctionContexts {
  name: string;
  file: string;
  line: number;
  importTime: boolean;
  parent: string[];
  worker: Array<{ via: string; start: string }>;
  initializer: string[];
  calls: string[];
}

/** the flow name of each unit (by file and start position) */
function flowNames(data: GraphData): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of [...data.flow.functions(), ...data.flowJs.functions()]) {
    if (f.def) out.set(`${f.file}:${f.def.line}:${f.def.character}`, f.name);
    else out.set(`${f.file}:module`, f.name);
  }
  return out;
}

function unitName(data: GraphData, names: Map<string, string>, m: ModuleModel, u: Unit): string {
  if (u.kind === 'function') {
    const n = names.get(`${m.path}:${u.range.start.line}:${u.range.start.character}`);
    if (n) return n;
  }
  const mod = names.get(`${m.path}:module`) ?? rel(data, m.path);
  return u.kind === 'module' ? mod : `${mod}.${u.name}`;
}

function rel(data: GraphData, file: string): string {
  return path.relative(data.root, file).split(path.sep).join('/') || path.basename(file);
}

function startLabel(data: GraphData, label: string, file: string, line: number): string {
  return `${label} at ${rel(data, file)}:${line + 1}`;
}

export function functionContexts(data: GraphData): FunctionContexts[] {
  const names = flowNames(data);
  const calls = allCalls(data);
  const topLevel = topLevelCalls(data);
  const out: FunctionContexts[] = [];
  for (const m of data.graph.modules.values()) {
    if (data.shown && !data.shown.has(m.path)) continue;
    for (const u of m.units) {
      const key = unitKey(m, u);
      const name = unitName(data, names, m, u);
      const fc: FunctionContexts = {
        name, file: rel(data, m.path), line: u.range.start.line + 1,
        importTime: data.graph.importTime.has(key), parent: [], worker: [], initializer: [],
        calls: [...(u.kind === 'function' ? calls.get(name) ?? [] : topLevel.get(key) ?? [])].sort(),
      };
      for (const p of data.graph.programs) {
        const rootName = unitName(data, names, p.root.module, p.root.unit);
        if (p.parent.has(key) && !fc.parent.includes(rootName)) fc.parent.push(rootName);
        const w = p.worker.get(key);
        if (w) {
          const start = startLabel(data, w.spawn.site.label, w.spawn.module.path, w.spawn.site.range.start.line);
          if (!fc.worker.some((x) => x.via === w.via && x.start === start)) fc.worker.push({ via: w.via, start });
        }
        if (p.init.has(key)) {
          for (const s of p.spawns) {
            const st = startLabel(data, s.site.label, s.module.path, s.site.range.start.line);
            if (!fc.initializer.includes(st) && s.site.initializers.length) fc.initializer.push(st);
          }
        }
      }
      out.push(fc);
    }
  }
  return out;
}

/**
 * caller → callees of both flow programs; a JS function's callees include the callbacks it
 * registers (`port.on('message', this.onMessage.bind(this))`): they run in its thread
 */
function allCalls(data: GraphData): Map<string, Set<string>> {
  const out = new Map(data.flow.callGraph());
  for (const [k, v] of data.flowJs.callGraph()) out.set(k, new Set([...(out.get(k) ?? []), ...v]));
  const js = data.flowJs;
  for (const [caller, vs] of js.solver.handedOut) {
    const from = js.qualifiedName(caller);
    let set = out.get(from);
    if (!set) out.set(from, (set = new Set()));
    for (const v of vs) for (const t of js.callableTargets(v)) set.add(t.name);
  }
  return out;
}

/** calls made outside functions, by the top-level unit (module body, main guard) that makes them */
function topLevelCalls(data: GraphData): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of data.graph.modules.values()) {
    const text = data.project.text(m.path);
    const program = m.language === 'js' ? data.flowJs : data.flow;
    const index = program.moduleIndex(m.path);
    const calls = text !== undefined && index !== undefined ? program.topLevelCalls(m.path) : [];
    // JS: callbacks the top level registers (`parentPort.on('message', listener)`)
    const handed = m.language === 'js' && index !== undefined ? program.solver.handedOut.get(program.solver.values.intern({ t: 'mod', m: index })) : undefined;
    if (handed?.size) {
      let set = out.get(unitKey(m, m.units[0]));
      if (!set) out.set(unitKey(m, m.units[0]), (set = new Set()));
      for (const v of handed) for (const t of program.callableTargets(v)) set.add(t.name);
    }
    if (calls.length === 0) continue;
    const starts = [0];
    for (let i = text!.indexOf('\n'); i !== -1; i = text!.indexOf('\n', i + 1)) starts.push(i + 1);
    for (const { offset, callees } of calls) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      const pos = { line: lo, character: offset - starts[lo] };
      // the innermost top-level unit (a main guard inside the module body) holding the call
      let unit = m.units[0];
      for (const u of m.units) {
        if (u.kind === 'function' || u.kind === 'module') continue;
        if (within(pos, u.range) ) unit = u;
      }
      const key = unitKey(m, unit);
      let set = out.get(key);
      if (!set) out.set(key, (set = new Set()));
      for (const c of callees) set.add(c);
    }
  }
  return out;
}

function within(p: { line: number; character: number }, r: Unit['range']): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

function jsonGraph(data: GraphData): unknown {
  return {
    root: data.root,
    functions: functionContexts(data),
    processes: data.graph.programs.map((p) => ({
      parent: unitName(data, flowNames(data), p.root.module, p.root.unit),
      starts: p.spawns.map((s) => ({
        start: startLabel(data, s.site.label, s.module.path, s.site.range.start.line),
        system: s.site.system,
        startMethod: s.startMethod ?? null,
        process: s.site.isProcess,
      })),
    })),
  };
}

// ---------------------------------------------------------------------------------------
// pictures

interface Picture {
  clusters: Array<{ id: string; label: string; nodes: string[] }>;
  edges: Array<[string, string, 'call' | 'start']>;
}

function picture(data: GraphData): Picture {
  const fcs = functionContexts(data);
  const clusters = new Map<string, { id: string; label: string; nodes: string[] }>();
  const put = (label: string, node: string) => {
    let c = clusters.get(label);
    if (!c) clusters.set(label, (c = { id: `c${clusters.size}`, label, nodes: [] }));
    if (!c.nodes.includes(node)) c.nodes.push(node);
  };
  const placed = new Set<string>();
  for (const f of fcs) {
    for (const p of f.parent) {
      put(`parent process (${p})`, f.name);
      placed.add(f.name);
    }
    for (const w of f.worker) {
      put(`worker: ${w.start}`, f.name);
      placed.add(f.name);
    }
    for (const s of f.initializer) {
      put(`worker: ${s}`, f.name);
      placed.add(f.name);
    }
  }
  for (const f of fcs) if (!placed.has(f.name) && f.importTime) put('import time', f.name);
  const shownNames = new Set([...clusters.values()].flatMap((c) => c.nodes));
  const edges: Picture['edges'] = [];
  for (const f of fcs) for (const c of f.calls) if (shownNames.has(f.name) && shownNames.has(c)) edges.push([f.name, c, 'call']);
  // a start: from the unit that starts the workers to what they run first (nothing of the worker calls it)
  const calledIn = (c: Picture['clusters'][number], name: string) =>
    fcs.some((g) => g.name !== name && c.nodes.includes(g.name) && g.calls.includes(name));
  for (const f of fcs) {
    for (const w of f.worker) {
      const cluster = clusters.get(`worker: ${w.start}`);
      if (cluster && calledIn(cluster, f.name)) continue;
      for (const p of data.graph.programs) {
        for (const s of p.spawns) {
          if (startLabel(data, s.site.label, s.module.path, s.site.range.start.line) !== w.start) continue;
          const u = s.module.units[s.site.unit];
          const from = unitName(data, flowNames(data), s.module, u);
          if (shownNames.has(from) && !edges.some((e) => e[0] === from && e[1] === f.name)) edges.push([from, f.name, 'start']);
        }
      }
    }
  }
  return { clusters: [...clusters.values()], edges };
}

function nodeIds(p: Picture): Map<string, string> {
  const ids = new Map<string, string>();
  for (const c of p.clusters) for (const n of c.nodes) if (!ids.has(n)) ids.set(n, `n${ids.size}`);
  return ids;
}

function dotGraph(data: GraphData): string {
  const p = picture(data);
  const ids = nodeIds(p);
  const q = (s: string) => JSON.stringify(s);
  const lines = ['digraph crossproc {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  for (const c of p.clusters) {
    lines.push(`  subgraph cluster_${c.id} {`, `    label=${q(c.label)};`);
    // a function that runs in several processes is drawn in each
    for (const n of c.nodes) lines.push(`    ${c.id}_${ids.get(n)} [label=${q(n)}];`);
    lines.push('  }');
  }
  for (const [a, b, kind] of p.edges) {
    for (const ca of p.clusters.filter((c) => c.nodes.includes(a))) {
      for (const cb of p.clusters.filter((c) => c.nodes.includes(b))) {
        if (kind === 'call' && ca !== cb) continue;
        if (kind === 'start' && ca === cb) continue;
        lines.push(`  ${ca.id}_${ids.get(a)} -> ${cb.id}_${ids.get(b)}${kind === 'start' ? ' [style=dashed, label="starts"]' : ''};`);
      }
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function mermaidGraph(data: GraphData): string {
  const p = picture(data);
  const ids = nodeIds(p);
  const label = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;
  const lines = ['flowchart LR'];
  for (const c of p.clusters) {
    lines.push(`  subgraph ${c.id}[${label(c.label)}]`);
    for (const n of c.nodes) lines.push(`    ${c.id}_${ids.get(n)}[${label(n)}]`);
    lines.push('  end');
  }
  for (const [a, b, kind] of p.edges) {
    for (const ca of p.clusters.filter((c) => c.nodes.includes(a))) {
      for (const cb of p.clusters.filter((c) => c.nodes.includes(b))) {
        if (kind === 'call' && ca !== cb) continue;
        if (kind === 'start' && ca === cb) continue;
        lines.push(`  ${ca.id}_${ids.get(a)} ${kind === 'start' ? '-. starts .->' : '-->'} ${cb.id}_${ids.get(b)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
