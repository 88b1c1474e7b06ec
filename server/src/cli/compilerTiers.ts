/**
 * Which of V8's compilers a CLI run leans on, and how its garbage collector uses threads.
 * These choices are V8 flags read when code tiers up or a collection starts, so they are
 * set at run time, before the front ends run; a Node flag of the user's about the same
 * thing wins.
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
 * a third of a run's CPU, and it is paid once per thread that runs the front ends: each
 * worker of `--jobs` compiles them again. A larger budget ({@link INTERRUPT_BUDGET}: only
 * the hottest functions, with steadier type feedback, get compiled) costs less CPU, and on
 * a whole run it costs no wall time either, even with a core to spare for the compiling:
 * the main thread runs less optimised code, but it also stops less often to install code
 * and to deoptimise. Measured on the 2-core machine, idle, interleaved, medians, CPU
 * (user + sys) and wall, V8's budget → this one, `--jobs 1` on both cores: standard library
 * (799 files) 5.8 → 4.9 s CPU, 4.1 → 3.9 s wall; 7,749 node_modules files 13.9 → 13.2 s
 * CPU, 10.1 → 10.2 s wall. Under load (25–35), `--jobs 1` on 1 core: standard library
 * 6.90 → 5.93 s; `--jobs 2` on 2 cores 8.74 → 7.56 s. (Session 7 kept V8's budget when a
 * core was spare, from a main-thread measurement; the whole run's wall time says otherwise.)
 * The language server keeps V8's budget: its edits re-run a few hot functions, which the
 * larger budget leaves unoptimised longer (server CPU per edit on tarfile.py, 60 edits,
 * load 5–8: 32–36 → 41 ms). A run with more Python than JS/TS raises it further
 * ({@link PYTHON_INTERRUPT_BUDGET}): on the standard library V8's helper threads' CPU fell
 * by about half a second (1.8 → 1.3 s, under load 8–12), the main thread's rose by less;
 * 800,000, 1,200,000 and 2,000,000 measured alike, all less than 400,000. On JS (TypeScript's
 * compiler is the front end) it is the other way: on node_modules' 7,749 files the helper
 * threads' CPU fell 6.0 → 2.9 s but the main thread's rose 10.7 → 15.1 s (with the flag
 * below too).
 *
 * Garbage collection ({@link GC_FLAG}), runs with more Python than JS/TS: V8 scavenges the
 * young generation with helper threads in parallel. The Python front end's young objects
 * are mostly a file's syntax tree and the model made from it, and the parallel scavenge
 * cost more CPU than it saved the main thread: its helper threads used about 0.5 s of CPU
 * on the standard library, and with the flag the main thread used about 0.2 s more. (`--single-threaded-gc`, which also
 * stops concurrent marking and sweeping, saved about 0.2 s more, but V8 cannot take it
 * once the heap has started: setting it at run time crashed the process in its next
 * full collection.)
 */
import { setV8Flag } from '../shared/v8Flags';

/** Characters of Python to parse below which TurboFan's compile costs more than it saves. */
export const LIFTOFF_ONLY_BELOW = 300_000;

/** `--interrupt-budget` of a CLI run (about 6 × V8's default). */
export const INTERRUPT_BUDGET = 400_000;

/** `--interrupt-budget` of a run with more Python than JS/TS (about 15 × V8's default). */
export const PYTHON_INTERRUPT_BUDGET = 1_000_000;

/** The young generation is scavenged by the thread that allocated it alone (runs with more Python than JS/TS; see above). */
export const GC_FLAG = '--no-parallel-scavenge';

let decided = false;

/** The Node and V8 flags the user gave (command line and NODE_OPTIONS). */
function givenFlags(): string {
  return [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
}

/**
 * The V8 flags for a run of `pythonChars` characters of Python and `jsChars` of JS/TS, as
 * the V8 flag strings to set (none where the user chose).
 */
export function tierFlags(pythonChars: number, jsChars: number, given = givenFlags()): string[] {
  const out: string[] = [];
  const pythonLed = pythonChars > jsChars;
  // Liftoff compiles every instruction the parser uses (no SIMD), so TurboFan is never needed as a fallback
  if (pythonChars < LIFTOFF_ONLY_BELOW && !/liftoff|wasm-tier|wasm-dynamic-tiering/.test(given)) out.push('--liftoff-only');
  if (!/interrupt-budget/.test(given)) out.push(`--interrupt-budget=${pythonLed ? PYTHON_INTERRUPT_BUDGET : INTERRUPT_BUDGET}`);
  if (pythonLed && !/single-threaded|parallel-scavenge/.test(given)) out.push(GC_FLAG);
  return out;
}

/** Sets {@link tierFlags}, once a process: call before the front ends run. */
export function chooseCompilerTiers(pythonChars: number, jsChars: number): void {
  if (decided) return;
  decided = true;
  for (const flag of tierFlags(pythonChars, jsChars)) setV8Flag(flag);
}
