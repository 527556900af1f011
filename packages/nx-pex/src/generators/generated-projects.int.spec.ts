import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTreeWithEmptyWorkspace } from 'nx/src/devkit-testing-exports.js';
import pythonAppGenerator from './python-app/python-app.js';
import pythonLibGenerator from './python-lib/python-lib.js';
import { snapshot } from './utils/testing.js';
import { writeTree } from '@nx-pex/tools';

// The generated projects' own tests pass under a real Python with pytest: the templates are real code.
const python = process.env['NX_PEX_TEST_PYTHON'] ?? 'python3';
const hasPytest = spawnSync(python, ['-m', 'pytest', '--version'], { encoding: 'utf8' }).status === 0;
const root = mkdtempSync(join(tmpdir(), 'nx-pex-generated-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function pytest(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(
    python,
    ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--doctest-modules', 'src', 'tests'],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: '' },
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!hasPytest)(`generated projects under ${python} -m pytest`, () => {
  it('python-app and python-lib tests pass from the project directory without installing', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await pythonAppGenerator(tree, { name: 'my-service', skipFormat: true });
    await pythonLibGenerator(tree, { name: 'text.utils', skipFormat: true });
    writeTree(root, snapshot(tree));
    const app = pytest(join(root, 'apps/my-service'));
    expect(app.output).toMatch(/2 passed/);
    expect(app.status).toBe(0);
    const lib = pytest(join(root, 'libs/text.utils'));
    expect(lib.output).toMatch(/6 passed/);
    expect(lib.status).toBe(0);
  });
});
