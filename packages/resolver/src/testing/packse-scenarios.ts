// Test support (not shipped): packse scenarios (the JSON of `packse inspect --no-hash`) turned into
// wheels and sdists for the fixture index of @nx-pex/tools, and targets for the resolver.
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tomlString } from '@nx-pex/common';
import { buildWheel } from '@nx-pex/tools';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { normalizeName } from '../names.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { Version } from '../pep440/version.js';
import { Requirement } from '../pep508/requirement.js';
import { targetFromAbbreviatedPlatform } from '../platform/foreign-target.js';

export interface PackseVersion {
  version: string;
  requires_python: string | null;
  requires: string[];
  extras: { name: string; requires: string[] }[];
  sdist: boolean;
  wheel: boolean;
  yanked: boolean;
  wheel_tags: string[];
}

export interface PackseScenario {
  name: string;
  description?: string;
  packages: { name: string; versions: PackseVersion[] }[];
  root: { requires_python: string | null; requires: { requirement: string }[] };
  expected: { satisfiable: boolean; packages: { name: string; version: string }[]; explanation: string | null };
  environment: { python: string; additional_python: string[] };
  resolver_options: {
    python: string | null;
    prereleases: boolean;
    no_build: string[];
    no_binary: string[];
    universal: boolean;
    python_platform: string | null;
    required_environments: string[] | null;
  };
}

/** `Requires-Dist` lines of a version: its requirements, then each extra's with `extra == "…"` added to the marker. */
export function requiresDist(v: PackseVersion): string[] {
  const out = [...v.requires];
  for (const extra of v.extras) {
    for (const text of extra.requires) {
      const r = Requirement.parse(text);
      const base = r.marker ? text.slice(0, text.indexOf(';')).trim() : text.trim();
      const marker = r.marker ? `(${r.marker.toString()}) and extra == "${extra.name}"` : `extra == "${extra.name}"`;
      out.push(`${base} ; ${marker}`);
    }
  }
  return out;
}

/** Writes every distribution of `scenarios` into `dir`; returns the filenames to yank. */
export async function writeScenarioDistributions(
  scenarios: PackseScenario[],
  dir: string,
): Promise<Record<string, string>> {
  const yanked: Record<string, string> = {};
  const work = await mkdtemp(join(dir, '..', 'sdist-src-'));
  for (const scenario of scenarios) {
    for (const pkg of scenario.packages) {
      for (const v of pkg.versions) {
        const version = Version.parse(v.version).toString();
        const meta = {
          name: pkg.name,
          version,
          requiresDist: requiresDist(v),
          providesExtra: v.extras.map((e) => e.name),
          ...(v.requires_python ? { requiresPython: v.requires_python } : {}),
        };
        const files: string[] = [];
        if (v.wheel) {
          // As packse: the py3-none-any wheel, copied under each requested tag (and dropped if not requested).
          const tags = v.wheel_tags.length ? v.wheel_tags : ['py3-none-any'];
          for (const tag of tags) {
            const [pythonTag, abiTag, platformTag] = tag.split('-') as [string, string, string];
            files.push((await buildWheel({ ...meta, pythonTag, abiTag, platformTag }, dir)).filename);
          }
        }
        if (v.sdist) files.push(await writeSdist(meta, work, dir));
        if (v.yanked) for (const f of files) yanked[f] = '';
      }
    }
  }
  await rm(work, { recursive: true, force: true });
  return yanked;
}

interface SdistMeta {
  name: string;
  version: string;
  requiresDist: string[];
  providesExtra: string[];
  requiresPython?: string;
}

/** A `.tar.gz` sdist with PKG-INFO (no build backend: nx-pex does not build sdists in this suite). */
async function writeSdist(meta: SdistMeta, work: string, outDir: string): Promise<string> {
  const stem = `${meta.name.replace(/[-.]+/g, '_').toLowerCase()}-${meta.version}`;
  const src = join(work, stem);
  await mkdir(src, { recursive: true });
  const lines = ['Metadata-Version: 2.1', `Name: ${meta.name}`, `Version: ${meta.version}`];
  if (meta.requiresPython) lines.push(`Requires-Python: ${meta.requiresPython}`);
  for (const e of meta.providesExtra) lines.push(`Provides-Extra: ${e}`);
  for (const r of meta.requiresDist) lines.push(`Requires-Dist: ${r}`);
  await writeFile(join(src, 'PKG-INFO'), lines.join('\n') + '\n');
  const filename = `${stem}.tar.gz`;
  execFileSync('tar', ['czf', join(outDir, filename), '-C', work, stem]);
  return filename;
}

/** One line of uv's universal resolution: a pinned package and the marker under which it is installed. */
export interface UvPin {
  name: string;
  version: string;
  requirement: Requirement;
}

/**
 * uv's answer for a universal scenario, as uv's own lock scenario tests run it: `uv lock` of a
 * project with the root's requirements, requires-python and `required-environments`, exported as
 * requirements with markers. `pins` undefined: uv found no solution (`error` says why).
 */
export async function uvUniversalLock(
  uv: string,
  python: string,
  s: PackseScenario,
  indexUrl: string,
  work: string,
): Promise<{ pins?: UvPin[]; error?: string }> {
  const dir = await mkdtemp(join(work, 'uv-project-'));
  const requiresPython = s.root.requires_python;
  const lines = [
    '[project]',
    'name = "project"',
    'version = "0.1.0"',
    `dependencies = [${s.root.requires.map((r) => tomlString(r.requirement)).join(', ')}]`,
    ...(requiresPython ? [`requires-python = ${tomlString(requiresPython)}`] : []),
  ];
  const required = s.resolver_options.required_environments ?? [];
  if (required.length) lines.push('[tool.uv]', `required-environments = [${required.map(tomlString).join(', ')}]`);
  await writeFile(join(dir, 'pyproject.toml'), lines.join('\n') + '\n');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    UV_NO_CONFIG: '1',
    UV_CACHE_DIR: join(work, 'uv-cache'),
    UV_PYTHON_DOWNLOADS: 'never',
    UV_NO_PROGRESS: '1',
  };
  const run = promisify(execFile);
  try {
    await run(uv, ['lock', '--python', python, '--index-url', indexUrl], { cwd: dir, env });
  } catch (e) {
    return { error: String((e as { stderr?: string }).stderr ?? e).trim() };
  }
  const { stdout } = await run(
    uv,
    [
      'export',
      '--frozen',
      '--format',
      'requirements.txt',
      '--no-hashes',
      '--no-header',
      '--no-annotate',
      '--no-emit-project',
    ],
    { cwd: dir, env },
  );
  const pins: UvPin[] = [];
  for (const line of stdout.split('\n')) {
    const text = line.trim();
    if (!text || text.startsWith('#')) continue;
    const requirement = Requirement.parse(text);
    const exact = /^===?(\S+)$/.exec(requirement.specifier.toString().trim());
    if (!exact) throw new Error(`uv export line ${text} is not an exact pin`);
    pins.push({ name: normalizeName(requirement.name), version: exact[1]!, requirement });
  }
  return { pins };
}

/** The packages uv's pins install in `env`: normalised name → version. */
export function uvSelection(pins: readonly UvPin[], env: MarkerEnvironment): Record<string, string> {
  return Object.fromEntries(pins.filter((p) => p.requirement.appliesTo(env)).map((p) => [p.name, p.version]));
}

/** The scenario's target: `resolver_options.python` (else the environment's Python) on Linux x86_64 (or `python_platform`). */
export function scenarioTarget(s: PackseScenario): TargetInterpreter {
  const python = s.resolver_options.python ?? s.environment.python;
  const [major, minor, patch] = python.split('.').map(Number) as [number, number, number | undefined];
  let platform = 'manylinux_2_28_x86_64';
  const p = s.resolver_options.python_platform;
  if (p) {
    const m = /^(x86_64|aarch64)-manylinux(2014|_2_\d+)$/.exec(p);
    if (m) platform = m[2] === '2014' ? `manylinux2014_${m[1]}` : `manylinux${m[2]}_${m[1]}`;
    else if (p === 'linux') platform = 'manylinux_2_28_x86_64';
    else if (p === 'macos') platform = 'macosx_14_0_arm64';
    else if (p === 'windows') platform = 'win_amd64';
    else throw new Error(`python_platform ${p} is not mapped`);
  }
  const target = targetFromAbbreviatedPlatform(`${platform}-cp-${major}${minor}-cp${major}${minor}`);
  if (patch !== undefined) {
    const full = `${major}.${minor}.${patch}`;
    target.version = [major, minor, patch];
    target.markers = { ...target.markers, python_full_version: full, implementation_version: full };
  }
  return target;
}
