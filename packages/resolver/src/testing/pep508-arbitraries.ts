// Test support (not shipped): fast-check generators for PEP 508 requirement and marker strings.
import fc from 'fast-check';
import { specifierText, versionText } from '@nx-pex/tools';

const ws = fc.constantFrom('', '', ' ', '  ', '\t');
const name = fc.constantFrom('requests', 'Foo_Bar', 'a', 'zope.interface', 'x-y', 'pkg2', '-bad', 'a_', '1pkg', 'a..b');
const extra = fc.constantFrom('security', 'Foo.Bar', 'socks', 'a-b_c', 'x');
const extras = fc.oneof(
  fc.constant(''),
  fc
    .array(extra, { minLength: 0, maxLength: 3 })
    .chain((xs) => fc.tuple(ws, ws).map(([a, b]) => `[${a}${xs.join(`${b},${a}`)}${b}]`)),
  fc.constantFrom('[a b]', '[,a]', '[a,]', '[a'),
);
const specs = fc.array(specifierText, { minLength: 0, maxLength: 3 }).chain((xs) =>
  fc.tuple(ws, fc.boolean()).map(([w, paren]) => {
    const body = xs.join(`${w},${w}`);
    return paren && body ? `(${body})` : body;
  }),
);

const variable = fc.constantFrom(
  'python_version',
  'python_full_version',
  'os_name',
  'os.name',
  'sys_platform',
  'sys.platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform.version',
  'platform_machine',
  'platform.machine',
  'platform_python_implementation',
  'python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
  'extras',
  'dependency_groups',
);
// Values real environments have that are not PEP 440 versions, and quoted-string corner cases
// (Python escapes, a raw tab or line break, a trailing backslash).
const oddLiteral = fc.constantFrom(
  '6.1.0-18-amd64',
  '5.10',
  '10.0.22631',
  '#1 SMP PREEMPT_DYNAMIC',
  '23.4.0',
  ' 3.8',
  '3.8 ',
  '3.11.7+',
  'Foo.Bar',
  'foo-bar',
  'SECURITY',
  'python_version',
  'extra',
  'lin\\x75x',
  '\\u0033.11',
  'a\\tb',
  '\\d',
  '3\\',
  'a\tb',
  'a\nb',
  '\\101',
  '\\x4',
  '\\U00000033',
);
const literal = fc
  .oneof(
    versionText.map((v) => v.trim()),
    fc.constantFrom(
      '3.8',
      '3.11',
      '3',
      '3.11.7',
      'linux',
      'win32',
      'posix',
      'x86_64',
      'CPython',
      'cpython',
      'Foo_Bar',
      'security',
      'foo.bar',
      'lin',
      'Linux',
      '',
    ),
    oddLiteral,
  )
  .chain((v) => fc.constantFrom(`"${v}"`, `'${v}'`));
const op = fc.constantFrom('==', '!=', '<', '<=', '>', '>=', '~=', '===', 'in', 'not in', 'not  in');
const side = fc.oneof({ weight: 1, arbitrary: variable }, { weight: 1, arbitrary: literal });
const comparison = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(variable, ws, op, ws, literal, fc.boolean())
      .map(([v, w1, o, w2, l, flip]) =>
        flip ? `${l}${w1 || ' '}${o}${w2 || ' '}${v}` : `${v}${w1 || ' '}${o}${w2 || ' '}${l}`,
      ),
  },
  // Two variables or two literals: PEP 508 allows them; packaging takes the right side as written
  // (a variable's name) or, after a literal, as the name of the variable to look up.
  { weight: 1, arbitrary: fc.tuple(side, op, side).map(([a, o, b]) => `${a} ${o} ${b}`) },
);

/** Marker expressions with and/or nesting and parentheses. */
export const markerText: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { weight: 3, arbitrary: comparison },
    {
      weight: 1,
      arbitrary: fc
        .tuple(tie('expr'), fc.constantFrom(' and ', ' or '), tie('expr'))
        .map(([a, o, b]) => `${a}${o}${b}`),
    },
    { weight: 1, arbitrary: tie('expr').map((e) => `(${e})`) },
  ),
})).expr;

export const requirementText = fc
  .tuple(
    ws,
    name,
    ws,
    extras,
    ws,
    fc.oneof(
      { weight: 4, arbitrary: specs },
      {
        weight: 1,
        arbitrary: fc.constantFrom('@ https://example.com/pkg-1.0.whl', '@https://x/y.tar.gz', '@ file:///tmp/a.whl'),
      },
    ),
    fc.oneof(
      fc.constant(''),
      markerText.map((m) => `; ${m}`),
      markerText.map((m) => ` ;${m}`),
    ),
    ws,
  )
  .map(([a, n, b, e, c, s, m, d]) => `${a}${n}${b}${e}${c}${s}${s.startsWith('@') && m ? ' ' : ''}${m}${d}`);

/** Requirements packaging ≥ 26 rejects and earlier versions of our parser accepted. */
export const EMPTY_OPERATOR_REQUIREMENTS = [
  'requests===',
  'requests ===',
  'requests===,',
  'requests=== ',
  'requests===;python_version>"3"',
  'requests (===)',
  'requests===,>1',
  'requests>=1,===',
];
