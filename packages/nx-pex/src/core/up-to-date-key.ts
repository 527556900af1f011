import { posix, resolve } from 'node:path';
import { canonicalJson } from '@nx-pex/common';
import type { PythonProject } from '../graph/python-workspace.js';
import { moduleName } from '../pyproject/pyproject.js';
import type { PexExecutorOptions } from '../executors/pex/schema.js';
import { localPythons } from './targets.js';
import {
  compareWithStamp,
  evaluateKey,
  readStamp,
  sha256,
  stampedOutputPath,
  stampPath,
  STAMP_FORMAT,
  type KeyProbes,
  type KeySettings,
  type UpToDateCheck,
} from './up-to-date.js';
import { firstPartyClosure } from './workspace.js';

// The part of the up-to-date check that reads the parsed workspace (up-to-date.ts does without it).

export interface CheckRequest {
  workspaceRoot: string;
  project: PythonProject;
  projects: readonly PythonProject[];
  options: PexExecutorOptions;
}

/**
 * What a build's bytes depend on besides its sources: `fixed`, the digest of what the parsed
 * workspace and the options say (the options, the project, its closure of first-party projects), and
 * `probes`, what is read from the disk — the closure's pyproject.toml bytes and directory entries (a
 * `src/`, a `setup.py`, a lock), whether the entry module has a `__main__.py`, every lock that could
 * serve the project (bytes; a shared lock changed for another project rebuilds too, conservatively),
 * the complete-platform files and the interpreters. It mirrors what `pexTargetModel`,
 * `firstPartyParts` and `environmentArtifacts` read: a new input there belongs here.
 */
export function keyInputs(req: CheckRequest): { fixed: string; probes: KeyProbes; settings: KeySettings } {
  const { project, options } = req;
  const closure = firstPartyClosure(project, req.projects);
  const module = moduleName(project.pyproject.name);
  const settings: KeySettings = {
    workspaceRoot: resolve(req.workspaceRoot),
    project: [project.project, project.root],
    closure: closure.map((p) => [p.project, p.root]),
    options,
  };
  const fixed = sha256(canonicalJson({ format: STAMP_FORMAT, ...settings }));
  const files = [
    ...closure.map((p) => posix.join(p.root, 'pyproject.toml')),
    ...closure.flatMap((p) => [posix.join(p.root, 'pylock.toml'), posix.join(p.root, 'uv.lock')]),
    'pylock.toml',
    'uv.lock',
    ...(options.completePlatforms ?? []),
  ];
  return {
    fixed,
    settings,
    probes: {
      files: [...new Set(files)],
      listings: closure.map((p) => p.root),
      exists: [...new Set([options.sourceRoot ?? 'src', 'src', '.'])].map((d) =>
        posix.join(project.root, d, module, '__main__.py'),
      ),
      pythons: localPythons(options),
    },
  };
}

/** Compare the inputs and the output with the stamp of the last build of this output. */
export async function checkUpToDate(req: CheckRequest, env: NodeJS.ProcessEnv = process.env): Promise<UpToDateCheck> {
  const outputPath = stampedOutputPath(req.project, req.options);
  const inputs = keyInputs(req);
  const [{ key, parts }, stamp] = await Promise.all([
    evaluateKey(req.workspaceRoot, inputs, env),
    readStamp(stampPath(req.workspaceRoot, outputPath)),
  ]);
  return compareWithStamp(req.workspaceRoot, outputPath, { ...inputs, key, parts }, stamp);
}
