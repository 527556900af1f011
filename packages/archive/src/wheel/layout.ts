import { ArchiveError } from '../errors.js';

/**
 * Where a wheel member lands in the installed tree (PEP 427 "spread"): the `.data/purelib` and
 * `.data/platlib` subtrees move to the root, `.data/scripts` to `bin/`; `.data/headers` and
 * `.data/data` stay where they are (the runtime does not install them into a prefix).
 */
export interface TreePlacement {
  path: string;
  isScript: boolean;
}

export function placeMember(memberName: string, dataDir: string, wheel: string): TreePlacement {
  if (!memberName.startsWith(`${dataDir}/`)) return { path: memberName, isScript: false };
  const rest = memberName.slice(dataDir.length + 1);
  const slash = rest.indexOf('/');
  const scheme = slash < 0 ? rest : rest.slice(0, slash);
  const inner = slash < 0 ? '' : rest.slice(slash + 1);
  switch (scheme) {
    case 'purelib':
    case 'platlib':
      return { path: inner, isScript: false };
    case 'scripts':
      return { path: `bin/${inner}`, isScript: true };
    case 'headers':
    case 'data':
      return { path: memberName, isScript: false };
    default:
      throw new ArchiveError(
        'INVALID_WHEEL',
        `${wheel} has member '${memberName}' in unknown install scheme '${scheme}' (PEP 427 allows purelib, platlib, scripts, headers, data); the wheel is malformed.`,
      );
  }
}
