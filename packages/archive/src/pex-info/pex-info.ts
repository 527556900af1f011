/**
 * PEX-INFO, the JSON manifest at the root of a pex. Field names and meanings are pex's (so pex users
 * and tools recognise them); only the features our runtime has are written.
 */
export interface PexInfo {
  /** sha256 of the runtime package (`.bootstrap/`); names its byte-compiled copy in PEX_ROOT/bootstraps. */
  bootstrap_hash: string;
  build_properties: Record<string, string>;
  /** sha256 over the project's sources (names and contents); keys the extracted user code. */
  code_hash: string;
  /**
   * Wheel file name → its sha256; each is installed under `.deps/<wheel file name>`. Several builds
   * of one project (different tags) may be present: the runtime activates the best for the interpreter.
   */
  distributions: Record<string, string>;
  emit_warnings: boolean;
  /**
   * `pkg.mod` (run as __main__) or `pkg.mod:func` (exit code = its return value); null: behave like
   * python (or run `script`). Always written (null when absent); optional only because pex omits it.
   */
  entry_point?: string | null;
  /** Requirements left out of the pex on purpose (pex `--exclude`); the runtime does not look for them. */
  excluded?: string[];
  /** pex's setting: "false" isolates from the interpreter's site-packages. */
  inherit_path: 'false' | 'prefer' | 'fallback';
  /** Arguments inserted before the command line's (pex `--inject-args`). */
  inject_args?: string[];
  /** Environment variables set when not already set (pex `--inject-env`). */
  inject_env?: Record<string, string>;
  /** PEP 440 specifier strings the interpreter must satisfy (any of them). */
  interpreter_constraints: string[];
  /** sha256 of every other field: identifies the whole pex. */
  pex_hash: string;
  /** Other pexes whose distributions join this one's at run time (relative to this pex's directory). */
  pex_path: string[];
  /** PEP 508 requirement strings the pex was built for. */
  requirements: string[];
  /** A console script (or `.data/scripts` script) of a distribution to run; exclusive with entry_point. */
  script?: string | null;
  /** Remove PEX_* variables from the environment before running the entry point. */
  strip_pex_env: boolean;
  venv: boolean;
}
