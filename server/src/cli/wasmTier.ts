/**
 * Which of V8's WebAssembly compilers runs the Python parser (tree-sitter, WASM) in a CLI
 * run. V8 compiles each WASM function with Liftoff (quick to compile, slower code) when
 * first called, then again with TurboFan on background threads once it gets hot. The
 * parser's loop and the Python grammar's lexer (one 27 KB function) get hot within the
 * first small file, and TurboFan takes about 90 ms of CPU to compile them: that pays back
 * only after some 400 KB of Python. Measured (CPU of the whole run, Liftoff only ÷ both
 * tiers): one 12-line file 0.62, tarfile.py (107 KB) 0.73, img2dataset (124 KB) 0.87,
 * mpire (459 KB) 1.00, BiG-SCAPE (1.0 MB) 1.04, the standard library (12.6 MB) 1.26.
 * So a run with less Python than {@link LIFTOFF_ONLY_BELOW} stays on Liftoff.
 */
import { setFlagsFromString } from 'node:v8';

/** Characters of Python to parse below which TurboFan's compile costs more than it saves. */
export const LIFTOFF_ONLY_BELOW = 300_000;

let decided = false;

/**
 * Called before the parser's WASM is compiled (the flag is read when a function tiers up;
 * V8 takes it at run time). A Node flag of the user's about WASM tiers wins. Liftoff
 * compiles every instruction the parser uses (no SIMD), so TurboFan is never needed as a
 * fallback.
 */
export function chooseWasmTier(pythonChars: number): void {
  if (decided) return;
  decided = true;
  if (pythonChars >= LIFTOFF_ONLY_BELOW) return;
  const given = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  if (/liftoff|wasm-tier|wasm-dynamic-tiering/.test(given)) return;
  setFlagsFromString('--liftoff-only');
}
