import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { ToolsError } from '../errors.js';
import { writeContentAtomic } from '@nx-pex/common';
import { isValidProjectName } from '../pep503/normalize.js';
import { entryPointsText, metadataText, wheelFileText } from './dist-info.js';
import { distributionStem, wheelFilename } from './filename.js';
import { recordText } from './record.js';
import type { BuiltWheel, FileContent, WheelDataKey, WheelSpec } from './spec.js';
import { zipMembers } from './zip.js';

interface WheelMember {
  path: string;
  content: Uint8Array;
  executable: boolean;
}

const DATA_KEYS: readonly WheelDataKey[] = ['purelib', 'platlib', 'headers', 'data'];

/** Build a real PEP 427 wheel for `spec` into `outDir` (written to a temp file and renamed into place). */
export async function buildWheel(spec: WheelSpec, outDir: string): Promise<BuiltWheel> {
  validateSpec(spec);
  const members = wheelMembers(spec);
  // Deterministic zip: DOS time 1980-01-02 00:00 (not the epoch itself, which yazl, used before, clamped
  // in the time zone it was loaded in), no Info-ZIP UT field (UTC seconds vary by zone).
  const bytes = zipMembers(
    members.map((m) => ({ path: m.path, content: m.content, mode: m.executable ? 0o100755 : 0o100644 })),
  );
  const filename = wheelFilename(spec);
  const path = join(resolve(outDir), filename);
  await writeContentAtomic(path, bytes);
  return { path, filename, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength };
}

/** Every archive member in order: payload sorted, then `.dist-info` sorted with RECORD last (PEP 427 recommends dist-info at the end). */
export function wheelMembers(spec: WheelSpec): WheelMember[] {
  const stem = distributionStem(spec);
  const distInfo = `${stem}.dist-info`;
  const dataDir = `${stem}.data`;
  const payload = new Map<string, WheelMember>();
  const add = (path: string, content: FileContent, executable = false): void => {
    checkMemberPath(spec, path, distInfo);
    if (payload.has(path)) throw specError(spec, `two files map to the archive path "${path}"`);
    payload.set(path, { path, content: toBytes(content), executable });
  };
  for (const [path, content] of Object.entries(spec.modules ?? {})) add(path, content);
  for (const [name, content] of Object.entries(spec.scripts ?? {})) add(`${dataDir}/scripts/${name}`, content, true);
  for (const key of DATA_KEYS)
    for (const [path, content] of Object.entries(spec.data?.[key] ?? {})) add(`${dataDir}/${key}/${path}`, content);

  const metaFiles: WheelMember[] = [
    { path: `${distInfo}/METADATA`, content: toBytes(metadataText(spec)), executable: false },
    { path: `${distInfo}/WHEEL`, content: toBytes(wheelFileText(spec)), executable: false },
  ];
  if (spec.consoleScripts && Object.keys(spec.consoleScripts).length > 0)
    metaFiles.push({
      path: `${distInfo}/entry_points.txt`,
      content: toBytes(entryPointsText(spec.consoleScripts)),
      executable: false,
    });
  const sorted = [...[...payload.values()].sort(byPath), ...metaFiles.sort(byPath)];
  const recordPath = `${distInfo}/RECORD`;
  sorted.push({ path: recordPath, content: toBytes(recordText(sorted, recordPath)), executable: false });
  return sorted;
}

function validateSpec(spec: WheelSpec): void {
  if (!isValidProjectName(spec.name)) throw specError(spec, `"${spec.name}" is not a valid PEP 508 project name`);
  if (!/^[A-Za-z0-9.+!_-]+$/.test(spec.version)) throw specError(spec, `"${spec.version}" is not a PEP 440 version`);
  if (spec.buildTag !== undefined && !/^\d[A-Za-z0-9_.]*$/.test(spec.buildTag))
    throw specError(spec, `build tag "${spec.buildTag}" must start with a digit (binary distribution format)`);
  for (const [field, value] of [
    ['pythonTag', spec.pythonTag],
    ['abiTag', spec.abiTag],
    ['platformTag', spec.platformTag],
  ] as const)
    if (value !== undefined && !/^[A-Za-z0-9_.]+$/.test(value))
      throw specError(spec, `${field} "${value}" is not a PEP 425 tag`);
  const headerValues = [spec.summary, spec.requiresPython, ...(spec.requiresDist ?? []), ...(spec.providesExtra ?? [])];
  for (const value of headerValues)
    if (value !== undefined && /[\r\n]/.test(value))
      throw specError(spec, `METADATA value ${JSON.stringify(value)} holds a line break`);
  for (const [name, target] of Object.entries(spec.consoleScripts ?? {}))
    if (!/^[\w.-]+$/.test(name) || !/^[\w.]+(:[\w.]+)?$/.test(target))
      throw specError(spec, `console script "${name} = ${target}" is not "name = module:function"`);
}

function checkMemberPath(spec: WheelSpec, path: string, distInfo: string): void {
  const segments = path.split('/');
  if (path.startsWith('/') || path.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..'))
    throw specError(
      spec,
      `archive path "${path}" must be relative, '/'-separated, without '.', '..' or empty segments`,
    );
  if (segments[0] === distInfo)
    throw specError(spec, `"${path}" is inside ${distInfo}/, which the factory writes itself`);
}

function specError(spec: WheelSpec, why: string): ToolsError {
  return new ToolsError(
    'INVALID_WHEEL_SPEC',
    `Cannot build wheel ${spec.name} ${spec.version}: ${why}. Fix the WheelSpec.`,
  );
}

function toBytes(content: FileContent): Uint8Array {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

function byPath(a: WheelMember, b: WheelMember): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
