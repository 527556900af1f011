/* Generated from schema.json by packages/nx-pex/scripts/gen-types.mjs: do not edit by hand. */

/**
 * Run the pex a build target of the same project writes (a zipapp file or a packed/loose directory), at the path that target's options give.
 */
export interface RunExecutorOptions {
  /**
   * The project's target (an nx-pex:pex build) whose output is run; its options (outputPath, layout, …) say where the pex is.
   */
  buildTarget?: string;
  /**
   * The interpreter that runs the pex. Default: python3 on PATH.
   */
  python?: string;
  /**
   * Arguments given to the pex. Arguments after `--` on the command line are appended.
   */
  args?: string[];
  [k: string]: unknown;
}
