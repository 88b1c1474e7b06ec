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

function expectedPairs(files: string[]): string[] {
  const out: string[] = [];
  for (const f of files) for (const e of parseExpectations(f)) out.push(`${path.relative(FIXTURES_ROOT, f)}:${e.line} ${e.rule}`);
  return [...new Set(out)].sort();
}

function actualPairs(findings: Finding[]): string[] {
  // a line may hold several findings of one rule (two symbols): expectations are per (line, rule)
  return [...new Set(findings.map((f) => `${path.relative(FIXTURES_ROOT, f.file)}:${f.range.start.line + 1} ${f.rule}`))].sort();
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
