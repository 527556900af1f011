/* Generated from schema.json by packages/nx-pex/scripts/gen-types.mjs: do not edit by hand. */

/**
 * Create a Python application (pyproject.toml, src/ package, tests) that `nx build` turns into a .pex.
 */
export interface PythonAppGeneratorSchema {
  /**
   * The project's name (PEP 508 name, e.g. my-service); its package is the name with - and . as _ (my_service).
   */
  name: string;
  /**
   * Where to create the project, relative to the workspace root. Default: apps/<name>.
   */
  directory?: string;
  /**
   * Comma-separated PEP 508 requirements for [project] dependencies, e.g. "requests>=2.32,<3, click".
   */
  dependencies?: string;
  /**
   * The [project] requires-python specifier (PEP 440); it becomes the interpreter constraint of the pex.
   */
  requiresPython?: string;
  /**
   * Do not format the files written.
   */
  skipFormat?: boolean;
}
