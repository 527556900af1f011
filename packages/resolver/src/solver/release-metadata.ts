// Whether a release's core metadata can be used, as pip ≥ 24.1 decides: a release whose
// Requires-Dist does not parse (PEP 508), or whose METADATA Name / Version differ from its file
// name's (pip's MetadataInconsistent), is discarded with a warning instead of failing the install;
// an invalid Requires-Python is ignored (read as no constraint).
import { normalizeName } from '../names.js';
import { Version } from '../pep440/version.js';
import { Requirement } from '../pep508/requirement.js';
import type { RawMetadata } from './provider.js';
import type { Release } from './release.js';

export type ParsedMetadata = { requirements: Requirement[]; requiresPython?: string } | { invalid: string };

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The reason `metadata` is not `release`'s of the project `base`, if it is not. */
function inconsistency(base: string, release: Release, metadata: RawMetadata): ParsedMetadata | undefined {
  if (metadata.name !== undefined && normalizeName(metadata.name) !== base) {
    return { invalid: `Name ${JSON.stringify(metadata.name)} is not the file name's ${base}` };
  }
  if (metadata.version !== undefined) {
    const version = Version.tryParse(metadata.version);
    if (!version) return { invalid: `Version ${JSON.stringify(metadata.version)} is not a PEP 440 version` };
    if (version.compare(release.version) !== 0)
      return { invalid: `Version ${metadata.version} is not the file name's ${release.version.toString()}` };
  }
  return undefined;
}

function parseRawMetadata(metadata: RawMetadata): ParsedMetadata {
  const requirements: Requirement[] = [];
  for (const text of metadata.requiresDist) {
    try {
      requirements.push(Requirement.parse(text));
    } catch (err) {
      return { invalid: `Requires-Dist ${JSON.stringify(text)}: ${reasonOf(err)}` };
    }
  }
  // An invalid Requires-Python is ignored, not ruled out: pip warns and reads it as no constraint
  // (`pythonAllowed` does the same), and so does an index's data-requires-python.
  const { requiresPython } = metadata;
  return { requirements, ...(requiresPython !== undefined ? { requiresPython } : {}) };
}

/** As pip ≥ 24.1 warns about a discarded release. */
const emitWarning = (message: string) => process.emitWarning(message, { code: 'NX_PEX_INVALID_METADATA' });

export class ReleaseMetadata {
  /** A backtracking walk decides the same release again after each backjump: parse its metadata once. */
  private readonly parsed = new WeakMap<RawMetadata, ParsedMetadata>();
  /** `name version` of releases already warned about (an extra of one release must not warn again). */
  private readonly warned = new Set<string>();

  constructor(private readonly warn: (message: string) => void = emitWarning) {}

  /** `release`'s requirements and Requires-Python, or why it must be ruled out. */
  parse(base: string, release: Release, metadata: RawMetadata): ParsedMetadata {
    let parsed = this.parsed.get(metadata);
    if (!parsed) {
      parsed = inconsistency(base, release, metadata) ?? parseRawMetadata(metadata);
      this.parsed.set(metadata, parsed);
    }
    return parsed;
  }

  /** Say once per release that it is ruled out and why. */
  ruledOut(base: string, version: string, reason: string): void {
    if (this.warned.has(`${base} ${version}`)) return;
    this.warned.add(`${base} ${version}`);
    this.warn(
      `Ignoring ${base} ${version}: its metadata is invalid (${reason}). Another version is used; ask the project to fix the release if you need this one.`,
    );
  }
}
