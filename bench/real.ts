/**
 * Real projects: what the engine sees in code this repository does not contain.
 *
 *   npx tsx bench/real.ts DIR... [--json out.json] [--list]
 *
 * For each folder (walked and read like the CLI), in one Project: files and lines per
 * language, process spawn sites found (thread pools left out), the worker-side
 * functions the engine finds (distinct function units that some program runs in a
 * worker or in a worker's set-up), findings per rule, and findings per 20,000 lines.
 * `--list` also prints every worker-side function and every finding, to be read by hand
 * (the figures say what was found, only reading says whether it is right).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SKIPPED_DIRECTORIES } from '../server/src/shared/protocol';
import { Project } from '../server/src/engine/project';
import { argValue, findingsPerRule, loadTree } from './common';

interface Row {
  project: string;
  files: number;
  pyLines: number;
  jsLines: number;
  processSpawns: number;
  workerFunctions: number;
  findings: number;
  perRule: Record<string, number>;
  per20k: number;
  seconds: number;
  workers?: string[];
}

function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

async function measureOne(root: string, list: boolean): Promise<Row> {
  const t0 = performance.now();
  const loaded = await loadTree(root, new Set(SKIPPED_DIRECTORIES));
  const project = await Project.create();
  let pyLines = 0;
  let jsLines = 0;
  for (const f of loaded.files) {
    if (!project.updateFile(f.path, f.text) && !project.hasFile(f.path)) continue;
    if (f.path.endsWith('.py') || f.path.endsWith('.pyw')) pyLines += lineCount(f.text);
    else if (project.hasFile(f.path)) jsLines += lineCount(f.text);
  }
  const findings = project.analyze();
  const graph = project.graph();
  const workerUnits = new Map<string, string>();
  for (const prog of graph.programs) {
    for (const key of [...prog.worker.keys(), ...prog.init]) {
      const u = graph.units.get(key);
      if (!u || u.unit.kind !== 'function') continue;
      workerUnits.set(key, `${path.relative(root, u.module.path)}:${u.unit.nameRange.start.line + 1} ${u.unit.name}`);
    }
  }
  const processSpawns = graph.spawnRecords.filter((r) => r.site.isProcess !== false).length;
  const lines = pyLines + jsLines;
  const row: Row = {
    project: path.basename(root),
    files: project.files().length,
    pyLines,
    jsLines,
    processSpawns,
    workerFunctions: workerUnits.size,
    findings: findings.length,
    perRule: Object.fromEntries(Object.entries(findingsPerRule(findings)).filter(([, n]) => n > 0)),
    per20k: lines ? (findings.length * 20000) / lines : 0,
    seconds: (performance.now() - t0) / 1000,
  };
  if (list) {
    row.workers = [...workerUnits.values()].sort();
    console.log(`\n## ${row.project}: worker-side functions`);
    for (const w of row.workers) console.log(`  ${w}`);
    console.log(`## ${row.project}: findings`);
    for (const f of findings) console.log(`  ${path.relative(root, f.file)}:${f.range.start.line + 1}:${f.range.start.character + 1} ${f.rule} ${f.symbol}: ${f.message}`);
  }
  return row;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonOut = argValue(args, '--json');
  const list = args.includes('--list');
  const roots = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--json').map((a) => path.resolve(a));
  if (!roots.length) {
    console.error('usage: npx tsx bench/real.ts DIR... [--json out.json] [--list]');
    process.exit(2);
  }
  const rows: Row[] = [];
  for (const r of roots) rows.push(await measureOne(r, list));
  console.log('\n| project | files | Python lines | JS/TS lines | process spawns | worker-side functions | findings | per 20k lines | by rule |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const rules = Object.entries(r.perRule).map(([k, v]) => `${k} ${v}`).join(', ') || '–';
    console.log(`| ${r.project} | ${r.files} | ${r.pyLines} | ${r.jsLines} | ${r.processSpawns} | ${r.workerFunctions} | ${r.findings} | ${r.per20k.toFixed(1)} | ${rules} |`);
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(rows, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
