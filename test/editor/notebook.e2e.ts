/**
 * Crossproc in a Jupyter notebook in a real VS Code: the packaged .vsix in a fresh
 * code-server (whose built-in ipynb extension opens `.ipynb` files as notebooks), driven
 * through headless Chromium. The notebook's task is defined in a cell: the squiggle shows in
 * that cell, the quick fix "Move 'square' into squares_tasks.py and import it" is applied
 * from the lightbulb menu, and after saving, the module exists on disk and the cell imports it.
 *
 * Screenshots go to .test-output/screenshots/; with CROSSPROC_UPDATE_SCREENSHOTS=1 the
 * ones the README shows are also copied to docs/images/.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ROOT, SCREENSHOTS, editorTools, poll } from './common';

const NOTEBOOK_WORKSPACE = path.join(__dirname, 'notebook-workspace');
const FIX_TITLE = "Move 'square' into squares_tasks.py and import it";
const README_SHOTS = ['notebook-squiggle.png', 'notebook-quickfix.png', 'notebook-fixed.png'];

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'editor.hover.delay': 100,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  // no kernel is needed to edit; do not ask for one
  'notebook.kernelPicker.type': 'all',
};

const VSIX = process.env.CROSSPROC_VSIX ?? path.join(ROOT, `crossproc-${(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}.vsix`);

/** code-server's process group, killed by PID whatever happens */
let group: number | undefined;
const kill = (signal: NodeJS.Signals) => {
  if (group === undefined) return;
  try {
    process.kill(-group, signal);
  } catch {
    // already gone
  }
};
process.on('exit', () => kill('SIGKILL'));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('VS Code: a Jupyter notebook (code-server + Chromium, the packaged .vsix)', function () {
  let dir: string;
  let workspace: string;
  let browser: Browser | undefined;
  let page: Page;
  let serverLog = '';
  let failures = 0;
  let squiggle: Locator;

  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name) });

  before(async function () {
    const tools = editorTools();
    dir = mkdtempSync(path.join(tmpdir(), 'crossproc-notebook-'));
    workspace = path.join(dir, 'workspace');
    cpSync(NOTEBOOK_WORKSPACE, workspace, { recursive: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    const user = path.join(dir, 'user');
    const home = path.join(dir, 'home');
    mkdirSync(path.join(user, 'User'), { recursive: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(user, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
    const env = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
    };
    const cs = [tools.CODE_SERVER, '--user-data-dir', user, '--extensions-dir', path.join(dir, 'extensions')];
    const install = spawnSync(tools.NODE24, [...cs, '--install-extension', VSIX], { env, encoding: 'utf8', timeout: 120000 });
    assert.equal(install.status, 0, `--install-extension failed:\n${install.stdout}\n${install.stderr}`);

    const port = await freePort();
    const child = spawn(
      tools.NODE24,
      [...cs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--ignore-last-opened', workspace],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    assert.ok(child.pid, 'code-server did not start');
    group = child.pid;
    child.stdout.on('data', (d: Buffer) => (serverLog += d.toString()));
    child.stderr.on('data', (d: Buffer) => (serverLog += d.toString()));
    const base = `http://127.0.0.1:${port}`;
    await poll('code-server /healthz', async () => (await fetch(`${base}/healthz`)).ok, 60000, 100);
    browser = await chromium.launch({
      executablePath: tools.CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="squares.ipynb"]').waitFor({ timeout: 60000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    failures++;
    if (page) await page.screenshot({ path: path.join(SCREENSHOTS, `failed-notebook-${this.currentTest.title.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
  });

  after(async function () {
    if (failures > 0 && serverLog) console.log(serverLog.slice(-4000));
    await browser?.close().catch(() => undefined);
    kill('SIGTERM');
    if (group !== undefined) {
      const pid = group;
      const gone = await poll('code-server to exit', () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 5000).catch(() => false);
      if (!gone) kill('SIGKILL');
      group = undefined;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (process.env.CROSSPROC_UPDATE_SCREENSHOTS === '1' && failures === 0) {
      const images = path.join(ROOT, 'docs', 'images');
      mkdirSync(images, { recursive: true });
      for (const name of README_SHOTS) copyFileSync(path.join(SCREENSHOTS, name), path.join(images, name));
    }
  });

  it('opens the notebook and shows the squiggle in the cell that defines the task', async function () {
    await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('squares.ipynb');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'squares.ipynb' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.notebook-editor').first().waitFor({ timeout: 30000 });
    squiggle = page.locator('.notebook-editor .cell-editor-container .monaco-editor .squiggly-error').first();
    await squiggle.waitFor({ state: 'visible', timeout: 45000 });
    // the squiggle is in the cell with the def (the third cell: markdown, import, def, pool)
    const cellText = await page
      .locator('.notebook-editor .code-cell-row', { has: page.locator('.squiggly-error') })
      .first()
      .innerText();
    assert.match(cellText.replace(/\u00a0/g, ' '), /def square\(x\):/);
    await shot('notebook-squiggle.png');
  });

  it('applies the quick fix: the module is created beside the notebook and the cell imports it', async function () {
    const box = await poll('a box for the squiggle', () => squiggle.boundingBox().then((b) => b ?? undefined));
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const rows = page.locator('.action-widget .monaco-list-row');
    let seen: string[] = [];
    let nextTry = 0;
    await poll('the quick-fix menu', async () => {
      if ((await rows.count()) === 0 && Date.now() >= nextTry) {
        await page.keyboard.press('Control+.');
        nextTry = Date.now() + 3000;
      }
      seen = (await rows.allInnerTexts()).map((t) => t.replace(/\u00a0/g, ' ').trim());
      return seen.some((t) => t.startsWith(FIX_TITLE)) || undefined;
    }, 30000).catch((error: unknown) => {
      throw new Error(`${String(error)}; the menu showed ${JSON.stringify(seen)}`);
    });
    await shot('notebook-quickfix.png');
    await page.locator('.action-widget .monaco-list-row', { hasText: FIX_TITLE }).first().click();
    await poll('the quick-fix menu to close', async () => (await rows.count()) === 0);
    await page.keyboard.press('Control+Shift+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('>File: Save All');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Save All' }).first().waitFor();
    await page.keyboard.press('Enter');

    const module = path.join(workspace, 'squares_tasks.py');
    const moduleText = await poll('squares_tasks.py on disk', () => (existsSync(module) ? readFileSync(module, 'utf8') || undefined : undefined));
    assert.match(moduleText, /^def square\(x\):\n {4}return x \* x\n$/m);
    const nb = await poll('the notebook on disk to import the task', () => {
      const cells = (JSON.parse(readFileSync(path.join(workspace, 'squares.ipynb'), 'utf8')) as { cells: Array<{ source: string | string[] }> }).cells;
      const sources = cells.map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
      return sources.some((s) => /from squares_tasks import square/.test(s)) ? sources : undefined;
    });
    assert.ok(!nb.some((s) => /def square/.test(s)), 'the def left the notebook');
    assert.ok(nb.includes('from squares_tasks import square'), `the cell is the import alone: ${JSON.stringify(nb)}`);
    assert.equal(nb.length, 4, 'same cells');
    await poll('the squiggle to disappear', async () => (await page.locator('.notebook-editor .squiggly-error').count()) === 0);
    await shot('notebook-fixed.png');
  });
});
