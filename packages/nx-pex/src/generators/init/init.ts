import { formatFiles, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import type { InitGeneratorSchema } from './schema.js';

export const PLUGIN_NAME = 'nx-pex';

/** Registers the plugin in nx.json once; running it again changes nothing. */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<void> {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
  if (!registered) {
    nxJson.plugins = [...plugins, { plugin: PLUGIN_NAME, options: { buildTargetName: 'build' } }];
    updateNxJson(tree, nxJson);
  }
  if (!options.skipFormat) await formatFiles(tree);
}

export default initGenerator;
