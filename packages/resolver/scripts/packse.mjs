/* global process */
// Runs the opt-in packse suite: packse and uv in a temp venv (from the public index), the scenario files
// from the packse sdist, `packse inspect` → JSON, then the vitest spec against our fixture index (uv is
// the reference for the universal scenarios, as packse's expectations for them are uv's locks).
// Usage: npm run packse -w @nx-pex/resolver   (PACKSE_VERSION, UV_VERSION, NX_PEX_PACKSE_PYTHON optional)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const version = process.env.PACKSE_VERSION ?? '0.3.59';
const uvVersion = process.env.UV_VERSION ?? '0.13.8';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const pipEnv = { ...process.env, PIP_CONFIG_FILE: devNull, PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' };

function pickPython() {
  // pyenv installs (as @nx-pex/tools finds Pythons), newest first, then PATH.
  const root = process.env.PYENV_ROOT ?? spawnSync('pyenv', ['root'], { encoding: 'utf8' }).stdout?.trim();
  const pyenv =
    root && existsSync(join(root, 'versions'))
      ? readdirSync(join(root, 'versions'))
          .filter((v) => /^3\.\d+\.\d+$/.test(v))
          .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
          .map((v) => join(root, 'versions', v, 'bin', 'python3'))
      : [];
  const candidates = [process.env.NX_PEX_PACKSE_PYTHON, ...pyenv, 'python3.13', 'python3.12', 'python3'].filter(
    Boolean,
  );
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import sys; print(sys.version_info >= (3, 12))'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === 'True') return python;
  }
  throw new Error('packse needs Python >= 3.12: set NX_PEX_PACKSE_PYTHON to one.');
}

const work = mkdtempSync(join(tmpdir(), 'nx-pex-packse-'));
try {
  const python = pickPython();
  const venv = join(work, 'venv');
  execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
  const bin = join(venv, 'bin');
  execFileSync(join(bin, 'python'), ['-m', 'pip', 'install', '--quiet', `packse==${version}`, `uv==${uvVersion}`], {
    stdio: 'inherit',
    env: pipEnv,
  });
  // The scenario files ship in packse's sdist (`packse fetch` clones GitHub instead).
  execFileSync(
    join(bin, 'python'),
    [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--no-deps',
      '--no-binary',
      ':all:',
      '-d',
      join(work, 'sdist'),
      `packse==${version}`,
    ],
    { stdio: 'inherit', env: pipEnv },
  );
  const sdist = readdirSync(join(work, 'sdist'))[0];
  execFileSync('tar', ['xzf', join(work, 'sdist', sdist), '-C', work]);
  const scenarios = join(work, `packse-${version}`, 'scenarios');
  const json = execFileSync(join(bin, 'packse'), ['inspect', '--no-hash', scenarios], {
    maxBuffer: 64 << 20,
    env: pipEnv,
  });
  writeFileSync(join(work, 'scenarios.json'), json);
  const report = process.env.NX_PEX_PACKSE_REPORT ?? join(work, 'report.json');
  const r = spawnSync('npx', ['vitest', 'run', 'packages/resolver/src/solver/packse.int.spec.ts'], {
    cwd: repo,
    stdio: 'inherit',
    env: {
      ...process.env,
      NX_PEX_PACKSE: '1',
      NX_PEX_PACKSE_JSON: join(work, 'scenarios.json'),
      NX_PEX_PACKSE_UV: join(bin, 'uv'),
      NX_PEX_PACKSE_REPORT: report,
    },
  });
  if (!process.env.NX_PEX_PACKSE_REPORT && existsSync(report))
    process.stdout.write(readFileSync(report, 'utf8') + '\n');
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
