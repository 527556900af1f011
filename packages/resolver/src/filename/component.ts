/**
 * A file name taken from outside (an index link, a lock, a METADATA field) before it is used in a
 * path: exactly one path component. Reasons are short phrases for debug logs and error messages.
 */
const MAX_COMPONENT_BYTES = 255; // NAME_MAX on Linux and macOS

export function pathComponentProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return 'is a relative path';
  if (/[/\\]/.test(name)) return 'contains a path separator';
  // NUL ends a path in C; other control characters are never part of a distribution filename.
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return 'contains a control character';
  }
  if (Buffer.byteLength(name) > MAX_COMPONENT_BYTES) return `is longer than ${MAX_COMPONENT_BYTES} bytes`;
  return undefined;
}
