/**
 * Loads one of our own CommonJS files (dist/typescript.js, TypeScript's compiler, 9 MB)
 * through a V8 code cache kept beside it, in `.v8-cache/`. Without one, V8 parses the
 * whole file and compiles each function it runs: loading the compiler and parsing a small
 * file took 165 ms of CPU, with the cache 47 ms; a CLI run on a one-file JS project went
 * from about 370 to 250 ms. The cache is made at the end of the first run that finds none
 * (so it holds every function that run compiled, not only the top level) and is written
 * atomically; V8 checks it against its version and flags and refuses it otherwise, and
 * then the file is compiled as without a cache and the cache made again.
 *
 * Its key names what V8 checks and what it cannot see: Node's version and architecture,
 * the Node and V8 flags (command line, NODE_OPTIONS, and those set at run time through
 * v8Flags.ts), and the file's size, modification time and inode (V8 itself compares only
 * the source's length). Nothing is cached where the folder is not writable (a read-only
 * install), or with CROSSPROC_CODE_CACHE=0. Only files shipped with Crossproc are loaded
 * this way, never analysed code.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { threadId } from 'node:worker_threads';
import { v8FlagsSet } from './v8Flags';

/** The folder, beside the loaded file, that holds its caches. */
export const CODE_CACHE_DIR = '.v8-cache';
/** Caches kept per file (other keys: other flags, Node versions, builds), the most recently written. */
const KEEP = 4;

export type CodeCacheState = 'used' | 'made' | 'rejected' | 'off';

/** How the last {@link requireWithCodeCache} went: the cache file, and whether V8 took it. */
export interface CodeCacheLoad {
  file: string;
  cacheFile?: string;
  /** used: V8 took the cache; made: there was none; rejected: V8 refused it; off: no cache at all */
  state: CodeCacheState;
}

let last: CodeCacheLoad | undefined;

/** Caches to write at exit. */
interface Pending {
  script: vm.Script;
  dir: string;
  cacheFile: string;
  base: string;
}

const pending: Pending[] = [];
let exitHook = false;

export function lastCodeCacheLoad(): CodeCacheLoad | undefined {
  return last;
}

function cacheKey(stat: fs.Stats): string {
  const parts = [
    process.version,
    process.arch,
    process.execArgv.join(' '),
    process.env['NODE_OPTIONS'] ?? '',
    v8FlagsSet().join(' '),
    stat.size,
    stat.mtimeMs,
    stat.ino,
  ];
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

/** `require(file)`, through the code cache where it can be kept. */
export function requireWithCodeCache(file: string): unknown {
  const plain = createRequire(file);
  if (process.env['CROSSPROC_CODE_CACHE'] === '0') {
    last = { file, state: 'off' };
    return plain(file);
  }
  let source: string;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    source = fs.readFileSync(file, 'utf8');
  } catch {
    last = { file, state: 'off' };
    return plain(file); // and let require report what is wrong
  }
  const dir = path.join(path.dirname(file), CODE_CACHE_DIR);
  const cacheFile = path.join(dir, `${path.basename(file)}.${cacheKey(stat)}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    /* none yet */
  }
  // the wrapper Node puts around a CommonJS module, on the first line so that lines keep their numbers
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source.replace(/^#!.*/, '')}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  const state: CodeCacheState = cachedData === undefined ? 'made' : script.cachedDataRejected ? 'rejected' : 'used';
  last = { file, cacheFile, state };
  const module = { exports: {} as unknown, id: file, filename: file, loaded: false };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, plain, module, file, path.dirname(file));
  module.loaded = true;
  if (state !== 'used') {
    if (!exitHook) process.once('exit', saveCodeCaches);
    exitHook = true;
    pending.push({ script, dir, cacheFile, base: path.basename(file) });
  }
  return module.exports;
}

/** Writes the caches still to make, with every function compiled so far: a temp file, then renamed. Runs at exit. */
function saveCodeCaches(): void {
  for (const p of pending.splice(0)) writeCache(p);
}

function writeCache({ script, dir, cacheFile, base }: Pending): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const temp = `${cacheFile}.${process.pid}-${threadId}.tmp`;
    fs.writeFileSync(temp, script.createCachedData());
    fs.renameSync(temp, cacheFile);
    const others = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(`${base}.`) && f.endsWith('.bin'))
      .map((f) => ({ f, mtime: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const { f } of others.slice(KEEP)) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    /* a folder we cannot write: no cache */
  }
}
