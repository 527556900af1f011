import '../../utils/require-node.js';
import {
  formatFiles,
  readNxJson,
  updateNxJson,
  type NxJsonConfiguration,
  type TargetConfiguration,
  type Tree,
} from '@nx/devkit';
import { checkNxVersion, workspaceNxVersion } from './nx-version.js';
import type { InitGeneratorSchema } from './schema.js';

export const PLUGIN_NAME = 'nx-pex';
export const PEX_EXECUTOR = 'nx-pex:pex';

/** `python`: what a Python tool (tests, linters) reads of a project. */
export const PYTHON_INPUTS = ['{projectRoot}/**/*.py', '{projectRoot}/pyproject.toml', '{projectRoot}/pylock.toml'];

/** What `production` leaves out of a Python project: tests and their configuration (pytest's layouts). */
export const PYTHON_TEST_EXCLUSIONS = [
  '!{projectRoot}/tests/**/*',
  '!{projectRoot}/**/test_*.py',
  '!{projectRoot}/**/*_test.py',
  '!{projectRoot}/**/conftest.py',
];

/**
 * The pex executor's defaults: cached. Deliberately no `inputs`: Nx applies target defaults over the
 * targets a plugin infers, and the inferred build target's inputs depend on the workspace (a shared
 * pylock.toml adds a runtime input, say) and change with nx-pex releases; inputs frozen into nx.json
 * here would override them and let a stale pex be served from the cache.
 */
export function pexTargetDefaults(): Pick<TargetConfiguration, 'cache'> {
  return { cache: true };
}

/**
 * Sets up nx-pex in a workspace (run by `nx add nx-pex`): checks the Nx version, registers the plugin,
 * adds the `python` and `production` named inputs and the pex executor's target defaults, and the
 * .gitignore lines. Only adds what is missing: the user's entries are kept, and running it again
 * changes nothing.
 */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<void> {
  checkNxVersion(workspaceNxVersion(tree));
  const nxJson: NxJsonConfiguration = readNxJson(tree) ?? {};
  const before = JSON.stringify(nxJson);
  registerPlugin(nxJson);
  addNamedInputs(nxJson);
  addTargetDefaults(nxJson);
  if (JSON.stringify(nxJson) !== before) updateNxJson(tree, nxJson);
  updateGitignore(tree);
  if (!options.skipFormat) await formatFiles(tree);
}

function registerPlugin(nxJson: NxJsonConfiguration): void {
  const plugins = nxJson.plugins ?? [];
  if (plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME)) return;
  nxJson.plugins = [...plugins, { plugin: PLUGIN_NAME, options: { buildTargetName: 'build' } }];
}

function addNamedInputs(nxJson: NxJsonConfiguration): void {
  const namedInputs = (nxJson.namedInputs ??= {});
  namedInputs['python'] ??= [...PYTHON_INPUTS];
  // Like @nx/jest and @nx/eslint: add our exclusions to the user's `production`, or create it.
  const production = (namedInputs['production'] ??= ['default']);
  for (const exclusion of PYTHON_TEST_EXCLUSIONS) {
    if (!production.includes(exclusion)) production.push(exclusion);
  }
}

function addTargetDefaults(nxJson: NxJsonConfiguration): void {
  const targetDefaults = (nxJson.targetDefaults ??= {});
  const existing = targetDefaults[PEX_EXECUTOR];
  // The array form (several filtered entries) is the user's own arrangement: leave it alone.
  if (Array.isArray(existing)) return;
  const entry = { ...existing };
  entry.cache ??= pexTargetDefaults().cache;
  targetDefaults[PEX_EXECUTOR] = entry;
}

const GITIGNORE_LINES: { line: string; matches: string[] }[] = [
  { line: 'dist', matches: ['dist', '/dist', 'dist/', '/dist/'] },
  { line: '.venv', matches: ['.venv', '.venv/', '/.venv', '/.venv/'] },
  { line: '__pycache__', matches: ['__pycache__', '__pycache__/', '**/__pycache__', '**/__pycache__/'] },
];

function updateGitignore(tree: Tree): void {
  const text = tree.exists('.gitignore') ? (tree.read('.gitignore', 'utf-8') ?? '') : '';
  const present = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = GITIGNORE_LINES.filter(({ matches }) => !matches.some((m) => present.has(m))).map(({ line }) => line);
  if (missing.length === 0) return;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const prefix = text.length === 0 ? '' : text.endsWith('\n') ? eol : `${eol}${eol}`;
  tree.write('.gitignore', `${text}${prefix}# nx-pex${eol}${missing.join(eol)}${eol}`);
}

export default initGenerator;
