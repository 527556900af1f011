import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildWheel, type BuiltWheel } from '@nx-pex/tools';
import type { SourceFile } from '../pex/sources.js';

/** Test fixtures shared by the unit and integration specs (not part of the package API). */

/** `greet`: a pure wheel with a console script, a `.data/scripts` script and `.data/purelib|data` files. */
export function greetWheel(outDir: string): Promise<BuiltWheel> {
  return buildWheel(
    {
      name: 'greet',
      version: '1.0',
      modules: {
        'greet/__init__.py': 'def hello(name):\n    return "hello " + name\n',
        'greet/cli.py':
          'import sys\n\ndef main():\n    print("greet-cli ran", sys.argv[1:])\n    return 3\n\nif __name__ == "__main__":\n    sys.exit(main())\n',
      },
      consoleScripts: { 'greet-cli': 'greet.cli:main' },
      scripts: { 'greet-script': '#!python\nimport sys\nprint("script ran", sys.argv[1:])\n' },
      data: {
        purelib: { 'greet_extra.py': 'VALUE = 42\n' },
        data: { 'share/greet/greeting.txt': 'hi\n' },
      },
    },
    outDir,
  );
}

/** `shout`: a platlib wheel (Root-Is-Purelib: false). */
export function shoutWheel(outDir: string): Promise<BuiltWheel> {
  return buildWheel(
    {
      name: 'shout',
      version: '2.0',
      rootIsPurelib: false,
      modules: { 'shout/__init__.py': 'def shout(text):\n    return text.upper() + "!"\n' },
    },
    outDir,
  );
}

export const APP_SOURCES: Record<string, string> = {
  'app/__init__.py': '',
  'app/main.py': [
    'import os, sys',
    'import greet, shout',
    'print(shout.shout(greet.hello("world")))',
    'print("argv", sys.argv[1:])',
    'print("PEX", os.environ.get("PEX"))',
    '',
  ].join('\n'),
  'app/fn.py': 'def main():\n    print("function ran")\n    return 7\n',
  'app/boom.py': 'def main():\n    raise RuntimeError("boom from app")\n',
};

/** Write `files` under `dir` and describe them as pex sources at the same relative paths. */
export async function writeSources(dir: string, files: Record<string, string>): Promise<SourceFile[]> {
  const sources: SourceFile[] = [];
  for (const [archivePath, content] of Object.entries(files)) {
    const path = join(dir, archivePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    sources.push({ archivePath, path });
  }
  return sources;
}
