/**
 * Neovim 0.7 (headless) as an independent LSP client of dist/server.js over stdio:
 * diagnostics, hover and a code action applied. test/editor/nvim-lsp.lua does the
 * driving and writes a JSON report; this test asserts it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { OUTPUT, PY_FIX_EXPECT, PY_FIX_TITLES, ROOT, RULE, editorTools, scratch } from './common';

interface NvimReport {
  errors: string[];
  diagnostics?: { code: string; source: string; message: string; line: number; character: number }[];
  hover?: { error: string | null; contents: string | null; kind: string | null };
  codeActions?: { error: string | null; titles: string[] };
  capabilities?: { hover: boolean; codeAction: boolean };
  diagnosticsMs?: number;
  applied?: { title: string; resolved: boolean; hadEdit: boolean; before: string; after: string; resolveError?: string };
}

describe('Neovim LSP client (stdio)', function () {
  let report: NvimReport;
  let dir: string;

  before(function () {
    const tools = editorTools();
    const s = scratch('nvim');
    dir = s.dir;
    mkdirSync(OUTPUT, { recursive: true });
    const out = path.join(OUTPUT, 'neovim.json');
    rmSync(out, { force: true });
    const started = Date.now();
    const run = spawnSync(tools.NVIM, ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(__dirname, 'nvim-lsp.lua')}`], {
      cwd: s.workspace,
      encoding: 'utf8',
      timeout: 120000,
      env: {
        ...process.env,
        HOME: dir,
        XDG_CACHE_HOME: path.join(dir, 'cache'),
        XDG_CONFIG_HOME: path.join(dir, 'config'),
        XDG_DATA_HOME: path.join(dir, 'data'),
        XDG_STATE_HOME: path.join(dir, 'state'),
        CROSSPROC_NODE: process.execPath,
        CROSSPROC_SERVER: path.join(ROOT, 'dist', 'server.js'),
        CROSSPROC_WORKSPACE: s.workspace,
        CROSSPROC_FIX_TITLES: PY_FIX_TITLES.join('|'),
        CROSSPROC_OUT: out,
      },
    });
    console.log(`      nvim exited ${run.status} in ${Date.now() - started} ms`);
    if (run.status !== 0) console.log(run.stdout, run.stderr);
    try {
      report = JSON.parse(readFileSync(out, 'utf8')) as NvimReport;
    } catch {
      throw new Error(`nvim wrote no report (exit ${run.status}, signal ${run.signal}):\n${run.stdout}\n${run.stderr}`);
    }
    assert.deepEqual(report.errors, [], `the Lua driver failed: ${report.errors.join('\n')}`);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes stale-global-read on the GREETING read (line 5)', () => {
    const d = report.diagnostics?.find((x) => x.code === RULE);
    assert.ok(d, `diagnostics: ${JSON.stringify(report.diagnostics)}`);
    assert.equal(d.line, 4);
    assert.equal(d.character, 14);
    assert.match(d.message, /'GREETING' is set by the parent at run time/);
  });

  it('answers hover with Markdown about the binding and the start methods', () => {
    assert.ok(report.capabilities?.hover, 'the server does not advertise hoverProvider');
    const h = report.hover;
    assert.ok(h && h.contents, `hover: ${JSON.stringify(h)}`);
    assert.equal(h.kind, 'markdown');
    assert.match(h.contents, /GREETING/);
    assert.match(h.contents, /spawn/);
    assert.match(h.contents, /fork/);
  });

  it('offers a quick fix whose edit changes the buffer as expected', () => {
    assert.ok(report.capabilities?.codeAction, 'the server does not advertise codeActionProvider');
    const a = report.applied;
    assert.ok(a, `no wanted fix among the code actions: ${JSON.stringify(report.codeActions)}`);
    assert.ok(a.hadEdit, `the action had no edit (resolved: ${a.resolved}, ${a.resolveError ?? ''})`);
    assert.notEqual(a.after, a.before);
    const title = PY_FIX_TITLES.find((t) => a.title.startsWith(t));
    assert.ok(title);
    assert.match(a.after, PY_FIX_EXPECT[title]);
    if (title === PY_FIX_TITLES[0]) console.log(`      applied: ${a.title}`);
    else console.log(`      applied the fallback "${a.title}" (the real fix was not offered)`);
  });
});
