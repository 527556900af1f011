import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { Marker } from './marker.js';
import { Requirement } from './requirement.js';

const env = {
  python_version: '3.11',
  python_full_version: '3.11.7',
  sys_platform: 'linux',
  os_name: 'posix',
  platform_machine: 'x86_64',
};

describe('Requirement', () => {
  it('parses name, extras, specifiers and marker', () => {
    const r = Requirement.parse(
      'Requests[Security , socks]>=2.8.1,==2.*; python_version < "3.12" and extra == "Foo.Bar"',
    );
    expect(r.key).toBe('requests');
    expect(r.normalizedExtras).toEqual(['security', 'socks']);
    expect(r.specifier.toString()).toBe('==2.*,>=2.8.1');
    expect(r.marker?.evaluate({ ...env, extra: 'foo-bar' })).toBe(true);
    expect(r.appliesTo(env)).toBe(false);
    expect(r.appliesTo(env, ['foo_bar'])).toBe(true);
  });

  it('parses URL requirements and parenthesised specifiers', () => {
    expect(Requirement.parse('pip @ https://x/pip.whl ; os_name=="posix"').url).toBe('https://x/pip.whl');
    expect(Requirement.parse('a (>=1, <2)').specifier.toString()).toBe('<2,>=1');
  });

  it('rejects malformed requirements with INVALID_REQUIREMENT', () => {
    for (const bad of ['', '>=1', 'a>=1.0.*', 'a[b c]', 'a; python_version', 'a==1 b']) {
      const err = (() => {
        try {
          Requirement.parse(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err, bad).toBeInstanceOf(ResolverError);
      expect((err as ResolverError).code, bad).toBe('INVALID_REQUIREMENT');
    }
  });
});

describe('Marker', () => {
  it('evaluates versions as PEP 440 and strings as strings, and binds and tighter than or', () => {
    expect(Marker.parse('python_version >= "3.9" and python_version < "3.12"').evaluate(env)).toBe(true);
    expect(Marker.parse('python_full_version > "3.11.6"').evaluate(env)).toBe(true);
    expect(Marker.parse('"linux" in sys_platform').evaluate(env)).toBe(true);
    expect(
      Marker.parse('sys_platform == "win32" or os_name == "posix" and platform_machine == "x86_64"').evaluate(env),
    ).toBe(true);
    expect(
      Marker.parse('(sys_platform == "win32" or os_name == "posix") and platform_machine == "arm64"').evaluate(env),
    ).toBe(false);
  });

  it('compares as packaging ≥ 26: versions only for version variables, a non-version value matches no version clause', () => {
    const debian = { ...env, platform_release: '6.1.0-18-amd64' };
    expect(Marker.parse('platform_release >= "5.10"').evaluate(debian)).toBe(false);
    expect(Marker.parse('platform_release != "5.10"').evaluate(debian)).toBe(false);
    expect(Marker.parse('platform_release === "6.1.0-18-AMD64"').evaluate(debian)).toBe(true);
    expect(Marker.parse('"amd64" in platform_release').evaluate(debian)).toBe(true);
    expect(Marker.parse('sys_platform >= "3"').evaluate(env)).toBe(false);
    expect(Marker.parse('sys_platform <= "linux"').evaluate(env)).toBe(true);
    expect(Marker.parse('sys_platform < "zzz"').evaluate(env)).toBe(false);
    expect(Marker.parse('python_version < "foo"').evaluate(env)).toBe(false);
    expect(() => Marker.parse('sys_platform ~= "3.1"').evaluate(env)).toThrow(ResolverError);
    expect(() => Marker.parse('python_version ~= "3"').evaluate(env)).toThrow(ResolverError);
  });

  it('reads quoted strings as Python does (escapes decoded; a raw line break is an error)', () => {
    expect(Marker.parse('sys_platform == "lin\\x75x"').evaluate(env)).toBe(true);
    expect(Marker.parse('sys_platform == "lin\\u0075x"').evaluate(env)).toBe(true);
    expect(() => Marker.parse('sys_platform == "lin\nux"')).toThrow(ResolverError);
    expect(() => Marker.parse('sys_platform == "linux\\"')).toThrow(ResolverError);
  });
});
