/**
 * Python version awareness through a real LSP session (push mode): the version comes from
 * pyproject.toml's requires-python, the `crossproc.pythonVersion` setting wins over it, an
 * explicit start method wins over the version's defaults; the status carries the
 * assumption, messages say which platforms' defaults break for that version, the hover's
 * start-method table marks it, and a JavaScript hover gives JavaScript advice only.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import type { StatusParams } from '../server/src/shared/protocol';
import { startSession, uriOf, waitFor, type LspSession } from './support/lsp-session';
import { NODE_PROGRAM, PYTHON_PROGRAM, makeTree } from './support/programs';

describe('language server: Python version awareness and hover advice per language', function () {
  this.timeout(60_000);
  let root: string;
  let session: LspSession;
  let statuses: StatusParams[];
  const file = (name: string) => path.join(root, name);
  const finding = (name: string) => () =>
    session.diagnostics.get(uriOf(file(name)))?.diagnostics.find((d) => d.source === 'crossproc' && typeof d.code === 'string');
  const hoverAt = async (name: string): Promise<string> => {
    const d = finding(name)()!;
    const hover = await session.connection.sendRequest<Hover | null>('textDocument/hover', {
      textDocument: { uri: uriOf(file(name)) },
      position: { line: d.range.start.line, character: d.range.start.character + 1 },
    });
    return (hover?.contents as MarkupContent).value;
  };
  const changeSettings = async (settings: Record<string, unknown>) => {
    session.settings = { enable: true, codeLens: true, rules: {}, ...settings };
    await session.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  };

  before(async () => {
    root = makeTree({
      ...PYTHON_PROGRAM,
      ...NODE_PROGRAM,
      'pyproject.toml': '[project]\nname = "demo"\nrequires-python = ">=3.10, <4"\n',
    });
    session = await startSession(root);
    statuses = session.notified<StatusParams>('crossproc/status');
    await session.open(file('main.py'), 'python');
    await session.open(file('worker.js'), 'javascript');
    await waitFor('the Python finding', finding('main.py'));
    await waitFor('the JavaScript finding', finding('worker.js'));
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(session.log.join('\n'));
  });

  after(async () => {
    if (session) assert.equal(await session.close(), 0);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads requires-python: the status says so, and the message says Linux breaks only from 3.14', async () => {
    const idle = await waitFor('a status with the assumption', () => statuses.find((s) => s.assumption?.pythonVersion));
    assert.deepEqual(idle.assumption, {
      startMethod: 'portable',
      startMethodFrom: 'default',
      pythonVersion: '3.10',
      pythonVersionFrom: 'pyproject.toml requires-python ">=3.10, <4"',
      python: true,
    });
    assert.match(
      String(finding('main.py')()!.message),
      /which re-import main\.py under spawn and forkserver \(Python 3\.10: the default on macOS and Windows, on Linux from 3\.14\) and read/,
    );
  });

  it("the hover's start-method table marks the project's version", async () => {
    const md = await hoverAt('main.py');
    assert.match(md, /\| Python 3\.10 \| `fork` \(Linux\) \| `spawn` \(macOS, Windows\) \| `forkserver` \(Linux ≥ 3\.14\) \|/);
  });

  it('a JavaScript hover gives JavaScript advice only', async () => {
    const md = await hoverAt('worker.js');
    assert.match(md, /^\*\*Crossproc\*\* `stale-global-read`: workers of new Worker at \[main\.js:4\]/);
    assert.match(md, /\*\*Fix:\*\* pass it in `workerData`/);
    assert.doesNotMatch(md, /initargs|initializer|Manager|Process|pickl/);
  });

  it("hovering a module-level binding says how values reach the workers, in the file's language", async () => {
    const hover = await session.connection.sendRequest<Hover | null>('textDocument/hover', {
      textDocument: { uri: uriOf(file('main.py')) },
      position: { line: 0, character: 2 },
    });
    const md = (hover?.contents as MarkupContent).value;
    assert.match(md, /\*\*`GREETING`\*\* is module-level state/);
    assert.match(md, /`initializer=`\/`initargs=`/);
    assert.doesNotMatch(md, /workerData|postMessage/);
  });

  it('crossproc.pythonVersion wins over requires-python; an explicit start method wins over the defaults', async () => {
    await changeSettings({ pythonVersion: '3.14' });
    await waitFor('the 3.14 wording', () => /\(Python 3\.14: the default everywhere\)/.test(String(finding('main.py')()?.message ?? '')));
    const md = await hoverAt('main.py');
    assert.match(md, /\| Python 3\.14 \| `fork` \(Linux < 3\.14\) \| `spawn` \(macOS, Windows\) \| `forkserver` \(Linux\) \|/);
    assert.deepEqual(statuses.at(-1)?.assumption?.pythonVersionFrom, 'setting');

    await changeSettings({ pythonVersion: '3.14', startMethod: 'fork' });
    // under fork, with the write before the pool starts, the read is not stale
    await waitFor('the finding gone under an explicit fork', () => finding('main.py')() === undefined);
    const last = await waitFor('a status with fork', () => [...statuses].reverse().find((s) => s.assumption?.startMethod === 'fork'));
    assert.equal(last.assumption?.startMethodFrom, 'setting');
  });

  it('follows a changed requires-python without a restart (didChangeWatchedFiles)', async () => {
    await changeSettings({});
    await waitFor('the 3.10 wording back', () => /\(Python 3\.10: /.test(String(finding('main.py')()?.message ?? '')));
    fs.writeFileSync(file('pyproject.toml'), '[project]\nname = "demo"\nrequires-python = ">=3.14"\n');
    await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(file('pyproject.toml')), type: 2 }] });
    await waitFor('the 3.14 wording', () => /Python 3\.14: the default everywhere/.test(String(finding('main.py')()?.message ?? '')));
    // the status follows the diagnostics: wait for it rather than read the last one so far
    const last = await waitFor('a status naming pyproject.toml', () => [...statuses].reverse().find((s) => s.assumption?.pythonVersionFrom?.startsWith('pyproject.toml')));
    assert.equal(last.assumption?.pythonVersionFrom, 'pyproject.toml requires-python ">=3.14"');
  });
});
