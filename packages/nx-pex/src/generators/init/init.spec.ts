import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, readNxJson, updateJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from 'nx/src/devkit-testing-exports.js';
import { snapshot } from '../utils/testing.js';
import { initGenerator, PYTHON_INPUTS } from './init.js';
import { checkNxVersion, declaredNxVersion, installedNxVersion } from './nx-version.js';

function workspace(nx = '^24.0.6'): Tree {
  const tree = createTreeWithEmptyWorkspace();
  updateJson(tree, 'package.json', (pkg: { devDependencies: Record<string, string> }) => ({
    ...pkg,
    devDependencies: { ...pkg.devDependencies, nx },
  }));
  return tree;
}

afterEach(() => vi.restoreAllMocks());

describe('init generator', () => {
  it('registers the plugin, named inputs, target defaults and .gitignore lines', async () => {
    const tree = workspace();
    await initGenerator(tree, { skipFormat: true });
    const nxJson = readNxJson(tree)!;
    expect(nxJson.plugins).toEqual([{ plugin: 'nx-pex', options: { buildTargetName: 'build' } }]);
    expect(nxJson.namedInputs?.['python']).toEqual(PYTHON_INPUTS);
    expect(nxJson.namedInputs?.['production']).toEqual([
      'default',
      '!{projectRoot}/tests/**/*',
      '!{projectRoot}/**/test_*.py',
      '!{projectRoot}/**/*_test.py',
      '!{projectRoot}/**/conftest.py',
    ]);
    // cache only: inputs in target defaults would override the inferred build target's.
    expect(nxJson.targetDefaults?.['nx-pex:pex']).toEqual({ cache: true });
    // The workspace's other target defaults are untouched.
    expect(nxJson.targetDefaults?.['build']).toEqual({ cache: true });
    expect(tree.read('.gitignore', 'utf-8')).toBe('# nx-pex\ndist\n.venv\n__pycache__\n');
  });

  it('changes nothing when run a second time (same tree, byte for byte)', async () => {
    const tree = workspace();
    await initGenerator(tree, { skipFormat: true });
    const first = snapshot(tree);
    await initGenerator(tree, { skipFormat: true });
    expect(snapshot(tree)).toEqual(first);
  });

  it("keeps the user's entries and only adds what is missing", async () => {
    const tree = workspace();
    updateJson(tree, 'nx.json', (nxJson) => ({
      ...nxJson,
      plugins: ['nx-pex', '@nx/js/typescript'],
      namedInputs: {
        python: ['{projectRoot}/**/*.py'],
        production: ['default', '!{projectRoot}/**/*.spec.ts', '!{projectRoot}/tests/**/*'],
      },
      targetDefaults: { 'nx-pex:pex': { cache: false, dependsOn: ['^build'] } },
    }));
    tree.write('.gitignore', 'node_modules\n/dist/\n');
    await initGenerator(tree, { skipFormat: true });
    const nxJson = readNxJson(tree)!;
    expect(nxJson.plugins).toEqual(['nx-pex', '@nx/js/typescript']);
    expect(nxJson.namedInputs?.['python']).toEqual(['{projectRoot}/**/*.py']);
    expect(nxJson.namedInputs?.['production']).toEqual([
      'default',
      '!{projectRoot}/**/*.spec.ts',
      '!{projectRoot}/tests/**/*',
      '!{projectRoot}/**/test_*.py',
      '!{projectRoot}/**/*_test.py',
      '!{projectRoot}/**/conftest.py',
    ]);
    expect(nxJson.targetDefaults?.['nx-pex:pex']).toEqual({ cache: false, dependsOn: ['^build'] });
    expect(tree.read('.gitignore', 'utf-8')).toBe('node_modules\n/dist/\n\n# nx-pex\n.venv\n__pycache__\n');
  });

  it('leaves target defaults in the array form alone', async () => {
    const tree = workspace();
    const entries = [{ filter: { projects: 'tag:x' }, cache: false }];
    updateJson(tree, 'nx.json', (nxJson) => ({ ...nxJson, targetDefaults: { 'nx-pex:pex': entries } }));
    await initGenerator(tree, { skipFormat: true });
    expect(readNxJson(tree)?.targetDefaults?.['nx-pex:pex']).toEqual(entries);
  });

  it('refuses an unsupported Nx version before writing anything', async () => {
    for (const nx of ['21.6.0', '~25.0.0', '19']) {
      const tree = workspace(nx);
      const before = snapshot(tree);
      await expect(initGenerator(tree, { skipFormat: true })).rejects.toThrow(
        new RegExp(
          `supports Nx >=22.0.0 <25.0.0, but this workspace has Nx [0-9.]+ \\(from package.json \\("nx": "${nx.replace(/[.^~]/g, '\\$&')}"\\)\\)`,
        ),
      );
      expect(snapshot(tree)).toEqual(before);
    }
  });
});

describe('the Nx version check', () => {
  it('reads the installed nx package of the workspace first', () => {
    const root = mkdtempSync(join(tmpdir(), 'nx-pex-init-'));
    try {
      mkdirSync(join(root, 'node_modules', 'nx'), { recursive: true });
      writeFileSync(join(root, 'package.json'), '{}');
      writeFileSync(
        join(root, 'node_modules', 'nx', 'package.json'),
        JSON.stringify({ name: 'nx', version: '25.1.0' }),
      );
      const found = installedNxVersion(root);
      expect(found?.version).toBe('25.1.0');
      expect(() => checkNxVersion(found)).toThrow(
        /this workspace has Nx 25.1.0 \(from .*node_modules.nx.package.json\)/,
      );
      expect(installedNxVersion(join(root, 'node_modules', 'nx', 'missing'))?.version).toBe('25.1.0');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('accepts the supported range, pre-releases included', () => {
    for (const version of ['22.0.0', '22.0.0-beta.1', '23.4.1', '24.0.6', '24.9.0-beta.1']) {
      expect(() => checkNxVersion({ version, source: 'test' })).not.toThrow();
    }
    expect(() => checkNxVersion({ version: '25.0.0-rc.0', source: 'test' })).toThrow(/25.0.0-rc.0/);
  });

  it('warns, and does not fail, when the version cannot be known', () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const tree = workspace('latest');
    expect(declaredNxVersion(tree)).toBeUndefined();
    checkNxVersion(undefined);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringContaining('"latest", which is not a version range'),
      expect.stringContaining("could not find the workspace's Nx version"),
    ]);
  });
});
