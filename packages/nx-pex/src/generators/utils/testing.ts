import type { Tree } from '@nx/devkit';

/** Every file of a tree with its content, for comparing trees in tests. */
export function snapshot(tree: Tree, dir = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const child of tree.children(dir)) {
    const path = dir ? `${dir}/${child}` : child;
    if (tree.isFile(path)) files[path] = tree.read(path, 'utf-8') ?? '';
    else Object.assign(files, snapshot(tree, path));
  }
  return files;
}
