import { normalizeName } from '@nx-pex/common';
import { parseWheelFilename } from '../wheel/filename.js';

/** The normalised project name of a wheel file name (PEP 427: `_` stands for `-` in the distribution part). */
export function wheelProject(wheelFilename: string): string {
  return normalizeName(parseWheelFilename(wheelFilename).distribution);
}

/** The project name at the start of a PEP 508 requirement string, or undefined when there is none. */
export function requirementProject(requirement: string): string | undefined {
  const match = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:[[(<>=!~;@\s]|$)/.exec(requirement);
  return match?.[1] === undefined ? undefined : normalizeName(match[1]);
}
