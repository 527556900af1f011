/** Environment variables that choose the package index when there is no lock (pip's names). */
export const INDEX_ENV_INPUTS = [
  'PIP_INDEX_URL',
  'PIP_EXTRA_INDEX_URL',
  'PIP_FIND_LINKS',
  'PIP_NO_INDEX',
  'PIP_CONFIG_FILE',
];

/**
 * The project-level named input holding what goes into a pex from a project: its pyproject and its
 * importable code. `^` of it gives the same for first-party dependencies (bundled into the pex).
 */
export const SOURCES_INPUT = 'nxPexSources';

export const sourcesNamedInput = [
  '{projectRoot}/pyproject.toml',
  '{projectRoot}/src/**/*',
  '{projectRoot}/**/*.py',
  '!{projectRoot}/tests/**/*',
  '!{projectRoot}/test/**/*',
  '!{projectRoot}/**/__pycache__/**',
  '!{projectRoot}/**/*.pyc',
];

/**
 * A `dynamic = ["version"]` project's version is computed by its backend, which may read it from git
 * (hatch-vcs, setuptools-scm, versioneer…): a new tag or commit changes the pex though no file
 * changes. Its sources — and so, through `^`, every pex that bundles it — take the repository's
 * description as an input (one git process per hash, only for such projects). Outside a git checkout
 * the message git prints is as stable an input.
 */
export const vcsVersionInput = { runtime: 'git describe --tags --long --always --abbrev=40 2>&1 || true' };

/** The sources named input of a project: its files, plus the git state when its version is dynamic. */
export function sourcesNamedInputOf(dynamic: readonly string[] | undefined): Array<string | typeof vcsVersionInput> {
  return dynamic?.includes('version') ? [...sourcesNamedInput, vcsVersionInput] : sourcesNamedInput;
}

/**
 * The lock files that may serve a project (core/lock.ts lockFileOf): its pylock.toml, its uv.lock,
 * and the uv.lock at the workspace root (a uv workspace's members). A file that is not the lock in
 * use only costs a rebuild when it changes.
 */
export const lockInputs = ['{projectRoot}/pylock.toml', '{projectRoot}/uv.lock', '{workspaceRoot}/uv.lock'];

/**
 * A shared workspace lock enters a task's hash as the sha256 of the project's part of it, in the
 * target's options (`lockSubsetHash`; Nx hashes every target's options into each task of the project,
 * and the executors ignore it). createNodes computes it once per lock content, not a process per
 * task per hash as a runtime input would; a change to another project's part of the lock leaves it.
 */
export function lockSubsetOption(lockSubsetHash: string | undefined): { lockSubsetHash?: string } {
  return lockSubsetHash === undefined ? {} : { lockSubsetHash };
}
export const indexEnvInputs = INDEX_ENV_INPUTS.map((env) => ({ env }));

/** The executor's package as the only external dependency (see WorkspaceFacts.hasNpmLock). */
export function executorPackageInput(hasNpmLock: boolean | undefined) {
  return hasNpmLock ? [{ externalDependencies: ['nx-pex'] }] : [];
}

/**
 * The interpreter a build is made for decides which wheels go in (its tags: version, ABI, platform,
 * glibc), so it is part of the cache key: two machines with different python3 never share a pex.
 */
export const interpreterInput = {
  runtime: `python3 -c "import platform, sys, sysconfig; print(sys.implementation.cache_tag, getattr(sys, 'abiflags', ''), sysconfig.get_platform(), *platform.libc_ver())"`,
};
