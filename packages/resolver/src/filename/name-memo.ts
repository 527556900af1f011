import { normalizeName } from '../names.js';

/**
 * `normalizeName` remembering its last answer: a page spells its project the same way in (almost)
 * every filename, and the pages of big projects list thousands of them.
 */
export function lastNormalized(): (name: string) => string {
  let last = '';
  let normalized = '';
  return (name) => {
    if (name !== last) {
      normalized = normalizeName(name);
      last = name;
    }
    return normalized;
  };
}
