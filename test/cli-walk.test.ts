/**
 * Walking folders: .gitignore'd paths are skipped inside a walk, but a folder the user
 * names explicitly is analysed even when an outer .gitignore excludes it.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '..', 'dist', 'cli.js');
const BUG = 'GREETING = None\n\ndef task(x):\n    return f"{GREETING} {x}"\n\nif __name__ == "__main__":\n    from multiprocessing import Pool\n    GREETING = "Hello"\n    with Pool(2) as p:\n        print(p.map(task, [1]))\n';

function files(cwd: string, target: string): number {
  const run = spawnSync(process.execPath, [CLI, '--format', 'json', target], { cwd, encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, run.stderr);
  return JSON.parse(run.stdout).stats.files;
}

describe('cli folder walk and .gitignore', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'crossproc-walk-'));
    mkdirSync(path.join(root, '.git'));
    writeFileSync(path.join(root, '.gitignore'), '/vendor\n');
    mkdirSync(path.join(root, 'vendor', 'lib'), { recursive: true });
    writeFileSync(path.join(root, 'vendor', 'lib', 'main.py'), BUG);
    writeFileSync(path.join(root, 'vendor', '.gitignore'), 'skip.py\n');
    writeFileSync(path.join(root, 'vendor', 'skip.py'), BUG);
    writeFileSync(path.join(root, 'app.py'), BUG);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('skips the ignored folder when walking the repository', () => {
    assert.equal(files(root, '.'), 1);
  });

  it('analyses an explicitly named folder that an outer .gitignore excludes, honouring its own .gitignore', () => {
    assert.equal(files(root, 'vendor'), 1);
    assert.equal(files(root, path.join('vendor', 'lib')), 1);
  });
});
