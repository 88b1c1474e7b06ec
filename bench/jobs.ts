/**
 * The `--jobs` rows of bench/table.ts, for this checkout against a reference build,
 * interleaved: per round and per build, the standard library (and luigi, when present) on
 * one core (`taskset -c 0 --jobs 1`) and on two (`taskset -c 0,1 --jobs 2`), with the main
 * thread's CPU of the two-core run (bench/thread-cpu.cjs). Prints medians: the wall ratio,
 * the load-independent estimate (CPU at --jobs 1 ÷ max(main-thread CPU, all CPU ÷ 2)),
 * CPU of each run, and the load average after each round.
 *
 *   npx tsx bench/jobs.ts [--rounds N] [--base path/to/cli.js] [--cli path/to/cli.js] [--no-luigi]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SKIPPED_DIRECTORIES } from '../server/src/shared/protocol';
import { argValue, fmt, loadTree, median, timeChild } from './common';

const REPO = path.resolve(__dirname, '..');
const LUIGI = '/work/real/luigi';

function onCores(cores: string, argv: string[]): string[] {
  return fs.existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', cores, ...argv] : argv;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rounds = Math.max(1, Number(argValue(args, '--rounds') ?? 3));
  const builds: Array<[string, string]> = [
    ['base', path.resolve(argValue(args, '--base') ?? '/work/base-s8/dist/cli.js')],
    ['this', path.resolve(argValue(args, '--cli') ?? path.join(REPO, 'dist', 'cli.js'))],
  ];
  const stdRoot = execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
  const skip = new Set([...SKIPPED_DIRECTORIES, 'site-packages', 'test', 'tests']);
  const std = (await loadTree(stdRoot, skip, (f) => f.endsWith('.py') || f.endsWith('.pyw'))).files.map((f) => path.relative(stdRoot, f.path));
  const inputs: Array<[string, string[], string]> = [['std', std, stdRoot]];
  if (fs.existsSync(LUIGI) && !args.includes('--no-luigi')) inputs.push(['luigi', [LUIGI], REPO]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-jobs-'));
  const threadFile = path.join(tmp, 'thread-cpu');
  const series = new Map<string, number[]>();
  const add = (k: string, v: number) => (series.get(k) ?? series.set(k, []).get(k)!).push(v);
  const outputs = new Map<string, string>();
  const run = (name: string, cli: string, input: string, files: string[], cwd: string) => {
    const one = timeChild(onCores('0', [process.execPath, cli, '--format', 'json', '--jobs', '1', ...files]), { cwd });
    const two = timeChild(onCores('0,1', [process.execPath, '--require', path.join(__dirname, 'thread-cpu.cjs'), cli, '--format', 'json', '--jobs', '2', ...files]), {
      cwd,
      env: { CROSSPROC_BENCH_THREAD_CPU: threadFile },
    });
    const main2 = Number(fs.readFileSync(threadFile, 'utf8'));
    for (const [k, v] of [['wall1', one.wall], ['wall2', two.wall], ['cpu1', one.cpu], ['cpu2', two.cpu], ['main2', main2], ['rss2', two.rssMb]] as const) add(`${name}.${input}.${k}`, v);
    // findings must not depend on the build's threads
    const strip = (s: string) => s.replace(/"durationMs":\s*[\d.]+/, '');
    for (const out of [one.stdout, two.stdout]) {
      const key = input;
      const prev = outputs.get(key);
      if (prev === undefined) outputs.set(key, strip(out));
      else if (prev !== strip(out)) process.stderr.write(`warning: ${name} ${input}: output differs\n`);
    }
  };
  const loads: string[] = [];
  const m = (k: string) => median(series.get(k) ?? [NaN]);
  const table = () => {
    console.log('| input | build | 1 core wall | 2 cores wall | wall ratio | CPU --jobs 1 | CPU --jobs 2 | main thread | estimate | RSS --jobs 2 |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const [input] of inputs) {
      for (const [name] of builds) {
        const k = `${name}.${input}`;
        const est = m(`${k}.cpu1`) / Math.max(m(`${k}.main2`), m(`${k}.cpu2`) / 2);
        console.log(`| ${input} | ${name} | ${fmt(m(`${k}.wall1`))} | ${fmt(m(`${k}.wall2`))} | ${fmt(m(`${k}.wall1`) / m(`${k}.wall2`))} × | ${fmt(m(`${k}.cpu1`))} | ${fmt(m(`${k}.cpu2`))} | ${fmt(m(`${k}.main2`))} | ${fmt(est)} × | ${fmt(m(`${k}.rss2`), 0)} MB |`);
      }
    }
    console.log(`\nloads after each round: ${loads.join('; ')}`);
    console.log(`samples: ${JSON.stringify(Object.fromEntries(series))}\n`);
  };
  for (let r = 0; r < rounds; r++) {
    // alternate which build goes first
    const order = r % 2 === 0 ? builds : [...builds].reverse();
    for (const [input, files, cwd] of inputs) for (const [name, cli] of order) run(name, cli, input, files, cwd);
    loads.push(os.loadavg().map((l) => l.toFixed(1)).join(' '));
    process.stderr.write(`round ${r + 1}/${rounds} done, load ${loads.at(-1)}\n`);
    // the medians so far after every round (a run cut short still leaves its figures)
    table();
  }
}

void main();
