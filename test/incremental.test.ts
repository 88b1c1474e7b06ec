/**
 * The project re-links only what an edit can affect (link results are cached per module):
 * after any sequence of edits, additions and removals its findings must equal those of a
 * project built from scratch on the same texts.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Project } from '../server/src/engine/project';
import type { Finding } from '../server/src/engine/findings';
import { FIXTURES_ROOT, listSourceFiles } from './support/fixtures';

function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${path.relative(FIXTURES_ROOT, f.file)}:${f.range.start.line}:${f.range.start.character} ${f.rule} ${f.symbol} ${f.message}`);
}

async function fresh(texts: Map<string, string>): Promise<string[]> {
  const p = await Project.create();
  for (const [f, t] of texts) p.updateFile(f, t);
  return summary(p.analyze());
}

describe('incremental linking', () => {
  it('agrees with a fresh project after body edits, interface edits, removals and additions', async () => {
    const files = listSourceFiles(FIXTURES_ROOT);
    const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')] as [string, string]));
    const project = await Project.create();
    for (const [f, t] of texts) project.updateFile(f, t);
    assert.deepEqual(summary(project.analyze()), await fresh(texts));

    // every cross-file fixture gets its shared module edited in three ways
    const shared = files.filter((f) => /\/(config|state|prefs|settings|logger|helpers|tasks)\.(py|js|ts|mjs)$/.test(f));
    assert.ok(shared.length >= 5, `cross-file fixtures found: ${shared.length}`);
    const steps: Array<[string, (t: string, py: boolean) => string]> = [
      ['a comment (no interface change)', (t, py) => `${t}\n${py ? '#' : '//'} edited\n`],
      ['a new module-level name (interface change)', (t, py) => (py ? `${t}\nEXTRA_NAME = 1\n` : `${t}\nexport const EXTRA_NAME = 1;\n`)],
      ['everything removed', () => ''],
    ];
    for (const file of shared.slice(0, 8)) {
      const original = texts.get(file)!;
      for (const [what, change] of steps) {
        const text = change(original, file.endsWith('.py'));
        texts.set(file, text);
        project.updateFile(file, text);
        assert.deepEqual(summary(project.analyze()), await fresh(texts), `${path.relative(FIXTURES_ROOT, file)}: ${what}`);
      }
      texts.set(file, original);
      project.updateFile(file, original);
      assert.deepEqual(summary(project.analyze()), await fresh(texts), `${path.relative(FIXTURES_ROOT, file)}: restored`);
    }

    // removing and re-adding a module changes how imports resolve
    const victim = shared[0]!;
    const kept = texts.get(victim)!;
    texts.delete(victim);
    project.removeFile(victim);
    assert.deepEqual(summary(project.analyze()), await fresh(texts), 'after a removal');
    texts.set(victim, kept);
    project.updateFile(victim, kept);
    assert.deepEqual(summary(project.analyze()), await fresh(texts), 'after re-adding');
  });
});

