/**
 * Benchmark: keystroke-to-analysis on a large workspace, i.e. what the language server
 * pays after the debounce for one edited document.
 *
 *   npx tsx bench/keystroke.ts [folder ...] [--file path] [--edits N] [--no-fixtures]
 *                              [--skip DIR]... [--kinds body,call] [--profile FILE.cpuprofile]
 *
 * Builds one Project over the folders (default: /usr/lib/python3.11 and this repository's
 * node_modules, nested node_modules included), analyses it once, then times `updateFile`
 * (with a version, as the server gives an open document) + `analyze()` for N body edits (a
 * statement inserted at the top of a function body: the module's interface is unchanged)
 * and N interface edits (a new module-level name) of one mid-sized file, and prints the
 * medians and p95 of the wall time (split into parsing, linking and rules) and of the
 * process's CPU time per edit (robust to a loaded machine). A third row, call edits, alternately adds and removes a call to another
 * function of the file in that body (the call graph changes each time). Then the same on
 * this repository's fixtures/ (unless --no-fixtures). --file picks the edited file (it
 * must be in the folders).
 * --skip leaves folders of that name out of the walk (e.g. site-packages, for the standard
 * library workspace of bench/table.ts); --profile writes a CPU profile of the timed edits
 * only (summarise it with bench/cpuprofile.ts). It also prints the garbage collections made
 * during the timed edits (scavenges and others, count and pause time per edit).
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as os from 'node:os';
import * as path from 'node:path';
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';
import { Project } from '../server/src/engine/project';
import { SKIPPED_DIRECTORIES } from '../server/src/shared/protocol';
import { argValue, fmt, loadTree, measure, percentile, printTable, type SourceFile } from './common';

const DEFAULT_FOLDERS = ['/usr/lib/python3.11', path.join(__dirname, '..', 'node_modules')];

const KINDS = ['body', 'interface', 'call'] as const;
type Kind = (typeof KINDS)[number];

/** The text with edit number `i` of each kind applied (each differs from the previous one). */
type Edit = Record<Kind, (i: number) => string>;

/**
 * Edits of `text` that a user could make, or undefined when the file has no function
 * whose header is a single line (so the inserted statement surely lands in a body).
 */
function editsOf(file: string, text: string): Edit | undefined {
  const py = file.endsWith('.py') || file.endsWith('.pyw');
  const lines = text.split('\n');
  // a top-level function whose header fits on one line, followed by an indented body line
  const header = py ? /^def \w+\(.*\).*:\s*$/ : /^(export\s+)?(async\s+)?function\s*\*?\s*\w+\s*\(.*\)\s*(:[^{]*)?\{\s*$/;
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!header.test(lines[i]!)) continue;
    const next = lines[i + 1]!;
    const indent = /^\s+/.exec(next)?.[0];
    if (!indent || !next.trim()) continue;
    const at = i + 1;
    const insert = (stmt: string): string => [...lines.slice(0, at), indent + stmt, ...lines.slice(at)].join('\n');
    const own = /(\w+)\s*\(/.exec(lines[i]!.replace(/^\s*(export\s+)?(async\s+)?(def|function)\s*\*?/, ''))?.[1];
    const names = [...text.matchAll(py ? /^def (\w+)\(/gm : /^(?:export\s+)?(?:async\s+)?function\s*\*?\s*(\w+)\s*\(/gm)].map((m) => m[1]!);
    const callee = names.find((n) => n !== own) ?? own;
    const body = (n: number): string => insert(py ? `keystroke_local = ${n}` : `void ${n};`);
    return {
      body,
      interface: (n) => `${text}\n${py ? `KEYSTROKE_${n} = ${n}` : `var KEYSTROKE_${n} = ${n};`}\n`,
      // odd edits call it, even ones do not: every edit adds or removes a call edge
      call: (n) => (n % 2 ? insert(py ? `${callee}()  # ${n}` : `${callee}(); // ${n}`) : body(n)),
    };
  }
  return undefined;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `fn` under the V8 profiler and writes the profile to `file`. */
async function profiled(file: string, fn: () => void): Promise<void> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  try {
    fn();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

/** The file to edit: with an importer, of median size among those with a usable function. */
function pickFile(project: Project, files: readonly SourceFile[]): SourceFile | undefined {
  const importers = project.graph().importers;
  const usable = files.filter((f) => importers.get(f.path)?.size && editsOf(f.path, f.text));
  const pool = usable.length ? usable : files.filter((f) => editsOf(f.path, f.text));
  pool.sort((a, b) => a.text.length - b.text.length || a.path.localeCompare(b.path));
  return pool[pool.length >> 1];
}

interface RunOptions {
  edits: number;
  file?: string;
  skip: readonly string[];
  kinds: readonly Kind[];
  profile?: string;
}

async function run(label: string, folders: string[], opts: RunOptions): Promise<void> {
  const { edits, file: fileArg } = opts;
  // walk into nested node_modules: they are part of the workspace being measured
  const skip = new Set([...[...SKIPPED_DIRECTORIES].filter((d) => d !== 'node_modules'), ...opts.skip]);
  const files: SourceFile[] = [];
  for (const folder of folders) files.push(...(await loadTree(path.resolve(folder), skip)).files);
  const project = await Project.create();
  const load = measure(() => {
    for (const f of files) project.updateFile(f.path, f.text);
  });
  const first = measure(() => project.analyze());
  const target = fileArg
    ? files.find((f) => f.path === path.resolve(fileArg))
    : pickFile(project, files);
  if (!target) throw new Error(`no file to edit in ${folders.join(', ')}${fileArg ? ` (${fileArg} not loaded)` : ''}`);
  const e = editsOf(target.path, target.text);
  if (!e) throw new Error(`${target.path}: no single-line function header to edit`);

  const times = { body: [] as number[], interface: [] as number[], call: [] as number[] };
  /** per edit: updateFile, graph (linking), rules (wall ms) */
  const split = { body: [] as Array<[number, number, number]>, interface: [] as Array<[number, number, number]>, call: [] as Array<[number, number, number]> };
  /** per edit: the process's CPU time (user + system, ms), which the machine's load does not inflate as much as wall time */
  const cpu = { body: [] as number[], interface: [] as number[], call: [] as number[] };
  let n = 0;
  for (const kind of opts.kinds) {
    // one untimed edit of each kind first (JIT warm-up on this path)
    project.updateFile(target.path, e[kind](n), n++);
    project.analyze();
  }
  const timed = (): void => {
    for (const kind of opts.kinds) {
      for (let i = 0; i < edits; i++) {
        const text = e[kind](n++);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        project.updateFile(target.path, text, n);
        const t1 = performance.now();
        project.graph();
        const t2 = performance.now();
        project.analyze();
        const t3 = performance.now();
        const c = process.cpuUsage(c0);
        times[kind].push(t3 - t0);
        split[kind].push([t1 - t0, t2 - t1, t3 - t2]);
        cpu[kind].push((c.user + c.system) / 1000);
      }
    }
  };
  // the collections made during the timed edits: young-generation (scavenges) and the rest
  const gc = { minor: 0, minorMs: 0, other: 0, otherMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const minor = (e as unknown as { detail?: { kind?: number } }).detail?.kind === perf.NODE_PERFORMANCE_GC_MINOR;
      if (minor) (gc.minor++, (gc.minorMs += e.duration));
      else (gc.other++, (gc.otherMs += e.duration));
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  if (opts.profile) await profiled(opts.profile, timed);
  else timed();
  // entries are delivered asynchronously, after the synchronous edits
  await new Promise((resolve) => setTimeout(resolve, 200));
  observer.disconnect();
  const timedEdits = edits * opts.kinds.length;
  project.updateFile(target.path, target.text);

  const importers = project.graph().importers.get(target.path)?.size ?? 0;
  const ms = (x: number): string => `${fmt(x, 1)} ms`;
  const row = (kind: Kind): string =>
    `median ${ms(median(times[kind]))}, p95 ${ms(percentile(times[kind], 95))} (updateFile ${ms(median(split[kind].map((s) => s[0])))}, graph ${ms(median(split[kind].map((s) => s[1])))}, rules ${ms(median(split[kind].map((s) => s[2])))}; min ${ms(Math.min(...times[kind]))}, max ${ms(Math.max(...times[kind]))}); CPU median ${ms(median(cpu[kind]))}, p95 ${ms(percentile(cpu[kind], 95))}`;
  console.log(`${label}: ${folders.join(' + ')}`);
  printTable([
    ['files', `${files.length}`],
    ['initial load (updateFile each)', `${fmt(load.wall)} s`],
    ['initial analyze', `${fmt(first.wall)} s`],
    ['edited file', `${target.path} (${target.text.length} chars, ${importers} importers)`],
    ...opts.kinds.map((kind) => [`${kind} edit x${edits}`, row(kind)] as [string, string]),
    ['collections per edit', `${fmt(gc.minor / timedEdits, 2)} scavenges (${ms(gc.minorMs / timedEdits)}), ${fmt(gc.other / timedEdits, 2)} other (${ms(gc.otherMs / timedEdits)}), wall`],
    ['load average after', os.loadavg().map((x) => fmt(x)).join(' ')],
  ]);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const valued = new Set(['--file', '--edits', '--findings', '--json', '--reference', '--skip', '--kinds', '--profile']);
  const positional = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1] ?? ''));
  const folders = positional.length ? positional : DEFAULT_FOLDERS.filter((f) => fs.existsSync(f));
  const edits = Number(argValue(args, '--edits') ?? 10);
  const skip = args.flatMap((a, i) => (a === '--skip' && args[i + 1] ? [args[i + 1]!] : []));
  const kinds = (argValue(args, '--kinds')?.split(',') ?? [...KINDS]).filter((k): k is Kind => (KINDS as readonly string[]).includes(k));
  const opts: RunOptions = { edits, file: argValue(args, '--file'), skip, kinds, profile: argValue(args, '--profile') };
  await run('workspace', folders, opts);
  if (!args.includes('--no-fixtures')) {
    console.log('');
    await run('fixtures', [path.join(__dirname, '..', 'fixtures')], { ...opts, file: undefined, profile: undefined });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
