import { ResolverError } from '../errors.js';
import { normalizeName } from '../names.js';
import { Specifier } from '../pep440/specifier.js';

/** An exact pin `name==version`. */
export interface Pin {
  requirement: string;
  name: string;
  specifier: Specifier;
}

const PIN = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(==\s*[^\s,;]+)\s*$/;

export function parsePin(requirement: string): Pin {
  const m = PIN.exec(requirement);
  let specifier: Specifier | undefined;
  try {
    if (m && !(m[2] as string).endsWith('.*')) specifier = new Specifier(m[2] as string);
  } catch {
    specifier = undefined;
  }
  if (!m || !specifier) {
    throw new ResolverError('INVALID_REQUIREMENT', `Unsupported requirement ${JSON.stringify(requirement)}: only exact pins "name==version" are supported yet. Pin it, e.g. "requests==2.32.3".`);
  }
  return { requirement, name: normalizeName(m[1] as string), specifier };
}
