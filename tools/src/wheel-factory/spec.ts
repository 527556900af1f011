/** File contents: text is written as UTF-8. */
export type FileContent = string | Uint8Array;

/** `<name>-<version>.data/<key>/` directories of the binary distribution format (besides `scripts`). */
export type WheelDataKey = 'purelib' | 'platlib' | 'headers' | 'data';

/** A small wheel to build; every field maps to one part of PEP 427 / the binary distribution format. */
export interface WheelSpec {
  /** Project name as written in METADATA `Name`; the filename uses its `_`-normalised form. */
  name: string;
  /** A normalised PEP 440 version (used verbatim, `-` becomes `_` in the filename). */
  version: string;
  pythonTag?: string;
  abiTag?: string;
  platformTag?: string;
  /** Optional build tag; must start with a digit. */
  buildTag?: string;
  /** Archive path -> content, e.g. `{'greet/__init__.py': 'def hello(): ...'}`. */
  modules?: Record<string, FileContent>;
  /** METADATA `Requires-Dist` lines (PEP 508 strings). */
  requiresDist?: string[];
  /** METADATA `Requires-Python`. */
  requiresPython?: string;
  /** METADATA `Provides-Extra` lines. */
  providesExtra?: string[];
  /** Files under `<name>-<ver>.data/scripts/` (e.g. `'#!python\n...'`), installed executable into bin/. */
  scripts?: Record<string, FileContent>;
  /** Other `.data` directories. */
  data?: Partial<Record<WheelDataKey, Record<string, FileContent>>>;
  /** `entry_points.txt` `[console_scripts]`: name -> `module:function`. */
  consoleScripts?: Record<string, string>;
  /** WHEEL `Root-Is-Purelib`; default true. */
  rootIsPurelib?: boolean;
  /** METADATA `Summary`. */
  summary?: string;
}

export interface BuiltWheel {
  path: string;
  filename: string;
  /** Hex sha256 of the whole wheel file. */
  sha256: string;
  size: number;
}
