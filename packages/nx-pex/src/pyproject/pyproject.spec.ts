import { describe, expect, it } from 'vitest';
import { moduleName, normalizeName, parsePyProject } from './pyproject.js';

describe('parsePyProject', () => {
  it('reads [project], scripts, dependency groups and [tool.nx-pex]', () => {
    const p = parsePyProject(
      `[project]
name = "My.Service"
version = "1.2.3"
requires-python = ">=3.9"
dependencies = ["requests==2.32.3"]
[project.scripts]
svc = "my_service.cli:main"
[project.optional-dependencies]
fast = ["orjson>=3"]
[dependency-groups]
test = ["pytest>=8", { include-group = "lint" }]
lint = ["ruff"]
[tool.uv.sources]
my_lib = { workspace = true }
other = { path = "../other" }
remote = { git = "https://example.invalid/r.git" }
[tool.nx-pex]
entry-point = "my_service.cli:run"
type = "app"
extras = ["fast"]
`,
      'apps/x/pyproject.toml',
    );
    expect(p).toEqual({
      name: 'My.Service',
      version: '1.2.3',
      requiresPython: '>=3.9',
      dependencies: ['requests==2.32.3'],
      scripts: { svc: 'my_service.cli:main' },
      guiScripts: {},
      entryPoints: {},
      dynamic: [],
      metadata: {},
      optionalDependencies: { fast: ['orjson>=3'] },
      dependencyGroups: { test: ['pytest>=8', 'ruff'], lint: ['ruff'] },
      uvSources: { 'my-lib': { workspace: true }, other: { path: '../other' } },
      tool: { entryPoint: 'my_service.cli:run', type: 'app', extras: ['fast'] },
    });
  });

  it("reads the universal lock's [tool.nx-pex] environments and fork-strategy, and rejects what the resolver cannot take", () => {
    const text = (tool: string) => `[project]\nname = "x"\n[tool.nx-pex]\n${tool}\n`;
    expect(
      parsePyProject(
        text(`environments = ["sys_platform == 'linux'", "macosx_11_0_arm64"]\nfork-strategy = "fewest"`),
        'p.toml',
      )!.tool,
    ).toEqual({ environments: ["sys_platform == 'linux'", 'macosx_11_0_arm64'], forkStrategy: 'fewest' });
    expect(parsePyProject(text('environments = []'), 'p.toml')!.tool).toEqual({ environments: [] });
    expect(() => parsePyProject(text('environments = "linux"'), 'p.toml')).toThrow(
      /^p.toml: \[tool.nx-pex\] environments must be an array of strings/,
    );
    expect(() => parsePyProject(text('environments = [" "]'), 'p.toml')).toThrow(/environments has an empty entry/);
    expect(() => parsePyProject(text('fork-strategy = "lowest"'), 'p.toml')).toThrow(
      /fork-strategy must be "requires-python" or "fewest", not "lowest"/,
    );
  });

  it('returns undefined without a [project] table', () => {
    expect(parsePyProject('[tool.ruff]\nline-length = 100\n', 'pyproject.toml')).toBeUndefined();
  });

  it('names the file and position of invalid TOML', () => {
    expect(() => parsePyProject('[project\nname = "x"', 'libs/a/pyproject.toml')).toThrow(
      /^libs\/a\/pyproject.toml:1:\d+: not valid TOML: .*Fix the file/,
    );
  });

  it('names the file and line of a requirement that is not PEP 508, and its table', () => {
    const text =
      '[project]\nname = "x"\ndependencies = [\n  "requests",\n  "flask>=>3",\n]\n[dependency-groups]\ntest = ["py test"]\n';
    expect(() => parsePyProject(text, 'apps/x/pyproject.toml')).toThrow(
      /^apps\/x\/pyproject.toml:5: \[project\] dependencies: Invalid requirement "flask>=>3"/,
    );
    const group = text.replace('"flask>=>3"', '"flask>=3"');
    expect(() => parsePyProject(group, 'apps/x/pyproject.toml')).toThrow(
      /^apps\/x\/pyproject.toml:8: \[dependency-groups\] test: Invalid requirement "py test"/,
    );
  });

  it('names the field that has the wrong type', () => {
    expect(() => parsePyProject('[project]\nname = "x"\ndependencies = "requests"\n', 'p.toml')).toThrow(
      /p.toml: \[project\] dependencies must be an array of strings/,
    );
    expect(() => parsePyProject('[project]\nversion = "1"\n', 'p.toml')).toThrow(/needs a string "name"/);
    expect(() => parsePyProject('[project]\nname = "x"\n[tool.nx-pex]\ntype = "service"\n', 'p.toml')).toThrow(
      /type must be "app" or "lib"/,
    );
    expect(() => parsePyProject('[project]\nname = "x"\n[tool.nx-pex]\nextras = ["gpu"]\n', 'p.toml')).toThrow(
      /extras names "gpu", which \[project.optional-dependencies\] does not define \(defined: none\)/,
    );
  });
});

describe('names', () => {
  it('normalises as PEP 503 and derives the import name', () => {
    expect(normalizeName('Foo__Bar.-baz')).toBe('foo-bar-baz');
    expect(moduleName('My-Service')).toBe('my_service');
  });
});
