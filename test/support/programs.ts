/**
 * Small programs and helpers shared by the CLI, SARIF and LSP tests.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The built CLI; `npm test` builds before running mocha. */
export const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

/** A Node program whose worker reads a config value the parent changed (stale-global-read on worker.js:3). */
export const NODE_PROGRAM: Record<string, string> = {
  'main.js':
    "const { Worker } = require('node:worker_threads');\n" +
    "const config = require('./config');\n" +
    "config.settings.mode = 'fast';\n" +
    "new Worker(require('node:path').join(__dirname, 'worker.js'));\n",
  'config.js': "module.exports.settings = { mode: 'slow' };\n",
  'worker.js': "const config = require('./config');\n\nconsole.log(config.settings.mode);\n",
};

/** A Python program whose pool task reads a global set under the main guard (stale-global-read on main.py:4). */
export const PYTHON_PROGRAM: Record<string, string> = {
  'main.py':
    'GREETING = None\n\ndef task(x):\n    return f"{GREETING} {x}"\n\n' +
    'if __name__ == "__main__":\n    from multiprocessing import Pool\n    GREETING = "Hello"\n' +
    '    with Pool(2) as p:\n        print(p.map(task, [1, 2]))\n',
};

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with `args` in `cwd`. */
export function runCli(cwd: string, ...args: string[]): CliRun {
  return runCliWithEnv(cwd, {}, ...args);
}

/** Runs the built CLI with `args` in `cwd`, with `env` over a colour-neutral environment. */
export function runCliWithEnv(cwd: string, env: Record<string, string | undefined>, ...args: string[]): CliRun {
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '' };
  // what the environment of a CI run would change in the output
  for (const name of ['FORCE_COLOR', 'GITHUB_WORKSPACE', 'CI_PROJECT_DIR']) delete base[name];
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes `files` (relative path → text or bytes) under a new temp folder and returns it. */
export function makeTree(files: Record<string, string | Buffer>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-cli-'));
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return root;
}

