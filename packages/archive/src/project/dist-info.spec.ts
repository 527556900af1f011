import { describe, expect, it } from 'vitest';
import { ArchiveError } from '../errors.js';
import { projectDistInfos, type ProjectDistribution } from './dist-info.js';
import { normalizeVersion } from './version.js';

const text = (info: ReturnType<typeof projectDistInfos>[number], file: string): string =>
  info.files.find((entry) => entry.path === `${info.directory}/${file}`)?.content.toString('utf8') ?? '';

describe('projectDistInfos', () => {
  it('writes METADATA, entry_points.txt, INSTALLER and RECORD under the escaped, normalised name', () => {
    const [info] = projectDistInfos([
      {
        name: 'My.Cool-App',
        version: 'v1.0-Beta.2',
        scripts: { 'z-cli': 'my_app.cli:main', 'a-cli': 'my_app.cli:other [extra]' },
        guiScripts: { 'a-gui': 'my_app.gui:run' },
        entryPoints: { 'my_app.plugins': { hello: 'my_app.plugins:hello', 'mod only': 'my_app.plugins' } },
      },
    ]);
    expect(info!.directory).toBe('my_cool_app-1.0b2.dist-info');
    expect(info!.files.map((file) => file.path)).toEqual(
      ['INSTALLER', 'METADATA', 'entry_points.txt', 'RECORD'].map((name) => `my_cool_app-1.0b2.dist-info/${name}`),
    );
    expect(text(info!, 'METADATA')).toBe('Metadata-Version: 2.1\nName: My.Cool-App\nVersion: 1.0b2\n');
    expect(text(info!, 'entry_points.txt')).toBe(
      '[console_scripts]\na-cli = my_app.cli:other [extra]\nz-cli = my_app.cli:main\n\n[gui_scripts]\na-gui = my_app.gui:run\n\n[my_app.plugins]\nhello = my_app.plugins:hello\nmod only = my_app.plugins\n',
    );
    expect(text(info!, 'INSTALLER')).toBe('nx-pex\n');
    const record = text(info!, 'RECORD').split('\n');
    expect(record.at(-2)).toBe('my_cool_app-1.0b2.dist-info/RECORD,,');
    expect(record[0]).toBe(
      'my_cool_app-1.0b2.dist-info/INSTALLER,sha256=QkG1xC1d5yYJh_qkSwNKp53UZqKq2YUWqjy1dI-I8iM,7',
    );
    expect(info!.consoleScripts).toEqual(['a-cli', 'z-cli']);
  });

  it('is deterministic whatever the order of the given entries', () => {
    const a = projectDistInfos([{ name: 'x', version: '1', scripts: { b: 'x:b', a: 'x:a' } }]);
    const b = projectDistInfos([{ name: 'x', version: '1', scripts: { a: 'x:a', b: 'x:b' } }]);
    expect(a).toEqual(b);
  });

  it('keeps the caller METADATA when its Name and Version match', () => {
    const metadata =
      'Metadata-Version: 2.3\nName: my_app\nVersion: 2.0.0\nRequires-Dist: greet\n\nLong description: with colons\n';
    const [info] = projectDistInfos([{ name: 'My-App', version: '2.0.0', metadata }]);
    expect(text(info!, 'METADATA')).toBe(metadata);
  });

  const refused: [string, ProjectDistribution, RegExp][] = [
    ['a name that is not PEP 508', { name: '../evil', version: '1' }, /'\.\.\/evil' is not a project name/],
    [
      'a version that is not PEP 440',
      { name: 'x', version: '1.0/../2' },
      /version '1\.0\/\.\.\/2' is not a PEP 440 version/,
    ],
    [
      'a script name with a slash',
      { name: 'x', version: '1', scripts: { '../x': 'x:main' } },
      /console_scripts name '\.\.\/x' is not one safe file name/,
    ],
    [
      'a script name with a leading dash',
      { name: 'x', version: '1', scripts: { '-x': 'x:main' } },
      /is not one safe file name/,
    ],
    [
      'a script value that is code',
      { name: 'x', version: '1', scripts: { x: 'x:main; import os' } },
      /is not an object reference/,
    ],
    [
      'a script without an attribute',
      { name: 'x', version: '1', guiScripts: { x: 'x' } },
      /gui_scripts 'x' = 'x' is not an object reference/,
    ],
    [
      'console_scripts in entryPoints',
      { name: 'x', version: '1', entryPoints: { console_scripts: { x: 'x:y' } } },
      /must be given as scripts\/gui-scripts/,
    ],
    [
      'a group name with a bracket',
      { name: 'x', version: '1', entryPoints: { 'g]\n[h': { x: 'x:y' } } },
      /is not a dotted name/,
    ],
    [
      'an entry name with a line break',
      { name: 'x', version: '1', entryPoints: { g: { 'a\nb': 'x:y' } } },
      /name 'a\nb' is not a name without/,
    ],
    [
      'METADATA naming another project',
      { name: 'x', version: '1', metadata: 'Metadata-Version: 2.1\nName: y\nVersion: 1\n' },
      /metadata Name 'y' is not 'x'/,
    ],
    [
      'METADATA with another version',
      { name: 'x', version: '1', metadata: 'Metadata-Version: 2.1\nName: x\nVersion: 2\n' },
      /metadata Version '2' is not '1'/,
    ],
    [
      'METADATA without Metadata-Version',
      { name: 'x', version: '1', metadata: 'Name: x\nVersion: 1\n' },
      /no Metadata-Version header/,
    ],
  ];
  it.each(refused)('refuses %s (INVALID_OPTION)', (_what, project, message) => {
    const error = (() => {
      try {
        projectDistInfos([project]);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).code).toBe('INVALID_OPTION');
    expect((error as ArchiveError).message).toMatch(message);
  });

  it('refuses one project given twice (names compared normalised)', () => {
    expect(() =>
      projectDistInfos([
        { name: 'My_App', version: '1' },
        { name: 'my.app', version: '2' },
      ]),
    ).toThrow(/is given twice/);
  });
});

describe('normalizeVersion (PEP 440 normal form)', () => {
  it.each([
    ['1.0', '1.0'],
    ['v1.0', '1.0'],
    ['1.0-Beta.2', '1.0b2'],
    ['1.0alpha', '1.0a0'],
    ['1.0c1', '1.0rc1'],
    ['1.0-1', '1.0.post1'],
    ['1.0.rev', '1.0.post0'],
    ['1.0-dev', '1.0.dev0'],
    ['0!1.01', '1.1'],
    ['2!1.0+Ubuntu-01_x', '2!1.0+ubuntu.1.x'],
    [' 1.0 ', '1.0'],
  ])('%s → %s', (input, normal) => {
    expect(normalizeVersion(input)).toBe(normal);
  });
  it.each(['', '1.0/..', 'a1', '1.0+', '1..0'])('refuses %j', (input) => {
    expect(normalizeVersion(input)).toBeUndefined();
  });
});
