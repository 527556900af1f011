import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from './utils/package-path.js';

const src = packagePath('src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Module specifiers a file imports at run time (`import type` is erased and does not count). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s+(?!type\b)(?:[^'"]*?from\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

describe('layering of the plugin', () => {
  it('core/ imports no executor at run time, and no executor imports another', () => {
    const wrong: string[] = [];
    for (const file of sources(src)) {
      const rel = relative(src, file).split('\\').join('/');
      for (const spec of runtimeImports(file)) {
        if (rel.startsWith('core/') && spec.includes('/executors/')) wrong.push(`${rel} → ${spec}`);
        const own = /^executors\/([^/]+)\//.exec(rel)?.[1];
        if (own && /^\.\.\/(?!\.\.)([^/]+)\//.test(spec)) wrong.push(`${rel} → ${spec}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every executor in executors.json has its implementation and schema', () => {
    const manifest = JSON.parse(readFileSync(packagePath('executors.json'), 'utf8')) as {
      executors: Record<string, { implementation: string; schema: string }>;
    };
    for (const [name, e] of Object.entries(manifest.executors)) {
      expect(existsSync(packagePath(e.implementation.replace('./dist/', 'src/').replace(/\.js$/, '.ts'))), name).toBe(
        true,
      );
      expect(existsSync(packagePath(e.schema)), name).toBe(true);
    }
  });

  it('the nx-pex bin is a committed file in `files`, so npm links it on install before any build', () => {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
      bin: Record<string, string>;
      files: string[];
    };
    const bin = pkg.bin['nx-pex']!;
    expect(bin.startsWith('./dist/')).toBe(false);
    expect(existsSync(packagePath(bin))).toBe(true);
    expect(pkg.files.some((f) => bin.replace(/^\.\//, '').startsWith(f))).toBe(true);
    expect(readFileSync(packagePath(bin), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
