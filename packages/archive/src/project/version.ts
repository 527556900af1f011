// PEP 440 versions of first-party projects, normalised for their dist-info directory name and METADATA
// (the archive does not depend on the resolver, which has the full PEP 440 implementation).

// PEP 440, appendix B: the permissive pattern, with the spec's normalisations applied below.
const VERSION = new RegExp(
  String.raw`^\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\.[0-9]+)*)` +
    String.raw`(?<pre>[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>[0-9]+)?)?` +
    String.raw`(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?` +
    String.raw`(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?)` +
    String.raw`(?:\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$`,
  'i',
);

const PRE_LETTERS: Record<string, string> = {
  alpha: 'a',
  a: 'a',
  beta: 'b',
  b: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};

/** Integers without leading zeros, exact at any size. */
const number = (digits: string | undefined): string => BigInt(digits ?? '0').toString();

/** The normal form of a PEP 440 version (`1.0-Beta.2` → `1.0b2`), or undefined when it is not one. */
export function normalizeVersion(version: string): string | undefined {
  const groups = VERSION.exec(version)?.groups;
  if (groups === undefined) return undefined;
  let normal = groups['epoch'] !== undefined && number(groups['epoch']) !== '0' ? `${number(groups['epoch'])}!` : '';
  normal += (groups['release'] ?? '').split('.').map(number).join('.');
  if (groups['pre'] !== undefined)
    normal += `${PRE_LETTERS[(groups['preL'] ?? '').toLowerCase()] ?? ''}${number(groups['preN'])}`;
  if (groups['post'] !== undefined) normal += `.post${number(groups['postN1'] ?? groups['postN2'])}`;
  if (groups['dev'] !== undefined) normal += `.dev${number(groups['devN'])}`;
  if (groups['local'] !== undefined) {
    normal += `+${groups['local']
      .split(/[-_.]/)
      .map((part) => (/^[0-9]+$/.test(part) ? number(part) : part.toLowerCase()))
      .join('.')}`;
  }
  return normal;
}
