import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { setTomlTable, tomlStringArray, tomlTable } from './toml.js';

const NX_PEX = ['tool', 'nx-pex'];

describe('TOML writers', () => {
  it('writes strings TOML parses back to the same values', () => {
    const values = [
      'plain',
      'quote " and \\ backslash',
      'tab\tnewline\n',
      'ünï',
      'requests[socks]>=2; python_version < "3.12"',
    ];
    const text = `a = ${tomlStringArray(values)}\n${tomlTable('t', { 'entry-point': values[1]!, type: 'lib' })}\n`;
    expect(parse(text)).toEqual({ a: values, t: { 'entry-point': values[1], type: 'lib' } });
    expect(tomlStringArray([])).toBe('[]');
  });
});

describe('setTomlTable', () => {
  const original = [
    '# my project',
    '[project]',
    'name = "svc"  # the name',
    'dependencies = [',
    '  "flask>=3",',
    ']',
    '',
    '[tool.ruff]',
    'line-length = 100',
  ].join('\n');

  it('appends the table and keeps every other byte', () => {
    const result = setTomlTable(original, NX_PEX, { type: 'app' }, 'pyproject.toml');
    expect(result).toBe(`${original}\n\n[tool.nx-pex]\ntype = "app"\n`);
  });

  it('keeps CRLF line endings and handles an empty file', () => {
    const crlf = original.replace(/\n/g, '\r\n') + '\r\n';
    const result = setTomlTable(crlf, NX_PEX, { type: 'lib' }, 'pyproject.toml');
    expect(result).toBe(`${crlf}\r\n[tool.nx-pex]\r\ntype = "lib"\r\n`);
    expect(setTomlTable('', NX_PEX, { type: 'lib' }, 'pyproject.toml')).toBe('[tool.nx-pex]\ntype = "lib"\n');
  });

  it('replaces an existing [tool.nx-pex] section in place, keeping what follows', () => {
    const text = `${original}\n\n[ tool . "nx-pex" ]  # ours\ntype = "lib"\nentry-point = "x:y"\n\n# next\n[tool.other]\nk = 1\n`;
    const result = setTomlTable(text, NX_PEX, { type: 'app', 'entry-point': 'svc.cli:main' }, 'pyproject.toml');
    expect(result).toBe(
      `${original}\n\n[tool.nx-pex]\ntype = "app"\nentry-point = "svc.cli:main"\n\n# next\n[tool.other]\nk = 1\n`,
    );
  });

  it('refuses when the table is defined with dotted keys or an inline table', () => {
    const dotted = `${original}\n\n[tool]\nnx-pex.type = "lib"\n`;
    expect(() => setTomlTable(dotted, NX_PEX, { type: 'app' }, 'pyproject.toml')).toThrow(
      /cannot add \[tool.nx-pex\] without rewriting/,
    );
    const inline = `[project]\nname = "svc"\n[tool]\nnx-pex = { type = "lib" }\n`;
    expect(() => setTomlTable(inline, NX_PEX, { type: 'app' }, 'pyproject.toml')).toThrow(/Edit it by hand/);
  });

  it('names the file and position of invalid TOML', () => {
    expect(() => setTomlTable('[project\nname = 1', NX_PEX, { type: 'app' }, 'apps/x/pyproject.toml')).toThrow(
      /apps\/x\/pyproject.toml: not valid TOML/,
    );
  });
});
