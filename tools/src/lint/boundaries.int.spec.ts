// The repository's lint rules for package boundaries and import cycles (eslint.config.js) fire on each
// kind of violation DESIGN.md forbids, and stay quiet on the imports it allows. Each case lints a text as
// if it were a file at that path (nothing is written), against the real tree around it.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: repoRoot });
const BOUNDARY_RULES = new Set([
  'import-x/no-cycle',
  'import-x/no-restricted-paths',
  'import-x/no-relative-packages',
  'import-x/no-unresolved',
  'no-restricted-imports',
]);

/** The boundary rules that report on `code` linted as the file at `path` (relative to the repository). */
async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, path) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId))
    .map((m) => m.ruleId!)
    .sort();
}

describe('lint: import cycles', () => {
  it('a module importing its package entry, which re-exports it, is a cycle', async () => {
    // version.ts is reached from the resolver's index.ts; importing the index back closes the loop.
    expect(
      await violations('packages/resolver/src/pep440/version.ts', "export { SpecifierSet } from '../index.js';\n"),
    ).toEqual(['import-x/no-cycle']);
  });

  it('an import that goes nowhere back is not', async () => {
    expect(
      await violations('packages/resolver/src/pep440/probe.ts', "export { Version } from './version.js';\n"),
    ).toEqual([]);
  });
});

describe('lint: the libraries do not import each other or the plugin', () => {
  it('archive → resolver: never in product code; archive specs may take the resolver entry (what nx-pex passes), never its files', async () => {
    expect(await violations('packages/archive/src/probe.ts', "import '@nx-pex/resolver';\n")).toEqual([
      'import-x/no-restricted-paths',
    ]);
    expect(await violations('packages/archive/src/probe.spec.ts', "import '@nx-pex/resolver';\n")).toEqual([]);
    expect(
      await violations('packages/archive/src/pex/probe.spec.ts', "import '../../../resolver/src/pep440/version.js';\n"),
    ).toEqual(['import-x/no-relative-packages']);
    expect(await violations('packages/resolver/src/probe.spec.ts', "import '@nx-pex/archive';\n")).toEqual([
      'import-x/no-restricted-paths',
    ]);
  });

  it('the libraries share helpers through @nx-pex/common, which imports none of them', async () => {
    expect(await violations('packages/archive/src/probe.ts', "import '@nx-pex/common';\n")).toEqual([]);
    expect(await violations('packages/resolver/src/probe.ts', "import '@nx-pex/common';\n")).toEqual([]);
    for (const other of ['@nx-pex/archive', '@nx-pex/resolver', 'nx-pex']) {
      expect(await violations('packages/common/src/probe.ts', `import '${other}';\n`)).toEqual([
        'import-x/no-restricted-paths',
      ]);
    }
  });

  it('resolver → archive', async () => {
    expect(await violations('packages/resolver/src/probe.ts', "import '@nx-pex/archive';\n")).toEqual([
      'import-x/no-restricted-paths',
    ]);
  });

  it('a library → nx-pex', async () => {
    expect(await violations('packages/archive/src/probe.ts', "import 'nx-pex';\n")).toEqual([
      'import-x/no-restricted-paths',
    ]);
    expect(await violations('packages/resolver/src/lock/probe.spec.ts', "import 'nx-pex';\n")).toEqual([
      'import-x/no-restricted-paths',
    ]);
  });
});

describe('lint: product code stays out of test support and other packages’ internals', () => {
  it('product code may not import tools/ or e2e/; spec and test-support files may import tools/', async () => {
    expect(await violations('packages/nx-pex/src/utils/probe.ts', "import '@nx-pex/tools';\n")).toEqual([
      'import-x/no-restricted-paths',
    ]);
    expect(await violations('packages/resolver/src/probe.ts', "import '../../../e2e/src/harness/index.js';\n")).toEqual(
      ['import-x/no-relative-packages', 'import-x/no-restricted-paths'],
    );
    expect(await violations('packages/nx-pex/src/utils/probe.spec.ts', "import '@nx-pex/tools';\n")).toEqual([]);
    expect(await violations('packages/resolver/src/testing/probe.ts', "import '@nx-pex/tools';\n")).toEqual([]);
  });

  it("another package's internals by relative path", async () => {
    expect(
      await violations('packages/nx-pex/src/utils/probe.ts', "import '../../../resolver/src/pep440/version.js';\n"),
    ).toEqual(['import-x/no-relative-packages']);
    expect(
      await violations('e2e/src/probe.e2e.spec.ts', "import '../../packages/nx-pex/src/utils/node-version.js';\n"),
    ).toEqual(['import-x/no-relative-packages']);
  });
});

describe('lint: nx-pex imports a library through its package entry', () => {
  it('a deep import into a library is refused; its exported entries are not', async () => {
    expect(
      await violations('packages/nx-pex/src/utils/probe.ts', "import '@nx-pex/resolver/src/pep440/version.js';\n"),
    ).toContain('no-restricted-imports');
    expect(
      await violations('packages/nx-pex/src/utils/probe.ts', "import '@nx-pex/archive/dist/index.js';\n"),
    ).toContain('no-restricted-imports');
    expect(
      await violations(
        'packages/nx-pex/src/utils/probe.ts',
        "import '@nx-pex/resolver';\nimport '@nx-pex/resolver/standards';\nimport '@nx-pex/archive';\n",
      ),
    ).toEqual([]);
  });
});
