/**
 * The CPU budget of issue 11: a full CLI run on the Python standard library as a multiple
 * of tree-sitter parse-only on the same files, for this checkout and for a reference build
 * (by default /work/base-051, commit 051fa0b), measured in one run.
 *
 *   npx tsx bench/budget.ts [--runs N] [--with-tests] [--base path/to/cli.js]
 *                           [--cli path/to/cli.js]... [--root DIR] [--json out.json]
 *
 * Files: python3's stdlib (site-packages excluded, the CLI's skipped folders, and
 * without `test`/`tests` folders unless --with-tests), read as bench/stdlib.ts does.
 * Each round times, interleaved: (a) tree-sitter parse-only of every file in this process
 * (tree deleted, nothing else; CPU of this process), (b) `node BASE --format json FILES`
 * and (c) `node CLI --format json FILES`, each the user + system CPU of the child
 * (/usr/bin/time); more than one --cli are all timed against the base. Medians over N rounds (default 5) after one warm-up round; the ratios
 * are median CLI CPU ÷ median parse-only CPU.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SKIPPED_DIRECTORIES } from '../server/src/shared/protocol';
import { getPythonParser, initPython } from '../server/src/python/parser';
import { argValue, fmt, loadTree, measure, median, printTable, timeChild } from './common';

interface CliRun {
  cpu: number;
  wall: number;
  rssMb: number;
  findings: number;
}

/** Runs one CLI over `files` (passed in argv) and returns its CPU from /usr/bin/time. */
function runCli(cli: string, files: readonly string[]): CliRun {
  const r = timeChild([process.execPath, cli, '--format', 'json', ...files]);
  const parsed = JSON.parse(r.stdout) as { findings?: unknown[] } | unknown[];
  const findings = Array.isArray(parsed) ? parsed.length : parsed.findings?.length ?? -1;
  return { cpu: r.cpu, wall: r.wall, rssMb: r.rssMb, findings };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(argValue(args, '--runs') ?? 5);
  const base = path.resolve(argValue(args, '--base') ?? '/work/base-051/dist/cli.js');
  const given = args.flatMap((a, i) => (args[i - 1] === '--cli' ? [a] : a.startsWith('--cli=') ? [a.slice(6)] : []));
  const clis = (given.length ? given : [path.join(__dirname, '..', 'dist', 'cli.js')]).map((c) => path.resolve(c));
  const root = path.resolve(argValue(args, '--root')
    ?? execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim());
  const skip = new Set([...SKIPPED_DIRECTORIES, 'site-packages']);
  if (!args.includes('--with-tests')) {
    skip.add('test');
    skip.add('tests');
  }
  const jsonOut = argValue(args, '--json');

  await initPython();
  const parser = getPythonParser();
  if (!parser) throw new Error('the Python parser did not load');
  const { files } = await loadTree(root, skip, (f) => f.endsWith('.py') || f.endsWith('.pyw'));
  const paths = files.map((f) => f.path);

  const parseOnly = () => measure(() => {
    for (const f of files) parser.parse(f.text)?.delete();
  });
  // warm-up round, not counted
  parseOnly();
  const all = [base, ...clis];
  for (const c of all) runCli(c, paths);

  const parse: number[] = [];
  const cliRuns: CliRun[][] = all.map(() => []);
  for (let i = 0; i < runs; i++) {
    parse.push(parseOnly().cpu);
    all.forEach((c, j) => cliRuns[j]!.push(runCli(c, paths)));
    process.stderr.write(`round ${i + 1}/${runs}: parse ${fmt(parse[i]!)} s, CLIs ${cliRuns.map((r) => fmt(r[i]!.cpu)).join(' ')} s\n`);
  }
  const p = median(parse);
  const ratios = cliRuns.map((r) => median(r.map((x) => x.cpu)) / p);
  const load = os.loadavg().map((x) => fmt(x)).join(' ');
  console.log(`Python tree: ${root} (${files.length} files; site-packages${skip.has('test') ? ', test/, tests/' : ''} excluded)`);
  const rows: Array<[string, string]> = [
    ['rounds (medians)', `${runs} (+1 warm-up), load average at end ${load}`],
    ['parse-only CPU', `${fmt(p)} s  (runs ${parse.map((x) => fmt(x)).join(' ')})`],
  ];
  all.forEach((c, j) => {
    const r = cliRuns[j]!;
    rows.push([j === 0 ? 'base CLI CPU' : `CLI ${j} CPU`, `${fmt(median(r.map((x) => x.cpu)))} s = ${fmt(ratios[j]!)} x parse-only  (runs ${r.map((x) => fmt(x.cpu)).join(' ')}; wall ${fmt(median(r.map((x) => x.wall)))} s, peak RSS ${fmt(median(r.map((x) => x.rssMb)), 0)} MB, ${r[0]!.findings} findings)  ${c}`]);
    if (j > 0) rows.push([`  CLI ${j} / base`, `${fmt(ratios[j]! / ratios[0]!, 3)} (budget: <= 1.10)`]);
  });
  printTable(rows);
  if (jsonOut) {
    fs.writeFileSync(jsonOut, JSON.stringify({ root, files: files.length, runs, parse, clis: all.map((c, j) => ({ cli: c, runs: cliRuns[j], ratio: ratios[j] })) }, null, 1));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
