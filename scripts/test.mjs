// npm test: format check, build, typecheck, lint, then the unit, integration and e2e suites, ending with one summary line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildPackages, nx, repoRoot, run } from './lib.mjs';

// Formatting first: it takes seconds and names the files to fix with `npm run format`.
run(join(repoRoot, 'node_modules', '.bin', 'prettier'), ['--check', '--log-level=warn', '.']);
buildPackages();
run(nx, ['run-many', '-t', 'typecheck', 'lint', '--outputStyle=static']);

const dir = mkdtempSync(join(tmpdir(), 'nx-pex-test-'));
const report = join(dir, 'vitest.json');
const vitest = join(repoRoot, 'node_modules', '.bin', 'vitest');
const projects = process.argv.slice(2).flatMap((p) => ['--project', p]);
const result = spawnSync(
  vitest,
  ['run', ...projects, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
  {
    cwd: repoRoot,
    stdio: 'inherit',
  },
);

let summary = 'tests: no report written';
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = json.numPendingTests + json.numTodoTests;
  summary = `tests: ${json.numPassedTests} passed, ${json.numFailedTests} failed, ${skipped} skipped`;
} catch {
  // vitest crashed before writing its report: its exit code below says so.
}
rmSync(dir, { recursive: true, force: true });
console.log(`\n${summary}`);
process.exit(result.status ?? 1);
