/**
 * The language server parses an edited document ahead of its analysis, during the debounce
 * (handlers/diagnostics.ts, parseAhead). Whatever the timing of the edits — keystrokes
 * closer together than the parse-ahead delay, between it and the debounce, or past both —
 * the diagnostics the server reports once it has caught up must be those of a fresh
 * analysis of the final texts. Random edits (seeded) of the open files of a few multi-file
 * fixtures, checked through pull diagnostics (a pull answers once every edit is analysed).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FullDocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { analyzeSources } from '../server/src/engine/project';
import { DEFAULT_CAPABILITIES, startSession, uriOf, type LspSession } from './support/lsp-session';

const FIXTURES = ['stale-read-executor-passed-as-argument', 'lost-write-cross-module-store', 'stale-read-process-subclass-context-dict', 'ok-cross-module-initializer'];
/** waits between edits (ms): inside the parse-ahead delay, between it and the debounce, past the debounce */
const PAUSES = [0, 5, 30, 45, 90, 200];
const EDITS = 40;
const CHECK_EVERY = 10;

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Findings of a fresh analysis, as the server reports them: rule, range and message, sorted. */
function comparable(items: Array<{ rule: string; range: unknown; message: unknown }>): string[] {
  return items.map((d) => JSON.stringify([d.rule, d.range, d.message])).sort();
}

describe('language server: parse ahead of the analysis', function () {
  this.timeout(240_000);
  let root: string;
  let session: LspSession | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) console.error(session.log.join('\n'));
    if (session) await session.close();
    session = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  for (const fixture of FIXTURES) {
    it(`reports what a fresh analysis finds after random edits at every pace (${fixture})`, async () => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-parse-ahead-'));
      const source = path.join(__dirname, '..', 'fixtures', 'python', fixture);
      const files = fs.readdirSync(source).filter((f) => f.endsWith('.py')).map((f) => path.join(root, f));
      for (const f of files) fs.copyFileSync(path.join(source, path.basename(f)), f);
      assert.ok(files.length >= 2, `${fixture} has two modules`);
      session = await startSession(root, {
        settings: { enable: true, rules: {}, startMethod: 'portable' },
        capabilities: { ...DEFAULT_CAPABILITIES, textDocument: { ...DEFAULT_CAPABILITIES.textDocument, diagnostic: { dynamicRegistration: false } } },
      });
      const s = session;
      const texts = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
      for (const f of files) await s.open(f, 'python');

      const check = async (when: string) => {
        const fresh = await analyzeSources([...texts].map(([p, text]) => ({ path: p, text })), { startMethod: 'portable' });
        for (const f of files) {
          const report = await s.connection.sendRequest<FullDocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri: uriOf(f) } });
          const served = report.items.filter((d) => d.source === 'crossproc' && d.code !== undefined).map((d) => ({ rule: String(d.code), range: d.range, message: d.message }));
          assert.deepEqual(comparable(served), comparable(fresh.filter((x) => x.file === f)), `${path.basename(f)} ${when}:\n${texts.get(f)}`);
        }
      };
      await check('before any edit');

      const random = prng(fixture.length * 7919);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      for (let i = 1; i <= EDITS; i++) {
        const file = pick(files);
        const lines = texts.get(file)!.split('\n');
        const at = Math.floor(random() * lines.length);
        const indent = /^\s*/.exec(lines[at] ?? '')![0];
        const kind = random();
        let range;
        let insert: string;
        if (kind < 0.3 && lines.length > 3) {
          // delete a line (a global write, a call, a def: the findings change; a syntax error too)
          range = { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } };
          insert = '';
          lines.splice(at, 1);
        } else if (kind < 0.6) {
          // copy another line here (more reads, writes and calls of the file's own names)
          const copied = pick(lines).trim();
          range = { start: { line: at, character: 0 }, end: { line: at, character: 0 } };
          insert = `${indent}${copied}\n`;
          lines.splice(at, 0, `${indent}${copied}`);
        } else {
          // a keystroke-sized change within the line: a character typed, or one taken away
          const line = lines[at] ?? '';
          const col = Math.floor(random() * (line.length + 1));
          if (random() < 0.5 || col === line.length) {
            const ch = pick(['x', '_', '1', ' ', '(', '#']);
            range = { start: { line: at, character: col }, end: { line: at, character: col } };
            insert = ch;
            lines[at] = line.slice(0, col) + ch + line.slice(col);
          } else {
            range = { start: { line: at, character: col }, end: { line: at, character: col + 1 } };
            insert = '';
            lines[at] = line.slice(0, col) + line.slice(col + 1);
          }
        }
        texts.set(file, lines.join('\n'));
        await s.edit(file, range, insert);
        await new Promise((resolve) => setTimeout(resolve, pick(PAUSES)));
        if (i % CHECK_EVERY === 0) await check(`after ${i} edits`);
      }
    });
  }
});
