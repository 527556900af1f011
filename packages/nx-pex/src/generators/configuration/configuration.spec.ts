import { describe, expect, it } from 'vitest';
import { readNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from 'nx/src/devkit-testing-exports.js';
import { parsePyProject } from '../../pyproject/pyproject.js';
import { snapshot } from '../utils/testing.js';
import configurationGenerator from './configuration.js';

// A uv-made project: comments, ordering and formatting that must survive byte for byte.
const UV_PROJECT = `[project]
name = "billing-api"
version = "1.4.0"
description = "Billing"   # kept
requires-python = ">=3.11"
dependencies = [
    "fastapi>=0.110,<1",
    "uvicorn[standard]>=0.29",
]

[project.scripts]
billing-api = "billing_api.main:run"

[dependency-groups]
dev = ["pytest>=8", "ruff"]

[tool.uv]
package = true
`;

function withProject(files: Record<string, string>): Tree {
  const tree = createTreeWithEmptyWorkspace();
  for (const [path, content] of Object.entries(files)) tree.write(path, content);
  return tree;
}

describe('configuration generator', () => {
  it('appends [tool.nx-pex] to a uv project, keeps the rest as it was, and runs init', async () => {
    const tree = withProject({ 'services/billing/pyproject.toml': UV_PROJECT });
    await configurationGenerator(tree, { project: 'services/billing', skipFormat: true });
    const text = tree.read('services/billing/pyproject.toml', 'utf-8');
    expect(text).toBe(`${UV_PROJECT}\n[tool.nx-pex]\ntype = "app"\n`);
    expect(parsePyProject(text!, 'pyproject.toml')?.tool).toEqual({ type: 'app' });
    expect(readNxJson(tree)?.plugins).toContainEqual(expect.objectContaining({ plugin: 'nx-pex' }));
    expect(tree.read('.gitignore', 'utf-8')).toContain('__pycache__');
  });

  it('finds the project by its [project] name too (PEP 503 normalised)', async () => {
    const tree = withProject({ 'services/billing/pyproject.toml': UV_PROJECT });
    await configurationGenerator(tree, { project: 'Billing_API', type: 'lib', skipFormat: true });
    expect(tree.read('services/billing/pyproject.toml', 'utf-8')).toMatch(/\[tool.nx-pex\]\ntype = "lib"\n$/);
  });

  it('writes entry-point only when nx-pex cannot derive it', async () => {
    const tree = withProject({ 'a/pyproject.toml': UV_PROJECT });
    await configurationGenerator(tree, { project: 'a', entryPoint: 'billing_api.main:run', skipFormat: true });
    expect(tree.read('a/pyproject.toml', 'utf-8')).not.toContain('entry-point');

    const two = UV_PROJECT.replace(
      '[project.scripts]\n',
      '[project.scripts]\nbilling-admin = "billing_api.admin:main"\n',
    );
    const tree2 = withProject({ 'a/pyproject.toml': two });
    await expect(configurationGenerator(tree2, { project: 'a', skipFormat: true })).rejects.toThrow(
      /cannot tell what the pex of billing-api should run: \[project.scripts\] has 2 entries \(billing-admin, billing-api\)\. Pass --entryPoint/,
    );
    await configurationGenerator(tree2, { project: 'a', entryPoint: 'billing_api.admin:main', skipFormat: true });
    expect(parsePyProject(tree2.read('a/pyproject.toml', 'utf-8')!, 'pyproject.toml')?.tool).toEqual({
      type: 'app',
      entryPoint: 'billing_api.admin:main',
    });
  });

  it('tells an app from a lib: scripts or a __main__.py (src or flat layout) make an app', async () => {
    const noScripts = UV_PROJECT.replace(/\[project.scripts\]\n.*\n\n/, '');
    const cases: [Record<string, string>, string][] = [
      [{ 'p/pyproject.toml': noScripts }, 'lib'],
      [{ 'p/pyproject.toml': noScripts, 'p/src/billing_api/__main__.py': '' }, 'app'],
      [{ 'p/pyproject.toml': noScripts, 'p/billing_api/__main__.py': '' }, 'app'],
      [{ 'p/pyproject.toml': UV_PROJECT }, 'app'],
    ];
    for (const [files, type] of cases) {
      const tree = withProject(files);
      await configurationGenerator(tree, { project: 'p', skipFormat: true });
      expect(parsePyProject(tree.read('p/pyproject.toml', 'utf-8')!, 'pyproject.toml')?.tool.type).toBe(type);
    }
  });

  it('refuses an existing [tool.nx-pex] unless --force, which replaces it in place', async () => {
    const configured = `${UV_PROJECT}\n[tool.nx-pex]\ntype = "lib"\n\n[tool.ruff]\nline-length = 100\n`;
    const tree = withProject({ 'p/pyproject.toml': configured });
    await expect(configurationGenerator(tree, { project: 'p', skipFormat: true })).rejects.toThrow(
      /already has a \[tool.nx-pex\] table: edit it, or run again with --force/,
    );
    await configurationGenerator(tree, { project: 'p', type: 'app', force: true, skipFormat: true });
    expect(tree.read('p/pyproject.toml', 'utf-8')).toBe(configured.replace('type = "lib"', 'type = "app"'));
  });

  it('explains what a Poetry-only or [project]-less pyproject needs', async () => {
    const poetry =
      '[tool.poetry]\nname = "legacy"\nversion = "0.1.0"\n\n[tool.poetry.dependencies]\npython = "^3.10"\nrequests = "^2.31"\n';
    const tree = withProject({
      'legacy/pyproject.toml': poetry,
      'tools/pyproject.toml': '[tool.black]\nline-length = 88\n',
    });
    await expect(configurationGenerator(tree, { project: 'legacy', skipFormat: true })).rejects.toThrow(
      /legacy\/pyproject.toml describes the project only in \[tool.poetry\]; nx-pex reads the standard \[project\] table \(PEP 621\)/,
    );
    await expect(configurationGenerator(tree, { project: 'tools', skipFormat: true })).rejects.toThrow(
      /tools\/pyproject.toml has no \[project\] table: add one \(PEP 621\)/,
    );
  });

  it('refuses what a pex cannot be built from, with the file and the fix', async () => {
    const dynamic = UV_PROJECT.replace('dependencies = [', 'dynamic = ["dependencies"]\nxdependencies = [');
    const badReq = UV_PROJECT.replace('"fastapi>=0.110,<1"', '"fastapi>=>0.110"');
    const badPython = UV_PROJECT.replace('">=3.11"', '"3.11"');
    const tree = withProject({
      'd/pyproject.toml': dynamic,
      'r/pyproject.toml': badReq,
      'v/pyproject.toml': badPython,
      'x/pyproject.toml': '[project\n',
    });
    await expect(configurationGenerator(tree, { project: 'd', skipFormat: true })).rejects.toThrow(
      /d\/pyproject.toml: \[project\] dependencies are dynamic/,
    );
    await expect(configurationGenerator(tree, { project: 'r', skipFormat: true })).rejects.toThrow(
      /r\/pyproject.toml:\d+: \[project\] dependencies: Invalid requirement "fastapi>=>0.110"/,
    );
    await expect(configurationGenerator(tree, { project: 'v', skipFormat: true })).rejects.toThrow(
      /v\/pyproject.toml: \[project\] requires-python: Invalid version specifier "3.11"/,
    );
    await expect(configurationGenerator(tree, { project: 'x', skipFormat: true })).rejects.toThrow(
      /x\/pyproject.toml: not valid TOML/,
    );
  });

  it('validates its options and writes nothing when it fails', async () => {
    const tree = withProject({ 'p/pyproject.toml': UV_PROJECT });
    const before = snapshot(tree);
    await expect(configurationGenerator(tree, { project: 'nowhere', skipFormat: true })).rejects.toThrow(
      /no pyproject.toml in "nowhere" and no Python project named "nowhere"/,
    );
    await expect(configurationGenerator(tree, { project: '/abs/p', skipFormat: true })).rejects.toThrow(
      /--project must be a directory relative to the workspace root/,
    );
    await expect(configurationGenerator(tree, { project: '../p', skipFormat: true })).rejects.toThrow(
      /outside the workspace/,
    );
    await expect(configurationGenerator(tree, { project: ' ', skipFormat: true })).rejects.toThrow(
      /give the project to configure/,
    );
    await expect(
      configurationGenerator(tree, { project: 'p', type: 'service' as 'app', skipFormat: true }),
    ).rejects.toThrow(/--type must be "app" or "lib", not "service"/);
    await expect(
      configurationGenerator(tree, { project: 'p', entryPoint: 'billing-api:run', skipFormat: true }),
    ).rejects.toThrow(/--entryPoint "billing-api:run" is not "module" or "module:function"/);
    await expect(
      configurationGenerator(tree, { project: 'p', type: 'lib', entryPoint: 'a:b', skipFormat: true }),
    ).rejects.toThrow(/--entryPoint is for applications/);
    expect(snapshot(tree)).toEqual(before);
  });
});
