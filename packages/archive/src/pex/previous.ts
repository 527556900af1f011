import { canonicalJson } from '@nx-pex/common';
import type { PexInfo } from '../pex-info/pex-info.js';

/** The PEX-INFO fields a change of the sources alone changes (sha256 digests this writer computes). */
const SOURCE_HASHES = ['code_hash', 'pex_hash'] as const;

/**
 * Is `info` the previous pex's PEX-INFO but for the sources' digests? Then it was checked against the
 * schema when that pex was written (the caller vouches for it), and the digests that differ are ours:
 * the check need not run again (its validator costs more than the rest of a sources-only rebuild).
 */
export function differsOnlyInSourceHashes(
  info: Omit<PexInfo, 'pex_hash'> & { pex_hash: string },
  previous: unknown,
): boolean {
  if (previous === null || typeof previous !== 'object' || Array.isArray(previous)) return false;
  const strip = (value: object) =>
    Object.fromEntries(Object.entries(value).filter(([k]) => !(SOURCE_HASHES as readonly string[]).includes(k)));
  const digests = SOURCE_HASHES.every((k) => /^[0-9a-f]{64}$/.test(String((previous as Record<string, unknown>)[k])));
  return digests && canonicalJson(strip(info)) === canonicalJson(strip(previous));
}

/**
 * Were `constraints` checked when `previous` (a PEX-INFO this writer wrote, as the caller vouches) was
 * written? They were if it carries exactly these: the writer checks them before it writes a PEX-INFO.
 */
export function checkedBefore(constraints: readonly string[], previous: unknown): boolean {
  if (previous === null || typeof previous !== 'object' || Array.isArray(previous)) return false;
  const recorded = (previous as Record<string, unknown>)['interpreter_constraints'];
  return (
    Array.isArray(recorded) && recorded.length === constraints.length && recorded.every((c, i) => c === constraints[i])
  );
}
