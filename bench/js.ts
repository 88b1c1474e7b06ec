/**
 * Benchmark: the JS/TS front end (TypeScript compiler API) and the engine on a large
 * node_modules tree (default: this repository's node_modules — typescript/lib and
 * every .js/.mjs/.cjs/.ts/... file under it, nested node_modules included).
 *
 *   npx tsx bench/js.ts [root] [--all-sizes] [--findings N] [--json out.json]
 *
 * Same phases as bench/stdlib.ts, in one run on the same files: parse-only
 * (ts.createSourceFile with parent pointers, as the front end does), parse + model
 * (Project.updateFile), analysis (Project.analyze). Files over the CLI's 2 MB limit are
 * skipped like the CLI does, unless --all-sizes (typescript/lib/*.js are 3-9 MB).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { languageOf } from '../server/src/engine/language';
import { scriptKindFor } from '../server/src/js/frontend';
import { SKIPPED_DIRECTORIES } from '../server/src/shared/protocol';
import { argValue, describe, findingsPerRule, fmt, loadTree, measure, minus, peakRssMb, plus, printFindings, printTable, runEngine } from './common';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = path.resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.match(/^--(findings|json)$/))
    ?? path.join(__dirname, '..', 'node_modules'));
  const showFindings = Number(argValue(args, '--findings') ?? 0);
  const jsonOut = argValue(args, '--json');
  // walk into nested node_modules too: that is the tree being measured
  const skip = new Set([...SKIPPED_DIRECTORIES].filter((d) => d !== 'node_modules'));
  const loaded = await loadTree(root, skip, (f) => languageOf(f) === 'js');
  const { files } = loaded;
  let big = 0;
  if (args.includes('--all-sizes')) {
    // the walk's reader skipped large files; take them too
    const have = new Set(files.map((f) => f.path));
    for (const f of await Promise.all(
      [...walkLarge(root, skip, have)].map(async (p) => ({ path: p, text: await fs.promises.readFile(p, 'utf8') })),
    )) {
      files.push(f);
      loaded.lines += f.text.split('\n').length;
      loaded.bytes += Buffer.byteLength(f.text);
      big++;
    }
  }

  for (const f of files.slice(0, 50)) ts.createSourceFile(f.path, f.text, ts.ScriptTarget.Latest, true, scriptKindFor(f.path));
  const parse = measure(() => {
    for (const f of files) ts.createSourceFile(f.path, f.text, ts.ScriptTarget.Latest, true, scriptKindFor(f.path));
  });
  const engine = await runEngine(files);
  const model = minus(engine.update, parse);
  const total = plus(engine.update, engine.analyze);

  console.log(`JS/TS tree: ${root}`);
  const rows: Array<[string, string]> = [
    ['files', `${files.length} (${loaded.skipped - big} skipped: over 2 MB/binary/not UTF-8${big ? `; ${big} large files added by --all-sizes` : ''})`],
    ['lines', `${loaded.lines}`],
    ['MB', fmt(loaded.bytes / 1e6, 1)],
    ['read (walk + read)', `${fmt(loaded.readSeconds)} s`],
    ['parse-only (ts.createSourceFile)', `${describe(parse)}  (${fmt(files.length / parse.wall, 0)} files/s)`],
    ['parse + model (updateFile)', describe(engine.update, parse)],
    ['  model extraction alone', describe(model, parse)],
    ['analysis (Project.analyze)', describe(engine.analyze, parse)],
    ['full (parse + model + analysis)', describe(total, parse)],
    ['files/s (full, excl. read)', `${fmt(files.length / total.wall, 0)} wall, ${fmt(files.length / total.cpu, 0)} cpu  (${fmt(loaded.lines / total.wall / 1000, 0)}k lines/s)`],
    ['findings', `${engine.findings.length}  ${JSON.stringify(findingsPerRule(engine.findings))}`],
  ];
  if (engine.errors.length) rows.push(['rule crashes', `${engine.errors.length}`]);
  rows.push(['peak RSS', `${fmt(peakRssMb(), 0)} MB`]);
  printTable(rows);
  if (showFindings) printFindings(engine.findings, root, showFindings);
  for (const e of engine.errors) console.log(`  rule crash: ${e.split('\n')[0]}`);
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(engine.findings, null, 1));
}

/** analysable JS files over the CLI's size limit */
function* walkLarge(dir: string, skip: ReadonlySet<string>, have: ReadonlySet<string>): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip.has(e.name)) yield* walkLarge(full, skip, have);
    } else if (e.isFile() && languageOf(full) === 'js' && !have.has(full) && fs.statSync(full).size > 2 * 1024 * 1024) {
      yield full;
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
