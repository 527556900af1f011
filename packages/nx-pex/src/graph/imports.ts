/**
 * Static analysis of Python imports: the top-level module names a file imports absolutely.
 * A line scanner, not a parser: it follows logical lines (backslash and bracket continuations),
 * skips comments and string literals, and reads `import a.b as c, d` and `from a.b import c`.
 * Relative imports (`from . import x`) stay inside the project and are ignored.
 */
export function importedModules(source: string): string[] {
  const found = new Set<string>();
  for (const line of logicalLines(source)) {
    for (const statement of line.split(';')) {
      const s = statement.trim();
      let m = /^import\s+(.+)$/.exec(s);
      if (m?.[1]) {
        for (const part of m[1].split(',')) {
          const name = /^\s*([A-Za-z_][\w]*)/.exec(part)?.[1];
          if (name) found.add(name);
        }
        continue;
      }
      m = /^from\s+([A-Za-z_][\w]*)[\w.]*\s+import\b/.exec(s);
      if (m?.[1]) found.add(m[1]);
    }
  }
  return [...found].sort();
}

/** Source split into logical lines with comments and string contents removed. */
function logicalLines(source: string): string[] {
  const lines: string[] = [];
  let current = '';
  let depth = 0;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === '#') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = source.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      i += quote.length;
      while (i < n && !source.startsWith(quote, i)) {
        if (source[i] === '\\') i++;
        else if (!triple && source[i] === '\n') break; // unterminated: stop at end of line
        i++;
      }
      i += quote.length;
      current += '""';
      continue;
    }
    if (c === '\\' && source[i + 1] === '\n') {
      i += 2;
      current += ' ';
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    if (c === '\n') {
      if (depth === 0) {
        lines.push(current);
        current = '';
      } else {
        current += ' ';
      }
      i++;
      continue;
    }
    current += c === '(' || c === ')' ? ' ' : c;
    i++;
  }
  lines.push(current);
  return lines;
}
