/**
 * Explanations for hover and "runs in a worker" hints: which process each side runs in,
 * how the worker was started (with a link), what it really sees under each start method,
 * and the fixes — for *this* code, from the linked project.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding } from './findings';
import type { Access, ModuleModel, Position, Range, Unit } from './model';
import { splitSymbolKey, type SymbolKey } from './link';
import { unitKey, type AccessRecord, type ProjectGraph, type SpawnRecord, type UnitKey, type WorkerReason } from './contexts';
import { unimportableTaskTable } from '../../../rules/unimportable-task';

export function contains(r: Range, p: Position): boolean {
  const afterStart = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const beforeEnd = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return afterStart && beforeEnd;
}

function link(fromFile: string, file: string, range: Range): string {
  const rel = (path.relative(path.dirname(fromFile), file) || path.basename(file)).split(path.sep).join('/');
  const label = `${rel}:${range.start.line + 1}`;
  return `[${label}](${pathToFileURL(file).href}#L${range.start.line + 1},${range.start.character + 1})`;
}

/** Where each unit runs, over every program of the project. */
export interface Placement {
  worker: WorkerReason[];
  parent: boolean;
  init: boolean;
}

export function placementOf(graph: ProjectGraph, key: UnitKey): Placement {
  const worker: WorkerReason[] = [];
  let parent = false;
  let init = false;
  for (const p of graph.programs) {
    const w = p.worker.get(key);
    if (w && !worker.some((x) => x.spawn === w.spawn && x.via === w.via)) worker.push(w);
    if (p.parent.has(key)) parent = true;
    if (p.init.has(key)) init = true;
  }
  return { worker, parent, init };
}

function systemWords(rec: SpawnRecord): string {
  switch (rec.site.system) {
    case 'worker_threads':
      return 'a worker thread (its own copy of every module)';
    case 'child_process.fork':
      return 'a child process (its own copy of every module)';
    case 'cluster':
      return 'cluster worker processes';
    case 'poolifier':
      if (rec.site.label.includes('Cluster')) return 'cluster worker processes';
      return 'pool worker threads (their own copy of every module)';
    case 'piscina':
    case 'tinypool':
    case 'workerpool':
      return 'pool worker threads (their own copy of every module)';
    case 'threads':
      return 'threads of this process (they share globals)';
    default:
      return rec.site.isProcess === 'maybe' ? 'worker processes, if the executor is a process pool' : 'worker processes';
  }
}

/** One line per program entry: "runs in worker processes — Pool.map, main.py:30". */
export function workerHint(graph: ProjectGraph, m: ModuleModel, u: Unit): string | undefined {
  const pl = placementOf(graph, unitKey(m, u));
  if (pl.worker.length === 0) return undefined;
  const w = pl.worker[0];
  const rel = (path.relative(path.dirname(m.path), w.file) || path.basename(w.file)).split(path.sep).join('/');
  const kind = pl.init ? 'runs in each worker at start-up' : `runs in ${systemWords(w.spawn).replace(/ \(.*\)$/, '')}`;
  const more = pl.worker.length > 1 ? ` (+${pl.worker.length - 1} more)` : '';
  return `${kind} — ${w.via}, ${rel}:${w.range.start.line + 1}${more}`;
}

function startMethodTable(name: string, initial: string, rec: SpawnRecord, setBeforeStart: boolean | undefined): string {
  const pinned = rec.pinnedInCode ? rec.startMethod : undefined;
  const forkCell =
    setBeforeStart === undefined
      ? "the parent's value at the moment the workers start"
      : setBeforeStart
        ? "the parent's value (it is set before the workers start)"
        : 'the value from before the workers started — later writes never arrive';
  const rows = [
    `| start method | what the worker sees for \`${name}\` |`,
    '|---|---|',
    `| fork (Linux default before 3.14) | ${forkCell} |`,
    `| spawn (macOS, Windows default) | ${initial} |`,
    `| forkserver (Linux default from 3.14) | ${initial} |`,
  ];
  const note = pinned ? `\n\nThis code pins **${pinned}**.` : '';
  return rows.join('\n') + note;
}

const FIX_WORDS: Record<string, string> = {
  'stale-global-read':
    'Pass the value explicitly: `initializer=`/`initargs=` (Python pools), a `Process` argument, or `workerData` (Node) — or set it in the worker itself.',
  'lost-global-write':
    'Return results from the task and collect them in the parent (`map` results, futures, `run()`, `message` events), or write to a `Manager().list()`/`Queue` passed via `initargs`/`args` (Node: `parentPort.postMessage`).',
  'unguarded-spawn': "Start workers only in the parent: `if __name__ == '__main__':` / `if (isMainThread)` / `if (cluster.isPrimary)`.",
  'thread-primitive-in-process': 'Use a `multiprocessing` (or `Manager()`) primitive created in the parent and passed via `initargs`/`args`.',
  'unsendable-payload': 'Send plain data: a module-level `def` instead of a lambda/local function; arguments instead of closures.',
  'manager-proxy-serialized': 'Copy the proxy first: `list(proxy)` / `dict(proxy)`.',
  'unimportable-task': 'Define the function in a module file beside the notebook and import it: workers can import a module, never the notebook.',
};

export interface ExplainInput {
  graph: ProjectGraph;
  file: string;
  position: Position;
  /** the file's current findings */
  findings: Finding[];
  /** where rule docs live, as links */
  docUrl(rule: string): string;
}

/** Markdown for a hover at `position`, or undefined when there is nothing specific to say. */
export function explainAt(input: ExplainInput): { markdown: string; range: Range } | undefined {
  const { graph, file, position } = input;
  const m = graph.modules.get(file);
  if (!m) return undefined;
  const parts: string[] = [];
  let range: Range | undefined;

  const hits = input.findings.filter((f) => f.file === file && contains(f.range, position));
  for (const f of hits) {
    range ??= f.range;
    // the editor shows the diagnostic's message right above: say where things run instead
    parts.push(`**Crossproc: ${f.rule}** · \`${f.symbol}\``);
    // where the worker starts, linked (editors that show related information list the rest)
    const started = f.related.find((r) => /started here/.test(r.message));
    if (started) parts.push(`Worker ${started.message.replace(/^the worker is started here \((.*)\)$/, 'started by $1')} at ${link(file, started.file, started.range)}.`);
    const rec = findingAccess(graph, file, f.range);
    if (rec && m.language === 'python' && (f.rule === 'stale-global-read' || f.rule === 'lost-global-write')) {
      const why = firstWorkerReason(graph, rec.key);
      if (why) parts.push(startMethodTable(f.symbol, f.rule === 'stale-global-read' ? 'the import-time value (the module is re-imported)' : 'its own copy; the parent never sees the write', why.spawn, undefined));
    }
    if (f.rule === 'unimportable-task') parts.push(unimportableTaskTable(f.symbol));
    parts.push(`**Fix:** ${FIX_WORDS[f.rule] ?? ''} [Rule documentation](${input.docUrl(f.rule)})`);
  }
  if (parts.length) return { markdown: parts.join('\n\n'), range: range! };

  // a module-level binding (access or declaration) that worker code touches
  const access = accessAt(graph, m, position);
  const sym = access?.symbol ?? declarationAt(m, position);
  if (sym) {
    const md = explainSymbol(graph, file, sym);
    if (md) return { markdown: md, range: access?.access.range ?? m.bindings.get(splitSymbolKey(sym).name)!.range };
  }

  // a function that runs in a worker (its name), or a spawn call
  for (const u of m.units) {
    if (u.kind !== 'function' || !contains(u.nameRange, position)) continue;
    const hint = workerHint(graph, m, u);
    if (!hint) continue;
    const pl = placementOf(graph, unitKey(m, u));
    const lines = [`**\`${u.name}\`** ${hint}.`];
    for (const w of pl.worker.slice(0, 3)) lines.push(`- started by ${w.via} at ${link(file, w.file, w.range)}: ${systemWords(w.spawn)}`);
    if (pl.parent) lines.push('- it is also called in the parent process');
    lines.push(
      m.language === 'python'
        ? 'Module-level state it reads is the worker\'s own copy: under spawn/forkserver the module is re-imported, under fork it is a snapshot from when the workers started. Writes never reach the parent.'
        : 'Module-level state it reads is the worker\'s own copy, initialised at import time; its writes never reach the parent.',
    );
    return { markdown: lines.join('\n'), range: u.nameRange };
  }
  for (const s of m.spawns) {
    if (!contains(s.range, position)) continue;
    const rec = graph.spawnRecords.find((r) => r.module === m && r.site === s);
    if (!rec) continue;
    const lines = [`**${s.label}** starts ${systemWords(rec)}.`];
    if (s.isProcess === false) lines.push('Threads share this process\'s globals: no copy, no cross-process bug (but mind races).');
    for (const t of s.tasks) lines.push(`- task: \`${t.ref.member ? `${t.ref.name}.${t.ref.member}` : t.ref.name}\` via ${t.label}`);
    if (rec.workerModule && rec.workerModule !== m) lines.push(`- worker module: ${link(file, rec.workerModule.path, rec.workerModule.units[0].range)}`);
    if (m.language === 'python') {
      lines.push(rec.startMethod ? `- start method: **${rec.startMethod}**${rec.pinnedInCode ? ' (pinned here)' : ' (assumed by configuration)'}` : '- start method: platform default (spawn on macOS/Windows, fork on Linux < 3.14, forkserver on Linux ≥ 3.14)');
    }
    return { markdown: lines.join('\n'), range: s.range };
  }
  return undefined;
}

function firstWorkerReason(graph: ProjectGraph, key: UnitKey): WorkerReason | undefined {
  for (const p of graph.programs) {
    const w = p.worker.get(key);
    if (w) return w;
  }
  return undefined;
}

function findingAccess(graph: ProjectGraph, file: string, range: Range): AccessRecord | undefined {
  // only this file's units can hold the access (a hover must not scan the whole project)
  const m = graph.modules.get(file);
  for (const u of m?.units ?? []) {
    for (const r of graph.accessesByUnit.get(unitKey(m!, u)) ?? []) {
      if (r.access.range.start.line === range.start.line && r.access.range.start.character === range.start.character) return r;
    }
  }
  return undefined;
}

function accessAt(graph: ProjectGraph, m: ModuleModel, p: Position): AccessRecord | undefined {
  for (const u of m.units) {
    if (!contains(u.range, p) && u.kind !== 'module') continue;
    for (const a of u.accesses as Access[]) {
      if (!contains(a.range, p) || !graph.linker.holds(m, a)) continue;
      const sym = graph.linker.resolveRef(m, a.ref);
      if (sym) return { module: m, unit: u, key: unitKey(m, u), access: a, symbol: sym };
    }
  }
  return undefined;
}

function declarationAt(m: ModuleModel, p: Position): SymbolKey | undefined {
  for (const b of m.bindings.values()) {
    if (b.kind !== 'import' && contains(b.range, p)) return `${m.path}#${b.name}`;
  }
  return undefined;
}

/** Who touches a module-level binding, in which process. */
function explainSymbol(graph: ProjectGraph, fromFile: string, sym: SymbolKey): string | undefined {
  const recs = graph.accessesBySymbol.get(sym) ?? [];
  const name = splitSymbolKey(sym).name;
  const workerSide: string[] = [];
  const parentSide: string[] = [];
  for (const r of recs) {
    const pl = placementOf(graph, r.key);
    const verb = r.access.kind === 'read' ? 'reads' : 'writes';
    const at = link(fromFile, r.module.path, r.access.range);
    if (pl.worker.length) workerSide.push(`- ${at}: \`${r.unit.name}\` ${verb} it in ${systemWords(pl.worker[0].spawn)} (${pl.worker[0].via})`);
    else if (pl.parent) parentSide.push(`- ${at}: \`${r.unit.name}\` ${verb} it in the parent at run time`);
  }
  if (workerSide.length === 0) return undefined;
  const lines = [`**\`${name}\`** is module-level state: every worker has its own copy.`];
  if (parentSide.length) lines.push('**Parent:**', ...parentSide.slice(0, 5));
  lines.push('**Workers:**', ...workerSide.slice(0, 5));
  lines.push('Values reach a worker only through arguments, initializers/`workerData` or messages; writes come back only through return values, queues/proxies or messages.');
  return lines.join('\n');
}
