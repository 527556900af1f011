/* Generated from schema.json by packages/nx-pex/scripts/gen-types.mjs: do not edit by hand. */

/**
 * Add nx-pex to an existing Python project (made with uv, Poetry, Hatch, setuptools, …): adds a [tool.nx-pex] table to its pyproject.toml, leaving the rest of the file as it is, and sets up the plugin.
 */
export interface ConfigurationGeneratorSchema {
  /**
   * The existing project: its directory (holding pyproject.toml) relative to the workspace root, or its [project] name.
   */
  project: string;
  /**
   * app: nx build makes a .pex of it; lib: other projects depend on it. Default: app when it has [project.scripts], a __main__.py in its package or --entryPoint, else lib.
   */
  type?: 'app' | 'lib';
  /**
   * What the pex runs, `module` or `module:function`; written as [tool.nx-pex] entry-point when nx-pex cannot derive it (no single [project.scripts] entry, no __main__.py).
   */
  entryPoint?: string;
  /**
   * Replace an existing [tool.nx-pex] table.
   */
  force?: boolean;
  /**
   * Do not format the files written.
   */
  skipFormat?: boolean;
}
