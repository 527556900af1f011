import { describe, expect, it } from 'vitest';
import { pythonProject } from '../graph/python-workspace.js';
import { firstPartyClosure, thirdPartyRequirements } from './workspace.js';

const app = pythonProject(
  'svc',
  'apps/svc',
  '[project]\nname = "svc"\ndependencies = ["my-lib[fast]", "requests==2.34.2"]\n[project.optional-dependencies]\ncli = ["click"]\n[tool.nx-pex]\nextras = ["cli"]\n',
  [],
)!;
const lib = pythonProject(
  'my-lib',
  'libs/my-lib',
  '[project]\nname = "my-lib"\ndependencies = ["attrs>=23", "base"]\n[project.optional-dependencies]\nfast = ["orjson"]\nslow = ["simplejson"]\n',
  [],
)!;
const base = pythonProject('base', 'libs/base', '[project]\nname = "base"\ndependencies = ["requests==2.34.2"]\n', [])!;
const other = pythonProject('other', 'apps/other', '[project]\nname = "other"\ndependencies = ["flask"]\n', [])!;

describe('first-party closure and its third-party requirements', () => {
  it('walks first-party requirements transitively, each project once', () => {
    expect(firstPartyClosure(app, [app, lib, base, other]).map((p) => p.project)).toEqual(['svc', 'my-lib', 'base']);
  });

  it('collects third-party requirements with chosen and requested extras, without duplicates', () => {
    const closure = firstPartyClosure(app, [app, lib, base, other]);
    expect(thirdPartyRequirements(closure)).toEqual(['requests==2.34.2', 'click', 'attrs>=23', 'orjson']);
  });
});

describe('loadPythonWorkspace + findProject', () => {
  it('a broken pyproject fails its own project and those that require it, never the others', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeTree } = await import('@nx-pex/tools');
    const { findProject, loadPythonWorkspace } = await import('./workspace.js');
    const root = mkdtempSync(join(tmpdir(), 'nx-pex-ws-'));
    writeTree(root, {
      'apps/ok/pyproject.toml': '[project]\nname = "ok"\ndependencies = ["attrs"]\n',
      'apps/uses-lib/pyproject.toml': '[project]\nname = "uses-lib"\ndependencies = ["bad-lib"]\n',
      'apps/uses-path/pyproject.toml':
        '[project]\nname = "uses-path"\n[tool.uv.sources]\nwhatever = { path = "../../libs/bad-lib" }\n',
      'libs/bad-lib/pyproject.toml': '[project]\nname = "bad-lib"\ndependencies = ["x>=>1"]\n',
    });
    const ws = await loadPythonWorkspace(root, [
      [undefined, 'apps/ok'],
      [undefined, 'apps/uses-lib'],
      [undefined, 'apps/uses-path'],
      [undefined, 'libs/bad-lib'],
    ]);
    expect(findProject(ws, 'apps/ok').project).toBe('ok');
    expect(() => findProject(ws, 'libs/bad-lib')).toThrow(
      /^libs\/bad-lib\/pyproject.toml:3: \[project\] dependencies: Invalid requirement "x>=>1"/,
    );
    expect(() => findProject(ws, 'apps/uses-lib')).toThrow(
      /^uses-lib depends on bad-lib \(libs\/bad-lib\), which cannot be used: libs\/bad-lib\/pyproject.toml:3:/,
    );
    expect(() => findProject(ws, 'apps/uses-path')).toThrow(expect.objectContaining({ code: 'INVALID_REQUIREMENT' }));
  });
});
