import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Results of the plugin's graph work keyed by content hash, kept between Nx invocations in the
 * workspace data directory, as Nx recommends for plugins: a re-run parses only changed files.
 */
export class PluginCache<T> {
  private readonly entries: Map<string, T>;
  private readonly used = new Map<string, T>();
  private changed = false;

  constructor(private readonly file: string) {
    this.entries = new Map(Object.entries(readCache<T>(file)));
  }

  /** The entry for `key` if there is one (kept by the next save), without computing it. */
  peek(key: string): T | undefined {
    const value = this.used.get(key) ?? this.entries.get(key);
    if (value !== undefined) this.used.set(key, value);
    return value;
  }

  get(key: string, compute: () => T): T {
    let value = this.used.get(key) ?? this.entries.get(key);
    if (value === undefined) {
      value = compute();
      this.changed = true;
    }
    this.used.set(key, value);
    return value;
  }

  /** Writes only the entries used in this run (the rest are stale), atomically. */
  save(): void {
    if (!this.changed && this.used.size === this.entries.size) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.used)));
    renameSync(tmp, this.file);
  }
}

function readCache<T>(file: string): Record<string, T> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, T>) : {};
  } catch {
    return {}; // absent or corrupt: start empty, the next save replaces it
  }
}

/** Where Nx keeps workspace data (its own variable when set, else its default). */
export function workspaceDataDir(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  return (
    env['NX_WORKSPACE_DATA_DIRECTORY'] ??
    env['NX_PROJECT_GRAPH_CACHE_DIRECTORY'] ??
    join(workspaceRoot, '.nx', 'workspace-data')
  );
}
