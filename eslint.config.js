import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const readJson = (path) => JSON.parse(readFileSync(join(root, path), 'utf8'));

// DESIGN.md: dependencies point one way. A package may import only the workspace packages listed
// here (through their package entries); tools/ and e2e/ are test support, never imported by product code.
// common holds the few helpers both libraries need, since the libraries may not import each other.
const mayImport = {
  'packages/common': [],
  'packages/archive': ['packages/common'],
  'packages/resolver': ['packages/common'],
  'packages/nx-pex': ['packages/common', 'packages/archive', 'packages/resolver'],
};
const testSupport = ['tools', 'e2e'];
// Test code that checks a library together with what nx-pex passes it (archive's interpreter-constraint
// specs take the resolver's SpecifierSet, as the plugin gives it) may also import that library's entry.
const testsMayImport = {
  'packages/archive': ['packages/resolver'],
};

// Every workspace: its folder, its package name, the import specifiers its package.json exports, and the
// files that are test code (spec files and what its tsconfig.lib.json keeps out of the published build).
const workspaces = readJson('package.json').workspaces.map((dir) => {
  const pkg = readJson(`${dir}/package.json`);
  const libConfig = existsSync(join(root, dir, 'tsconfig.lib.json')) ? readJson(`${dir}/tsconfig.lib.json`) : {};
  const subpaths = Object.keys(pkg.exports ?? { '.': null }).filter((key) => key !== './package.json');
  return {
    dir,
    name: pkg.name,
    entries: subpaths.map((key) => (key === '.' ? pkg.name : `${pkg.name}${key.slice(1)}`)),
    testFiles: ['**/*.spec.ts', ...(libConfig.exclude ?? []).map((glob) => `${dir}/${glob}`)],
  };
});
for (const dir of Object.keys(mayImport)) {
  if (!workspaces.some((w) => w.dir === dir)) throw new Error(`eslint.config.js: ${dir} is not a workspace`);
}
for (const w of workspaces) {
  if (!(w.dir in mayImport) && !testSupport.includes(w.dir)) {
    throw new Error(`eslint.config.js: say what ${w.dir} may import (mayImport) or list it as test support`);
  }
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A workspace package is imported through one of its package.json entries, never by a deep path into it.
const deepImports = workspaces.map((w) => ({
  regex: `^${escapeRegExp(w.name)}/(?!(?:${w.entries
    .filter((e) => e !== w.name)
    .map((e) => escapeRegExp(e.slice(w.name.length + 1)))
    .concat('package\\.json')
    .join('|')})$)`,
  message: `import ${w.name} through its package entry (${w.entries.join(', ')}), not its internals`,
}));

// The zones a package's files may not import from (matched on the resolved path, so a package name and a
// relative path are caught alike). Test code may use tools/ and e2e/; product code may not.
function zones(dir, { product }) {
  const allowed = [...mayImport[dir], ...(product ? [] : (testsMayImport[dir] ?? []))];
  const others = Object.keys(mayImport).filter((other) => other !== dir && !allowed.includes(other));
  const result = others.map((other) => ({
    target: dir,
    from: other,
    message: `${dir} may not import ${other} (DESIGN.md: nx-pex → resolver, archive → common; the libraries import neither each other nor the plugin)`,
  }));
  if (product) {
    result.push(
      ...testSupport.map((support) => ({
        target: dir,
        from: support,
        message: `product code may not import ${support}/ (test support); only spec and test-support files may`,
      })),
    );
  }
  return result;
}

const boundaries = workspaces
  .filter((w) => w.dir in mayImport)
  .flatMap((w) => [
    {
      files: [`${w.dir}/src/**/*.ts`],
      ignores: w.testFiles,
      rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones: zones(w.dir, { product: true }) }] },
    },
    {
      files: w.testFiles.map((glob) => (glob.startsWith('**/') ? `${w.dir}/src/${glob}` : glob)),
      rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones: zones(w.dir, { product: false }) }] },
    },
  ])
  .filter((block) => block.rules['import-x/no-restricted-paths'][1].zones.length > 0);

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/files/**', 'examples/**', '.e2e/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Sources import each other with '.js' specifiers (NodeNext); '@nx-pex/source' maps a workspace
      // package to its TypeScript sources, as in vitest.config.ts and tsconfig.base.json.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.js'] },
          conditionNames: ['@nx-pex/source', 'types', 'import', 'default'],
        }),
      ],
    },
    rules: {
      // An import the resolver cannot find would pass every boundary rule unseen.
      'import-x/no-unresolved': 'error',
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      // Another workspace's files are reached through its package name, never '../../other/src/...'.
      'import-x/no-relative-packages': 'error',
      'no-restricted-imports': ['error', { patterns: deepImports }],
    },
  },
  ...boundaries,
);
