import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  evaluateMarker,
  Marker,
  parseRequirement,
  parseSpecifierSet,
  parseVersion,
  Requirement,
  ResolverError,
  SpecifierSet,
  supportedTags,
  targetFromAbbreviatedPlatform,
  Version,
} from './index.js';

const ENV = {
  python_version: '3.11',
  python_full_version: '3.11.7',
  sys_platform: 'linux',
  platform_machine: 'x86_64',
  implementation_name: 'cpython',
  os_name: 'posix',
};

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof ResolverError ? e.code : 'not a ResolverError';
  }
  return undefined;
}

describe('functional API', () => {
  it('parseVersion normalises and rejects with INVALID_VERSION', () => {
    expect(parseVersion(' V1.0-ALPHA.2-r3_DEV4+Ubuntu-1 ').toString()).toBe('1.0a2.post3.dev4+ubuntu.1');
    expect(parseVersion('1!2.0').epoch).toBe(1n);
    expect(code(() => parseVersion('1.0.x'))).toBe('INVALID_VERSION');
  });

  it('compareVersions returns -1/0/1 for strings or Versions', () => {
    expect(compareVersions('1.0.dev1', '1.0a1')).toBe(-1);
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
    expect(compareVersions(parseVersion('1.0.post1'), '1.0')).toBe(1);
    expect(compareVersions('10', '9')).toBe(1);
    expect(code(() => compareVersions('1', 'x'))).toBe('INVALID_VERSION');
  });

  it('parseSpecifierSet.contains honours { prereleases }', () => {
    const s = parseSpecifierSet('>=1.0, <2');
    expect(s.contains('1.5')).toBe(true);
    expect(s.contains('1.5rc1')).toBe(true); // packaging ≥ 26: unset admits a single pre-release
    expect(s.contains('1.5rc1', { prereleases: false })).toBe(false);
    expect(s.contains('1.5rc1', { prereleases: true })).toBe(true);
    expect(s.contains(parseVersion('2.0'))).toBe(false);
    expect(parseSpecifierSet('>=1.0rc1').contains('1.0rc2')).toBe(true); // names a pre-release
    expect(parseSpecifierSet('>=1.0rc1').contains('1.0rc2', { prereleases: false })).toBe(false);
    expect(String(parseSpecifierSet('<2, >=1.0'))).toBe('<2,>=1.0');
    // Equal clauses count once, as in packaging's frozenset (found by the 100k differential run).
    expect(String(parseSpecifierSet('!=19 , <=3, != 19, ==1.0, ==1.0.0, ~=1.0, ~=1.0.0'))).toBe(
      '!=19,<=3,==1.0,~=1.0,~=1.0.0',
    );
    expect(code(() => parseSpecifierSet('>=1.0.*'))).toBe('INVALID_SPECIFIER');
    expect(code(() => parseSpecifierSet('==='))).toBe('INVALID_SPECIFIER');
  });

  it('parseRequirement gives name, extras, specifier, url, marker', () => {
    const r = parseRequirement('Requests[Socks, security] >=2.8.1, ==2.8.* ; python_version < "3.12"');
    expect([r.name, r.extras, r.specifier.toString(), r.url, r.marker?.toString()]).toEqual([
      'Requests',
      ['Socks', 'security'],
      '==2.8.*,>=2.8.1',
      undefined,
      'python_version < "3.12"',
    ]);
    const u = parseRequirement('pip @ https://example.com/pip-24.0-py3-none-any.whl ; sys_platform == "linux"');
    expect([u.url, u.specifier.toString(), evaluateMarker(u.marker!, ENV)]).toEqual([
      'https://example.com/pip-24.0-py3-none-any.whl',
      '',
      true,
    ]);
  });

  it('rejects an empty arbitrary-equality clause (packaging ≥ 26)', () => {
    for (const text of [
      'requests===',
      'requests ===',
      'requests===,',
      'requests===;python_version>"3"',
      'requests===,>1',
    ]) {
      expect(
        code(() => parseRequirement(text)),
        text,
      ).toBe('INVALID_REQUIREMENT');
    }
    expect(parseRequirement('requests===1.0-local').specifier.toString()).toBe('===1.0-local');
  });

  it('evaluateMarker with and without extras', () => {
    expect(evaluateMarker('python_version >= "3.8" and sys_platform == "linux"', ENV)).toBe(true);
    expect(evaluateMarker('extra == "socks"', ENV)).toBe(false);
    expect(evaluateMarker('extra == "socks"', ENV, { extras: ['security', 'Socks'] })).toBe(true);
    expect(code(() => evaluateMarker('python_version >>= "3"', ENV))).toBe('INVALID_MARKER');
    expect(code(() => evaluateMarker('platform_release == "x"', ENV))).toBe('INVALID_MARKER'); // not in the environment
  });

  it('returns the classes the package exports, whose methods give the same answers', () => {
    const v = parseVersion('1.0rc1');
    expect(v).toBeInstanceOf(Version);
    expect(v.compare(Version.parse('1.0'))).toBe(-1);
    const s = parseSpecifierSet('>=1.0, <2');
    expect(s.set).toBeInstanceOf(SpecifierSet);
    expect(s.contains('1.5rc1', { prereleases: false })).toBe(new SpecifierSet('>=1.0, <2').contains('1.5rc1', false));
    const r = parseRequirement('a[x] ; extra == "x" and sys_platform == "linux"');
    expect(r).toBeInstanceOf(Requirement);
    expect(r.marker).toBeInstanceOf(Marker);
    expect(evaluateMarker(r.marker!, ENV, { extras: ['y', 'x'] })).toBe(r.appliesTo(ENV, ['y', 'x']));
    expect(evaluateMarker(r.marker!, ENV)).toBe(r.appliesTo(ENV));
  });

  it('supportedTags from facts, an abbreviated platform or a target', () => {
    const tags = supportedTags({ version: [3, 11], platform: 'linux-x86_64', glibc: [2, 17] });
    expect(tags.slice(0, 3)).toEqual([
      'cp311-cp311-manylinux_2_17_x86_64',
      'cp311-cp311-manylinux2014_x86_64',
      'cp311-cp311-manylinux_2_16_x86_64',
    ]);
    expect(tags.at(-1)).toBe('py30-none-any');
    expect(supportedTags('linux_x86_64-cp-311-cp311')).toEqual(
      targetFromAbbreviatedPlatform('linux_x86_64-cp-311-cp311').tags,
    );
    expect(supportedTags({ version: [3, 12], platform: 'macosx-11.0-arm64' })[0]).toBe('cp312-cp312-macosx_11_0_arm64');
    const target = targetFromAbbreviatedPlatform('win_amd64-cp-312-cp312');
    expect(supportedTags(target)).toEqual(target.tags);
    expect(code(() => supportedTags({} as never))).toBe('INVALID_PLATFORM');
  });
});
