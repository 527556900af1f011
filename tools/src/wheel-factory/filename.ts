import { wheelNameComponent } from '../pep503/normalize.js';
import type { WheelSpec } from './spec.js';

export interface WheelTags {
  pythonTag: string;
  abiTag: string;
  platformTag: string;
}

export function wheelTags(spec: WheelSpec): WheelTags {
  return { pythonTag: spec.pythonTag ?? 'py3', abiTag: spec.abiTag ?? 'none', platformTag: spec.platformTag ?? 'any' };
}

/** Binary distribution format: components escape `-` to `_`; the name is normalised with `_`. */
function escapeComponent(value: string): string {
  return value.replace(/-/g, '_');
}

/** `<name>-<version>`: the stem of `.dist-info` and `.data` directories. */
export function distributionStem(spec: WheelSpec): string {
  return `${wheelNameComponent(spec.name)}-${escapeComponent(spec.version)}`;
}

/** `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl` */
export function wheelFilename(spec: WheelSpec): string {
  const { pythonTag, abiTag, platformTag } = wheelTags(spec);
  const build = spec.buildTag === undefined ? '' : `-${escapeComponent(spec.buildTag)}`;
  return `${distributionStem(spec)}${build}-${pythonTag}-${abiTag}-${platformTag}.whl`;
}

/** PEP 425 compressed tag sets (`py2.py3-none-any`) expand to one WHEEL `Tag:` line per combination. */
export function expandTags(tags: WheelTags): string[] {
  const out: string[] = [];
  for (const py of tags.pythonTag.split('.'))
    for (const abi of tags.abiTag.split('.'))
      for (const plat of tags.platformTag.split('.')) out.push(`${py}-${abi}-${plat}`);
  return out;
}
