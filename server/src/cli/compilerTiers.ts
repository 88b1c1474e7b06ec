/**
 * Which of V8's compilers a CLI run leans on. Both choices are V8 flags, read when code
 * tiers up, so they are set at run time, before the front ends run; a Node flag of the
 * user's about the same thing wins.
 *
 * WebAssembly (the Python parser, tree-sitter): V8 compiles each WASM function with
 * Liftoff (quick to compile, slower code) when first called, then again with TurboFan on
 * background threads once it gets hot. The parser's loop and the Python grammar's lexer
 * (one 27 KB function) get hot within the first small file, and TurboFan takes about 90 ms
 * of CPU to compile them: that pays back only after some 400 KB of Python. Measured (CPU
 * of the whole run, Liftoff only ÷ both tiers): one 12-line file 0.62, tarfile.py (107 KB)
 * 0.73, img2dataset (124 KB) 0.87, mpire (459 KB) 1.00, BiG-SCAPE (1.0 MB) 1.04, the
 * standard library (12.6 MB) 1.26. So a run with less Python than
 * {@link LIFTOFF_ONLY_BELOW} stays on Liftoff.
 *
 * JavaScript (the front ends, linking, rules): V8 re-compiles a function with TurboFan, on
 * helper threads, once it has run a budget of bytecode (`--interrupt-budget`, 67,584 in
 * Node 20's V8), and again after each deoptimisation. For the CLI that compiling is about
 * a third of a run's CPU (1.8 of 6.8 s on the standard library, `perf`), and it is paid
 * once per thread that runs the front ends: each worker of `--jobs` compiles them again.
 * When the run's threads already use every core the process may run on (`--jobs 1` under
 * `taskset -c 0`, `--jobs 2` on 2 cores), that compiling takes CPU from the analysis, so
 * a larger budget ({@link BUSY_CORES_INTERRUPT_BUDGET}: only the hottest functions, with
 * steadier type feedback, get compiled) is cheaper. Measured on the 2-core machine under
 * load (25–35), 3 rounds interleaved, medians of the whole run's CPU, V8's budget → this
 * one: standard library `--jobs 1` on 1 core 6.90 → 5.93 s, `--jobs 2` on 2 cores 8.74 →
 * 7.56 s; 3,782 node_modules files `--jobs 1` on 1 core 12.2 → 10.0 s (2 rounds). The
 * main thread itself runs about 5–9 % longer (less optimised code), so with a core to
 * spare (`--jobs 1` on 2 cores, the default) V8's own budget stays: there the compiling
 * runs beside the analysis and the run ends sooner.
 */
import * as os from 'node:os';
import { setV8Flag } from '../shared/v8Flags';

/** Characters of Python to parse below which TurboFan's compile costs more than it saves. */
export const LIFTOFF_ONLY_BELOW = 300_000;

/** `--interrupt-budget` when the run's threads use every core it may run on (about 6 × V8's default). */
export const BUSY_CORES_INTERRUPT_BUDGET = 400_000;

let decided = false;

/** The Node and V8 flags the user gave (command line and NODE_OPTIONS). */
function givenFlags(): string {
  return [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
}

/** Whether `jobs` threads use every one of `cores` (the cores this process may run on, its CPU affinity). */
export function coresBusy(jobs: number, cores: number = os.availableParallelism()): boolean {
  return jobs >= cores;
}

/**
 * The V8 flags for a run of `pythonChars` characters of Python on up to `jobs` threads,
 * as the V8 flag strings to set (none when V8's defaults serve, or the user chose).
 */
export function tierFlags(pythonChars: number, jobs: number, given = givenFlags(), cores?: number): string[] {
  const out: string[] = [];
  // Liftoff compiles every instruction the parser uses (no SIMD), so TurboFan is never needed as a fallback
  if (pythonChars < LIFTOFF_ONLY_BELOW && !/liftoff|wasm-tier|wasm-dynamic-tiering/.test(given)) out.push('--liftoff-only');
  if (coresBusy(jobs, cores) && !/interrupt-budget/.test(given)) out.push(`--interrupt-budget=${BUSY_CORES_INTERRUPT_BUDGET}`);
  return out;
}

/** Sets {@link tierFlags}, once a process: call before the front ends run. */
export function chooseCompilerTiers(pythonChars: number, jobs: number): void {
  if (decided) return;
  decided = true;
  for (const flag of tierFlags(pythonChars, jobs)) setV8Flag(flag);
}
