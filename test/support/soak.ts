/**
 * A long editing session against the built language server (dist/server.js), as a user
 * types: edits to a few open documents of a workspace made of the fixtures, with hover,
 * code action (+ resolve) and code lens requests in between, sampling the server's RSS.
 * `npm run soak` runs 10,000 edits; test/soak.test.ts a short, seeded form.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CodeAction, Diagnostic, Position } from 'vscode-languageserver-protocol';
import { applyEdits } from '../../server/src/fixes';
import { IDLE_MS } from '../../server/src/handlers/memory';
import { startSession, uriOf, waitFor, type LspSession } from './lsp-session';
import { prng } from './prng';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

/** Wait after the last analysis before an RSS sample: the server's idle delay, with room for a busy machine. */
const SETTLE_MS = IDLE_MS + 1000;

/** The open documents edited in turn (relative to the workspace) and their language ids. */
const EDITED: Array<[string, string]> = [
  ['python/stale-read-cross-module/main.py', 'python'],
  ['python/stale-read-cross-module/tasks.py', 'python'],
  ['python/stale-read-pool-map/main.py', 'python'],
  ['js/stale-read-worker-file/main.js', 'javascript'],
  ['js/stale-read-worker-file/worker.js', 'javascript'],
];

export interface SoakSample {
  edits: number;
  requests: number;
  /** the server's resident set size, MB */
  rssMb: number;
}

export interface SoakResult {
  samples: SoakSample[];
  edits: number;
  requests: number;
  /** failed requests (their messages); a healthy server has none */
  errors: string[];
  exitCode: number | null;
}

export interface SoakOptions {
  edits: number;
  /** one request after this many edits, on average (the issue's session: 1,675 requests per 5,000 edits) */
  editsPerRequest?: number;
  /** RSS sample every N edits */
  sampleEvery?: number;
  seed?: number;
  /** progress lines */
  log?: (line: string) => void;
}

/** The resident set size of a process, in MB (Linux /proc; 0 elsewhere). */
export function rssMbOf(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the session and returns the RSS curve. The workspace is a temp copy of fixtures/python and fixtures/js. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { edits, editsPerRequest = 3, sampleEvery = 500, seed = 1, log = () => undefined } = options;
  const random = prng(seed);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-soak-'));
  fs.cpSync(path.join(FIXTURES, 'python'), path.join(root, 'python'), { recursive: true });
  fs.cpSync(path.join(FIXTURES, 'js'), path.join(root, 'js'), { recursive: true });
  let session: LspSession | undefined;
  const errors: string[] = [];
  const samples: SoakSample[] = [];
  let requests = 0;
  try {
    session = await startSession(root, {
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, workspaceEdit: { documentChanges: true } },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, dataSupport: true, versionSupport: true },
          codeAction: { resolveSupport: { properties: ['edit'] }, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
          hover: { contentFormat: ['markdown'] },
        },
      },
    });
    const s = session;
    const texts = new Map<string, string>();
    for (const [rel, lang] of EDITED) {
      const file = path.join(root, rel);
      texts.set(file, fs.readFileSync(file, 'utf8'));
      await s.open(file, lang);
    }
    const first = path.join(root, EDITED[0]![0]);
    await waitFor('the first diagnostics', () => s.diagnostics.get(uriOf(first)), 60_000);

    /** Applies one edit locally and sends it. */
    const edit = async (file: string, start: Position, end: Position, text: string) => {
      const before = texts.get(file)!;
      texts.set(file, applyEdits(before, [{ range: { start, end }, newText: text }]));
      await s.edit(file, { start, end }, text);
    };
    const request = async (file: string) => {
      const uri = uriOf(file);
      const text = texts.get(file)!;
      const lines = text.split('\n');
      const line = Math.floor(random() * lines.length);
      const position = { line, character: Math.floor(random() * ((lines[line]?.length ?? 0) + 1)) };
      const kind = random();
      requests++;
      try {
        if (kind < 0.45) {
          await s.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
        } else if (kind < 0.85) {
          const diagnostics: Diagnostic[] = s.diagnostics.get(uri)?.diagnostics ?? [];
          const actions = await s.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
            textDocument: { uri },
            range: { start: position, end: position },
            context: { diagnostics },
          });
          const fix = actions.find((a) => a.data !== undefined);
          if (fix) {
            requests++;
            await s.connection.sendRequest('codeAction/resolve', fix);
          }
        } else {
          await s.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
        }
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    };

    for (let i = 1; i <= edits; i++) {
      const [rel] = EDITED[Math.floor(random() * EDITED.length)]!;
      const file = path.join(root, rel);
      const text = texts.get(file)!;
      const py = file.endsWith('.py');
      const lines = text.split('\n');
      const kind = random();
      if (kind < 0.6) {
        // typing: a character at the end of a random line, deleted again by a later edit
        const line = Math.floor(random() * lines.length);
        const at = { line, character: lines[line]!.length };
        if (lines[line]!.endsWith(py ? '  # x' : ' // x')) {
          await edit(file, { line, character: at.character - 5 }, at, '');
        } else {
          await edit(file, at, at, py ? '  # x' : ' // x');
        }
      } else if (kind < 0.85) {
        // a module-level name added at the end, or the last one removed (the interface changes)
        const marker = py ? /^SOAK_\d+ = \d+$/ : /^var SOAK_\d+ = \d+;$/;
        const last = lines.length >= 2 ? lines[lines.length - 2]! : '';
        if (marker.test(last)) {
          await edit(file, { line: lines.length - 2, character: 0 }, { line: lines.length - 1, character: 0 }, '');
        } else {
          const end = { line: lines.length - 1, character: lines[lines.length - 1]!.length };
          await edit(file, end, end, `${end.character > 0 ? '\n' : ''}${py ? `SOAK_${i} = ${i}` : `var SOAK_${i} = ${i};`}\n`);
        }
      } else {
        // a broken line for a moment (a syntax error), then repaired
        const line = Math.floor(random() * lines.length);
        const broken = lines[line]!.startsWith('(((');
        if (broken) await edit(file, { line, character: 0 }, { line, character: 3 }, '');
        else await edit(file, { line, character: 0 }, { line, character: 0 }, '(((');
      }
      if (random() < 1 / editsPerRequest) await request(file);
      if (i % sampleEvery === 0 || i === edits) {
        // a sample of the server at rest: the analysis of the last edit has finished (its
        // 'idle' status arrived) and the idle collection (handlers/memory.ts, IDLE_MS after
        // the last work) has had time to run, however loaded the machine is
        const statuses = s.notified<{ state: string }>('crossproc/status');
        const seen = statuses.length;
        await waitFor('the analysis of the last edit', () => statuses.length > seen && statuses[statuses.length - 1]!.state === 'idle', 120_000);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const sample = { edits: i, requests, rssMb: Math.round(rssMbOf(s.child.pid!)) };
        samples.push(sample);
        log(`edits ${sample.edits}  requests ${sample.requests}  RSS ${sample.rssMb} MB`);
      }
    }
    const exitCode = await s.close();
    session = undefined;
    return { samples, edits, requests, errors, exitCode };
  } finally {
    if (session) session.child.kill();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
