/** One file listed for a project by an index page (PEP 503 anchor or PEP 691 file object). */
export interface IndexFile {
  filename: string;
  /** Absolute URL; may carry credentials only via the client's per-origin store, never in here. */
  url: string;
  /** Hashes from the URL fragment (PEP 503) or `hashes` (PEP 691), lower-case hex by algorithm. */
  hashes: Record<string, string>;
  /** PEP 503 `data-requires-python` / PEP 691 `requires-python`. */
  requiresPython?: string;
  /** PEP 700 `size` in bytes (PEP 691 JSON pages only). */
  size?: number;
  /** PEP 592: false, or true / the reason when yanked. */
  yanked: boolean | string;
  /** PEP 658/714: whether `<url>.metadata` serves the core metadata, and its hashes. */
  coreMetadata?: { hashes: Record<string, string> } | false;
  /** The page this file was listed on (credential-free), for messages. */
  source: string;
}
