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

export function parseWheelFilename(filename: string): WheelFilename {
  const parts = filename.endsWith('.whl') ? filename.slice(0, -'.whl'.length).split('-') : [];
  if ((parts.length !== 5 && parts.length !== 6) || parts.some((part) => part.length === 0) || filename.includes('/')) {
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
