// Ruff's WebAssembly build (@astral-sh/ruff-wasm-nodejs, the only Ruff that installs from
// the registries this machine reaches) on the files listed in argv[2] (one path a line),
// with one rule selected (argv[3], default PLW0603, `global-statement`). Prints the number
// of diagnostics. Run by bench/table.ts as a child process so that its CPU is measured alone.
const fs = require('node:fs');
const { Workspace, PositionEncoding } = require('@astral-sh/ruff-wasm-nodejs');

const files = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const rule = process.argv[3] || 'PLW0603';
const workspace = new Workspace({ lint: { select: [rule] } }, PositionEncoding.Utf16);
let count = 0;
for (const file of files) count += workspace.check(fs.readFileSync(file, 'utf8')).length;
console.log(count);
