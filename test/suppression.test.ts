/**
 * "Disable RULE for this line" writes a suppression comment that the engine (and so the
 * CLI and the server) honours: applied to any fixture finding, through the same fix code
 * as the editor's code action, it removes exactly the findings of that rule on that line.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Project } from '../server/src/engine/project';
import { applyFix, computeFix } from '../server/src/fixes';
import { FIXTURES_ROOT, listFixtures, listSourceFiles } from './support/fixtures';

describe('suppression comments written by "Disable RULE for this line"', () => {
  for (const lang of ['js', 'python'] as const) {
    it(`silence exactly their line in every ${lang} fixture`, async () => {
      let checked = 0;
      for (const fx of listFixtures(lang)) {
        const files = listSourceFiles(fx.dir);
        const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')] as [string, string]));
        const project = await Project.create();
        for (const [f, t] of texts) project.updateFile(f, t);
        const findings = project.analyze();
        for (const finding of findings) {
          const fix = computeFix({ graph: project.graph(), text: (f) => project.text(f) }, finding, 'disable-line');
          assert.ok(fix, `${fx.name}: disable-line computes for ${finding.rule} at line ${finding.range.start.line + 1}`);
          const changed = applyFix(fix, (f) => texts.get(f));
          const after = await Project.create();
          for (const [f, t] of texts) after.updateFile(f, changed.get(f) ?? t);
          const where = `${path.relative(FIXTURES_ROOT, finding.file)}:${finding.range.start.line + 1} ${finding.rule}`;
          const sameRuleInFile = (list: typeof findings) => list.filter((g) => g.file === finding.file && g.rule === finding.rule).length;
          const onLine = findings.filter(
            (g) => g.file === finding.file && g.rule === finding.rule && g.range.start.line === finding.range.start.line,
          ).length;
          const rest = after.analyze();
          assert.equal(sameRuleInFile(rest), sameRuleInFile(findings) - onLine, `${where}: only that line's findings are gone`);
          assert.equal(rest.length, findings.length - onLine, `${where}: nothing else changes`);
          checked++;
        }
      }
      assert.ok(checked > 10, `checked ${checked} findings`);
    });
  }
});
