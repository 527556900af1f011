import { expandTags, wheelTags } from './filename.js';
import type { WheelSpec } from './spec.js';

export const GENERATOR = 'nx-pex-tools (0.0.0)';

/** Core metadata 2.1 (METADATA). */
export function metadataText(spec: WheelSpec): string {
  const lines = ['Metadata-Version: 2.1', `Name: ${spec.name}`, `Version: ${spec.version}`];
  if (spec.summary !== undefined) lines.push(`Summary: ${spec.summary}`);
  if (spec.requiresPython !== undefined) lines.push(`Requires-Python: ${spec.requiresPython}`);
  for (const extra of spec.providesExtra ?? []) lines.push(`Provides-Extra: ${extra}`);
  for (const req of spec.requiresDist ?? []) lines.push(`Requires-Dist: ${req}`);
  return lines.join('\n') + '\n';
}

/** PEP 427 WHEEL file. */
export function wheelFileText(spec: WheelSpec): string {
  const lines = ['Wheel-Version: 1.0', `Generator: ${GENERATOR}`, `Root-Is-Purelib: ${spec.rootIsPurelib ?? true}`];
  for (const tag of expandTags(wheelTags(spec))) lines.push(`Tag: ${tag}`);
  if (spec.buildTag !== undefined) lines.push(`Build: ${spec.buildTag}`);
  return lines.join('\n') + '\n';
}

/** Entry points specification: `[console_scripts]` with `name = module:attr`, sorted for determinism. */
export function entryPointsText(consoleScripts: Record<string, string>): string {
  const names = Object.keys(consoleScripts).sort();
  return ['[console_scripts]', ...names.map((n) => `${n} = ${consoleScripts[n]}`)].join('\n') + '\n';
}
