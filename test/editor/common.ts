/**
 * Shared by the real-editor tests (test/editor/*.e2e.ts, run by `npm run test:editor`,
 * not by `npm test`): what the fixtures must produce, where the tools are, scratch folders.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const WORKSPACE_FIXTURE = path.join(__dirname, 'workspace');
export const OUTPUT = path.join(ROOT, '.test-output');
export const SCREENSHOTS = path.join(OUTPUT, 'screenshots');

/**
 * The quick fix the tests apply to main.py, in order of preference: the real fix when
 * the server offers it, else the suppression every finding offers.
 */
export const PY_FIX_TITLES = ['Pass GREETING to the workers through the initializer', 'Disable stale-global-read for this line'] as const;

/** What the saved main.py must contain after each fix above. */
export const PY_FIX_EXPECT: Record<(typeof PY_FIX_TITLES)[number], RegExp> = {
  'Pass GREETING to the workers through the initializer':
    /def (\w+)\(value\):\n\s+global GREETING\n\s+GREETING = value\n[\s\S]*with Pool\(2, initializer=\1, initargs=\(GREETING,\)\) as p:/,
  'Disable stale-global-read for this line': /return f"\{GREETING\} \{x\}"\s+# crossproc: disable=stale-global-read/,
};

export const RULE = 'stale-global-read';

/** Runs scripts/editor-tools.sh (cached: ~instant once installed) and reads its paths. */
export function editorTools(): { NODE24: string; CODE_SERVER: string; CHROMIUM: string; NVIM: string } {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'editor-tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const vars = Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  for (const k of ['NODE24', 'CODE_SERVER', 'CHROMIUM', 'NVIM']) if (!vars[k]) throw new Error(`editor-tools.sh did not report ${k}`);
  return vars as ReturnType<typeof editorTools>;
}

/** A fresh scratch folder with a copy of the workspace fixture in `workspace/`. */
export function scratch(prefix: string): { dir: string; workspace: string } {
  const dir = mkdtempSync(path.join(tmpdir(), `crossproc-${prefix}-`));
  const workspace = path.join(dir, 'workspace');
  cpSync(WORKSPACE_FIXTURE, workspace, { recursive: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return { dir, workspace };
}

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function poll<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
