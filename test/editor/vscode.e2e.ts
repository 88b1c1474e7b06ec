/**
 * Crossproc in a real VS Code: the packaged .vsix installed into a fresh code-server,
 * driven through headless Chromium with playwright-core, the way a person uses it —
 * open the file, see the squiggle and the Problems entry, hover, apply the quick fix from
 * the lightbulb menu, save, and check the file on disk. Recipe: shared/REAL-EDITOR.md.
 *
 * Screenshots go to .test-output/screenshots/; with CROSSPROC_UPDATE_SCREENSHOTS=1 the
 * three used by the README are also copied to docs/images/.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { PY_FIX_EXPECT, PY_FIX_TITLES, ROOT, RULE, SCREENSHOTS, editorTools, poll, scratch } from './common';

/** The worker_threads quick fix, in order of preference (the real fix, else the suppression). */
const JS_FIX_TITLES = ['Pass settings to the worker through workerData', 'Disable stale-global-read for this line'] as const;

/** How Crossproc's own hover (Markdown) starts, below VS Code's diagnostic hover. */
const HOVER_HEADING = `Crossproc ${RULE}:`;

/** Screenshots copied to docs/images/ for the README (CROSSPROC_UPDATE_SCREENSHOTS=1). */
const README_SHOTS = ['python-squiggle.png', 'python-hover.png', 'python-quickfix.png', 'workspace-problems.png', 'status-menu.png'];

/** User settings that keep the layout predictable (REAL-EDITOR.md step 7). */
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
};

const VSIX = process.env.CROSSPROC_VSIX ?? path.join(ROOT, `crossproc-${(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}.vsix`);

// ---- processes we start, killed by PID whatever happens ---------------------------------
const groups = new Set<number>();
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal); // code-server was started as a process-group leader
  } catch {
    // already gone
  }
}
process.on('exit', () => {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const pid of groups) killGroup(pid, 'SIGKILL');
    process.exit(130);
  });
}

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

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

/** The centre of an element's box (the hover target: REAL-EDITOR.md). */
async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await poll('a box for the squiggle', () => locator.boundingBox().then((b) => b ?? undefined), 20_000);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

describe('VS Code (code-server + Chromium, the packaged .vsix)', function () {
  let dir: string;
  let workspace: string;
  let codeServer: number | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let serverLog = '';
  let failures = 0;

  before(async function () {
    const tools = editorTools();
    ({ dir, workspace } = scratch('vscode'));
    const user = path.join(dir, 'user');
    const extensions = path.join(dir, 'extensions');
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
    const cs = [tools.CODE_SERVER, '--user-data-dir', user, '--extensions-dir', extensions];

    const install = spawnSync(tools.NODE24, [...cs, '--install-extension', VSIX], { env, encoding: 'utf8', timeout: 120000 });
    assert.equal(install.status, 0, `--install-extension failed:\n${install.stdout}\n${install.stderr}`);
    assert.match(install.stdout, /was successfully installed/, install.stdout);

    const port = await freePort();
    const child = spawn(
      tools.NODE24,
      [
        ...cs,
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--ignore-last-opened',
        workspace,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    assert.ok(child.pid, 'code-server did not start');
    codeServer = child.pid;
    groups.add(child.pid);
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
    await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="main.py"]').waitFor({ timeout: 60000 });
  });

  after(async function () {
    if (this.currentTest?.state === 'failed' && serverLog) console.log(serverLog.slice(-4000));
    await browser?.close().catch(() => undefined);
    if (codeServer) {
      const pid = codeServer;
      killGroup(pid, 'SIGTERM');
      const gone = await poll('code-server to exit', () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 5000).catch(() => false);
      if (!gone) killGroup(pid, 'SIGKILL');
      groups.delete(pid);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') failures++;
    if (this.currentTest?.state === 'failed' && page) await shot(page, `failed-${this.currentTest.title.replace(/\W+/g, '-')}.png`).catch(() => undefined);
  });

  async function openFile(name: string): Promise<void> {
    await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator(`.tabs-container .tab[aria-label*="${name}"]`).waitFor();
  }

  /** The squiggle in the active editor (diagnostics arrive asynchronously). */
  async function squiggle(): Promise<Locator> {
    const s = page.locator('.editor-group-container.active .monaco-editor .squiggly-warning, .editor-group-container.active .monaco-editor .squiggly-error').first();
    await s.waitFor({ state: 'visible', timeout: 30000 });
    return s;
  }

  /** The Problems panel's text once it shows `expected`. */
  async function problems(expected: RegExp): Promise<string> {
    const panel = page.locator('.markers-panel');
    if (!(await panel.isVisible())) await page.keyboard.press('Control+Shift+M');
    return poll(`the Problems panel to show ${expected}`, async () => {
      const text = (await panel.innerText()).replace(/\u00a0/g, ' ');
      return expected.test(text) ? text : undefined;
    });
  }

  async function hidePanel(): Promise<void> {
    const panel = page.locator('.markers-panel');
    if (!(await panel.isVisible())) return;
    await page.keyboard.press('Control+J'); // View: Toggle Panel
    await poll('the panel to close', async () => !(await panel.isVisible()), 5000);
  }

  /** Hovers the centre of the squiggle and returns the hover's text once it matches. */
  async function hover(s: Locator, expected: RegExp[]): Promise<string> {
    const { x, y } = await centre(s);
    const box = page.locator('.monaco-hover').filter({ hasText: HOVER_HEADING }).first();
    // A hover can fail to open on a busy machine (the pointer event lands before the editor
    // is ready): re-trigger it now and then, by pointer and by keyboard ("Show Hover").
    let attempt = 0;
    let nextTrigger = 0;
    return poll('the hover', async () => {
      if (await box.isVisible()) {
        const text = (await box.innerText()).replace(/\u00a0/g, ' ');
        if (expected.every((r) => r.test(text))) return text;
      }
      if (Date.now() >= nextTrigger) {
        nextTrigger = Date.now() + 2500;
        if (attempt++ % 2 === 0) {
          await page.mouse.move(x - 40, y + 40);
          await page.mouse.move(x, y, { steps: 4 });
        } else {
          await page.mouse.click(x, y);
          await page.keyboard.press('Control+K');
          await page.keyboard.press('Control+I');
        }
      }
      return undefined;
    }, 30000);
  }

  /**
   * The open hover's height at VS Code's default size (250 px, the minimum of the editor
   * hover's maximum), and how tall Crossproc's own part is. VS Code puts the diagnostic's
   * message and related locations above it; other providers (TypeScript) add theirs.
   */
  async function hoverHeights(): Promise<{ box: number; ours: number; overflow: number }> {
    const hoverBox = page.locator('.monaco-hover').filter({ hasText: HOVER_HEADING }).first();
    const ours = await page.locator('.monaco-hover .hover-row', { hasText: HOVER_HEADING }).first().evaluate((e) => (e as unknown as { offsetHeight: number }).offsetHeight);
    const { box, overflow } = await hoverBox.evaluate((el) => {
      const content = el.querySelector('.monaco-hover-content') as unknown as { scrollHeight: number; parentElement: { clientHeight: number } } | null;
      const box = (el as unknown as { clientHeight: number }).clientHeight;
      return { box, overflow: content ? content.scrollHeight - content.parentElement.clientHeight : 0 };
    });
    return { box, ours, overflow };
  }

  /** Scrolls the open hover (the mouse stays inside it, so it stays open) until `selector` is in view. */
  async function scrollHoverTo(selector: string): Promise<void> {
    const hoverBox = page.locator('.monaco-hover').filter({ hasText: HOVER_HEADING }).first();
    const outer = await hoverBox.boundingBox();
    if (!outer) return;
    await page.mouse.move(outer.x + outer.width / 2, outer.y + 10, { steps: 3 });
    const target = page.locator(selector).first();
    await poll(`${selector} to scroll into the hover`, async () => {
      const box = await target.boundingBox();
      if (box && box.y >= outer.y && box.y + box.height <= outer.y + outer.height) return true;
      await page.mouse.wheel(0, 60);
      return false;
    }, 5000).catch(() => undefined); // a picture detail, not an assertion
  }

  /** Opens the quick-fix menu at the squiggle and returns the offered titles. */
  async function quickFixMenu(s: Locator): Promise<string[]> {
    await page.mouse.move(5, 400); // away from the hover
    await page.keyboard.press('Escape');
    // the hover test scrolls with the wheel; if the hover closed meanwhile the editor scrolled:
    // back to the top, so the squiggle's line is on screen again
    await page.keyboard.press('Control+Home');
    const { x, y } = await centre(s);
    await page.mouse.click(x, y);
    // the lightbulb shows once the code actions at the cursor are known
    const bulb = page.locator('.editor-group-container.active .lightBulbWidget');
    await bulb.waitFor({ state: 'visible', timeout: 20000 });
    const rows = page.locator('.action-widget .monaco-list-row');
    let seen: string[] = [];
    let tries = 0;
    let nextTry = 0;
    return poll('the quick-fix menu', async () => {
      if ((await rows.count()) === 0 && Date.now() >= nextTry) {
        // Ctrl+. first (the keyboard way); then the lightbulb itself, which also opens it
        if (tries++ % 2 === 0) await page.keyboard.press('Control+.');
        else await bulb.click();
        nextTry = Date.now() + 3000;
      }
      const titles = (await rows.allInnerTexts()).map((t) => t.replace(/\u00a0/g, ' ').trim()).filter(Boolean);
      seen = titles;
      // wait until our actions are in (the menu may first show "No code actions" or a spinner)
      return titles.some((t) => t.includes(RULE) || t.startsWith('Pass ')) ? titles : undefined;
    }, 20000).catch((error: unknown) => {
      throw new Error(`${String(error)}; the menu showed ${JSON.stringify(seen)}`);
    });
  }

  /** Picks the first wanted title offered, clicks it, saves all, returns the title. */
  async function applyFix(offered: string[], wanted: readonly string[]): Promise<string> {
    const title = wanted.find((w) => offered.some((o) => o.startsWith(w)));
    assert.ok(title, `none of ${JSON.stringify(wanted)} offered; menu: ${JSON.stringify(offered)}`);
    await page.locator('.action-widget .monaco-list-row', { hasText: title }).first().click();
    await poll('the quick-fix menu to close', async () => (await page.locator('.action-widget .monaco-list-row').count()) === 0);
    // Save every file the edit touched (a fix may change the parent module too).
    await page.keyboard.press('Control+Shift+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('>File: Save All');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Save All' }).first().waitFor();
    await page.keyboard.press('Enter');
    return title;
  }

  /** The Crossproc status bar item. */
  const statusItem = () => page.locator('.statusbar-item', { hasText: 'Crossproc' }).first();

  describe('the whole workspace, before any file is opened', function () {
    it('lists the findings of files that are not open in the Problems panel (pull diagnostics)', async function () {
      assert.equal(await page.locator('.tabs-container .tab').count(), 0, 'no editor is open');
      const text = await problems(/worker\.js[\s\S]*main\.py|main\.py[\s\S]*worker\.js/);
      assert.match(text, /'settings' is changed by the parent at run time/);
      assert.match(text, /'GREETING' is set by the parent at run time/);
      // the status item counts the same findings, and shows the assumption (.python-version says 3.12)
      const status = await poll('the status item to show the assumption', async () => {
        const t = (await statusItem().innerText()).replace(/\u00a0/g, ' ');
        return /portable · 3\.12/.test(t) ? t : undefined;
      });
      assert.match(status, /Crossproc: portable · 3\.12\s*2/);
      await shot(page, 'workspace-problems.png');
      // its menu: the problems first, then the assumption to change
      await statusItem().click();
      const rows = page.locator('.quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'Show Problems' }).first().waitFor();
      assert.match(await rows.filter({ hasText: 'Show Problems' }).first().innerText(), /2 findings in the workspace/);
      await shot(page, 'status-menu.png');
      await page.keyboard.press('Escape');
      await hidePanel();
    });
  });

  describe('Python multiprocessing (main.py)', function () {
    let s: Locator;

    it('shows the squiggle and the Problems entry', async function () {
      await openFile('main.py');
      s = await squiggle();
      const text = await problems(/main\.py[\s\S]*is set by the parent at run time/);
      assert.match(text, new RegExp(`'GREETING' is set by the parent at run time \\(main\\.py:10\\), but 'task' runs in worker processes`));
      assert.match(text, new RegExp(`crossproc\\s*\\(?\\s*${RULE}`)); // source(code)
      assert.match(text, /Ln 5, Col 15/);
      await shot(page, 'python-squiggle.png');
      await hidePanel(); // room for the hover
    });

    it('explains the finding on hover: the binding and the start methods', async function () {
      const text = await hover(s, [/GREETING/, /start method/]);
      const ours = text.slice(text.indexOf(HOVER_HEADING));
      // one sentence first, then the table, which marks the project's Python (3.12: Linux forks)
      assert.match(ours, /^Crossproc stale-global-read: workers of Pool\.map at main\.py:12 read a copy of GREETING\./);
      assert.match(ours, /start method · Python 3\.12\s+the worker sees/);
      assert.match(ours, /^fork \(default on Linux\)/m);
      assert.match(ours, /^spawn \(default on macOS, Windows\)/m);
      assert.match(ours, /^forkserver \(Linux from 3\.14\)/m);
      assert.match(ours, /Fix: pass it with initializer=\/initargs=/);
      assert.doesNotMatch(ours, /workerData|postMessage/);
      // Crossproc's part (summary, table, fix) fits the default hover size on its own; the
      // diagnostic's message above it is the rule's (as the CLI prints it)
      const heights = await hoverHeights();
      console.log(`      hover: box ${heights.box} px, Crossproc's part ${heights.ours} px, scrolls by ${heights.overflow} px`);
      assert.ok(heights.ours <= 250, `Crossproc's part of the hover is ${heights.ours} px tall`);
      await scrollHoverTo('.monaco-hover table'); // the start-method table, for the picture
      await shot(page, 'python-hover.png');
    });

    it('applies the quick fix from the lightbulb menu and saves it', async function () {
      const offered = await quickFixMenu(s);
      await shot(page, 'python-quickfix.png');
      const title = await applyFix(offered, PY_FIX_TITLES);
      const file = path.join(workspace, 'main.py');
      const saved = await poll(`main.py on disk to contain the fix "${title}"`, () => {
        const text = readFileSync(file, 'utf8');
        return PY_FIX_EXPECT[title as (typeof PY_FIX_TITLES)[number]].test(text) ? text : undefined;
      });
      if (title !== PY_FIX_TITLES[0]) console.log(`      applied the fallback "${title}" (the real fix was not offered: ${JSON.stringify(offered)})`);
      writeFileSync(path.join(SCREENSHOTS, '..', 'vscode-main.py.fixed'), saved);
      // the finding is gone once the fix is in
      await poll('the squiggle to disappear', async () => (await page.locator('.editor-group-container.active .monaco-editor .squiggly-warning').count()) === 0);
    });
  });

  describe('Node worker_threads (worker.js)', function () {
    let s: Locator;

    it('shows the squiggle and the Problems entry', async function () {
      await openFile('worker.js');
      s = await squiggle();
      const text = await problems(/worker\.js[\s\S]*'settings' is changed by the parent at run time/);
      assert.match(text, /'settings' is changed by the parent at run time \(main\.js:4\), but this code runs in a worker thread \(new Worker, main\.js:5\)/);
      assert.match(text, /Ln 3, Col 13/);
      await shot(page, 'worker-squiggle.png');
      await hidePanel();
    });

    it('explains the finding on hover', async function () {
      const text = await hover(s, [/settings/, /worker/i]);
      const ours = text.slice(text.indexOf(HOVER_HEADING));
      assert.match(ours, /workers of new Worker at main\.js:5 read a copy of settings/);
      assert.match(ours, /Fix: pass it in workerData/);
      assert.doesNotMatch(ours, /initargs|initializer|Manager\(\)/);
      const heights = await hoverHeights();
      console.log(`      hover: box ${heights.box} px, Crossproc's part ${heights.ours} px, scrolls by ${heights.overflow} px`);
      assert.ok(heights.ours <= 120, `Crossproc's part of the hover is ${heights.ours} px tall`);
      await shot(page, 'worker-hover.png');
    });

    it('applies the quick fix and saves the changed files', async function () {
      const offered = await quickFixMenu(s);
      await shot(page, 'worker-quickfix.png');
      const title = await applyFix(offered, JS_FIX_TITLES);
      if (title === JS_FIX_TITLES[0]) {
        await poll('main.js and worker.js on disk to use workerData', () =>
          /workerData/.test(readFileSync(path.join(workspace, 'main.js'), 'utf8')) && /workerData/.test(readFileSync(path.join(workspace, 'worker.js'), 'utf8')),
        );
      } else {
        console.log(`      applied the fallback "${title}" (the real fix was not offered: ${JSON.stringify(offered)})`);
        await poll('worker.js on disk to contain the suppression', () =>
          /\/\/ crossproc-disable-next-line stale-global-read\nconsole\.log\(config\.settings\.mode\);/.test(readFileSync(path.join(workspace, 'worker.js'), 'utf8')),
        );
      }
      writeFileSync(path.join(SCREENSHOTS, '..', 'vscode-main.js.fixed'), readFileSync(path.join(workspace, 'main.js'), 'utf8'));
      writeFileSync(path.join(SCREENSHOTS, '..', 'vscode-worker.js.fixed'), readFileSync(path.join(workspace, 'worker.js'), 'utf8'));
    });
  });

  describe('the status item', function () {
    it('offers to change the start method, writes the setting, and shows the new assumption', async function () {
      await page.keyboard.press('Escape');
      await statusItem().click();
      const rows = page.locator('.quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'Show Problems' }).first().waitFor();
      assert.match(await rows.filter({ hasText: 'Python version' }).first().innerText(), /Python version: 3\.12/);
      await rows.filter({ hasText: 'Start method' }).first().click();
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'forkserver' }).first().waitFor();
      await page.locator('.quick-input-list .monaco-list-row', { hasText: /^spawn/ }).first().click();
      const settings = path.join(workspace, '.vscode', 'settings.json');
      await poll('.vscode/settings.json to set crossproc.startMethod', () => {
        try {
          return (JSON.parse(readFileSync(settings, 'utf8')) as Record<string, unknown>)['crossproc.startMethod'] === 'spawn';
        } catch {
          return false;
        }
      });
      await poll('the status item to show spawn', async () => /Crossproc: spawn · 3\.12/.test((await statusItem().innerText()).replace(/\u00a0/g, ' ')));
    });
  });

  after(function () {
    if (process.env.CROSSPROC_UPDATE_SCREENSHOTS !== '1' || failures > 0) return;
    const images = path.join(ROOT, 'docs', 'images');
    mkdirSync(images, { recursive: true });
    for (const name of README_SHOTS) copyFileSync(path.join(SCREENSHOTS, name), path.join(images, name));
  });
});
