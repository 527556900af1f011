import type { ProjectDistribution } from '@nx-pex/archive';
import { Requirement } from '@nx-pex/resolver/standards';
import type { PyProject } from './pyproject.js';

/**
 * A first-party project as a distribution in its pex (the dist-info `pip install` of its wheel
 * leaves): core metadata rendered from the static `[project]` table (PEP 621 → core metadata 2.1,
 * https://packaging.python.org/specifications/core-metadata/) and its scripts and entry points.
 * Undefined without a `[project] version`: a static project must declare one (PEP 621), a dynamic
 * one is built by its backend instead.
 */
export function projectDistribution(pyproject: PyProject): ProjectDistribution | undefined {
  if (pyproject.version === undefined) return undefined;
  const dist: ProjectDistribution = {
    name: pyproject.name,
    version: pyproject.version,
    metadata: renderCoreMetadata(pyproject, pyproject.version),
  };
  if (Object.keys(pyproject.scripts).length > 0) dist.scripts = pyproject.scripts;
  if (pyproject.guiScripts && Object.keys(pyproject.guiScripts).length > 0) dist.guiScripts = pyproject.guiScripts;
  if (pyproject.entryPoints && Object.keys(pyproject.entryPoints).length > 0) dist.entryPoints = pyproject.entryPoints;
  return dist;
}

/** METADATA text: one `Field: value` per line (RFC 822 style), fields in the specification's order. */
export function renderCoreMetadata(pyproject: PyProject, version: string): string {
  const lines: string[] = ['Metadata-Version: 2.1', `Name: ${oneLine(pyproject.name)}`, `Version: ${oneLine(version)}`];
  const meta = pyproject.metadata ?? {};
  if (meta.description !== undefined) lines.push(`Summary: ${oneLine(meta.description)}`);
  if (meta.keywords) lines.push(`Keywords: ${meta.keywords.map(oneLine).join(',')}`);
  if (meta.license !== undefined) lines.push(`License: ${multiLine(meta.license)}`);
  for (const [label, url] of Object.entries(meta.urls ?? {}))
    lines.push(`Project-URL: ${oneLine(label)}, ${oneLine(url)}`);
  if (pyproject.requiresPython !== undefined) lines.push(`Requires-Python: ${oneLine(pyproject.requiresPython)}`);
  for (const req of pyproject.dependencies) lines.push(`Requires-Dist: ${oneLine(req)}`);
  for (const [extra, reqs] of Object.entries(pyproject.optionalDependencies)) {
    lines.push(`Provides-Extra: ${oneLine(extra)}`);
    for (const req of reqs) lines.push(`Requires-Dist: ${withExtraMarker(req, extra)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `req` required only with `extra`: its marker and-ed with `extra == "…"` (as backends write it). */
function withExtraMarker(text: string, extra: string): string {
  const req = Requirement.parse(text);
  const condition = `extra == ${JSON.stringify(extra)}`;
  let base = req.name;
  if (req.extras.length > 0) base += `[${[...req.extras].sort().join(',')}]`;
  if (req.specifier.specifiers.length > 0) base += req.specifier.toString();
  if (req.url) base += ` @ ${req.url} `;
  return oneLine(`${base}; ${req.marker ? `(${req.marker.toString()}) and ${condition}` : condition}`);
}

// Values come from pyproject.toml (untrusted): a line break would start a new header.
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

// Core metadata: a multi-line value continues on lines indented by 8 spaces.
function multiLine(value: string): string {
  return value.replace(/\r\n?/g, '\n').trim().split('\n').join('\n        ');
}
