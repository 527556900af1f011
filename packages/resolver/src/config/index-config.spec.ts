import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadIndexConfig } from './index-config.js';

let home: string;
// Keep the machine's /etc/xdg out of the picture; /etc/pip.conf does not exist on test machines.
const base = () => ({ XDG_CONFIG_DIRS: join(home, 'no-xdg') });

/** loadIndexConfig without `cert`, which the machine's /etc/pip.conf may set (pip's `cert` is tested on its own). */
async function loadWithoutCert(options: Parameters<typeof loadIndexConfig>[0]) {
  const { cert: _cert, ...rest } = await loadIndexConfig(options);
  return rest;
}

async function write(path: string, text: string) {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'nx-pex-home-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('loadIndexConfig', () => {
  it('defaults to PyPI', async () => {
    expect(await loadWithoutCert({ env: base(), homeDir: home })).toEqual({
      indexUrl: 'https://pypi.org/simple/',
      extraIndexUrls: [],
      findLinks: [],
      noIndex: false,
    });
  });

  it('reads ~/.config/pip/pip.conf: [install] over [global], multi-line values', async () => {
    await write(
      join(home, '.config', 'pip', 'pip.conf'),
      [
        '[global]',
        'index-url = https://global.example/simple/',
        'extra-index-url =',
        '  https://a.example/simple/',
        '  https://b.example/simple/',
        '# comment',
        '[install]',
        'index_url: https://install.example/simple/',
        'find-links = /wheels /more',
        'no-index = yes',
        '',
      ].join('\n'),
    );
    expect(await loadWithoutCert({ env: base(), homeDir: home })).toEqual({
      indexUrl: 'https://install.example/simple/',
      extraIndexUrls: ['https://a.example/simple/', 'https://b.example/simple/'],
      findLinks: ['/wheels', '/more'],
      noIndex: true,
    });
  });

  it('layers legacy ~/.pip, XDG_CONFIG_HOME, $VIRTUAL_ENV, then PIP_CONFIG_FILE', async () => {
    await write(join(home, '.pip', 'pip.conf'), '[global]\nindex-url = https://legacy/simple/\nfind-links = /legacy\n');
    await write(join(home, 'xdg', 'pip', 'pip.conf'), '[global]\nindex-url = https://xdg/simple/\n');
    await write(join(home, 'venv', 'pip.conf'), '[global]\nextra-index-url = https://venv/simple/\n');
    const env = { ...base(), XDG_CONFIG_HOME: join(home, 'xdg'), VIRTUAL_ENV: join(home, 'venv') };
    expect(await loadWithoutCert({ env, homeDir: home })).toMatchObject({
      indexUrl: 'https://xdg/simple/',
      extraIndexUrls: ['https://venv/simple/'],
      findLinks: ['/legacy'],
    });
    await write(join(home, 'explicit.conf'), '[global]\nindex-url = https://explicit/simple/\n');
    // pip skips the user files when PIP_CONFIG_FILE exists.
    expect(
      await loadWithoutCert({ env: { ...env, PIP_CONFIG_FILE: join(home, 'explicit.conf') }, homeDir: home }),
    ).toMatchObject({
      indexUrl: 'https://explicit/simple/',
      extraIndexUrls: ['https://venv/simple/'],
      findLinks: [],
    });
  });

  it('reads global files from XDG_CONFIG_DIRS below user files', async () => {
    await write(
      join(home, 'sys', 'pip', 'pip.conf'),
      '[global]\nindex-url = https://system/simple/\nno-index = true\n',
    );
    await write(join(home, '.config', 'pip', 'pip.conf'), '[global]\nindex-url = https://user/simple/\n');
    expect(await loadWithoutCert({ env: { XDG_CONFIG_DIRS: join(home, 'sys') }, homeDir: home })).toMatchObject({
      indexUrl: 'https://user/simple/',
      noIndex: true,
    });
  });

  it('lets PIP_* environment variables win', async () => {
    await write(
      join(home, '.config', 'pip', 'pip.conf'),
      '[global]\nindex-url = https://file/simple/\nno-index = true\n',
    );
    const env = {
      ...base(),
      PIP_INDEX_URL: 'https://env/simple/',
      PIP_EXTRA_INDEX_URL: 'https://x/simple/ https://y/simple/',
      PIP_FIND_LINKS: '/a /b',
      PIP_NO_INDEX: 'false',
    };
    expect(await loadWithoutCert({ env, homeDir: home })).toEqual({
      indexUrl: 'https://env/simple/',
      extraIndexUrls: ['https://x/simple/', 'https://y/simple/'],
      findLinks: ['/a', '/b'],
      noIndex: false,
    });
  });

  it("reads pip's cert from pip.conf, PIP_CERT winning", async () => {
    await write(join(home, '.config', 'pip', 'pip.conf'), '[global]\ncert = /conf/ca.pem\n');
    expect((await loadIndexConfig({ env: base(), homeDir: home })).cert).toBe('/conf/ca.pem');
    expect((await loadIndexConfig({ env: { ...base(), PIP_CERT: '/env/ca.pem' }, homeDir: home })).cert).toBe(
      '/env/ca.pem',
    );
  });
});
