/**
 * `npx tsx bench/heap-snapshot.ts OUT.heapsnapshot [--10k]`: a heap snapshot of the language
 * server at rest after indexing the standard-library workspace (--10k: the 10,000-file one),
 * for bench/heap-summary.ts. The server runs under a wrapper that writes the snapshot on
 * SIGUSR2 (after the idle collection the server logs as "At rest").
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { IDLE_MS } from '../server/src/handlers/memory';
import { SERVER, startSession, waitFor } from '../test/support/lsp-session';
import { rssMbOf } from '../test/support/soak';
import { linkWorkspace } from './server';
import { loadTree } from './common';
import { SKIPPED_DIRECTORIES } from '../server/src/shared/protocol';

function snapshottingServer(server: string, out: string): string {
  const wrapper = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crossproc-bench-heap-')), 'server.js');
  fs.writeFileSync(
    wrapper,
    `process.on('SIGUSR2', () => {
  const v8 = require('node:v8');
  v8.writeHeapSnapshot(${JSON.stringify(out + '.part')});
  require('node:fs').renameSync(${JSON.stringify(out + '.part')}, ${JSON.stringify(out)});
});
process.argv[1] = ${JSON.stringify(server)};
require(${JSON.stringify(server)});
`,
  );
  return wrapper;
}

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2]);
  const tenK = process.argv.includes('--10k');
  const root = execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
  const all = (await loadTree(root, new Set(SKIPPED_DIRECTORIES))).files.map((f) => f.path);
  const inSite = (f: string) => f.includes(`${path.sep}site-packages${path.sep}`);
  const files = tenK ? [...all.filter((f) => !inSite(f)), ...all.filter(inSite)].slice(0, 10_000) : all.filter((f) => !inSite(f));
  const ws = linkWorkspace('heap', root, files);
  fs.rmSync(out, { force: true });
  try {
    const session = await startSession(ws, { folderName: path.basename(ws), server: snapshottingServer(process.env.CROSSPROC_SERVER ?? SERVER, out) });
    const idles = () => session.notified<{ state: string }>('crossproc/status').filter((p) => p.state === 'idle').length;
    const rests = () => session.log.filter((l) => l.startsWith('At rest:'));
    let seen = idles();
    await waitFor('the load', () => {
      if (session.log.some((l) => /Loaded \d+ files/.test(l))) return true;
      seen = idles();
      return false;
    }, 30 * 60_000);
    const restsBefore = rests().length;
    await waitFor('the analysis', () => idles() > seen, 30 * 60_000);
    await waitFor('the idle collection', () => rests().length > restsBefore, 120_000).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 1000));
    console.log(`${rests().join(' | ')}; RSS ${rssMbOf(session.child.pid!).toFixed(0)} MB`);
    // the mappings too (what of RSS is not the heap): OUT.smaps
    fs.writeFileSync(`${out}.smaps`, fs.readFileSync(`/proc/${session.child.pid}/smaps`));
    if (!process.argv.includes('--smaps-only')) {
      session.child.kill('SIGUSR2');
      await waitFor('the snapshot', () => fs.existsSync(out), 60 * 60_000);
    }
    await session.close();
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
