/* Generated from schema.json by packages/nx-pex/scripts/gen-types.mjs: do not edit by hand. */

/**
 * Create a Python library (pyproject.toml with [tool.nx-pex] type = "lib", src/ package, tests) for the applications of the workspace to depend on.
 */
export interface PythonLibGeneratorSchema {
  /**
   * The project's name (PEP 508 name, e.g. text-utils); its package is the name with - and . as _ (text_utils).
   */
  name: string;
  /**
   * Where to create the project, relative to the workspace root. Default: libs/<name>.
   */
  directory?: string;
  /**
   * Comma-separated PEP 508 requirements for [project] dependencies, e.g. "attrs>=23,<26, regex".
   */
  dependencies?: string;
  /**
   * The [project] requires-python specifier (PEP 440).
   */
  requiresPython?: string;
  /**
   * Do not format the files written.
   */
  skipFormat?: boolean;
}
