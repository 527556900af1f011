import type { CompressionMethod } from '../zip/records.js';

/** Bumped whenever the shape or meaning of a prepared tree changes; part of the cache key. */
export const INSTALLED_WHEEL_TREE_FORMAT = 1;

/** One file of an installed wheel, as a raw (still compressed) range of the wheel file. */
export interface TreeEntry {
  /** POSIX path inside the installed tree (`.deps/<wheel>/` is prepended in the pex). */
  path: string;
  /** The member's name inside the wheel. */
  member: string;
  method: CompressionMethod;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Offset of the member's compressed bytes in the wheel file. */
  dataStart: number;
  mode: number;
}

/**
 * A wheel installed per PEP 427, described without extracting it: every entry points at the raw
 * bytes in the wheel, so writing the pex is a copy.
 */
export interface InstalledWheelTree {
  format: number;
  wheel: string;
  sha256: string;
  wheelSize: number;
  entries: TreeEntry[];
}
