// The runner with real (local, instant) commands: alternation, warm-up, priming, failures, RSS.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkload, type Contender } from './runner.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-runner-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runWorkload', () => {
  it('alternates the contenders round by round and counts only the runs after the warm-up', async () => {
    const order = join(dir, 'order.txt');
    await writeFile(order, '');
    const contender = (id: string): Contender => ({
      id,
      label: id,
      command: (run) => ({ argv: ['sh', '-c', `echo ${id}:${run} >> "${order}"`], cwd: dir }),
    });
    const result = await runWorkload(
      {
        id: 'w',
        title: 'w',
        reference: 'a',
        notes: [],
        prime: true,
        contenders: [contender('a'), contender('b'), { ...contender('c'), skipped: 'not installed' }],
      },
      { runs: 3, warmup: 1, python: 'python3', logPath: join(dir, 'log.txt'), progress: () => {} },
    );
    expect((await readFile(order, 'utf8')).trim().split('\n')).toEqual([
      'a:0',
      'b:0',
      'b:1',
      'a:1',
      'a:2',
      'b:2',
      'b:3',
      'a:3',
    ]);
    const [a, b, c] = result.contenders;
    expect(a!.samples).toHaveLength(3);
    expect(b!.samples).toHaveLength(3);
    expect(c).toMatchObject({ skipped: 'not installed', samples: [] });
    for (const s of a!.samples) {
      expect(s.wallMs).toBeGreaterThan(0);
      expect(s.maxRssKb).toBeGreaterThan(0);
    }
  });

  it('primes a warm workload with one untimed run each when there is no warm-up round', async () => {
    const order = join(dir, 'order2.txt');
    await writeFile(order, '');
    const result = await runWorkload(
      {
        id: 'w',
        title: 'w',
        reference: 'a',
        notes: [],
        prime: true,
        contenders: [
          { id: 'a', label: 'a', command: (run) => ({ argv: ['sh', '-c', `echo a:${run} >> "${order}"`], cwd: dir }) },
        ],
      },
      { runs: 2, warmup: 0, python: 'python3', logPath: join(dir, 'log4.txt'), progress: () => {} },
    );
    expect((await readFile(order, 'utf8')).trim().split('\n')).toEqual(['a:-1', 'a:0', 'a:1']);
    expect(result.contenders[0]!.samples).toHaveLength(2);
  });

  it('reports a failing contender with its output and stops running it', async () => {
    let runs = 0;
    const result = await runWorkload(
      {
        id: 'w',
        title: 'w',
        reference: 'ok',
        notes: [],
        contenders: [
          { id: 'ok', label: 'ok', command: () => ({ argv: ['true'], cwd: dir }) },
          {
            id: 'bad',
            label: 'bad',
            command: () => (runs++, { argv: ['sh', '-c', 'echo it broke >&2; exit 3'], cwd: dir }),
          },
        ],
      },
      { runs: 2, warmup: 0, python: 'python3', logPath: join(dir, 'log2.txt'), progress: () => {} },
    );
    expect(runs).toBe(1);
    expect(result.contenders[0]!.samples).toHaveLength(2);
    expect(result.contenders[1]!.failed).toMatch(/exit code 3: [\s\S]*it broke/);
  });

  it('measures the peak RSS of the command, not of the wrapper', async () => {
    const result = await runWorkload(
      {
        id: 'w',
        title: 'w',
        reference: 'big',
        notes: [],
        contenders: [
          {
            id: 'big',
            label: 'big',
            command: () => ({
              argv: ['python3', '-c', 'b = bytearray(200 * 1024 * 1024); b[::4096] = b"x" * len(b[::4096])'],
              cwd: dir,
            }),
          },
        ],
      },
      { runs: 1, warmup: 0, python: 'python3', logPath: join(dir, 'log3.txt'), progress: () => {} },
    );
    expect(result.contenders[0]!.samples[0]!.maxRssKb).toBeGreaterThan(200 * 1024);
  });

  it("counts the CPU time of the whole process tree (a grandchild's work too)", async () => {
    const busy =
      'import subprocess, sys; subprocess.run([sys.executable, "-c", "x = 0\\nfor i in range(3_000_000): x += i"], check=True)';
    const result = await runWorkload(
      {
        id: 'w',
        title: 'w',
        reference: 'idle',
        notes: [],
        contenders: [
          {
            id: 'idle',
            label: 'idle',
            command: () => ({
              argv: [
                'python3',
                '-c',
                'import subprocess, sys; subprocess.run([sys.executable, "-c", "pass"], check=True)',
              ],
              cwd: dir,
            }),
          },
          { id: 'busy', label: 'busy', command: () => ({ argv: ['python3', '-c', busy], cwd: dir }) },
        ],
      },
      { runs: 1, warmup: 0, python: 'python3', logPath: join(dir, 'log5.txt'), progress: () => {} },
    );
    const [idle, busyResult] = result.contenders;
    expect(idle!.samples[0]!.cpuMs).toBeGreaterThan(0);
    // The loop runs in the grandchild: only a tree-wide figure sees it.
    expect(busyResult!.samples[0]!.cpuMs).toBeGreaterThan(idle!.samples[0]!.cpuMs);
  });

  it('caps the counted runs of a long workload and skips its warm-up round', async () => {
    const order = join(dir, 'order3.txt');
    await writeFile(order, '');
    const result = await runWorkload(
      {
        id: 'w',
        title: 'w',
        reference: 'a',
        notes: [],
        maxRuns: 1,
        contenders: [
          { id: 'a', label: 'a', command: (run) => ({ argv: ['sh', '-c', `echo a:${run} >> "${order}"`], cwd: dir }) },
        ],
      },
      { runs: 5, warmup: 1, python: 'python3', logPath: join(dir, 'log6.txt'), progress: () => {} },
    );
    expect((await readFile(order, 'utf8')).trim().split('\n')).toEqual(['a:0']);
    expect(result.contenders[0]!.samples).toHaveLength(1);
  });
});
