/**
 * Fix-all (issue 15, item 3) on every fixture file, through the engine (the code the
 * language server's `source.fixAll.crossproc` runs): the project is left as it was; the fixed
 * file parses, lost findings only (none appears), and only batch-safe fix kinds were used.
 * Where fix-all applied two fixes or more to one file and nothing is left in the fixture, the
 * fixed program is run under each start method of its fix.json and must behave as written
 * there (single fixes are proven by fixes-run.test.ts).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Project } from '../server/src/engine/project';
import { FIX_ALL_KINDS, fixAllInFile } from '../server/src/fixes/fix-all';
import { listFixtures, listSourceFiles, readManifest, type FixtureRun } from './support/fixtures';
import { describeResult, runMismatches, runProgram } from './support/run-program';

describe('fix all, on every fixture file', function () {
  this.timeout(120_000);
  for (const lang of ['python', 'js'] as const) {
    it(`${lang}: keeps the project, parses, only removes findings, uses only batch-safe kinds; batches run`, async () => {
      let files = 0;
      let batches = 0;
      let ran = 0;
      for (const fx of listFixtures(lang)) {
        const sources = listSourceFiles(fx.dir);
        const project = await Project.create();
        for (const f of sources) project.updateFile(f, fs.readFileSync(f, 'utf8'));
        const initial = project.analyze().map((f) => `${f.file}|${f.rule}|${f.symbol}|${f.range.start.line}`);
        for (const file of sources) {
          const before = project.text(file)!;
          const result = fixAllInFile(project, file);
          assert.equal(project.text(file), before, `${fx.name}: the project keeps the file's text`);
          assert.deepEqual(project.analyze().map((f) => `${f.file}|${f.rule}|${f.symbol}|${f.range.start.line}`), initial, `${fx.name}: findings unchanged`);
          if (!result) continue;
          files++;
          for (const a of result.applied) assert.ok(FIX_ALL_KINDS.includes(a.split(': ')[1]!), a);
          const after = await Project.create();
          for (const f of sources) after.updateFile(f, f === file ? result.text : project.text(f)!);
          assert.deepEqual(after.model(file)!.problems, [], `${fx.name}: the fixed file parses\n${result.text}`);
          const keys = (list: ReturnType<Project['analyze']>) => list.map((f) => `${f.rule}|${f.symbol}`);
          const left = keys(after.analyze());
          const had = keys(project.analyze());
          for (const k of left) assert.ok(had.includes(k), `${fx.name}: new finding ${k}\n${result.text}`);
          assert.ok(left.length < had.length, `${fx.name}: something was fixed`);
          if (result.applied.length < 2) continue;
          batches++;
          const fixJson = path.join(fx.dir, 'fix.json');
          if (left.length > 0 || !fs.existsSync(fixJson)) continue;
          const runs = (JSON.parse(fs.readFileSync(fixJson, 'utf8')) as { runs: Record<string, FixtureRun> }).runs;
          const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `crossproc-fixall-${fx.name}-`));
          try {
            fs.cpSync(fx.dir, tmp, { recursive: true, filter: (src) => !/(^|[\\/])(node_modules|__pycache__)$/.test(src) });
            const modules = path.resolve(__dirname, '..', 'node_modules');
            if (lang === 'js') fs.symlinkSync(modules, path.join(tmp, 'node_modules'), 'junction');
            fs.writeFileSync(path.join(tmp, path.relative(fx.dir, file)), result.text);
            const entry = readManifest(fx).entry;
            for (const [method, expected] of Object.entries(runs)) {
              const r = await runProgram({ dir: tmp, entry, method });
              assert.deepEqual(runMismatches(expected, r), [], `${fx.name} fixed by fix-all, under ${method}: ${describeResult(r)}\n${result.text}`);
              ran++;
            }
          } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
          }
        }
      }
      console.log(`      ${lang}: ${files} files fixed, ${batches} with several fixes, ${ran} runs`);
      assert.ok(files > 0, 'fix-all applied somewhere');
    });
  }
});
