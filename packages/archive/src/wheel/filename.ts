import { ArchiveError } from '../errors.js';

/** PEP 427 file name: {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl */
export interface WheelFilename {
  filename: string;
  distribution: string;
  version: string;
  buildTag: string | undefined;
  pythonTag: string;
  abiTag: string;
  platformTag: string;
}

/**
 * The characters of a PEP 427 file name part (versions bring '+' and '!', compressed tag sets '.');
 * no part starts with '.', so the name is one path component that is never '.' or '..'. The runtime's
 * names.is_wheel_filename applies the same rule to PEX-INFO.
 */
export const WHEEL_FILENAME_PART = '[A-Za-z0-9_+!][A-Za-z0-9_.+!]*';
const PART = new RegExp(`^${WHEEL_FILENAME_PART}$`);

/** Binary distribution format: a name as wheel and .dist-info file names spell it, runs of `-_.` as one `_`, lower case. */
export function escapedName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '_');
}

export function parseWheelFilename(filename: string): WheelFilename {
  const parts = filename.endsWith('.whl') ? filename.slice(0, -'.whl'.length).split('-') : [];
  if ((parts.length !== 5 && parts.length !== 6) || parts.some((part) => !PART.test(part)) || filename.length > 255) {
    throw new ArchiveError(
      'INVALID_WHEEL',
      `'${filename}' is not a wheel file name (PEP 427: {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl); pass the wheel under its original file name`,
    );
  }
  const [distribution, version, ...rest] = parts as [string, string, ...string[]];
  const [pythonTag, abiTag, platformTag] = rest.slice(-3) as [string, string, string];
  return {
    filename,
    distribution,
    version,
    buildTag: rest.length === 4 ? rest[0] : undefined,
    pythonTag,
    abiTag,
    platformTag,
  };
}
