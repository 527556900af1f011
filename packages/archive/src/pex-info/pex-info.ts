/**
 * PEX-INFO, the JSON manifest at the root of a pex. Field names and meanings are pex's (so pex users
 * and tools recognise them); only the features our runtime has are written.
 */
export interface PexInfo {
  /** sha256 of the runtime files (`__main__.py` and `.bootstrap/`). */
  bootstrap_hash: string;
  build_properties: Record<string, string>;
  /** sha256 over the project's sources (names and contents); keys the extracted user code. */
  code_hash: string;
  /** Wheel file name → its sha256; each is installed under `.deps/<wheel file name>/`. */
  distributions: Record<string, string>;
  emit_warnings: boolean;
  /**
   * `pkg.mod` (run as __main__) or `pkg.mod:func` (exit code = its return value); null: behave like
   * python. Always written (null when absent); optional only because pex omits it.
   */
  entry_point?: string | null;
  /** pex's setting: "false" isolates from the interpreter's site-packages. */
  inherit_path: 'false' | 'prefer' | 'fallback';
  /** PEP 440 specifier strings the interpreter must satisfy (any of them). */
  interpreter_constraints: string[];
  /** sha256 of every other field: identifies the whole pex. */
  pex_hash: string;
  pex_path: string[];
  /** PEP 508 requirement strings the pex was built for. */
  requirements: string[];
  /** Remove PEX_* variables from the environment before running the entry point. */
  strip_pex_env: boolean;
  venv: boolean;
}
