/**
 * A file name taken from outside (an index link, a lock, a METADATA field) before it is used in a
 * path: exactly one path component. Reasons are short phrases for debug logs and error messages.
 */
export const MAX_COMPONENT_BYTES = 255; // NAME_MAX on Linux and macOS

export function pathComponentProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return 'is a relative path';
  // One pass over the code units (index pages list tens of thousands of names).
  let control = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2f || c === 0x5c) return 'contains a path separator';
    if (c < 0x20 || c === 0x7f) control = true;
  }
  if (control) return 'contains a control character';
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only a long name needs measuring.
  if (name.length * 3 > MAX_COMPONENT_BYTES && Buffer.byteLength(name) > MAX_COMPONENT_BYTES)
    return `is longer than ${MAX_COMPONENT_BYTES} bytes`;
  return undefined;
}
