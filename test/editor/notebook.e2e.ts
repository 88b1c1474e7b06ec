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
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ROOT, SCREENSHOTS, poll } from './common';
import { hoverParts, openEditor, type EditorSession, type HoverParts } from './codeServer';

const NOTEBOOK_WORKSPACE = path.join(__dirname, 'notebook-workspace');
const FIX_TITLE = "Move 'square' into squares_tasks.py and import it";
const README_SHOTS = ['notebook-squiggle.png', 'notebook-quickfix.png', 'notebook-fixed.png'];

describe('VS Code: a Jupyter notebook (code-server + Chromium, the packaged .vsix)', function () {
  let workspace: string;
  let session: EditorSession | undefined;
  let page: Page;
  let failures = 0;
  let squiggle: Locator;

  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name) });

  before(async function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'crossproc-notebook-'));
    workspace = path.join(dir, 'workspace');
    cpSync(NOTEBOOK_WORKSPACE, workspace, { recursive: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    // no kernel is needed to edit; do not ask for one
    session = await openEditor(dir, workspace, 'squares.ipynb', { 'notebook.kernelPicker.type': 'all' });
    page = session.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    failures++;
    if (page) await page.screenshot({ path: path.join(SCREENSHOTS, `failed-notebook-${this.currentTest.title.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
  });

  after(async function () {
    if (failures > 0 && session) console.log(session.log().slice(-4000));
    await session?.close();
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

  it("explains the finding on hover without scrolling: the start-method table and the fix", async function () {
    const box = await poll('a box for the squiggle', () => squiggle.boundingBox().then((b) => b ?? undefined));
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    let next = 0;
    let last: HoverParts | undefined;
    const h = await poll('the hover', async () => {
      const now = await hoverParts(page, 'unimportable-task');
      if (now && last && JSON.stringify(now) === JSON.stringify(last)) return now;
      last = now;
      if (!now && Date.now() >= next) {
        next = Date.now() + 2500;
        await page.mouse.move(x - 40, y + 40);
        await page.mouse.move(x, y, { steps: 4 });
      }
      return undefined;
    }, 30000, 200);
    assert.match(h.diagnosticText, /'square' is defined in this notebook/);
    assert.match(h.oursText, /^start method\s+fork \(Linux < 3\.14\)\s+spawn \(macOS, Windows\)\s+forkserver \(Linux ≥ 3\.14\)\s+a worker\s+runs square\s+cannot import the notebook/);
    assert.match(h.oursText, /Fix: move it into a module file beside the notebook and import it\./);
    console.log(`      hover: diagnostic ${h.diagnostic} px + Crossproc ${h.ours} px in ${h.viewport} px, scrolls by ${Math.max(0, h.overflow)} px`);
    assert.ok(h.overflow <= 0, `the hover scrolls by ${h.overflow} px`);
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');
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
