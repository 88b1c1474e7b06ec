// ESLint's configuration for bench/table.ts: one core rule on every .js/.mjs/.cjs file it is
// given, node_modules included (ESLint ignores node_modules by default, --no-ignore or not).
export default [
  { ignores: ['!**/node_modules/'] },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], rules: { 'no-global-assign': 'error' } },
];
