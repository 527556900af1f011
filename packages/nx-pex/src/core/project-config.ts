import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PluginError } from '../utils/errors.js';

type Options = Record<string, unknown>;

interface TargetConfig {
  executor?: string;
  options?: Options;
  configurations?: Record<string, Options>;
}

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch (e) {
    throw new PluginError('INVALID_OPTION', `${path}: not valid JSON: ${(e as Error).message}`);
  }
}

function asTarget(value: unknown): TargetConfig | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as TargetConfig) : undefined;
}

/** The nx-pex plugin's own option (e.g. `buildTargetName`) from nx.json's `plugins`, when set. */
function pluginOption(nxJson: Record<string, unknown> | undefined, key: string): unknown {
  const plugins = Array.isArray(nxJson?.['plugins']) ? (nxJson['plugins'] as unknown[]) : [];
  for (const p of plugins) {
    if (p && typeof p === 'object' && (p as { plugin?: unknown }).plugin === 'nx-pex') {
      const options = (p as { options?: Record<string, unknown> }).options;
      if (options && key in options) return options[key];
    }
  }
  return undefined;
}

/** One of the nx-pex plugin's options in the workspace's nx.json (undefined when unset). */
export function nxPexPluginOption(workspaceRoot: string, key: string): unknown {
  return pluginOption(readJson(join(workspaceRoot, 'nx.json')), key);
}

/** Nx's token rule for options: `{workspaceRoot}/` only at the start (dropped: paths are workspace-relative), `{projectRoot}`, `{projectName}` anywhere. */
export function resolveTokens<T>(value: T, projectRoot: string, projectName: string): T {
  if (typeof value === 'string') {
    const s = value
      .replace(/^\{workspaceRoot\}\/?/, '')
      .replace(/\{projectRoot\}/g, projectRoot)
      .replace(/\{projectName\}/g, projectName);
    return s as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolveTokens(v, projectRoot, projectName)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveTokens(v, projectRoot, projectName)]),
    ) as T;
  }
  return value;
}

export interface ConfiguredTarget {
  /** The target's name in the project. */
  name: string;
  options: Options;
}

/**
 * The options Nx would give a project's target of `executor`, without running Nx: the inferred
 * options, then nx.json `targetDefaults` (the executor's key, else the target's name), then
 * project.json's, then the chosen configuration's — each a shallow merge, as Nx merges options —
 * with Nx's tokens replaced. The target is the one the plugin names (`<pluginNameKey>` in nx.json,
 * else `defaultName`), or project.json's target using `executor`.
 */
export function configuredTargetOptions(
  workspaceRoot: string,
  project: { root: string; name: string },
  executor: string,
  target: { pluginNameKey: string; defaultName: string; inferred: Options },
  configuration?: string,
): ConfiguredTarget {
  const nxJson = readJson(join(workspaceRoot, 'nx.json'));
  const projectJson = readJson(join(workspaceRoot, project.root, 'project.json'));
  const targets = (projectJson?.['targets'] ?? {}) as Record<string, unknown>;
  const named = pluginOption(nxJson, target.pluginNameKey);
  let name = typeof named === 'string' ? named : target.defaultName;
  if (!asTarget(targets[name])) {
    const byExecutor = Object.entries(targets).find(([, t]) => asTarget(t)?.executor === executor);
    if (byExecutor) name = byExecutor[0];
  }
  const own = asTarget(targets[name]);
  const defaults = (nxJson?.['targetDefaults'] ?? {}) as Record<string, unknown>;
  const byDefault = asTarget(defaults[executor]) ?? asTarget(defaults[name]);
  const merged: Options = { ...target.inferred, ...(byDefault?.options ?? {}), ...(own?.options ?? {}) };
  if (configuration) {
    const extra = own?.configurations?.[configuration] ?? byDefault?.configurations?.[configuration];
    if (!extra)
      throw new PluginError(
        'INVALID_OPTION',
        `${project.name}: target "${name}" has no configuration "${configuration}"`,
      );
    Object.assign(merged, extra);
  }
  return { name, options: resolveTokens(merged, project.root, project.name) };
}
