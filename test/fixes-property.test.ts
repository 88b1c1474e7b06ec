/**
 * Property test of the quick fixes (issue 4, item 8): for every fixture (js and python) and
 * every rule-doc example (`rules/*.md` fenced blocks `<python|js|ts> <bad|good> [group=x] [file]`),
 * analyse, and for EVERY finding and EVERY fix it offers (disable-line included) compute
 * the edit through the registry the language server uses, apply it to a copy and check:
 *  - a fix that is offered can be computed, and it changes something;
 *  - every file it produces parses without errors (the language's own front end:
 *    `model.problems`) when the original did;
 *  - no user line is lost: every non-blank original line still appears, in order, modulo
 *    leading/trailing whitespace (and a trailing comment a fix may append) — except the
 *    lines a fix kind listed in REWRITES edits inside (its edit range touches the line), and
 *    the lines a kind listed in MOVES moves (they must still appear, anywhere).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Project } from '../server/src/engine/project';
import type { Finding } from '../server/src/engine/findings';
import { applyFix, computeFix, type FixContext, type FixEdit, type TextEdit } from '../server/src/fixes';
import { languageOf } from '../server/src/engine/language';
import { parseJs } from '../server/src/js/frontend';
import { parsePython } from '../server/src/python/frontend';
import { listFixtures, listSourceFiles } from './support/fixtures';

/**
 * Fix kinds that rewrite the inside of existing lines, and which lines: only lines an edit of
 * the fix touches (a non-empty replaced range, or an insertion strictly inside the line) may
 * change. Every other line, and every line of every other kind, must survive.
 */
const REWRITES: Record<string, string> = {
  // Node
  'pass-workerdata': 'adds workerData to the spawn options; adds workerData to an existing worker_threads import',
  'pass-argv': "appends the state to fork()'s argument list",
  'post-results': 'replaces the worker-side write with postMessage; chains .on(message) onto new Worker(...); extends an import',
  'return-results': 'JS: renames the pushed-to array to a local, wraps return values, chains .then() onto pool.run(...); Python: the task call and the collecting loop',
  'exec-free-vars-to-params': "adds parameters to the exec'd function and values to its argument array",
  'wrap-in-guard': 'adds isMainThread to an existing worker_threads import',
  // Python
  'move-to-initializer': 'adds initializer=/initargs= to the Pool/executor call, or extends an existing initializer',
  'shared-queue': 'adds initializer=/initargs= (the Manager proxy / queue) to the Pool/executor call',
  'use-process-lock': 'replaces the threading primitive with a multiprocessing one and adds initializer=/initargs= to the pool call',
  'copy-proxy': 'wraps the proxy in list()/dict() inside the json.dump(s) call',
  'lambda-to-def': "replaces the lambda in the submitting call with the new def's name",
};

/**
 * Fix kinds that move lines (delete them in one place, write them in another): the lines
 * their edits touch must still appear somewhere in the result (any order, any indentation).
 */
const MOVES: Record<string, string> = {
  'nested-to-module': 'moves a nested def to module level',
};

const ROOT = path.resolve(__dirname, '..');

interface Case {
  name: string;
  files: Array<{ path: string; text: string }>;
}

function fixtureCases(): Case[] {
  const out: Case[] = [];
  for (const lang of ['js', 'python'] as const) {
    for (const fx of listFixtures(lang)) {
      const files = listSourceFiles(fx.dir).map((p) => ({ path: p, text: fs.readFileSync(p, 'utf8') }));
      out.push({ name: `fixtures/${lang}/${fx.name}`, files });
    }
  }
  return out;
}

/** Rule-doc examples, grouped like test/docs.test.ts does (one-block examples, or `group=` files). */
function docCases(): Case[] {
  const dir = path.join(ROOT, 'rules');
  if (!fs.existsSync(dir)) return [];
  const out: Case[] = [];
  for (const doc of fs.readdirSync(dir).filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md').sort()) {
    const lines = fs.readFileSync(path.join(dir, doc), 'utf8').replace(/\r\n/g, '\n').split('\n');
    const groups = new Map<string, Case>();
    let single = 0;
    for (let i = 0; i < lines.length; i++) {
      const fence = /^(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
      if (!fence) continue;
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !lines[j].startsWith(fence[1])) body.push(lines[j++]);
      const tokens = fence[2].trim().split(/\s+/).filter(Boolean);
      if (tokens.length >= 2 && ['python', 'js', 'ts'].includes(tokens[0]) && ['bad', 'good'].includes(tokens[1])) {
        const [lang, kind, ...rest] = tokens;
        const group = rest.find((t) => t.startsWith('group='));
        const fileName = rest.find((t) => !t.startsWith('group=')) ?? (lang === 'python' ? 'example.py' : lang === 'ts' ? 'example.ts' : 'example.js');
        const key = `${lang}-${kind}-${group ? group.slice(6) : `#${single++}`}`;
        let c = groups.get(key);
        if (!c) {
          c = { name: `rules/${doc}:${i + 1} ${lang} ${kind}${group ? ` ${group}` : ''}`, files: [] };
          groups.set(key, c);
        }
        const base = path.join(os.tmpdir(), 'crossproc-fix-property', doc.replace(/\.md$/, ''), key.replace(/[^\w.-]/g, '_'));
        c.files.push({ path: path.join(base, fileName), text: body.join('\n') + '\n' });
      }
      i = j;
    }
    out.push(...groups.values());
  }
  return out;
}

function problemsOf(file: string, text: string): string[] {
  const lang = languageOf(file);
  const model = lang === 'python' ? parsePython(file, text) : parseJs(file, text);
  return model.problems.map((p) => `${p.range.start.line + 1}:${p.range.start.character + 1} ${p.message}`);
}

/** 0-based lines of the original text that the edits rewrite inside. */
function touchedLines(text: string, edits: readonly TextEdit[]): Set<number> {
  const lines = text.split('\n');
  const out = new Set<number>();
  for (const e of edits) {
    const { start, end } = e.range;
    const empty = start.line === end.line && start.character === end.character;
    if (empty) {
      const len = (lines[start.line] ?? '').replace(/\r$/, '').length;
      if (start.character > 0 && start.character < len) out.add(start.line);
      continue;
    }
    const last = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
    for (let l = start.line; l <= last; l++) out.add(l);
  }
  return out;
}

/** Whether a result line keeps an original line: same text, or the same text followed by a comment. */
function keeps(result: string, original: string): boolean {
  const r = result.trim();
  if (r === original) return true;
  if (!r.startsWith(original)) return false;
  const rest = r.slice(original.length).trim();
  return rest.startsWith('//') || rest.startsWith('#');
}

/** Original lines (not touched, non-blank) that do not appear in order in the result. */
function lostLines(before: string, after: string, touched: Set<number>): string[] {
  const orig = before.split('\n');
  const res = after.split('\n');
  const lost: string[] = [];
  let k = 0;
  for (let i = 0; i < orig.length; i++) {
    const o = orig[i].trim();
    if (!o || touched.has(i)) continue;
    let j = k;
    while (j < res.length && !keeps(res[j], o)) j++;
    if (j === res.length) lost.push(`${i + 1}: ${o}`);
    else k = j + 1;
  }
  return lost;
}

/** Touched original lines (non-blank) that appear nowhere in the result (multiset, any order). */
function missingMoved(before: string, after: string, touched: Set<number>): string[] {
  const pool = new Map<string, number>();
  for (const l of after.split('\n')) pool.set(l.trim(), (pool.get(l.trim()) ?? 0) + 1);
  const out: string[] = [];
  const orig = before.split('\n');
  for (const i of [...touched].sort((a, b) => a - b)) {
    const o = (orig[i] ?? '').trim();
    if (!o) continue;
    const n = pool.get(o) ?? 0;
    if (n > 0) pool.set(o, n - 1);
    else out.push(`${i + 1}: ${o} (moved line missing)`);
  }
  return out;
}

function label(c: Case, f: Finding, kind: string): string {
  return `${c.name}: ${path.basename(f.file)}:${f.range.start.line + 1} ${f.rule} '${f.symbol}' fix ${kind}`;
}

const cases = [...fixtureCases(), ...docCases()];
const stats = { cases: 0, findings: 0, fixes: 0, byKind: new Map<string, number>() };

describe('quick fixes: every offered fix parses and keeps every user line', function () {
  this.timeout(120000);

  it('has cases to check', () => {
    assert.ok(cases.length > 0, 'no fixtures or rule-doc examples found');
  });

  for (const c of cases) {
    it(c.name, async () => {
      const project = await Project.create();
      for (const f of c.files) project.updateFile(f.path, f.text);
      const findings = project.analyze();
      const ctx: FixContext = { graph: project.graph(), text: (f) => project.text(f) };
      const failures: string[] = [];
      stats.cases++;
      for (const f of findings) {
        stats.findings++;
        if (!f.fixes.some((d) => d.kind === 'disable-line')) failures.push(`${label(c, f, 'disable-line')}: not offered`);
        for (const d of f.fixes) {
          const what = label(c, f, d.kind);
          let fix: FixEdit | undefined;
          try {
            fix = computeFix(ctx, f, d.kind);
          } catch (e) {
            failures.push(`${what}: compute threw ${(e as Error).message}`);
            continue;
          }
          if (!fix) {
            failures.push(`${what}: offered ("${d.title}") but computes no edit`);
            continue;
          }
          if (fix.changes.every((fe) => fe.edits.length === 0)) {
            failures.push(`${what}: empty edit`);
            continue;
          }
          let out: Map<string, string>;
          try {
            out = applyFix(fix, (file) => project.text(file));
          } catch (e) {
            failures.push(`${what}: edits do not apply (${(e as Error).message})`);
            continue;
          }
          stats.fixes++;
          stats.byKind.set(d.kind, (stats.byKind.get(d.kind) ?? 0) + 1);
          for (const [file, after] of out) {
            const before = project.text(file)!;
            if (after === before) continue;
            const origProblems = problemsOf(file, before);
            const newProblems = problemsOf(file, after);
            if (origProblems.length === 0 && newProblems.length > 0) {
              failures.push(`${what}: ${path.basename(file)} no longer parses: ${newProblems.slice(0, 3).join('; ')}`);
            } else if (newProblems.length > origProblems.length) {
              failures.push(`${what}: ${path.basename(file)} has more parse problems than before`);
            }
            const edits = fix.changes.filter((fe) => fe.file === file).flatMap((fe) => fe.edits);
            const touched = d.kind in REWRITES || d.kind in MOVES ? touchedLines(before, edits) : new Set<number>();
            const lost = lostLines(before, after, touched);
            if (d.kind in MOVES) lost.push(...missingMoved(before, after, touched));
            if (lost.length) failures.push(`${what}: ${path.basename(file)} lost user lines:\n    ${lost.slice(0, 5).join('\n    ')}`);
          }
        }
      }
      assert.deepEqual(failures, [], failures.join('\n'));
    });
  }

  after(() => {
    if (process.env.CROSSPROC_FIX_STATS) {
      const kinds = [...stats.byKind].map(([k, n]) => `${k}=${n}`).join(' ');
      console.log(`\n  fix property: ${stats.cases} cases, ${stats.findings} findings, ${stats.fixes} fixes checked (${kinds})`);
    }
  });
});
