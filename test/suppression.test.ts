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
import { NODE_PROGRAM, PYTHON_PROGRAM, makeTree, runCli } from './support/programs';
import { rmSync } from 'node:fs';

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

describe('file-level suppression comments', () => {
  const analyse = async (files: Record<string, string>) => {
    const project = await Project.create();
    for (const [f, t] of Object.entries(files)) project.updateFile(f, t);
    return { project, findings: project.analyze() };
  };
  const rulesIn = (findings: Awaited<ReturnType<typeof analyse>>['findings']) => findings.map((f) => `${f.rule}:${f.range.start.line + 1}`);
  // thread-primitive-in-process (line 7) and stale-global-read (line 8)
  const PY = ['import multiprocessing as mp', 'import threading', 'LOCK = threading.Lock()', 'G = None', '', 'def task(x):', '    with LOCK:', '        return f"{G} {x}"', '', 'if __name__ == "__main__":', '    G = "Hello"', '    with mp.Pool(2) as p:', '        print(p.map(task, [1, 2]))', ''].join('\n');

  it('Python: `# crossproc: disable-file=RULE` (one rule, a comma list, or all) silences the whole file', async () => {
    const before = rulesIn((await analyse({ '/v/a.py': PY })).findings);
    assert.deepEqual(before.sort(), ['stale-global-read:8', 'thread-primitive-in-process:7']);
    const one = await analyse({ '/v/a.py': `${PY}# crossproc: disable-file=stale-global-read\n` });
    assert.deepEqual(rulesIn(one.findings), ['thread-primitive-in-process:7'], 'anywhere in the file, on a line of its own');
    const list = await analyse({ '/v/a.py': `# crossproc: disable-file=thread-primitive-in-process, stale-global-read\n${PY}` });
    assert.deepEqual(rulesIn(list.findings), []);
    const all = await analyse({ '/v/a.py': `# crossproc: disable-file\n${PY}` });
    assert.deepEqual(rulesIn(all.findings), []);
    const trailing = await analyse({ '/v/a.py': `X = 1  # crossproc: disable-file=stale-global-read\n${PY}` });
    assert.equal(trailing.findings.length, 2, 'after code it is not a file directive');
    const other = await analyse({ '/v/a.py': PY, '/v/b.py': '# crossproc: disable-file\n' });
    assert.equal(other.findings.length, 2, 'another file is not affected');
  });

  it('JS: `/* crossproc-disable RULE */` silences from its line on (ESLint semantics); none = all', async () => {
    const JS = [
      "const { Worker, isMainThread } = require('node:worker_threads');",
      'let mode = 1;',
      'if (isMainThread) {',
      '  mode = 2;',
      '  new Worker(__filename);',
      '} else {',
      '  console.log(mode);',
      '}',
      '',
    ].join('\n');
    const before = rulesIn((await analyse({ '/v/w.js': JS })).findings);
    assert.deepEqual(before, ['stale-global-read:7']);
    assert.deepEqual(rulesIn((await analyse({ '/v/w.js': `/* crossproc-disable stale-global-read */\n${JS}` })).findings), []);
    assert.deepEqual(rulesIn((await analyse({ '/v/w.js': `/* crossproc-disable */\n${JS}` })).findings), []);
    assert.deepEqual(rulesIn((await analyse({ '/v/w.js': `/* crossproc-disable unguarded-spawn, lost-global-write -- why */\n${JS}` })).findings), ['stale-global-read:8']);
    assert.deepEqual(rulesIn((await analyse({ '/v/w.js': `${JS}/* crossproc-disable stale-global-read */\n` })).findings), ['stale-global-read:7'], 'below the finding: not silenced');
    assert.deepEqual(rulesIn((await analyse({ '/v/w.js': `const s = '/* crossproc-disable */';\n${JS}` })).findings), ['stale-global-read:8'], 'inside a string: not a directive');
    assert.deepEqual(rulesIn((await analyse({ '/v/w.js': `// crossproc-disable stale-global-read\n${JS}` })).findings), ['stale-global-read:8'], 'a line comment is not the file form');
  });

  for (const lang of ['js', 'python'] as const) {
    it(`"Disable RULE for this file" silences exactly that rule in that file, in every ${lang} fixture`, async () => {
      let checked = 0;
      for (const fx of listFixtures(lang)) {
        const files = listSourceFiles(fx.dir);
        const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')] as [string, string]));
        const project = await Project.create();
        for (const [f, t] of texts) project.updateFile(f, t);
        const findings = project.analyze();
        const seen = new Set<string>();
        for (const finding of findings) {
          if (seen.has(`${finding.file}|${finding.rule}`)) continue;
          seen.add(`${finding.file}|${finding.rule}`);
          assert.ok(finding.fixes.some((d) => d.kind === 'disable-file' && d.title === `Disable ${finding.rule} for this file`));
          const fix = computeFix({ graph: project.graph(), text: (f) => project.text(f) }, finding, 'disable-file');
          assert.ok(fix, `${fx.name}: disable-file computes for ${finding.rule}`);
          const changed = applyFix(fix, (f) => texts.get(f));
          const after = await Project.create();
          for (const [f, t] of texts) after.updateFile(f, changed.get(f) ?? t);
          const where = `${path.relative(FIXTURES_ROOT, finding.file)} ${finding.rule}`;
          const inFile = findings.filter((g) => g.file === finding.file && g.rule === finding.rule).length;
          const rest = after.analyze();
          assert.equal(rest.filter((g) => g.file === finding.file && g.rule === finding.rule).length, 0, `${where}: none left in the file`);
          assert.equal(rest.length, findings.length - inFile, `${where}: nothing else changes`);
          checked++;
        }
      }
      assert.ok(checked > 10, `checked ${checked} rule/file pairs`);
    });
  }

  const place = async (file: string, text: string, rule: string) => {
    const project = await Project.create();
    project.updateFile(file, text);
    const finding = project.analyze().find((f) => f.rule === rule);
    assert.ok(finding, `a ${rule} finding in\n${text}`);
    const fix = computeFix({ graph: project.graph(), text: (f) => project.text(f) }, finding, 'disable-file')!;
    return applyFix(fix, () => text).get(file)!;
  };

  it('Python: the comment goes after a shebang and an encoding line, before the docstring, merged into an existing one', async () => {
    const head = '#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n"""Doc."""\n';
    const out = await place('/v/a.py', head + PY, 'stale-global-read');
    assert.ok(out.startsWith('#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# crossproc: disable-file=stale-global-read\n"""Doc."""\n'), out);
    const twice = await place('/v/a.py', out, 'thread-primitive-in-process');
    assert.match(twice, /^#!.*\n# -\*- coding.*\n# crossproc: disable-file=stale-global-read,thread-primitive-in-process\n"""Doc\."""\n/);
    assert.deepEqual((await analyse({ '/v/a.py': twice })).findings, []);
  });

  it('JS: the comment goes after a shebang, merged into an existing one', async () => {
    const text = "#!/usr/bin/env node\n'use strict';\nconst { Worker } = require('node:worker_threads');\nconst w = new Worker(__filename);\n";
    const out = await place('/v/w.js', text, 'unguarded-spawn');
    assert.ok(out.startsWith("#!/usr/bin/env node\n/* crossproc-disable unguarded-spawn */\n'use strict';\n"), out);
    assert.deepEqual((await analyse({ '/v/w.js': out })).findings, []);
    const merged = await place('/v/w.js', text.replace('\n', '\n/* crossproc-disable lost-global-write */\n'), 'unguarded-spawn');
    assert.match(merged, /^#!.*\n\/\* crossproc-disable lost-global-write, unguarded-spawn \*\/\n/);
  });

  it('the CLI honours both file directives (built dist/cli.js)', () => {
    const root = makeTree({
      'main.py': `# crossproc: disable-file=stale-global-read\n${PYTHON_PROGRAM['main.py']}`,
      ...NODE_PROGRAM,
      'worker.js': `/* crossproc-disable stale-global-read */\n${NODE_PROGRAM['worker.js']}`,
    });
    try {
      const silenced = JSON.parse(runCli(root, '--format', 'json').stdout) as { findings: unknown[] };
      assert.deepEqual(silenced.findings, []);
      const plain = makeTree({ ...PYTHON_PROGRAM, ...NODE_PROGRAM });
      try {
        const found = JSON.parse(runCli(plain, '--format', 'json').stdout) as { findings: Array<{ rule: string }> };
        assert.deepEqual(found.findings.map((f) => f.rule), ['stale-global-read', 'stale-global-read'], 'without the directives both are reported');
      } finally {
        rmSync(plain, { recursive: true, force: true });
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
