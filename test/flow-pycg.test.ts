/**
 * PyCG's call-graph micro-benchmark (../shared/benchmarks/pycg-micro, 119 programs):
 * `crossproc graph --format pycg` scored exactly as ../shared/benchmarks/score_callgraph.py
 * scores it (edges caller → callee, with builtins; a snippet is exact when it has no
 * false and no missing edge). PyCG itself scores exact 106/119, precision 0.976, recall
 * 0.932; the thresholds below are what Crossproc reaches.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadGraph, pycgGraph } from '../server/src/cli/graph';
import { runCli } from './support/programs';

const BENCH = path.join(__dirname, '..', '..', 'shared', 'benchmarks', 'pycg-micro');

function edges(cg: Record<string, string[]>): Set<string> {
  const out = new Set<string>();
  for (const [a, bs] of Object.entries(cg)) for (const b of bs) out.add(`${a} -> ${b}`);
  return out;
}

function snippets(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    const names = fs.readdirSync(dir).sort();
    if (names.includes('main.py') && names.includes('callgraph.json')) out.push(dir);
    for (const n of names) {
      const p = path.join(dir, n);
      if (fs.statSync(p).isDirectory()) walk(p);
    }
  };
  walk(BENCH);
  return out;
}

describe('call graph: PyCG micro-benchmark', function () {
  this.timeout(120000);

  it('scores at least exact 114/119, precision 0.99, recall 0.955', async function () {
    if (!fs.existsSync(BENCH)) this.skip();
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let exact = 0;
    const misses: string[] = [];
    const dirs = snippets();
    for (const dir of dirs) {
      const want = edges(JSON.parse(fs.readFileSync(path.join(dir, 'callgraph.json'), 'utf8')) as Record<string, string[]>);
      const data = await loadGraph({ paths: ['main.py'], format: 'pycg', help: false }, dir);
      const got = edges(pycgGraph(data));
      const t = [...want].filter((e) => got.has(e)).length;
      tp += t;
      fp += got.size - t;
      fn += want.size - t;
      if (got.size === t && want.size === t) exact++;
      else misses.push(path.relative(BENCH, dir));
    }
    const precision = tp / Math.max(tp + fp, 1);
    const recall = tp / Math.max(tp + fn, 1);
    const summary = `exact ${exact}/${dirs.length}, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}; not exact: ${misses.join(', ')}`;
    assert.equal(dirs.length, 119, summary);
    assert.ok(exact >= 114, summary);
    assert.ok(precision >= 0.99, summary);
    assert.ok(recall >= 0.955, summary);
  });

  it('the CLI prints the same graph (crossproc graph --format pycg main.py)', function () {
    const dir = path.join(BENCH, 'mro', 'super_call');
    if (!fs.existsSync(dir)) this.skip();
    const run = runCli(dir, 'graph', '--format', 'pycg', 'main.py');
    assert.equal(run.code, 0, run.stderr);
    const want = edges(JSON.parse(fs.readFileSync(path.join(dir, 'callgraph.json'), 'utf8')) as Record<string, string[]>);
    assert.deepEqual([...edges(JSON.parse(run.stdout) as Record<string, string[]>)].sort(), [...want].sort());
  });
});
