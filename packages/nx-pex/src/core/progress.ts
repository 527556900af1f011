/**
 * Build progress the way uv shows it: on a terminal, one status line redrawn in place (phase, counts,
 * bytes, current package) and erased at the end, so that only the summary stays on screen — and
 * when Nx replays a cached task's output, the redraws end erased too; without a terminal, one plain
 * line per finished phase (the CLI; an Nx task prints only its result, see progressMode); in CI (the
 * `CI` variable) nothing but the summary, unless verbose.
 * Warnings are printed once per build, however many interpreters the build serves. Notes (why a
 * build does what it does) are shown as the phases are: a line of their own, or on the live line.
 */

import type { FetchProgress } from '@nx-pex/resolver';

export type ProgressMode = 'live' | 'lines' | 'quiet';

export type Phase = 'resolving' | 'downloading' | 'installing' | 'writing';

export interface ProgressEvent {
  phase: Phase;
  done: number;
  total: number;
  /** The package being worked on. */
  current?: string;
  /** Size of the artifact that just completed (downloads). */
  bytes?: number;
  /** The artifact that just completed came from the artifact cache: nothing downloaded, its bytes not counted. */
  cached?: boolean;
  /** A count beside the phase's own (the metadata read while resolving), shown on the line and at its end. */
  note?: string;
}

export interface ProgressOutput {
  /** Writes raw text (no newline added). */
  write(text: string): void;
}

/**
 * NX_VERBOSE_LOGGING shows progress everywhere; CI hides it; a terminal gets the live line. `underNx`:
 * the output is a task's, which Nx stores and replays on every cache hit — plain lines there would be
 * replayed, so without a terminal a task prints only its result (the live line ends erased).
 */
export function progressMode(env: NodeJS.ProcessEnv, isTTY: boolean, underNx = false): ProgressMode {
  const verbose = env['NX_VERBOSE_LOGGING'] === 'true';
  if (verbose) return isTTY ? 'live' : 'lines';
  if (isCI(env)) return 'quiet';
  if (isTTY) return 'live';
  return underNx ? 'quiet' : 'lines';
}

function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** 1234567 → "1.2 MiB" (binary units, as uv). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const PAST: Record<Phase, string> = {
  resolving: 'resolved',
  downloading: 'downloaded',
  installing: 'installed',
  writing: 'wrote',
};
const NOUN: Record<Phase, [string, string]> = {
  resolving: ['project', 'projects'],
  downloading: ['distribution', 'distributions'],
  installing: ['wheel', 'wheels'],
  writing: ['file', 'files'],
};

/** `1 wheel`, `3 wheels`. */
const counted = (n: number, phase: Phase) => `${n} ${NOUN[phase][n === 1 ? 0 : 1]}`;

// ESC [ 2K erases the whole line; \r returns to its start (ECMA-48).
const ERASE_LINE = '\r\x1b[2K';

export class BuildProgress {
  private phase: Phase | undefined;
  private done = 0;
  private total = 0;
  private current: string | undefined;
  private bytes = 0;
  /** Of `done`, those the artifact cache served. */
  private cached = 0;
  private note: string | undefined;
  private shown = '';
  private lastDraw = Number.NEGATIVE_INFINITY;
  private readonly warned = new Set<string>();

  constructor(
    private readonly mode: ProgressMode,
    private readonly out: ProgressOutput,
    /** Milliseconds between two redraws of the live line (a phase change always redraws). */
    private readonly minIntervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  update(e: ProgressEvent): void {
    if (this.phase !== e.phase) {
      this.endPhase();
      this.phase = e.phase;
      this.done = 0;
      this.bytes = 0;
      this.cached = 0;
      this.lastDraw = Number.NEGATIVE_INFINITY;
    }
    if (e.done > this.done && e.cached) this.cached++;
    else if (e.done > this.done && e.bytes !== undefined) this.bytes += e.bytes;
    this.done = Math.max(this.done, e.done);
    this.total = Math.max(e.total, this.done);
    if (e.current !== undefined) this.current = e.current;
    if (e.note !== undefined) this.note = e.note;
    if (this.mode === 'live' && this.now() - this.lastDraw >= this.minIntervalMs) this.draw();
  }

  /** A warning, once per build whatever the number of interpreters, above the live line. */
  warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.clear();
    this.out.write(`${message}\n`);
    if (this.mode === 'live' && this.phase) this.draw();
  }

  /**
   * Why the build does what it does (`nx-pex: rebuilding svc (full build): apps/svc/pylock.toml
   * changed`): a line without a terminal, on the live line until the next phase replaces it, nothing when quiet.
   */
  say(message: string): void {
    if (this.mode === 'lines') this.out.write(`${message}\n`);
    if (this.mode !== 'live' || message === this.shown) return;
    this.out.write(`${ERASE_LINE}${message}`);
    this.shown = message;
  }

  /** The warnings given so far (a no-op build replays those of the build it skips). */
  get warnings(): string[] {
    return [...this.warned];
  }

  /** Ends the progress: the live line is erased, then the summary (always shown). */
  finish(summary?: string): void {
    this.endPhase();
    this.phase = undefined;
    if (summary !== undefined) this.out.write(`${summary}\n`);
  }

  private statusLine(): string {
    const parts = [`nx-pex: ${this.phase} ${this.done}/${this.total}`];
    if (this.bytes > 0) parts.push(formatBytes(this.bytes));
    if (this.cached > 0) parts.push(`${this.cached} from the cache`);
    if (this.note) parts.push(this.note);
    if (this.current) parts.push(this.current);
    return parts.join(' · ');
  }

  private draw(): void {
    const line = this.statusLine();
    if (line === this.shown) return;
    this.out.write(`${ERASE_LINE}${line}`);
    this.shown = line;
    this.lastDraw = this.now();
  }

  private clear(): void {
    if (this.mode === 'live' && this.shown) this.out.write(ERASE_LINE);
    this.shown = '';
  }

  private endPhase(): void {
    if (!this.phase) return;
    if (this.mode === 'live') this.clear();
    if (this.mode === 'lines' && this.done > 0) this.out.write(`nx-pex: ${this.phaseSummary(this.phase)}\n`);
    this.current = undefined;
    this.note = undefined;
  }

  /** A finished phase in words: `downloaded 3 distributions (1.2 MiB)`, `25 distributions: 22 from the cache, 3 downloaded (1.2 MiB)`. */
  private phaseSummary(phase: Phase): string {
    const size = [this.bytes > 0 ? formatBytes(this.bytes) : '', this.note ?? ''].filter(Boolean).join(', ');
    const sized = size ? ` (${size})` : '';
    if (this.cached === 0) return `${PAST[phase]} ${counted(this.done, phase)}${sized}`;
    const fetched = this.done - this.cached;
    const all = counted(this.done, phase);
    if (fetched === 0) return `${all} from the cache${this.note ? ` (${this.note})` : ''}`;
    return `${all}: ${this.cached} from the cache, ${fetched} ${PAST[phase]}${sized}`;
  }
}

/**
 * Resolver progress → the build's (or lock's) progress line. Pages and metadata interleave while the
 * resolution walks: both are the `resolving` phase, counted in projects, with the metadata read so far
 * as its note (`resolving 12/15 · metadata 340/352 · botocore 1.29.76`).
 */
export function fetchProgress(progress: BuildProgress): (p: FetchProgress) => void {
  const pages = { done: 0, total: 0 };
  let metadata = '';
  return (p) => {
    if (p.phase === 'download') {
      const { done, total, bytes, cached } = p;
      progress.update({ phase: 'downloading', done, total, current: p.project, bytes, cached });
      return;
    }
    if (p.phase === 'index') Object.assign(pages, { done: p.done, total: p.total });
    else metadata = `metadata ${p.done}/${p.total}`;
    progress.update({ phase: 'resolving', ...pages, current: p.project, note: metadata || undefined });
  };
}
