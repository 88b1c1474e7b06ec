/**
 * Loading web-tree-sitter and the tree-sitter-python grammar (WASM, no native addon).
 *
 * The .wasm files are looked up next to the running bundle first (esbuild copies
 * `tree-sitter.wasm` and `tree-sitter-python.wasm` into dist/), then through the
 * installed packages. The code is CommonJS: no `import.meta`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Language, Parser } from 'web-tree-sitter';
import { enableFastCopy } from './tree';

let parser: Parser | null = null;
let initPromise: Promise<void> | null = null;

function locate(fileName: string, packageSpecifier: string): string {
  const local = path.join(__dirname, fileName);
  if (fs.existsSync(local)) return local;
  return require.resolve(packageSpecifier);
}

async function doInit(): Promise<void> {
  const runtimeWasm = locate('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm');
  // emscripten fills this object in as the runtime module (its exported functions):
  // the fast tree copy (tree.ts) uses a few of them, after a self-check
  const moduleOptions = {
    locateFile(scriptName: string, scriptDirectory: string): string {
      if (scriptName.endsWith('.wasm')) return runtimeWasm;
      return path.join(scriptDirectory, scriptName);
    },
  };
  await Parser.init(moduleOptions);
  const grammarPath = locate('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm');
  const language = await Language.load(new Uint8Array(fs.readFileSync(grammarPath)));
  const p = new Parser();
  p.setLanguage(language);
  enableFastCopy(moduleOptions, p);
  parser = p;
}

/** Load the parser and the Python grammar. Idempotent; concurrent callers share one load. */
export function initPython(): Promise<void> {
  if (!initPromise) {
    initPromise = doInit().catch((err: unknown) => {
      initPromise = null; // allow a retry after a failed load
      throw err;
    });
  }
  return initPromise;
}

/** The initialised parser, or null when {@link initPython} has not completed. */
export function getPythonParser(): Parser | null {
  return parser;
}
