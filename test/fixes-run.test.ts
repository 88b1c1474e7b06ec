/**
 * Proof by running (issue 4, item 8), for both languages.
 *
 * 1. Every fixture folder with a `fix.json` next to its fixture.json:
 *      { "rule": "stale-global-read", "fix": "move-to-initializer",
 *        "runs": { "spawn": { "stdout": "..." }, "fork": { ... } } }   (Node: { "node": {...} })
 *    is copied to a temp folder and analysed with the Project; the fix `fix` is applied to
 *    the findings of `rule` that offer it, one at a time and re-analysing after each, through
 *    `computeFix` (the code path of the editor's code action and `crossproc --fix`). Then:
 *    every file parses without errors, re-analysis shows no finding of `rule` and no finding
 *    that was not there before, and running the fixed program under each start method of
 *    `runs` gives the correct behaviour written there.
 * 2. A property test: every fix offered on every finding of every fixture (both languages)
 *    applies cleanly, leaves files that parse, and drops no word of user code.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Project } from '../server/src/engine/project';
import type { Finding } from '../server/src/engine/findings';
import { applyFix, computeFix, type FixContext } from '../server/src/fixes';
import { listFixtures, listSourceFiles, readManifest, type FixtureInfo, type FixtureLang, type FixtureRun } from './support/fixtures';
import { describeResult, limited, PYTHON, runMismatches, runProgram, type ProgramResult } from './support/run-program';

interface FixManifest {
  rule: string;
  fix: string;
  runs: Record<string, FixtureRun>;
}

const LANGS: FixtureLang[] = ['python', 'js'];
const MAX_APPLICATIONS = 20;
/** fixed programs running at once */
const PROGRAM_CONCURRENCY = 2;

function fixCases(): Array<{ lang: FixtureLang; fx: FixtureInfo; fix: FixManifest }> {
  const out: Array<{ lang: FixtureLang; fx: FixtureInfo; fix: FixManifest }> = [];
  for (const lang of LANGS) {
    for (const fx of listFixtures(lang)) {
      const p = path.join(fx.dir, 'fix.json');
      if (!fs.existsSync(p)) continue;
      out.push({ lang, fx, fix: JSON.parse(fs.readFileSync(p, 'utf8')) as FixManifest });
    }
  }
  return out;
}

function copyToTemp(dir: string): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `crossproc-fix-${path.basename(dir)}-`));
  fs.cpSync(dir, tmp, {
    recursive: true,
    filter: (src) => !/(^|[\\/])(node_modules|__pycache__)$/.test(src),
  });
  // Node programs resolve their packages (piscina, tinypool, ...) from the repository's node_modules
  const modules = path.resolve(__dirname, '..', 'node_modules');
  if (fs.existsSync(modules) && !fs.existsSync(path.join(tmp, 'node_modules'))) fs.symlinkSync(modules, path.join(tmp, 'node_modules'), 'junction');
  return tmp;
}

async function loadProject(dir: string): Promise<Project> {
  const project = await Project.create();
  for (const f of listSourceFiles(dir)) project.updateFile(f, fs.readFileSync(f, 'utf8'));
  return project;
}

function fixContext(project: Project): FixContext {
  return { graph: project.graph(), text: (f) => project.text(f) };
}

function key(dir: string, f: Finding): string {
  return `${f.rule} ${path.relative(dir, f.file)} ${f.symbol}`;
}

function counts(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/** Python's own parser over [file, text] pairs, in one process: a line per file it rejects. */
const AST_PARSE_ALL = [
  'import ast, json, sys',
  'for name, text in json.load(sys.stdin):',
  '    try:',
  '        ast.parse(text)',
  '    except Exception as e:',
  '        print(json.dumps([name, f"{type(e).__name__}: {e}"]))',
].join('\n');

/** Parse problems of every analysed file (front-end model problems; Python also through `ast.parse`). */
function parseProblems(project: Project): string[] {
  const out: string[] = [];
  const python: Array<[string, string]> = [];
  for (const f of project.files()) {
    const m = project.model(f);
    for (const p of m?.problems ?? []) out.push(`${f}:${p.range.start.line + 1}: ${p.message}`);
    if (f.endsWith('.py')) python.push([f, project.text(f) ?? '']);
  }
  if (python.length === 0) return out;
  // one interpreter for all the files (a start costs more than the parses)
  const r = spawnSync(PYTHON, ['-c', AST_PARSE_ALL], { input: JSON.stringify(python), encoding: 'utf8' });
  if (r.status !== 0) return [...out, `python ast.parse could not run: ${r.error?.message ?? r.stderr.trim()}`];
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const [f, why] = JSON.parse(line) as [string, string];
    out.push(`${f}: python ast.parse: ${why}`);
  }
  return out;
}

/** Words (identifiers, keywords) of a text. */
function words(text: string): Set<string> {
  const s = new Set<string>();
  for (const m of text.replace(/#[^\n]*|\/\/[^\n]*/g, ' ').matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) s.add(m[0]);
  return s;
}

/** Words a fix kind may legitimately make disappear from a file (it replaces them). */
const MAY_DROP: Record<string, Set<string>> = {
  'return-results': new Set(['append', 'extend', 'update']),
  'lambda-to-def': new Set(['lambda']),
  'use-process-lock': new Set(['threading']),
};

/**
 * Fix kinds that remove an import they made unused (fixes/js/unused-imports.ts): the words
 * of top-level import/require lines may go; every other word must stay.
 */
const DROPS_UNUSED_IMPORTS = new Set(['post-results', 'return-results']);

function withoutImportLines(text: string): string {
  return text.replace(/^(import\b[^\n]*|(const|let|var)\s[^\n=]*=\s*require\([^\n]*\)[^\n]*)$/gm, '');
}

/** The words of `before` that a fix of `kind` dropped from `after` without the right to. */
function lostWords(kind: string, before: string, after: string): string[] {
  const now = words(after);
  const may = MAY_DROP[kind] ?? new Set<string>();
  // return-results renames the state in the task (`seen` → its local `seenPushed`)
  const renamed = (w: string) => kind === 'return-results' && now.has(`${w}Pushed`);
  return [...words(DROPS_UNUSED_IMPORTS.has(kind) ? withoutImportLines(before) : before)].filter((w) => !now.has(w) && !may.has(w) && !renamed(w));
}

function dumpFiles(project: Project, dir: string): string {
  return project
    .files()
    .map((f) => `=== ${path.relative(dir, f)}\n${project.text(f)}`)
    .join('\n');
}

/** One fix case after its fix was applied (filled in by the suite's `before`). */
interface Prepared {
  dir: string;
  project: Project;
  applied: number;
  initial: Finding[];
  /** the fixed program's run per start method, started through the shared pool */
  runs: Map<string, Promise<ProgramResult>>;
}

/** Copies a fixture, applies its fix to every finding that offers it (re-analysing after each). */
async function prepare(fx: FixtureInfo, fix: FixManifest): Promise<Omit<Prepared, 'runs'>> {
  const dir = copyToTemp(fx.dir);
  const project = await loadProject(dir);
  const initial = project.analyze();
  let applied = 0;
  for (let i = 0; i < MAX_APPLICATIONS; i++) {
    const target = project.analyze().find((f) => f.rule === fix.rule && f.fixes.some((d) => d.kind === fix.fix));
    if (!target) break;
    const edit = computeFix(fixContext(project), target, fix.fix);
    assert.ok(edit, `${fx.name}: ${fix.fix} is offered on ${key(dir, target)} but computeFix gives nothing`);
    const out = applyFix(edit, (f) => project.text(f));
    for (const [file, text] of out) {
      fs.writeFileSync(file, text);
      project.updateFile(file, text);
    }
    applied++;
  }
  return { dir, project, applied, initial };
}

describe('Quick fixes, proven by running the fixed program', function () {
  this.timeout(180000);
  const cases = fixCases();
  const prepared = new Map<string, Prepared | Error>();
  const id = (lang: string, fx: FixtureInfo) => `${lang}/${fx.name}`;

  // Every case is fixed up front and its fixed programs start at once through one bounded
  // pool (as the fixture runs do), so the runs overlap instead of waiting for each other.
  before(async function () {
    const schedule = limited<ProgramResult>(PROGRAM_CONCURRENCY);
    for (const { lang, fx, fix } of cases) {
      try {
        const state = await prepare(fx, fix);
        const manifest = readManifest(fx) as ReturnType<typeof readManifest> & { pinned?: boolean };
        const runs = new Map<string, Promise<ProgramResult>>();
        for (const [method, expected] of Object.entries(fix.runs)) {
          runs.set(
            method,
            schedule(() =>
              runProgram({
                dir: state.dir,
                entry: manifest.entry,
                method,
                pinned: manifest.pinned === true,
                timeoutMs: manifest.timeoutMs,
                stopAfter: expected.stopAfter,
              }),
            ),
          );
        }
        prepared.set(id(lang, fx), { ...state, runs });
      } catch (error) {
        prepared.set(id(lang, fx), error instanceof Error ? error : new Error(String(error)));
      }
    }
  });

  /** cases with a failed test keep their temp folder, to look at */
  const keep = new Set<string>();
  after(async function () {
    // nothing keeps running if a test bailed out early
    for (const [key, state] of prepared) {
      if (state instanceof Error) continue;
      await Promise.all(state.runs.values());
      if (!keep.has(key)) fs.rmSync(state.dir, { recursive: true, force: true });
    }
  });

  const get = (lang: string, fx: FixtureInfo): Prepared => {
    const state = prepared.get(id(lang, fx));
    if (state instanceof Error) throw state;
    assert.ok(state, `${id(lang, fx)}: not prepared`);
    return state;
  };

  it('fix.json files are well-formed', function () {
    for (const { fx, fix } of cases) {
      assert.equal(typeof fix.rule, 'string', `${fx.name}/fix.json: rule`);
      assert.equal(typeof fix.fix, 'string', `${fx.name}/fix.json: fix`);
      assert.ok(fix.runs && Object.keys(fix.runs).length > 0, `${fx.name}/fix.json: runs`);
      for (const k of Object.keys(fix)) assert.ok(['rule', 'fix', 'runs'].includes(k), `${fx.name}/fix.json: unknown key ${k}`);
    }
  });

  for (const { lang, fx, fix } of cases) {
    describe(`${lang}/${fx.name}: ${fix.fix}`, function () {
      afterEach(function () {
        if (this.currentTest?.state === 'failed') keep.add(id(lang, fx));
      });

      it('the fix is offered and applied', function () {
        const { dir, initial, applied } = get(lang, fx);
        assert.ok(
          initial.some((f) => f.rule === fix.rule),
          `${fx.name}: no ${fix.rule} finding before the fix; findings: ${initial.map((f) => key(dir, f)).join(', ')}`,
        );
        assert.ok(applied > 0, `${fx.name}: ${fix.fix} is not offered on any ${fix.rule} finding`);
      });

      it('the fixed files parse without errors', function () {
        const { dir, project } = get(lang, fx);
        const problems = parseProblems(project);
        assert.deepEqual(problems, [], `${fx.name}: parse problems after the fix\n${dumpFiles(project, dir)}`);
      });

      it(`re-analysis: no ${fix.rule} finding left and nothing new`, function () {
        const { dir, project, initial } = get(lang, fx);
        const after = project.analyze();
        const left = after.filter((f) => f.rule === fix.rule).map((f) => key(dir, f));
        assert.deepEqual(left, [], `${fx.name}: findings left after the fix\n${dumpFiles(project, dir)}`);
        const was = counts(initial.map((f) => key(dir, f)));
        const now = counts(after.map((f) => key(dir, f)));
        const extra = [...now].filter(([k, n]) => n > (was.get(k) ?? 0)).map(([k]) => k);
        assert.deepEqual(extra, [], `${fx.name}: new findings after the fix\n${dumpFiles(project, dir)}`);
      });

      it('drops no user code', function () {
        const { dir, project } = get(lang, fx);
        for (const f of listSourceFiles(fx.dir)) {
          const rel = path.relative(fx.dir, f);
          const lost = lostWords(fix.fix, fs.readFileSync(f, 'utf8'), project.text(path.join(dir, rel)) ?? '');
          assert.deepEqual(lost, [], `${fx.name}/${rel}: words gone after the fix\n${dumpFiles(project, dir)}`);
        }
      });

      for (const [method, expected] of Object.entries(fix.runs)) {
        it(`the fixed program runs correctly (${method})`, async function () {
          const { dir, project, runs } = get(lang, fx);
          const pending = runs.get(method);
          assert.ok(pending, `${fx.name} (${method}): not scheduled`);
          const r = await pending;
          const bad = runMismatches(expected, r);
          assert.deepEqual(bad, [], `${fx.name} (${method}) after ${fix.fix}: ${describeResult(r)}\n${dumpFiles(project, dir)}`);
        });
      }
    });
  }
});

describe('Quick fixes: every offered fix on every fixture applies cleanly (property)', function () {
  this.timeout(180000);
  for (const lang of LANGS) {
    it(`${lang} fixtures`, async function () {
      const failures: string[] = [];
      let tried = 0;
      for (const fx of listFixtures(lang)) {
        const project = await loadProject(fx.dir);
        const ctx = fixContext(project);
        for (const f of project.analyze()) {
          for (const d of f.fixes) {
            tried++;
            const where = `${fx.name}: ${d.kind} on ${key(fx.dir, f)} (line ${f.range.start.line + 1})`;
            const edit = computeFix(ctx, f, d.kind);
            if (!edit) {
              failures.push(`${where}: offered but computeFix gives nothing`);
              continue;
            }
            let out: Map<string, string>;
            try {
              out = applyFix(edit, (p) => project.text(p));
            } catch (e) {
              failures.push(`${where}: ${(e as Error).message}`);
              continue;
            }
            const check = await Project.create();
            for (const [file, text] of out) {
              check.updateFile(file, text);
              const problems = check.model(file)?.problems ?? [];
              if (problems.length) failures.push(`${where}: ${path.basename(file)} does not parse: ${problems[0].message}`);
              const lost = lostWords(d.kind, project.text(file) ?? '', text);
              if (lost.length) failures.push(`${where}: words gone: ${lost.join(', ')}`);
            }
          }
        }
      }
      assert.ok(tried > 0 || listFixtures(lang).length === 0, 'no fix was offered at all');
      assert.deepEqual(failures, []);
    });
  }
});
