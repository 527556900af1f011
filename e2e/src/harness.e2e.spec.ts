import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, CommandError, repoBin, runCommand, runOrThrow } from './harness/index.js';

// The command runner every e2e test leans on: exit codes, streams, timeouts and the environment.
describe('e2e harness: runCommand', () => {
  const cwd = tmpdir();

  it('captures stdout, stderr, both interleaved, and the exit code', async () => {
    const result = await runCommand(
      'node',
      ['-e', 'console.log("out"); console.error("err"); process.exit(3)'],
      baseEnv(),
      { cwd },
    );
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toBe('err\n');
    expect(result.output).toContain('out\n');
    expect(result.output).toContain('err\n');
  });

  it('runs children on the pinned Node from the repo', async () => {
    const used = await runCommand('node', ['-p', 'require("fs").realpathSync(process.execPath)'], baseEnv(), { cwd });
    expect(used.exitCode).toBe(0);
    expect(used.stdout.trim()).toBe(realpathSync(join(repoBin, 'node')));
  });

  it('does not pass on npm_*, NX_* or VITEST* variables of the test process', async () => {
    const previous = process.env.npm_config_registry;
    process.env.npm_config_registry = 'http://leaked.invalid/';
    try {
      const result = await runCommand(
        'node',
        [
          '-p',
          'JSON.stringify(Object.keys(process.env).filter((k) => /^(npm_|VITEST)/i.test(k) || (/^NX_/.test(k) && !["NX_DAEMON","NX_NO_CLOUD","NX_TUI","NX_INTERACTIVE"].includes(k))))',
        ],
        baseEnv(),
        { cwd },
      );
      expect(JSON.parse(result.stdout) as string[]).toEqual([
        'npm_config_update_notifier',
        'npm_config_fund',
        'npm_config_audit',
        'npm_config_yes',
      ]);
    } finally {
      if (previous === undefined) delete process.env.npm_config_registry;
      else process.env.npm_config_registry = previous;
    }
  });

  it('kills a command and its children at the timeout', async () => {
    const started = Date.now();
    // The shell prints its background child's pid, then waits: both must be gone after the timeout.
    const result = await runCommand('sh', ['-c', 'sleep 30 & echo $!; wait'], baseEnv(), { cwd, timeoutMs: 1_000 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(Date.now() - started).toBeLessThan(10_000);
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    // Gone, or a zombie waiting for a reaper (PID 1 in some containers never reaps): not running.
    const state = existsSync(`/proc/${grandchild}/stat`)
      ? readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]?.[0]
      : 'gone';
    expect(['gone', 'Z', 'X']).toContain(state);
  });

  it('runOrThrow throws a CommandError that carries the output', async () => {
    const error = await runOrThrow('node', ['-e', 'console.log("why it failed"); process.exit(2)'], baseEnv(), {
      cwd,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).message).toMatch(/exited with code 2[\s\S]*why it failed/);
  });
});
