/**
 * Benchmark: the Python front end and the engine on the python3 standard library.
 *
 *   npx tsx bench/stdlib.ts [root] [--site-packages] [--reference path/to/frontend.ts]
 *                           [--findings N] [--json out.json]
 *
 * Like the CLI: walk (skipped folders, .gitignore), read, Project.updateFile each,
 * Project.analyze. In one run, on the same files, it times
 *  - parse-only: tree-sitter parse of every file (tree deleted, nothing else);
 *  - parse + model: Project.updateFile of every file (parse + model extraction);
 *  - analysis: Project.analyze (link, contexts, rules, fix descriptors);
 * and reports files, lines, the three times, the ratios to parse-only, files/s,
 * findings per rule and peak RSS. `root` defaults to python3's stdlib folder; its
 * site-packages is left out unless --site-packages. --reference times another front
 * end module's parsePython on the same files (e.g. a saved copy of an older version).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SKIPPED_DIRECTORIES } from '../server/src/shared/protocol';
import { getPythonParser, initPython } from '../server/src/python/parser';
import { parsePython } from '../server/src/python/frontend';
import { argValue, describe, findingsPerRule, fmt, loadTree, measure, minus, peakRssMb, plus, printFindings, printTable, runEngine, type Timing } from './common';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = path.resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.match(/^--(reference|findings|json)$/))
    ?? execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim());
  const skip = new Set(SKIPPED_DIRECTORIES);
  if (!args.includes('--site-packages')) skip.add('site-packages');
  const reference = argValue(args, '--reference');
  const showFindings = Number(argValue(args, '--findings') ?? 0);
  const jsonOut = argValue(args, '--json');

  await initPython();
  const parser = getPythonParser();
  if (!parser) throw new Error('the Python parser did not load');
  const loaded = await loadTree(root, skip, (f) => f.endsWith('.py') || f.endsWith('.pyw'));
  const { files } = loaded;

  // warm-up (JIT, wasm memory growth) on a slice, excluded from the timings
  for (const f of files.slice(0, 50)) {
    parser.parse(f.text)?.delete();
    parsePython(f.path, f.text);
  }

  const parse = measure(() => {
    for (const f of files) parser.parse(f.text)?.delete();
  });
  const engine = await runEngine(files);
  const model = minus(engine.update, parse);
  const total = plus(engine.update, engine.analyze);

  // the front end alone (models not kept), and optionally an older front end, on the same files
  const front = measure(() => {
    for (const f of files) parsePython(f.path, f.text);
  });
  let ref: Timing | undefined;
  if (reference) {
    const mod = (await import(path.resolve(reference))) as { parsePython: typeof parsePython; initPython: () => Promise<void> };
    await mod.initPython();
    for (const f of files.slice(0, 50)) mod.parsePython(f.path, f.text);
    ref = measure(() => {
      for (const f of files) mod.parsePython(f.path, f.text);
    });
  }

  console.log(`Python tree: ${root}${skip.has('site-packages') ? ' (site-packages excluded)' : ''}`);
  const rows: Array<[string, string]> = [
    ['files', `${files.length} (${loaded.skipped} skipped: binary/too large/not UTF-8)`],
    ['lines', `${loaded.lines}`],
    ['MB', fmt(loaded.bytes / 1e6, 1)],
    ['read (walk + read)', `${fmt(loaded.readSeconds)} s`],
    ['parse-only (tree-sitter)', `${describe(parse)}  (${fmt(files.length / parse.wall, 0)} files/s)`],
    ['parse + model (updateFile)', describe(engine.update, parse)],
    ['  model extraction alone', describe(model, parse)],
    ['analysis (Project.analyze)', describe(engine.analyze, parse)],
    ['full (parse + model + analysis)', describe(total, parse)],
    ['files/s (full, excl. read)', `${fmt(files.length / total.wall, 0)} wall, ${fmt(files.length / total.cpu, 0)} cpu  (${fmt(loaded.lines / total.wall / 1000, 0)}k lines/s)`],
    ['parsePython alone (models dropped)', `${describe(front, parse)}  (${fmt(files.length / front.wall, 0)} files/s)`],
  ];
  if (ref) {
    const ours = minus(front, parse);
    const theirs = minus(ref, parse);
    rows.push(['reference parsePython', `${describe(ref, parse)}  (${fmt(files.length / ref.wall, 0)} files/s)`]);
    rows.push(['  reference / this parsePython', `${fmt(ref.wall / front.wall)} x wall, ${fmt(ref.cpu / front.cpu)} x cpu`]);
    rows.push(['  same, extraction only (minus parse)', `${fmt(theirs.wall / ours.wall)} x wall, ${fmt(theirs.cpu / ours.cpu)} x cpu`]);
  }
  rows.push(['findings', `${engine.findings.length}  ${JSON.stringify(findingsPerRule(engine.findings))}`]);
  if (engine.errors.length) rows.push(['rule crashes', `${engine.errors.length}`]);
  rows.push(['peak RSS', `${fmt(peakRssMb(), 0)} MB`]);
  printTable(rows);
  if (showFindings) printFindings(engine.findings, root, showFindings);
  for (const e of engine.errors) console.log(`  rule crash: ${e.split('\n')[0]}`);
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(engine.findings, null, 1));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
