/* Generated from schema.json by packages/nx-pex/scripts/gen-types.mjs: do not edit by hand. */

/**
 * Set up nx-pex in a workspace (run by `nx add nx-pex`): checks that Nx is >=22.0.0 <25.0.0, registers the plugin in nx.json, adds the `python` named input, Python test exclusions to `production`, `cache: true` target defaults for the nx-pex:pex executor, and dist, .venv and __pycache__ to .gitignore. Adds only what is missing; running it again changes nothing.
 */
export interface InitGeneratorSchema {
  /**
   * Do not format the files written.
   */
  skipFormat?: boolean;
  /**
   * Passed by `nx add`; nx-pex adds no packages, so it changes nothing.
   */
  keepExistingVersions?: boolean;
  /**
   * Passed by `nx add`; nx-pex infers no package scripts.
   */
  updatePackageScripts?: boolean;
}
