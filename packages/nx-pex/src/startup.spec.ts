import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from './utils/package-path.js';

/**
 * What a module loads before its first line runs: its static imports, transitively (ESM links the
 * whole static graph first). `import type` / `export type` are erased; `import()` loads later.
 */
function staticGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    files.push(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (existsSync(target)) visit(target);
      } else if (!spec.startsWith('node:')) {
        packages.add(spec);
      }
    }
  };
  visit(entry);
  return { files, packages };
}

/** Packages whose loading costs tens to hundreds of ms of CPU (measured: resolver ~0.3 s with undici, archive ~0.15 s, @nx/devkit ~0.5 s). */
const HEAVY = ['@nx-pex/resolver', '@nx-pex/archive', '@nx/devkit', 'undici', 'ajv', 'yauzl', 'minimatch', 'semver'];

describe('start-up: what each entry loads before it runs', () => {
  it('the CLI entry loads no library: each command imports its modules when it runs', () => {
    const { files, packages } = staticGraph(packagePath('src', 'cli', 'main.ts'));
    expect([...packages].filter((p) => HEAVY.includes(p))).toEqual([]);
    // and none of core/'s build, lock or workspace modules
    expect(
      files
        .map((f) => relative(packagePath('src'), f).split('\\').join('/'))
        .filter((f) => /^core\/(build|lock|workspace|model|test-env)/.test(f)),
    ).toEqual([]);
  });

  it.each(['pex', 'lock', 'test', 'run'])(
    'the %s executor module loads neither the resolver nor the archive writer',
    (name) => {
      const { packages } = staticGraph(packagePath('src', 'executors', name, `${name}.impl.ts`));
      // @nx/devkit is already loaded in an Nx task process; the libraries are not.
      expect([...packages].filter((p) => HEAVY.includes(p) && p !== '@nx/devkit')).toEqual([]);
    },
  );

  it("the plugin entry (createNodes, createDependencies) reads requirements with the resolver's light entry only", () => {
    const { packages } = staticGraph(packagePath('src', 'index.ts'));
    expect([...packages].filter((p) => HEAVY.includes(p))).toEqual([]);
    expect(packages.has('@nx-pex/resolver/standards')).toBe(true);
  });

  it('a build module loads neither the resolver nor the archive: a no-op build (up-to-date.ts) costs none of their start-up', () => {
    const { packages } = staticGraph(packagePath('src', 'core', 'build.ts'));
    // minimatch too: the sources' exclude globs load it when a model has some.
    expect([...packages].filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it("a sources-only rebuild (the CLI's stamp check, then core/build.ts's finishChecked) loads the archive's writer and nothing else heavy", () => {
    // What the CLI imports on that path: its own modules, the check (up-to-date.ts, pyproject-roots.ts), build.ts, the archive's entry.
    const { files, packages } = [
      packagePath('src', 'cli', 'main.ts'),
      packagePath('src', 'core', 'up-to-date.ts'),
      packagePath('src', 'core', 'pyproject-roots.ts'),
      packagePath('src', 'core', 'build.ts'),
      join(packagePath(), '..', 'archive', 'src', 'index.ts'),
    ]
      .map(staticGraph)
      .reduce((all, g) => ({ files: [...all.files, ...g.files], packages: new Set([...all.packages, ...g.packages]) }));
    // No PEP 440 (the constraints the previous PEX-INFO carries are not parsed again), no glob matcher.
    expect([...packages].sort()).toEqual(['@nx-pex/common']);
    const archiveSrc = join(packagePath(), '..', 'archive', 'src');
    const archiveFiles = files
      .filter((f) => f.startsWith(archiveSrc))
      .map((f) => relative(archiveSrc, f).split('\\').join('/'));
    // Installing a wheel (a cache miss), reading a zip, checking a PEX-INFO against its schema, a
    // console script, a directory layout: each loads when a build needs it.
    expect(
      archiveFiles.filter((f) =>
        /^(wheel\/install|zip\/central-directory|pex-info\/(schema|read)|pex\/script|layout\/directory)\.ts$/.test(f),
      ),
    ).toEqual([]);
    // 38 of nx-pex's and the archive's modules when this was written: a new one on this path is a choice.
    expect(new Set(files).size).toBeLessThanOrEqual(38);
  });

  it("the archive's entry loads no zip reader or schema validator: a build that writes needs neither", () => {
    const { packages } = staticGraph(join(packagePath(), '..', 'archive', 'src', 'index.ts'));
    expect([...packages].filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it("the resolver's main entry loads undici only when a request is made (a cached build never does)", () => {
    const { packages } = staticGraph(join(packagePath(), '..', 'resolver', 'src', 'index.ts'));
    expect(packages.has('undici')).toBe(false);
  });

  it('@nx-pex/resolver/standards itself reaches no index client, cache or solver module', () => {
    const resolverSrc = join(packagePath(), '..', 'resolver', 'src');
    const { files, packages } = staticGraph(join(resolverSrc, 'standards.ts'));
    // @nx-pex/common (PEP 503 names) loads Node built-ins only: its own spec checks that.
    expect([...packages].filter((p) => p !== '@nx-pex/common')).toEqual([]);
    expect(
      files
        .map((f) => relative(resolverSrc, f).split('\\').join('/'))
        .filter((f) => !/^(pep440|pep508)\/|^(names|errors|standards)\.ts$/.test(f)),
    ).toEqual([]);
  });
});
