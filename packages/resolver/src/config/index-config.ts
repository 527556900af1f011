import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkSettingUrl } from '../http/urls.js';
import { parseIni } from './ini.js';

/** Where to look for distributions, in pip's words. */
export interface IndexConfig {
  indexUrl: string;
  extraIndexUrls: string[];
  findLinks: string[];
  noIndex: boolean;
  /** pip's `cert` / PIP_CERT: a PEM CA bundle to trust for HTTPS instead of the defaults. */
  cert?: string;
}

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';

type Env = Record<string, string | undefined>;

/**
 * pip.conf files in pip's override order (pip `configuration.py`): global (XDG_CONFIG_DIRS, /etc),
 * user (~/.pip/pip.conf then $XDG_CONFIG_HOME/pip/pip.conf — skipped when PIP_CONFIG_FILE exists),
 * site ($VIRTUAL_ENV/pip.conf), then PIP_CONFIG_FILE. Later files win.
 */
async function configFiles(env: Env, home: string): Promise<string[]> {
  const xdgDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean);
  const files = [...xdgDirs.map((d) => join(d, 'pip', 'pip.conf')), '/etc/pip.conf'];
  const explicit = env.PIP_CONFIG_FILE;
  const explicitExists = explicit ? (await readText(explicit)) !== undefined : false;
  if (!explicitExists) {
    files.push(join(home, '.pip', 'pip.conf'));
    files.push(join(env.XDG_CONFIG_HOME || join(home, '.config'), 'pip', 'pip.conf'));
  }
  if (env.VIRTUAL_ENV) files.push(join(env.VIRTUAL_ENV, 'pip.conf'));
  if (explicit) files.push(explicit);
  return files;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** pip's `strtobool`. Unknown words count as false rather than failing the build. */
function truthy(value: string): boolean {
  return ['1', 'true', 'yes', 'on', 'y', 't'].includes(value.trim().toLowerCase());
}

function words(value: string): string[] {
  return value.split(/\s+/).filter(Boolean);
}

/** pip normalises option names: lower case, `_` → `-`, no leading `--`. */
function optionName(key: string): string {
  return key.toLowerCase().replace(/_/g, '-').replace(/^--/, '');
}

/**
 * Index settings resolved the way pip does: defaults, then pip.conf files ([global] then
 * [install] in each), then PIP_* environment variables.
 */
export async function loadIndexConfig(options: { env?: Env; homeDir?: string } = {}): Promise<IndexConfig> {
  const env = options.env ?? process.env;
  const home = options.homeDir ?? env.HOME ?? homedir();
  const config: IndexConfig = { indexUrl: DEFAULT_INDEX_URL, extraIndexUrls: [], findLinks: [], noIndex: false };
  // `where` names the setting for messages: `index-url in /etc/pip.conf`, `PIP_INDEX_URL`.
  const apply = (key: string, value: string, where: string) => {
    switch (optionName(key)) {
      case 'index-url':
      case 'i':
        config.indexUrl = checkSettingUrl(value.trim(), where);
        break;
      case 'extra-index-url':
        config.extraIndexUrls = words(value).map((u) => checkSettingUrl(u, where));
        break;
      case 'find-links':
      case 'f':
        // A find-links entry may also be a local path; only what looks like a URL is checked as one.
        config.findLinks = words(value).map((u) =>
          /^[a-z][a-z0-9+.-]*:/i.test(u) && !/^[a-z]:[\\/]/i.test(u) ? checkSettingUrl(u, where) : u,
        );
        break;
      case 'no-index':
        config.noIndex = truthy(value);
        break;
      case 'cert':
        config.cert = value.trim();
        break;
    }
  };
  for (const file of await configFiles(env, home)) {
    const text = await readText(file);
    if (text === undefined) continue;
    const sections = parseIni(text);
    for (const name of ['global', 'install']) {
      for (const [key, value] of sections.get(name) ?? []) apply(key, value, `${key} ([${name}] in ${file})`);
    }
  }
  const fromEnv: [string, string][] = [
    ['PIP_INDEX_URL', 'index-url'],
    ['PIP_EXTRA_INDEX_URL', 'extra-index-url'],
    ['PIP_FIND_LINKS', 'find-links'],
    ['PIP_NO_INDEX', 'no-index'],
    ['PIP_CERT', 'cert'],
  ];
  for (const [variable, key] of fromEnv) {
    const value = env[variable];
    if (value !== undefined && value !== '') apply(key, value, variable);
  }
  return config;
}
