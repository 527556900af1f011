/* Generated from schema.json by packages/nx-pex/scripts/gen-types.mjs: do not edit by hand. */

/**
 * Build a .pex (a single-file Python executable) of a Python project from its pyproject.toml.
 */
export interface PexExecutorOptions {
  /**
   * What the pex runs: `module` (run as __main__) or `module:function` (its return value is the exit code). Default: [tool.nx-pex] entry-point (or script), else the only [project.scripts] entry; among several, the one named after the project, else the package's __main__.py, else the first (the build says which it took), else the project's package when it has a __main__.py.
   */
  entryPoint?: string;
  /**
   * Run a console script (or .data/scripts script) of a distribution in the pex — the project's own [project.scripts] or a dependency's — instead of an entry point; it runs under its own name (sys.argv[0]), as with pex --script / -c. Default: [tool.nx-pex] script. Exclusive with entryPoint.
   */
  script?: string;
  /**
   * Where to write the pex, relative to the workspace root: a file (zipapp) or a directory of that name (packed, loose) that python3 runs alike. The inferred target sets dist/{projectRoot}/{name}.pex; its outputs follow this option, so another path is cached and restored by Nx too.
   */
  outputPath?: string;
  /**
   * Set by the plugin, not by hand: the sha256 of this project's part of the shared workspace pylock.toml. Nx hashes target options into the task's cache key, so a change to this project's part of that lock rebuilds it and a change to another project's part does not. The build does not read it.
   */
  lockSubsetHash?: string;
  /**
   * zipapp: one executable file. packed: a directory with the runtime and one zip per dependency (cache- and container-layer-friendly). loose: a directory of plain files. (pex --layout)
   */
  layout?: 'zipapp' | 'packed' | 'loose';
  /**
   * The interpreter the pex is built for (its tags choose the wheels). Default: python3 on PATH.
   */
  python?: string;
  /**
   * Build a multi-platform pex: wheels for each of these interpreters are included and the runtime picks the one matching the interpreter it runs on. Default: [python].
   */
  pythons?: string[];
  /**
   * Cross-build for interpreters not on this machine, in pex's abbreviated notation <platform>-cp-<version>-<abi> (e.g. linux_x86_64-cp-311-cp311, macosx_11_0_arm64-cp-312-cp312). Replaces the local interpreter unless python/pythons is also set (pex --platform).
   */
  platforms?: string[];
  /**
   * Cross-build from complete platform files (relative to the workspace root) as `pex3 interpreter inspect --markers --tags` prints them (pex --complete-platform).
   */
  completePlatforms?: string[];
  /**
   * Build dependencies published only as an sdist into wheels (PEP 517) with the target interpreter, cached by the sdist's sha256; false fails on them instead (pex --build / --no-build). A target without an interpreter on this machine (platforms, completePlatforms) cannot build one: the build names the package.
   */
  buildSdists?: boolean;
  /**
   * PEP 440 specifiers the running interpreter must satisfy; the pex re-executes under a matching one (PEX_PYTHON, PEX_PYTHON_PATH, PATH). Default: [project] requires-python (pex --interpreter-constraint).
   */
  interpreterConstraints?: string[];
  /**
   * The pex's first line. Default: #!/usr/bin/env python3.
   */
  shebang?: string;
  /**
   * The directory, relative to the project root, whose contents go to the pex root. Default: src when it exists, else the project root (without tests).
   */
  sourceRoot?: string;
  /**
   * Glob patterns (relative to the source root) of project files left out of the pex, e.g. "** /*_test.py".
   */
  exclude?: string[];
  /**
   * Arguments inserted before those given on the command line (pex --inject-args).
   */
  injectArgs?: string[];
  /**
   * Environment variables set when the pex runs, unless already set (pex --inject-env).
   */
  injectEnv?: {
    [k: string]: string;
  };
  /**
   * Whether the interpreter's site-packages stay on sys.path: false isolates; prefer puts them first; fallback after the pex's own (pex --inherit-path).
   */
  inheritPath?: 'false' | 'prefer' | 'fallback';
  /**
   * Remove PEX_* variables from the environment before the entry point runs (pex --strip-pex-env).
   */
  stripPexEnv?: boolean;
  /**
   * Requirements whose distributions are left out of the pex, e.g. ones the target image provides (pex --exclude).
   */
  excluded?: string[];
}
