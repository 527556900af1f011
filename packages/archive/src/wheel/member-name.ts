/**
 * Why a ZIP member name is unsafe to install, or undefined when it is a plain relative POSIX path.
 * A wheel is untrusted input: `..` segments, absolute paths and drive letters could place files
 * outside the installed tree (the "zip slip" class of bugs).
 */
export function unsafeMemberNameReason(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.includes('\0')) return 'the name contains a NUL character';
  if (name.startsWith('/')) return 'the name is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'the name starts with a drive letter';
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((segment) => segment === '..')) return "the name contains a '..' segment";
  if (segments.some((segment) => segment === '' || segment === '.')) return "the name contains an empty or '.' segment";
  return undefined;
}
