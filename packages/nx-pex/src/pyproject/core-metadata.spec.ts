import { describe, expect, it } from 'vitest';
import { projectDistribution } from './core-metadata.js';
import { parsePyProject } from './pyproject.js';

const TOML = `[project]
name = "My.App"
version = "1.4.0"
description = "An app\\nInjected: header"
requires-python = ">=3.9"
license = { text = "MIT\\nsecond line" }
keywords = ["a", "b"]
dependencies = ["flask>=3", "tomli; python_version < '3.11'"]
[project.optional-dependencies]
fast = ["orjson>=3", "uvloop; sys_platform != 'win32'"]
[project.urls]
Homepage = "https://example.invalid/app"
[project.scripts]
my-app = "my_app.cli:main"
[project.gui-scripts]
my-app-gui = "my_app.gui:run"
[project.entry-points."my_app.plugins"]
hello = "my_app.plugins:hello"
`;

describe('projectDistribution', () => {
  it('renders core metadata from the static [project] fields, and the scripts and entry points', () => {
    const dist = projectDistribution(parsePyProject(TOML, 'pyproject.toml')!)!;
    expect(dist).toMatchObject({
      name: 'My.App',
      version: '1.4.0',
      scripts: { 'my-app': 'my_app.cli:main' },
      guiScripts: { 'my-app-gui': 'my_app.gui:run' },
      entryPoints: { 'my_app.plugins': { hello: 'my_app.plugins:hello' } },
    });
    expect(dist.metadata).toBe(
      [
        'Metadata-Version: 2.1',
        'Name: My.App',
        'Version: 1.4.0',
        // A line break in a value never starts a header of its own.
        'Summary: An app Injected: header',
        'Keywords: a,b',
        'License: MIT',
        '        second line',
        'Project-URL: Homepage, https://example.invalid/app',
        'Requires-Python: >=3.9',
        'Requires-Dist: flask>=3',
        "Requires-Dist: tomli; python_version < '3.11'",
        'Provides-Extra: fast',
        'Requires-Dist: orjson>=3; extra == "fast"',
        'Requires-Dist: uvloop; (sys_platform != \'win32\') and extra == "fast"',
        '',
      ].join('\n'),
    );
  });

  it('has nothing to write without a version (a dynamic one comes from the backend)', () => {
    expect(projectDistribution(parsePyProject('[project]\nname = "x"\ndynamic = ["version"]\n', 'p')!)).toBeUndefined();
  });

  it('reads [tool.nx-pex] script and refuses it beside entry-point', () => {
    expect(parsePyProject('[project]\nname = "x"\n[tool.nx-pex]\nscript = "gunicorn"\n', 'p')!.tool).toEqual({
      script: 'gunicorn',
    });
    expect(() =>
      parsePyProject('[project]\nname = "x"\n[tool.nx-pex]\nscript = "a"\nentry-point = "b"\n', 'p/pyproject.toml'),
    ).toThrow(/p\/pyproject.toml: \[tool.nx-pex\] sets both entry-point and script/);
    expect(() => parsePyProject('[project]\nname = "x"\n[project.entry-points]\ng = 3\n', 'p')).toThrow(
      /\[project.entry-points.g\] must map names to strings/,
    );
  });
});
