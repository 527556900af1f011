import { DEPS_DIR } from '../layout/contents.js';
import type { PreviousZip } from '../zip/reuse.js';
import type { ZipEntry } from '../zip/writer.js';

/** The zipapp a build replaces, as the caller recorded it (BuiltPex `path` and `sha256` of that build). */
export interface PreviousPex {
  path: string;
  sha256: string;
}

/**
 * The previous zipapp as a zip to keep the leading part of. Its raw copies out of wheels are the same
 * bytes as this build's when its PEX-INFO (read from the copy, which must still have the recorded
 * sha256) gives the wheel the same sha256 as this build does: the bytes come from that wheel.
 */
export function previousZipapp(previous: PreviousPex, distributions: Readonly<Record<string, string>>): PreviousZip {
  return {
    path: previous.path,
    sha256: previous.sha256,
    sameData: async (readStored) => {
      const recorded = recordedDistributions(await readStored('PEX-INFO'));
      return (entry: ZipEntry) => {
        const wheel = depsWheel(entry.name);
        return (
          wheel !== undefined && distributions[wheel] !== undefined && recorded.get(wheel) === distributions[wheel]
        );
      };
    },
  };
}

/** `distributions` of a PEX-INFO's bytes (none when absent or malformed: then no raw copy is kept). */
function recordedDistributions(pexInfo: Buffer | undefined): Map<string, string> {
  const found = new Map<string, string>();
  if (pexInfo === undefined) return found;
  let parsed: unknown;
  try {
    parsed = JSON.parse(pexInfo.toString('utf8'));
  } catch {
    return found;
  }
  const distributions = (parsed as { distributions?: unknown } | null)?.distributions;
  if (distributions === null || typeof distributions !== 'object') return found;
  for (const [wheel, sha256] of Object.entries(distributions)) if (typeof sha256 === 'string') found.set(wheel, sha256);
  return found;
}

/** The wheel whose installed tree holds `name` (`.deps/<wheel file name>/...`). */
function depsWheel(name: string): string | undefined {
  const prefix = `${DEPS_DIR}/`;
  if (!name.startsWith(prefix)) return undefined;
  const end = name.indexOf('/', prefix.length);
  return end < 0 ? undefined : name.slice(prefix.length, end);
}
