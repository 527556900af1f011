/* Generated from schema.json by packages/nx-pex/scripts/gen-types.mjs: do not edit by hand. */

/**
 * Run pytest against a Python project in an environment made from its requirements plus a test dependency group, packed as a pex (the way Pants runs tests).
 */
export interface TestExecutorOptions {
  /**
   * PEP 735 dependency groups added to the test environment. Default: those of `test` and `dev` that the project defines.
   */
  groups?: string[];
  /**
   * The interpreter that runs the tests (and whose tags choose the wheels). Default: python3 on PATH.
   */
  python?: string;
  /**
   * Extra pytest arguments. Arguments after `--` on the command line are appended too.
   */
  args?: string[];
  [k: string]: unknown;
}
