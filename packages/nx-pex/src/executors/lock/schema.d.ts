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
   * Re-lock a pylock.toml written by another tool (pip, uv, pex) with nx-pex, keeping its versions where they still satisfy. Without it such a lock is only checked.
   */
  convert?: boolean;
  /**
   * Write the project's pylock.toml from this file instead of resolving: a uv.lock (must be current: exactly its versions) or a requirements.txt with --hash on every line (its pins; the project's own requirements are the roots). Relative to the project directory.
   */
  from?: string;
}
