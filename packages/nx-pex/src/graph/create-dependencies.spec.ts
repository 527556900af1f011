import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CreateDependenciesContext } from '@nx/devkit';
import { createDependencies } from './create-dependencies.js';
import { writeTree } from '@nx-pex/tools';

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-pex-deps-'));
  writeTree(root, files);
  return root;
}

describe('createDependencies', () => {
  it('adds edges from requirements, imports and to external nodes, caching per file hash', async () => {
    const files: Record<string, string> = {
      'apps/svc/pyproject.toml': '[project]\nname = "svc"\ndependencies = ["requests==2.34.2", "my-lib"]\n',
      'apps/svc/src/svc/__main__.py': 'import requests\nfrom util.text import shout\n',
      'libs/my-lib/pyproject.toml': '[project]\nname = "my-lib"\n',
      'libs/my-lib/src/my_lib/__init__.py': '',
      'libs/util/pyproject.toml': '[project]\nname = "util"\n',
      'libs/util/src/util/__init__.py': '',
      'libs/util/src/util/text.py': 'import my_lib\n',
      'tools/ts/package.json': '{}',
    };
    const root = workspace(files);
    const projectFileMap: Record<string, { file: string; hash: string }[]> = {
      svc: [],
      'my-lib': [],
      util: [],
      ts: [],
    };
    for (const file of Object.keys(files)) {
      const project = file.startsWith('apps/svc')
        ? 'svc'
        : file.startsWith('libs/my-lib')
          ? 'my-lib'
          : file.startsWith('libs/util')
            ? 'util'
            : 'ts';
      projectFileMap[project]!.push({ file, hash: `h-${file}` });
    }
    const context = {
      workspaceRoot: root,
      projects: {
        svc: { root: 'apps/svc' },
        'my-lib': { root: 'libs/my-lib' },
        util: { root: 'libs/util' },
        ts: { root: 'tools/ts' },
      },
      externalNodes: {
        'pypi:requests': { type: 'pypi', name: 'pypi:requests', data: { version: '2.34.2', packageName: 'requests' } },
      },
      fileMap: { projectFileMap, nonProjectFiles: [] },
      filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
      nxJsonConfiguration: {},
    } as unknown as CreateDependenciesContext;
    const deps = await createDependencies(undefined, context);
    const edges = deps.map((d) => `${d.source} -> ${d.target} (${'sourceFile' in d ? d.sourceFile : ''})`).sort();
    expect(edges).toEqual([
      'svc -> my-lib (apps/svc/pyproject.toml)',
      'svc -> pypi:requests (apps/svc/pyproject.toml)',
      'svc -> util (apps/svc/src/svc/__main__.py)',
      'util -> my-lib (libs/util/src/util/text.py)',
    ]);
    // Second run: the import analysis comes from the cache file, keyed by the file hash.
    writeFileSync(join(root, 'apps/svc/src/svc/__main__.py'), 'import nothing_first_party\n');
    const again = await createDependencies(undefined, context);
    expect(again.some((d) => d.source === 'svc' && d.target === 'util')).toBe(true);
  });

  it('skips a project whose pyproject.toml is broken and keeps the edges of the others', async () => {
    const files: Record<string, string> = {
      'apps/svc/pyproject.toml': '[project]\nname = "svc"\ndependencies = ["my-lib"]\n',
      'apps/svc/src/svc/__main__.py': 'import my_lib\n',
      'apps/bad/pyproject.toml': '[project\nname = "bad"\n',
      'apps/bad2/pyproject.toml': '[project]\nname = "bad2"\ndependencies = ["my-lib", "x>=>1"]\n',
      'libs/my-lib/pyproject.toml': '[project]\nname = "my-lib"\n',
      'libs/my-lib/src/my_lib/__init__.py': '',
    };
    const root = workspace(files);
    const projectFileMap: Record<string, { file: string; hash: string }[]> = {};
    const roots: Record<string, string> = {
      svc: 'apps/svc',
      bad: 'apps/bad',
      bad2: 'apps/bad2',
      'my-lib': 'libs/my-lib',
    };
    for (const file of Object.keys(files)) {
      const project = Object.keys(roots).find((p) => file.startsWith(`${roots[p]}/`))!;
      (projectFileMap[project] ??= []).push({ file, hash: `b-${file}` });
    }
    const context = {
      workspaceRoot: root,
      projects: Object.fromEntries(Object.entries(roots).map(([p, r]) => [p, { root: r }])),
      externalNodes: {},
      fileMap: { projectFileMap, nonProjectFiles: [] },
      filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
      nxJsonConfiguration: {},
    } as unknown as CreateDependenciesContext;
    const deps = await createDependencies(undefined, context);
    expect(deps.map((d) => `${d.source} -> ${d.target}`).sort()).toEqual(['svc -> my-lib', 'svc -> my-lib']);
  });
});
