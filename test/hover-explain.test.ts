/**
 * The hover of a finding (engine/explain.ts): a one-sentence summary first, the start-method
 * table after it (one row, a column per method), the fix in the file's language. Below an
 * editor that shows the diagnostic right above the hover (VS Code), the summary and the doc
 * link — which the message and its linked code already give — are left out.
 */
import { strict as assert } from 'node:assert';
import { Project } from '../server/src/engine/project';
import { explainAt } from '../server/src/engine/explain';
import type { Finding } from '../server/src/engine/findings';

const PY = `GREETING = None
RESULTS = []


def task(x):
    RESULTS.append(x)
    return f"{GREETING} {x}"


if __name__ == "__main__":
    from multiprocessing import Pool
    GREETING = "Hello"
    with Pool(2) as p:
        print(p.map(task, [1, 2]))
    print(RESULTS)
`;

async function project(files: Record<string, string>): Promise<{ p: Project; findings: Finding[] }> {
  const p = await Project.create();
  for (const [f, t] of Object.entries(files)) p.updateFile(f, t);
  return { p, findings: p.analyze() };
}

function hover(p: Project, findings: Finding[], rule: string, extra: { diagnosticShown?: boolean; pythonVersion?: string } = {}): string {
  const f = findings.find((x) => x.rule === rule);
  assert.ok(f, `${rule} in ${JSON.stringify(findings.map((x) => x.rule))}`);
  const h = explainAt({ graph: p.graph(), file: f.file, position: f.range.start, findings, docUrl: (r) => `doc:${r}`, ...extra });
  assert.ok(h);
  return h.markdown;
}

describe('hover of a finding', () => {
  it('Python stale read: summary, then a one-row start-method table, then the Python fix and the doc link', async () => {
    const { p, findings } = await project({ '/proj/main.py': PY });
    const parts = hover(p, findings, 'stale-global-read').split('\n\n');
    assert.equal(parts.length, 3, parts.join('\n--\n'));
    assert.match(parts[0], /^\*\*Crossproc\*\* `stale-global-read`: workers of Pool\.map at \[main\.py:14\]\([^)]*\) read a copy of `GREETING`\.$/);
    assert.equal(
      parts[1],
      [
        '| start method | `fork` (Linux < 3.14) | `spawn` (macOS, Windows) | `forkserver` (Linux ≥ 3.14) |',
        '|---|:---:|:---:|:---:|',
        '| reads | the value at the fork | the import-time value | the import-time value |',
      ].join('\n'),
    );
    assert.match(parts[2], /^\*\*Fix:\*\* pass it with `initializer=`\/`initargs=`.* \[Docs\]\(doc:stale-global-read\)$/);
  });

  it("the table's columns name the platforms that default to each method in the project's Python version", async () => {
    const { p, findings } = await project({ '/proj/main.py': PY });
    const at = (version: string) => hover(p, findings, 'stale-global-read', { pythonVersion: version }).split('\n\n')[1].split('\n')[0];
    assert.equal(at('3.12'), '| Python 3.12 | `fork` (Linux) | `spawn` (macOS, Windows) | `forkserver` (Linux ≥ 3.14) |');
    assert.equal(at('3.14'), '| Python 3.14 | `fork` (Linux < 3.14) | `spawn` (macOS, Windows) | `forkserver` (Linux) |');
  });

  it('Python lost write: the table says every method writes to a copy', async () => {
    const { p, findings } = await project({ '/proj/main.py': PY });
    const md = hover(p, findings, 'lost-global-write');
    assert.match(md, /\n\| writes to \| a copy from the fork \| a re-imported copy \| a re-imported copy \|\n/);
    assert.match(md, /\*\*Fix:\*\* return the results and collect them in the parent, or use a `Manager\(\)\.list\(\)`\/`Queue`\./);
  });

  it('below the diagnostic (VS Code): no summary and no doc link, which the message and its linked code give', async () => {
    const { p, findings } = await project({ '/proj/main.py': PY });
    const parts = hover(p, findings, 'stale-global-read', { diagnosticShown: true, pythonVersion: '3.12' }).split('\n\n');
    assert.equal(parts.length, 2, parts.join('\n--\n'));
    assert.match(parts[0], /^\| Python 3\.12 \|/);
    assert.match(parts[1], /^\*\*Fix:\*\* pass it with `initializer=`/);
    assert.doesNotMatch(parts.join('\n'), /Crossproc|Docs/);
  });

  it('below the diagnostic, two findings at one place keep a summary each, to tell their parts apart', async () => {
    const { p, findings } = await project({ '/proj/main.py': PY });
    const stale = findings.find((x) => x.rule === 'stale-global-read')!;
    const lost = findings.find((x) => x.rule === 'lost-global-write')!;
    const both = [stale, { ...lost, range: stale.range }];
    const md = explainAt({ graph: p.graph(), file: stale.file, position: stale.range.start, findings: both, docUrl: (r) => `doc:${r}`, diagnosticShown: true })!.markdown;
    assert.match(md, /^\*\*Crossproc\*\* `stale-global-read`:/);
    assert.match(md, /\n\n\*\*Crossproc\*\* `lost-global-write`:/);
  });

  it('JavaScript: the JavaScript fix, no start-method table, no Python advice', async () => {
    const { p, findings } = await project({
      '/proj/config.js': `module.exports.settings = { mode: 'slow' };\n`,
      '/proj/main.js': `const { Worker } = require('node:worker_threads');\nconst config = require('./config');\nconfig.settings.mode = 'fast';\nnew Worker(require('node:path').join(__dirname, 'worker.js'));\n`,
      '/proj/worker.js': `const config = require('./config');\nconsole.log(config.settings.mode);\n`,
    });
    const shown = hover(p, findings, 'stale-global-read', { diagnosticShown: true });
    assert.equal(shown, '**Fix:** pass it in `workerData` (or a message) and read it there, or set it in the worker.');
    const full = hover(p, findings, 'stale-global-read');
    assert.match(full, /^\*\*Crossproc\*\* `stale-global-read`: workers of new Worker at \[main\.js:4\]/);
    assert.doesNotMatch(full, /initargs|initializer|Manager|start method|\| fork/);
  });
});
