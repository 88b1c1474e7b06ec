/**
 * Explanations for hover and "runs in a worker" hints: which process each side runs in,
 * how the worker was started (with a link), what it really sees under each start method,
 * and the fixes — for *this* code, from the linked project.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, RuleId } from './findings';
import type { Access, Language, ModuleModel, Position, Range, StartMethod, Unit } from './model';
import { platformsDefaulting } from './pythonDefaults';
import { splitSymbolKey, type SymbolKey } from './link';
import { frameworkOfSystem, workerWords } from '../frameworks/python';
import { unitKey, type AccessRecord, type ProjectGraph, type SpawnRecord, type UnitKey, type WorkerReason } from './contexts';
import { unimportableTaskByMethod } from '../../../rules/unimportable-task';
import { startOfSite } from '../frameworks/js';

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
  const js = rec.module.language === 'js' ? startOfSite(rec.site) : undefined;
  if (js) return js.systemWords;
  switch (rec.site.system) {
    case 'threads':
      return 'threads of this process (they share globals)';
    case 'InterpreterPoolExecutor':
      return 'worker interpreters (each imports every module afresh)';
    default: {
      const words = workerWords(rec.site.system) ?? 'worker processes';
      return rec.site.isProcess === 'maybe' ? `${words}, ${frameworkOfSystem(rec.site.system)?.maybeWhen ?? 'if the executor is a process pool'}` : words;
    }
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

/**
 * A start method's column heading, with the platforms where it is the default: for a known
 * version, those of that version (the column of the first heading names the version);
 * otherwise, or where it is nobody's default in that version, the general rule.
 */
function methodLabel(method: StartMethod, version: string | undefined): string {
  const general: Record<StartMethod, string> = {
    fork: 'Linux < 3.14',
    spawn: 'macOS, Windows',
    forkserver: 'Linux ≥ 3.14',
  };
  const on = version === undefined ? general[method] : platformsDefaulting(method, version).join(', ') || general[method];
  // a code span per method: the header cells stand apart without borders
  return `\`${method}\` (${on})`;
}

/** What a worker sees (or does) under each start method, and the row's label. */
interface ByMethod {
  label: string;
  fork: string;
  spawn: string;
  forkserver: string;
}

const BY_METHOD: Record<'stale-global-read' | 'lost-global-write', ByMethod> = {
  'stale-global-read': { label: 'reads', fork: 'the value at the fork', spawn: 'the import-time value', forkserver: 'the import-time value' },
  'lost-global-write': { label: 'writes to', fork: 'a copy from the fork', spawn: 'a re-imported copy', forkserver: 'a re-imported copy' },
};

/**
 * The start-method table: a column per method, one row, so the hover fits VS Code's default
 * size (250 px) below the diagnostic's message and related locations.
 */
function startMethodTable(row: ByMethod, rec: SpawnRecord | undefined, version: string | undefined): string {
  const pinned = rec?.pinnedInCode ? rec.startMethod : undefined;
  const methods = ['fork', 'spawn', 'forkserver'] as const;
  const rows = [
    `| ${version === undefined ? 'start method' : `Python ${version}`} | ${methods.map((sm) => methodLabel(sm, version)).join(' | ')} |`,
    '|---|:---:|:---:|:---:|', // centred under their headings: the columns stand apart
    `| ${row.label} | ${methods.map((sm) => row[sm]).join(' | ')} |`,
  ];
  const by = rec?.site.startMethodBy;
  // a framework that always starts fresh interpreters (loky, sub-interpreters): the program's method does not apply
  const note = by && pinned ? `\n\n${by} workers always start as fresh interpreters (as **${pinned}**), whatever the program's start method.` : pinned ? `\n\nThis code pins **${pinned}**.` : '';
  return rows.join('\n') + note;
}

/** The hover's "Fix:" advice, per language: a Python user is never told about workerData, nor a Node user about initargs. */
const FIX_WORDS: Record<Language, Partial<Record<RuleId, string>>> = {
  python: {
    'stale-global-read': 'pass it with `initializer=`/`initargs=` (to a `Process`: in `args`) or set it in the worker.',
    'lost-global-write': 'return the results and collect them in the parent, or use a `Manager().list()`/`Queue`.',
    'unguarded-spawn': "start workers only under `if __name__ == '__main__':`.",
    'thread-primitive-in-process': 'use a `multiprocessing` (or `Manager()`) primitive created in the parent and passed via `initargs`/`args`.',
    'unsendable-payload': 'send something picklable: a module-level `def` instead of a lambda or local function; queues and locks through `initargs` or as Manager proxies.',
    'manager-proxy-serialized': 'copy the proxy first: `list(proxy)` / `dict(proxy)`.',
    'unimportable-task': 'move it into a module file beside the notebook and import it.',
  },
  js: {
    'stale-global-read': 'pass it in `workerData` (or a message) and read it there, or set it in the worker.',
    'lost-global-write': "send the update with `parentPort.postMessage` (a child process: `process.send`) or return it from the pool task; apply it in the parent's `message` handler.",
    'unguarded-spawn': 'start workers only in the parent: `if (isMainThread)` / `if (cluster.isPrimary)`.',
    'unsendable-payload': 'send plain data: no functions, Symbols, Promises or class instances whose methods the worker needs; for `workerpool` `exec`, pass outer names as arguments.',
  },
};

/** The hover's first line for a finding: one sentence on what happens, for this code. */
function summary(f: Finding, language: Language, startedBy: string | undefined): string {
  const head = `**Crossproc** \`${f.rule}\`:`;
  const workers = startedBy ? `workers of ${startedBy}` : 'workers';
  const process = language === 'python' ? 'process' : 'worker';
  switch (f.rule) {
    case 'stale-global-read':
      return `${head} ${workers} read a copy of \`${f.symbol}\`.`;
    case 'lost-global-write':
      return `${head} ${workers} write their own copy of \`${f.symbol}\`; the parent never sees it.`;
    case 'unguarded-spawn':
      return `${head} \`${f.symbol}\` runs at import time, so every child ${process} that loads this module runs it again.`;
    case 'thread-primitive-in-process':
      return `${head} \`${f.symbol}\` is a \`threading\` object: each process has its own, so it coordinates nothing between them.`;
    case 'unsendable-payload':
      return `${head} \`${f.symbol}\` cannot be ${language === 'python' ? 'pickled' : 'cloned'} to send it to the worker.`;
    case 'manager-proxy-serialized':
      return `${head} \`${f.symbol}\` is a \`Manager\` proxy, which \`json\` cannot serialise.`;
    case 'unimportable-task':
      return `${head} \`${f.symbol}\` is defined in the notebook, which spawn and forkserver workers cannot import.`;
  }
}

export interface ExplainInput {
  graph: ProjectGraph;
  file: string;
  position: Position;
  /** the file's current findings */
  findings: Finding[];
  /** where rule docs live, as links */
  docUrl(rule: string): string;
  /** the project's Python version (`major.minor`), marked in the start-method table */
  pythonVersion?: string;
  /**
   * The editor shows the finding's message, its related locations and its code (linked to
   * the rule's doc) right above the hover (VS Code does): then the hover does not repeat
   * them — no summary sentence, no doc link — and adds only what the message lacks.
   */
  diagnosticShown?: boolean;
}

/** Markdown for a hover at `position`, or undefined when there is nothing specific to say. */
export function explainAt(input: ExplainInput): { markdown: string; range: Range } | undefined {
  const { graph, file, position } = input;
  const m = graph.modules.get(file);
  if (!m) return undefined;
  const parts: string[] = [];
  let range: Range | undefined;

  const hits = input.findings.filter((f) => f.file === file && contains(f.range, position));
  // below the editor's diagnostic, one finding needs no summary; several need one each, to tell their parts apart
  const brief = input.diagnosticShown === true && hits.length === 1;
  for (const f of hits) {
    range ??= f.range;
    // Without the editor's diagnostic above it: a one-sentence summary of what happens (with
    // where the workers start, linked). Then the start-method table and the fix.
    if (!brief) {
      const started = f.related.find((r) => /started here/.test(r.message));
      const via = started ? /^the worker is started here \((.*)\)$/.exec(started.message)?.[1] : undefined;
      const startedBy = started ? `${via ?? 'the call'} at ${link(file, started.file, started.range)}` : undefined;
      parts.push(summary(f, m.language, startedBy));
    }
    const rec = findingAccess(graph, file, f.range);
    if (rec && m.language === 'python' && (f.rule === 'stale-global-read' || f.rule === 'lost-global-write')) {
      const why = firstWorkerReason(graph, rec.key);
      if (why) parts.push(startMethodTable(BY_METHOD[f.rule], why.spawn, input.pythonVersion));
    }
    if (f.rule === 'unimportable-task') parts.push(startMethodTable(unimportableTaskByMethod(f.symbol), undefined, input.pythonVersion));
    // a JS start's model may say it better (a Web Worker has no workerData)
    const why = rec && m.language === 'js' ? firstWorkerReason(graph, rec.key) : undefined;
    const startFix = why && why.spawn.module.language === 'js' ? startOfSite(why.spawn.site)?.fixWords : undefined;
    const fix = (f.rule === 'stale-global-read' || f.rule === 'lost-global-write' ? startFix?.[f.rule] : undefined) ?? FIX_WORDS[m.language][f.rule];
    const docs = brief ? '' : `[Docs](${input.docUrl(f.rule)})`;
    const line = [fix ? `**Fix:** ${fix}` : '', docs].filter(Boolean).join(' ');
    if (line) parts.push(line);
  }
  if (parts.length) return { markdown: parts.join('\n\n'), range: range! };

  // a module-level binding (access or declaration) that worker code touches
  const access = accessAt(graph, m, position);
  const sym = access?.symbol ?? declarationAt(m, position);
  if (sym) {
    const md = explainSymbol(graph, file, sym, m.language);
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
      const version = input.pythonVersion;
      const defaults =
        version === undefined
          ? 'platform default (spawn on macOS/Windows, fork on Linux < 3.14, forkserver on Linux ≥ 3.14)'
          : `platform default for Python ${version}: ${(['fork', 'spawn', 'forkserver'] as const)
              .map((sm) => [sm, platformsDefaulting(sm, version)] as const)
              .filter(([, on]) => on.length > 0)
              .map(([sm, on]) => `${sm} on ${on.join(' and ')}`)
              .join(', ')}`;
      lines.push(rec.startMethod ? `- start method: **${rec.startMethod}**${rec.pinnedInCode ? ' (pinned here)' : ' (assumed by configuration)'}` : `- start method: ${defaults}`);
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
function explainSymbol(graph: ProjectGraph, fromFile: string, sym: SymbolKey, language: Language): string | undefined {
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
  lines.push(
    language === 'python'
      ? 'Values reach a worker only through task arguments or `initializer=`/`initargs=`; writes come back only through return values, queues or `Manager()` proxies.'
      : 'Values reach a worker only through `workerData`, task arguments or messages; writes come back only through return values or `postMessage`.',
  );
  return lines.join('\n');
}
