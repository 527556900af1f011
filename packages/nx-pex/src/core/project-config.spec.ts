import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTree } from '@nx-pex/tools';
import { describe, expect, it } from 'vitest';
import { configuredTargetOptions, resolveTokens } from './project-config.js';

const build = { pluginNameKey: 'buildTargetName', defaultName: 'build', inferred: { outputPath: 'dist/apps/a/a.pex' } };

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-pex-config-'));
  writeTree(root, files);
  return root;
}

describe('configuredTargetOptions (what the CLI builds with)', () => {
  it('merges inferred < nx.json targetDefaults < project.json < configuration, and resolves Nx tokens', () => {
    const root = workspace({
      'nx.json': JSON.stringify({
        targetDefaults: { 'nx-pex:pex': { options: { layout: 'packed', shebang: '#!/usr/bin/python3' } } },
      }),
      'apps/a/project.json': JSON.stringify({
        name: 'a',
        targets: {
          build: {
            options: { script: 'serve', outputPath: '{workspaceRoot}/out/{projectName}.pex' },
            configurations: { ci: { layout: 'loose' } },
          },
        },
      }),
    });
    const project = { root: 'apps/a', name: 'a' };
    expect(configuredTargetOptions(root, project, 'nx-pex:pex', build)).toEqual({
      name: 'build',
      options: { outputPath: 'out/a.pex', layout: 'packed', shebang: '#!/usr/bin/python3', script: 'serve' },
    });
    expect(configuredTargetOptions(root, project, 'nx-pex:pex', build, 'ci').options['layout']).toBe('loose');
    expect(() => configuredTargetOptions(root, project, 'nx-pex:pex', build, 'nope')).toThrow(
      /target "build" has no configuration "nope"/,
    );
  });

  it("finds the target the plugin names in nx.json, or project.json's target of the executor", () => {
    const root = workspace({
      'nx.json': JSON.stringify({ plugins: [{ plugin: 'nx-pex', options: { buildTargetName: 'pex' } }] }),
      'apps/a/project.json': JSON.stringify({ targets: { pex: { options: { entryPoint: 'a.cli' } } } }),
      'apps/b/project.json': JSON.stringify({
        targets: { package: { executor: 'nx-pex:pex', options: { entryPoint: 'b.cli' } } },
      }),
    });
    expect(configuredTargetOptions(root, { root: 'apps/a', name: 'a' }, 'nx-pex:pex', build)).toEqual({
      name: 'pex',
      options: { outputPath: 'dist/apps/a/a.pex', entryPoint: 'a.cli' },
    });
    expect(
      configuredTargetOptions(root, { root: 'apps/b', name: 'b' }, 'nx-pex:pex', build).options['entryPoint'],
    ).toBe('b.cli');
  });

  it('without nx.json or project.json: the inferred options', () => {
    expect(configuredTargetOptions(workspace({}), { root: 'apps/a', name: 'a' }, 'nx-pex:pex', build).options).toEqual({
      outputPath: 'dist/apps/a/a.pex',
    });
  });

  it('replaces tokens as Nx does, in nested values too', () => {
    expect(
      resolveTokens({ a: ['{projectRoot}/x', '{workspaceRoot}/y'], b: { c: '{projectName}' }, d: 1 }, 'apps/p', 'p'),
    ).toEqual({ a: ['apps/p/x', 'y'], b: { c: 'p' }, d: 1 });
  });
});
