/**
 * A large edited document is parsed in a worker thread (server/src/handlers/offThread.ts):
 * its findings must be those of the main thread's parse, at the edited version's positions,
 * and hover must work on it.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { OFF_THREAD_CHARS } from '../server/src/handlers/offThread';
import { startSession, uriOf, waitFor, type LspSession } from './support/lsp-session';
import { PYTHON_PROGRAM, makeTree } from './support/programs';

describe('language server: a large document', function () {
  this.timeout(120_000);
  let root: string;
  let session: LspSession;
  const big = () => path.join(root, 'big.py');
  const stale = () => session.diagnostics.get(uriOf(big()))?.diagnostics.find((d) => d.code === 'stale-global-read');
  // generated functions, then the program with a stale global read
  const filler: string[] = [];
  for (let i = 0; filler.join('\n').length < OFF_THREAD_CHARS + 10_000; i++) filler.push(`def f_${i}(x):`, `    return x + ${i}`, '');
  const offset = filler.length;

  before(async () => {
    root = makeTree({ 'big.py': `${filler.join('\n')}\n${PYTHON_PROGRAM['main.py']!}` });
    session = await startSession(root);
    await session.open(big(), 'python');
    // `return f"{GREETING} {x}"` is the program's line 4
    await waitFor('stale-global-read in the large file', () => stale()?.range.start.line === offset + 3, 60_000);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(session.log.join('\n'));
  });

  after(async () => {
    if (session) assert.equal(await session.close(), 0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('gives the findings of the edited text, at its positions and version', async () => {
    await session.edit(big(), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '# one\n# two\n# three\n');
    await waitFor('the finding three lines down', () => stale()?.range.start.line === offset + 6, 60_000);
    assert.equal(session.diagnostics.get(uriOf(big()))?.version, 2);
    assert.equal(session.diagnostics.get(uriOf(big()))?.diagnostics.length, 1);
  });

  it('answers a hover on it', async () => {
    const line = offset + 6;
    const hover = (await session.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: uriOf(big()) },
      position: { line, character: stale()!.range.start.character },
    })) as Hover | null;
    assert.ok(hover, 'a hover');
    assert.match((hover.contents as MarkupContent).value, /GREETING/);
  });
});
