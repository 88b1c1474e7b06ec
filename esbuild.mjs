// Bundles the extension client, the language server and the CLI into dist/.
//   node esbuild.mjs               one build (with source maps)
//   node esbuild.mjs --watch       rebuild on change (used by .vscode/tasks.json)
//   node esbuild.mjs --production  minified build for packaging
import * as esbuild from 'esbuild';
import { chmod, copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** The .wasm files the Python front end loads from next to the server/CLI bundle (TypeScript's compiler: see lazyTypescript). */
const WASM_FILES = [
  'node_modules/web-tree-sitter/tree-sitter.wasm',
  'node_modules/tree-sitter-python/tree-sitter-python.wasm',
];

/**
 * web-tree-sitter's package exports an ES module for `import` and a CommonJS build for
 * `require`. Our bundles are CommonJS, where `import.meta.url` (used by the ES build to
 * find itself) is empty, so always take the CommonJS build.
 */
const webTreeSitterCjs = {
  name: 'web-tree-sitter-cjs',
  setup(build) {
    const cjs = require.resolve('web-tree-sitter'); // the "require" condition: tree-sitter.cjs
    build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: cjs }));
  },
};

/**
 * TypeScript's compiler (9 MB) is shipped once, as dist/typescript.js next to the bundles,
 * and loaded on first use: a Python-only run of the CLI or the server never parses,
 * compiles or initialises it. `import ts from 'typescript'` gets a live binding that is a
 * Proxy until the compiler is needed: its enums and constants (read here, at build time,
 * from the same file that is copied) answer as data, any other name loads the compiler.
 * Loading rebinds the import to an object literal of the names the sources read
 * (`ts.name`, found here in server/src) whose prototype is the compiler's exports: those
 * are getters on an object of 2,200 properties (V8 keeps it in dictionary mode, so each
 * `ts.isIdentifier` was a hash lookup and a getter call), the literal's are plain fast
 * properties; its enums are the compiler's own (V8 keeps `ts.SyntaxKind` fast, a
 * JSON.parse copy of it not). Measured: the CLI on node_modules' 7,749 files, CPU 6 %
 * less than the stand-in object with the compiler's values copied in, which cost ~15 ms of
 * start-up for its 2,100 accessors.
 */
const TYPESCRIPT_FILE = 'node_modules/typescript/lib/typescript.js';
const lazyTypescript = {
  name: 'lazy-typescript',
  setup(build) {
    build.onResolve({ filter: /^typescript$/ }, () => ({ path: 'typescript', namespace: 'lazy-typescript' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-typescript' }, async () => {
      const ts = require(path.join(root, TYPESCRIPT_FILE));
      // Enums (`ts.SyntaxKind`...) and constants are data: the front ends build tables from
      // them at import time, so they are copied in here and need no compiler.
      const data = {};
      for (const name of Object.keys(ts)) {
        const v = ts[name];
        const isEnum = v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype
          && Object.values(v).every((x) => typeof x === 'number' || typeof x === 'string');
        if (isEnum || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') data[name] = v;
      }
      const used = [...(await namesReadFromTs(path.join(root, 'server', 'src')))].filter((n) => n in ts).sort();
      return {
        loader: 'js',
        resolveDir: root,
        contents: `
import { requireWithCodeCache } from './server/src/shared/codeCache';
const data = JSON.parse(${JSON.stringify(JSON.stringify(data))});
let compiler;
function load() {
  if (!compiler) {
    // the file next to the bundle, at run time (not bundled), through a V8 code cache
    const c = requireWithCodeCache(require("path").join(__dirname, "typescript.js"));
    compiler = c;
    ts = { __proto__: c, ${used.map((n) => `${n}: c.${n}`).join(', ')} };
  }
  return compiler;
}
let ts = new Proxy(data, {
  get: (target, name) => (compiler ? compiler[name] : Object.prototype.hasOwnProperty.call(target, name) ? target[name] : load()[name]),
});
// the sources use \`import ts from 'typescript'\` and \`ts.name\` only: an ES module's
// default export, so that \`ts\` stays a live binding (the compiler once loaded)
export { ts as default };
`,
      };
    });
  },
};

/** The names the sources read as \`ts.name\` (every .ts file under \`dir\` that imports 'typescript'). */
async function namesReadFromTs(dir) {
  const names = new Set();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = await readFile(path.join(entry.parentPath ?? entry.path, entry.name), 'utf8');
    if (!/^import (type )?ts from 'typescript'/m.test(text)) continue;
    for (const m of text.matchAll(/\bts\.([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  }
  return names;
}

/** Marks the CLI bundle executable after every successful build (it has a shebang). */
const executable = {
  name: 'executable',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length === 0) await chmod(path.join(root, build.initialOptions.outfile), 0o755);
    });
  },
};

/** Prints esbuild's problems in the format the tasks.json problem matcher reads. */
const reporter = (label) => ({
  name: `report-${label}`,
  setup(build) {
    build.onStart(() => {
      if (watch) console.log(`[watch] build started (${label})`);
    });
    build.onEnd((result) => {
      // Outside watch mode esbuild prints its own messages (logLevel).
      for (const { text, location } of watch ? [...result.errors, ...result.warnings] : []) {
        if (!location) continue;
        console.error(`✘ [ERROR] ${text}`);
        console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log(`[watch] build finished (${label})`);
    });
  },
});

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // the packaged extension ships without maps (they would triple its size)
  sourcemap: !production,
  sourcesContent: false,
  minify: production,
  logLevel: watch ? 'silent' : 'warning',
  // TypeScript's compiler carries optional `require`s of modules it does not need here.
  logOverride: { 'require-resolve-not-external': 'silent', 'unsupported-dynamic-import': 'silent' },
};

const targets = [
  { label: 'client', entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { label: 'server', entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', plugins: [webTreeSitterCjs, lazyTypescript] },
  {
    label: 'cli',
    entryPoints: ['server/src/cli/main.ts'],
    outfile: 'dist/cli.js',
    plugins: [webTreeSitterCjs, lazyTypescript, executable],
    banner: { js: '#!/usr/bin/env node' },
  },
  // the CLI's --jobs worker threads (server/src/cli/modelPool.ts): the front ends only
  { label: 'model-worker', entryPoints: ['server/src/cli/modelWorker.ts'], outfile: 'dist/model-worker.js', plugins: [webTreeSitterCjs, lazyTypescript] },
];

async function copyAssets() {
  // a production build starts clean, so no map or stale file of a dev build gets packaged
  if (production) await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  await Promise.all([...WASM_FILES, TYPESCRIPT_FILE].map((file) => copyFile(path.join(root, file), path.join(dist, path.basename(file)))));
}

async function main() {
  await copyAssets();
  const contexts = await Promise.all(
    targets.map(({ label, plugins = [], ...options }) =>
      esbuild.context({ ...common, ...options, absWorkingDir: root, plugins: [...plugins, reporter(label)] }),
    ),
  );
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  try {
    const results = await Promise.allSettled(contexts.map((ctx) => ctx.rebuild()));
    if (results.some((r) => r.status === 'rejected')) process.exitCode = 1;
  } finally {
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
