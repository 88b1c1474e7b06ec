/**
 * The hover of a typical finding of each rule, in both languages, needs no scrolling at VS
 * Code's default hover size (at most 250 px tall): the diagnostic's part (message, code
 * link, related locations) and Crossproc's part (start-method table, fix) are both in view
 * when the hover opens. Other extensions may add their own parts below ours (TypeScript's
 * type of the hovered name); those may scroll, ours may not.
 *
 * The workspace is a copy of fixture folders; the findings to hover are the CLI's.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT, SCREENSHOTS, poll } from './common';
import { hoverParts, openEditor, type EditorSession, type HoverParts } from './codeServer';

/** A typical finding per rule and language: the fixtures that show the rule's plain case. */
const TYPICAL = [
  'python/stale-read-pool-map',
  'python/stale-read-process-target',
  'python/stale-read-write-after-pool-start',
  'python/lost-write-pool-append',
  'python/lost-write-executor-submit-loop',
  'python/unguarded-pool-top-level',
  'python/unsendable-lambda-pool-map',
  'python/thread-lock-in-pool-task',
  'python/manager-proxy-json-dumps',
  'js/stale-read-worker-file',
  'js/stale-read-piscina',
  'js/stale-read-cluster',
  'js/lost-write-worker-push',
  'js/lost-write-piscina',
  'js/unguarded-spawn-worker',
  'js/unsendable-function-workerdata',
  'js/unsendable-class-instance',
];

interface CliFinding {
  file: string;
  line: number;
  column: number;
  rule: string;
}

describe('VS Code: the hover of a typical finding needs no scrolling (default hover size)', function () {
  let session: EditorSession | undefined;
  let findings: CliFinding[] = [];
  let failed = false;

  before(async function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'crossproc-hover-'));
    const workspace = path.join(dir, 'workspace');
    mkdirSync(workspace);
    for (const f of TYPICAL) cpSync(path.join(ROOT, 'fixtures', f), path.join(workspace, path.basename(f)), { recursive: true });
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), '.', '--format', 'json'], { cwd: workspace, encoding: 'utf8' });
    findings = (JSON.parse(cli.stdout) as { findings: CliFinding[] }).findings;
    const rules = new Set(findings.map((f) => `${f.rule} ${f.file.endsWith('.py') ? 'Python' : 'JavaScript'}`));
    assert.ok(rules.size >= 10, `typical findings of every rule: ${[...rules].join(', ')}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    session = await openEditor(dir, workspace, path.basename(TYPICAL[0]));
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });

  after(async function () {
    if (failed && session) console.log(session.log().slice(-4000));
    await session?.close();
  });

  it('shows the whole diagnostic and Crossproc part of each hover without scrolling', async function () {
    const page = session!.page;
    const results: string[] = [];
    const over: string[] = [];
    for (const f of findings) {
      const [folder, base] = [path.dirname(f.file), path.basename(f.file)];
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input').fill(f.file);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: folder }).filter({ hasText: base }).first();
      await row.click();
      await poll(`${f.file} to open`, async () => {
        const crumbs = await page.locator('.editor-group-container.active .monaco-breadcrumbs').innerText();
        return crumbs.includes(folder) && crumbs.includes(base);
      });
      // the cursor into the finding's range, then "Show Hover" (Ctrl+K Ctrl+I), re-tried now
      // and then: on a busy machine the diagnostics arrive after the file opens
      const col = f.column + 1;
      await poll(`the cursor at ${f.line}:${col}`, async () => {
        await page.keyboard.press('Control+G');
        const input = page.locator('.quick-input-widget input');
        await poll('Go to Line', async () => (await input.isVisible()) && (await input.inputValue()).startsWith(':'), 5000);
        await input.fill(`:${f.line}:${col}`);
        await page.keyboard.press('Enter');
        return poll('the status bar', async () => (await page.locator('.statusbar').innerText()).includes(`Ln ${f.line}, Col ${col}`), 3000).catch(() => false);
      });
      // the finding's diagnostic first (pull diagnostics arrive after the file opens)
      await page.locator('.editor-group-container.active .monaco-editor .squiggly-warning, .editor-group-container.active .monaco-editor .squiggly-error').first().waitFor({ timeout: 30000 });
      let next = 0;
      let last: HoverParts | undefined;
      const h = await poll(`the hover of ${f.rule} at ${f.file}:${f.line}`, async () => {
        const now = await hoverParts(page, f.rule);
        // settled: the same heights twice (other providers' parts arrive later)
        if (now && last && JSON.stringify(now) === JSON.stringify(last)) return now;
        last = now;
        if (!now && Date.now() >= next) {
          next = Date.now() + 2500;
          await page.keyboard.press('Escape'); // a hover opened before the diagnostic came stays as it was
          await page.keyboard.press('Control+K');
          await page.keyboard.press('Control+I');
        }
        return undefined;
      }, 45000, 300).catch(async (error: unknown) => {
        await page.screenshot({ path: path.join(SCREENSHOTS, `hover-missing-${folder}-${f.line}.png`) });
        const html = await page.locator('.monaco-hover').first().evaluate((e) => (e as unknown as { outerHTML: string }).outerHTML).catch(() => 'no hover');
        throw new Error(`${String(error)}\n${html.slice(0, 3000)}`);
      });
      const line = `${f.rule} ${f.file}:${f.line}: diagnostic ${h.diagnostic} px + Crossproc ${h.ours} px, ends at ${Math.round(h.oursBottom)} of ${h.viewport} px, scrolls by ${Math.max(0, h.overflow)} px${h.others ? ` (other extensions' parts below: ${h.others} px)` : ''}`;
      results.push(line);
      // no scrolling at all; or, when other extensions add their parts below ours, ours in view
      if (h.overflow > 0 && (h.others === 0 || h.oursBottom > h.viewport)) {
        over.push(line);
        await page.screenshot({ path: path.join(SCREENSHOTS, `hover-scrolls-${folder}-${f.line}.png`) });
      }
    }
    console.log(results.map((r) => `      ${r}`).join('\n'));
    assert.deepEqual(over, [], 'hovers that scroll');
  });
});
