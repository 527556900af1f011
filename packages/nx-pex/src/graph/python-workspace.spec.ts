import { describe, expect, it } from 'vitest';
import { firstPartyDependencies, indexProjects, providedModules, pythonProject } from './python-workspace.js';
import { requirementName } from './create-dependencies.js';

describe('providedModules', () => {
  it('reads packages and modules of a src layout', () => {
    expect(
      providedModules('libs/a', [
        'libs/a/pyproject.toml',
        'libs/a/src/pkg/__init__.py',
        'libs/a/src/pkg/sub/__init__.py',
        'libs/a/src/single.py',
        'libs/a/tests/test_x.py',
        'libs/ab/src/other/__init__.py',
      ]),
    ).toEqual(['pkg', 'single']);
  });

  it('reads a flat layout without tests and tooling files', () => {
    expect(
      providedModules('svc', [
        'svc/app/__init__.py',
        'svc/main.py',
        'svc/setup.py',
        'svc/tests/__init__.py',
        'svc/conftest.py',
      ]),
    ).toEqual(['app', 'main']);
  });
});

describe('firstPartyDependencies', () => {
  it('finds workspace projects by requirement name and by uv path source', () => {
    const app = pythonProject(
      'svc',
      'apps/svc',
      '[project]\nname = "svc"\ndependencies = ["My_Lib>=0.1", "requests"]\n[tool.uv.sources]\nutil = { path = "../../libs/util" }\n',
      [],
    )!;
    const lib = pythonProject('my-lib', 'libs/my-lib', '[project]\nname = "my-lib"\n', [])!;
    const util = pythonProject('util-proj', 'libs/util', '[project]\nname = "util"\n', [])!;
    const { byDistName, byRoot } = indexProjects([app, lib, util]);
    expect(
      firstPartyDependencies(app, byDistName, byRoot, requirementName)
        .map((p) => p.project)
        .sort(),
    ).toEqual(['my-lib', 'util-proj']);
  });
});
