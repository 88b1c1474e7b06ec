/**
 * A fresh code-server with the packaged .vsix installed, and a headless Chromium page on a
 * folder (shared/REAL-EDITOR.md). Used by the real-editor tests; code-server runs as a
 * process-group leader and is killed by its PID, whatever happens to the test process.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, editorTools, poll } from './common';

/** User settings that keep the layout predictable (REAL-EDITOR.md step 7). */
export const USER_SETTINGS: Record<string, unknown> = {
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

export const VSIX =
  process.env.CROSSPROC_VSIX ?? path.join(ROOT, `crossproc-${(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}.vsix`);

const groups = new Set<number>();
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
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

export interface EditorSession {
  page: Page;
  /** code-server's output so far (printed when a test fails) */
  log(): string;
  close(): Promise<void>;
}

/**
 * Installs the .vsix into a fresh code-server under `dir` (user data, extensions, HOME),
 * starts it on `workspace` and opens a 1280×820 page once `readyFile` shows in the explorer.
 */
export async function openEditor(dir: string, workspace: string, readyFile: string, settings: Record<string, unknown> = {}): Promise<EditorSession> {
  const tools = editorTools();
  const user = path.join(dir, 'user');
  const home = path.join(dir, 'home');
  mkdirSync(path.join(user, 'User'), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(user, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...settings }, null, 2));
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
  assert.match(install.stdout, /was successfully installed/, install.stdout);

  const port = await freePort();
  const child = spawn(
    tools.NODE24,
    [...cs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--ignore-last-opened', workspace],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  assert.ok(child.pid, 'code-server did not start');
  const pid = child.pid;
  groups.add(pid);
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
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
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const base = `http://127.0.0.1:${port}`;
    await poll('code-server /healthz', async () => (await fetch(`${base}/healthz`)).ok, 60000, 100);
    browser = await chromium.launch({
      executablePath: tools.CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    await page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${readyFile}"]`).waitFor({ timeout: 60000 });
    return { page, log: () => log, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The parts of the open hover that shows `rule`'s diagnostic and Crossproc's fix. */
export interface HoverParts {
  /** the hover's scrollable viewport */
  viewport: number;
  /** the diagnostic's part */
  diagnostic: number;
  /** Crossproc's part */
  ours: number;
  /** where Crossproc's part ends, from the top of the hover's content */
  oursBottom: number;
  /** other extensions' parts */
  others: number;
  /** how far the hover's content scrolls (0: all in view) */
  overflow: number;
  /** the texts of the diagnostic's part and of Crossproc's (NBSP as spaces) */
  diagnosticText: string;
  oursText: string;
}

/** Heights in the open hover that shows `rule`'s diagnostic (undefined until both parts are there). */
export async function hoverParts(page: Page, rule: string): Promise<HoverParts | undefined> {
  const hover = page.locator('.monaco-hover').filter({ hasText: rule }).filter({ hasText: 'Fix:' }).first();
  if (!(await hover.isVisible())) return undefined;
  return hover.evaluate((el) => {
    // DOM types are not in this project's lib: the few members used, typed here
    type Box = { getBoundingClientRect(): { top: number; bottom: number; height: number }; clientHeight: number; scrollHeight: number; innerText: string };
    const root = el as unknown as { querySelector(s: string): Box | null; querySelectorAll(s: string): ArrayLike<Box & { querySelector(s: string): Box | null }> };
    const content = root.querySelector('.monaco-hover-content');
    const viewport = root.querySelector('.monaco-scrollable-element');
    if (!content || !viewport) return undefined;
    const rows = Array.from(root.querySelectorAll('.monaco-hover-content > .hover-row'));
    const diagnostic = rows.find((r) => r.querySelector('.marker'));
    const ours = rows.find((r) => !r.querySelector('.marker') && /^Fix:|\nFix:/.test(r.innerText));
    if (!diagnostic || !ours) return undefined;
    const top = content.getBoundingClientRect().top;
    const others = rows.filter((r) => r !== diagnostic && r !== ours && r.querySelector('.markdown-hover'));
    // (no named functions in here: the test's transpiler would wrap them in a helper the page lacks)
    return {
      viewport: viewport.clientHeight,
      diagnostic: Math.round(diagnostic.getBoundingClientRect().height),
      ours: Math.round(ours.getBoundingClientRect().height),
      oursBottom: Math.round(ours.getBoundingClientRect().bottom - top),
      others: Math.round(others.reduce((n, r) => n + r.getBoundingClientRect().height, 0)),
      overflow: content.scrollHeight - viewport.clientHeight,
      diagnosticText: diagnostic.innerText.replace(/\u00a0/g, ' '),
      oursText: ours.innerText.replace(/\u00a0/g, ' '),
    };
  });
}

