/**
 * Every fixture's findings equal its inline `expect:` comments, exactly: analysed alone,
 * and analysed together with every other fixture (as the CLI does on `fixtures/`), so
 * unrelated programs in one folder never leak into each other.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isAnalyzable, Project } from '../server/src/engine/project';
import type { Finding } from '../server/src/engine/findings';
import { FIXTURES_ROOT, listFixtures, parseExpectations } from './support/fixtures';
import { CellLayout } from '../server/src/notebook/cells';
import { notebookJsonToSource } from '../server/src/notebook/ipynb';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '__pycache__') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (isAnalyzable(p)) out.push(p);
  }
  return out.sort();
}

/** A notebook's code cells, by 1-based cell number (all cells counted). */
function notebookCells(file: string): Array<[number, string]> {
  const nb = JSON.parse(readFileSync(file, 'utf8')) as { cells: Array<{ cell_type: string; source: string | string[] }> };
  return nb.cells.flatMap((c, i): Array<[number, string]> => (c.cell_type === 'code' ? [[i + 1, Array.isArray(c.source) ? c.source.join('') : c.source]] : []));
}

const EXPECT_IN_CELL = /#\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/;

function expectedPairs(files: string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const rel = path.relative(FIXTURES_ROOT, f);
    if (f.endsWith('.ipynb')) {
      // in a notebook an expectation stands in a cell: cell and line in it
      for (const [cell, text] of notebookCells(f)) {
        text.split('\n').forEach((l, j) => {
          const m = EXPECT_IN_CELL.exec(l);
          if (m) for (const rule of m[1].split(',')) out.push(`${rel}:cell ${cell}:${j + 1} ${rule.trim()}`);
        });
      }
      continue;
    }
    for (const e of parseExpectations(f)) out.push(`${rel}:${e.line} ${e.rule}`);
  }
  return [...new Set(out)].sort();
}

function actualPairs(findings: Finding[]): string[] {
  // a line may hold several findings of one rule (two symbols): expectations are per (line, rule)
  const at = (f: Finding): string => {
    if (!f.file.endsWith('.ipynb')) return `${f.range.start.line + 1}`;
    const p = new CellLayout(notebookJsonToSource(readFileSync(f.file, 'utf8'))).toCell(f.range.start);
    return `cell ${p?.cell}:${(p?.line ?? -2) + 1}`;
  };
  return [...new Set(findings.map((f) => `${path.relative(FIXTURES_ROOT, f.file)}:${at(f)} ${f.rule}`))].sort();
}

async function analyse(files: string[]): Promise<Finding[]> {
  const project = await Project.create();
  for (const f of files) project.updateFile(f, readFileSync(f, 'utf8'));
  const findings = project.analyze();
  assert.deepEqual(project.lastErrors, [], 'no rule crashed');
  return findings;
}

describe('fixtures: findings match inline expectations', () => {
  for (const lang of ['js', 'python'] as const) {
    describe(lang, () => {
      for (const fx of listFixtures(lang)) {
        it(fx.name, async () => {
          const files = sourceFiles(fx.dir);
          const findings = await analyse(files);
          assert.deepEqual(actualPairs(findings), expectedPairs(files), findings.map((f) => `${f.rule}: ${f.message}`).join('\n'));
        });
      }
    });
  }

  it('the whole fixtures folder at once gives exactly the union of the expectations', async () => {
    const files = sourceFiles(FIXTURES_ROOT);
    const findings = await analyse(files);
    assert.deepEqual(actualPairs(findings), expectedPairs(files));
  });

  it('every finding names its symbol, has a message and a related location or none by design', async () => {
    const findings = await analyse(sourceFiles(FIXTURES_ROOT));
    assert.ok(findings.length > 0);
    for (const f of findings) {
      assert.ok(f.symbol.length > 0, `${f.rule} at ${f.file}:${f.range.start.line + 1} has a symbol`);
      assert.ok(f.message.length > 20);
      if (f.rule === 'stale-global-read' || f.rule === 'lost-global-write') {
        assert.ok(f.related.some((r) => /started here/.test(r.message)), 'names where the worker is started');
      }
      if (f.rule === 'stale-global-read') assert.ok(f.related.some((r) => /the parent/.test(r.message)), 'names the parent write');
    }
  });
});
