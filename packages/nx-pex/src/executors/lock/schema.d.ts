/* Generated from schema.json by packages/nx-pex/scripts/gen-types.mjs: do not edit by hand. */

/**
 * Resolve the project's requirements (with those of its first-party dependencies and its [tool.nx-pex] extras; its dependency groups and extras installable on request) and write pylock.toml (PEP 751). A uv.lock or another tool's pylock.toml is checked, not overwritten, unless `from` or `convert` says so.
 */
export interface LockExecutorOptions {
  /**
   * Do not resolve or write: fail when the lock that serves the project (pylock.toml, or uv.lock) no longer matches the requirements (for CI).
   */
  check?: boolean;
  /**
   * Interpreters the lock must serve (each gets a compatible wheel of every package it needs). Default: python3 on PATH.
   */
  pythons?: string[];
  /**
   * Write the workspace's shared pylock.toml (serving every project without its own lock) instead of the project's. A shared pylock.toml at the workspace root is used whenever it exists.
   */
  workspace?: boolean;
  /**
   * Build releases published only as an sdist with the target interpreter and record the sdist in the lock (PEP 751 sdist; builds reuse the wheel cached by its sha256); false fails on them instead (pex --build / --no-build).
   */
  buildSdists?: boolean;
  /**
   * Also lock for interpreters not on this machine, in pex's abbreviated notation (e.g. linux_x86_64-cp-311-cp311).
   */
  platforms?: string[];
  /**
   * Also lock for the interpreters described by these complete platform files (relative to the workspace root).
   */
  completePlatforms?: string[];
  /**
   * Write a universal lock: one resolution for every CPython that requires-python allows on each of `environments` (default: Linux x86_64/aarch64 glibc 2.28, macOS 11 arm64, macOS 13 x86_64, Windows amd64), forking where markers or wheels differ; builds for any covered platform then need no resolution and no interpreter. `pythons`, `platforms` and `completePlatforms` are not used. Default: true when `environments` (or the project's [tool.nx-pex] environments) are listed, else the plugin option `universal` in nx.json, else false; false turns it off for this project.
   */
  universal?: boolean;
  /**
   * The environments a universal lock serves, replacing the defaults (implies `universal`): PEP 508 markers (e.g. "sys_platform == 'linux'": the default platforms where it holds), platform tags (e.g. musllinux_1_2_x86_64: every allowed Python) or abbreviated platforms (e.g. macosx_11_0_arm64-cp-312-cp312: exactly that one). Default: the project's [tool.nx-pex] environments (a shared lock: those of every project it serves).
   */
  environments?: string[];
  /**
   * How a universal lock chooses versions across Pythons (uv's --fork-strategy): requires-python (the default) takes the newest versions each Python minor supports; fewest holds newer Pythons to the oldest one's versions wherever they install. Default: the project's [tool.nx-pex] fork-strategy.
   */
  forkStrategy?: 'requires-python' | 'fewest';
  /**
   * Re-lock a pylock.toml written by another tool (pip, uv, pex) with nx-pex, keeping its versions where they still satisfy. Without it such a lock is only checked.
   */
  convert?: boolean;
  /**
   * Write the project's pylock.toml from this file instead of resolving: a uv.lock (must be current: exactly its versions) or a requirements.txt with --hash on every line (its pins; the project's own requirements are the roots). Relative to the project directory.
   */
  from?: string;
}
