import type { ProjectGraphExternalNode } from '@nx/devkit';

/** Third-party Python distributions appear in the graph as `pypi:<normalised name>`. */
export function externalNodeName(distName: string): string {
  return `pypi:${distName}`;
}

export function externalNode(distName: string, version: string): ProjectGraphExternalNode {
  return { type: 'pypi', name: externalNodeName(distName), data: { version, packageName: distName } };
}
