import { describe, expect, it } from 'vitest';
import { BuildProgress, fetchProgress, formatBytes, progressMode } from './progress.js';

function recorder(mode: 'live' | 'lines' | 'quiet', clock = { t: 0 }) {
  const chunks: string[] = [];
  const progress = new BuildProgress(mode, { write: (t) => chunks.push(t) }, 100, () => clock.t);
  return { progress, chunks, clock };
}

/** What a terminal shows once the text is drawn: \r returns to the line's start, ESC[2K erases it. */
function screen(text: string): string[] {
  const erase = '\r\u001b[2K';
  const lines: string[] = [''];
  for (const [i, chunk] of text.split(erase).entries()) {
    if (i > 0) lines[lines.length - 1] = '';
    const [first, ...rest] = chunk.split('\n');
    lines[lines.length - 1] = `${lines[lines.length - 1] ?? ''}${first ?? ''}`;
    lines.push(...rest);
  }
  return lines.filter((l, i) => l !== '' || i < lines.length - 1);
}

describe('progressMode', () => {
  it('live on a terminal, lines without one, quiet in CI unless verbose', () => {
    expect(progressMode({}, true)).toBe('live');
    expect(progressMode({}, false)).toBe('lines');
    expect(progressMode({ CI: 'true' }, true)).toBe('quiet');
    expect(progressMode({ CI: '1' }, false)).toBe('quiet');
    expect(progressMode({ CI: 'false' }, false)).toBe('lines');
    expect(progressMode({ CI: 'true', NX_VERBOSE_LOGGING: 'true' }, false)).toBe('lines');
  });

  it('an Nx task without a terminal prints only its result: Nx replays stored output on cache hits', () => {
    expect(progressMode({}, false, true)).toBe('quiet');
    expect(progressMode({}, true, true)).toBe('live');
    expect(progressMode({ NX_VERBOSE_LOGGING: 'true' }, false, true)).toBe('lines');
  });
});

describe('BuildProgress', () => {
  it('on a terminal: one line redrawn in place with counts, bytes and the package, erased at the end, then the summary', () => {
    const { progress, chunks, clock } = recorder('live');
    progress.update({ phase: 'resolving', done: 1, total: 3, current: 'flask' });
    for (let i = 1; i <= 9; i++) {
      clock.t += 150;
      progress.update({ phase: 'downloading', done: i, total: 9, current: `pkg${i}`, bytes: 1024 * 1024 });
    }
    expect(chunks.join('')).toContain('nx-pex: downloading 5/9 · 5.0 MiB · pkg5');
    expect(chunks.every((c) => !c.includes('\n'))).toBe(true); // no scrolling lines
    progress.finish('nx-pex: wrote dist/apps/a/a.pex');
    expect(screen(chunks.join(''))).toEqual(['nx-pex: wrote dist/apps/a/a.pex']);
  });

  it('redraws at most once per interval within a phase (the bytes Nx stores stay few)', () => {
    const { progress, chunks } = recorder('live');
    for (let i = 1; i <= 500; i++) progress.update({ phase: 'installing', done: i, total: 500, current: `w${i}` });
    expect(chunks.length).toBe(1);
  });

  it('without a terminal: one plain line per finished phase, never per package', () => {
    const { progress, chunks } = recorder('lines');
    for (let i = 1; i <= 9; i++)
      progress.update({ phase: 'downloading', done: i, total: 9, current: `p${i}`, bytes: 2048 });
    for (let i = 1; i <= 9; i++) progress.update({ phase: 'installing', done: i, total: 9 });
    progress.finish('done');
    expect(chunks).toEqual([
      'nx-pex: downloaded 9 distributions (18.0 KiB)\n',
      'nx-pex: installed 9 wheels\n',
      'done\n',
    ]);
  });

  it('downloads the artifact cache served are counted apart, their bytes not as downloaded', () => {
    const all = recorder('lines');
    for (let i = 1; i <= 25; i++)
      all.progress.update({ phase: 'downloading', done: i, total: 25, bytes: 160 * 1024 ** 2, cached: true });
    all.progress.finish();
    expect(all.chunks).toEqual(['nx-pex: 25 distributions from the cache\n']);

    const some = recorder('lines');
    for (let i = 1; i <= 25; i++)
      some.progress.update({
        phase: 'downloading',
        done: i,
        total: 25,
        bytes: i <= 3 ? 400 * 1024 : 1e9,
        cached: i > 3,
      });
    some.progress.finish();
    expect(some.chunks).toEqual(['nx-pex: 25 distributions: 22 from the cache, 3 downloaded (1.2 MiB)\n']);

    const live = recorder('live');
    live.progress.update({ phase: 'downloading', done: 1, total: 2, current: 'a', bytes: 2048 });
    live.clock.t += 200;
    live.progress.update({ phase: 'downloading', done: 2, total: 2, current: 'b', bytes: 1e9, cached: true });
    expect(screen(live.chunks.join(''))).toEqual(['nx-pex: downloading 2/2 · 2.0 KiB · 1 from the cache · b']);
  });

  it('says why a build does what it does where phases show: a line, the live line until replaced, not when quiet', () => {
    const lines = recorder('lines');
    lines.progress.say('nx-pex: rebuilding a (full build): pylock.toml changed');
    lines.progress.update({ phase: 'installing', done: 1, total: 1 });
    lines.progress.finish('done');
    expect(lines.chunks).toEqual([
      'nx-pex: rebuilding a (full build): pylock.toml changed\n',
      'nx-pex: installed 1 wheel\n',
      'done\n',
    ]);

    const live = recorder('live');
    live.progress.say('nx-pex: rebuilding a (sources only): src/a/main.py changed');
    expect(screen(live.chunks.join(''))).toEqual(['nx-pex: rebuilding a (sources only): src/a/main.py changed']);
    live.progress.update({ phase: 'writing', done: 1, total: 3 });
    expect(screen(live.chunks.join(''))).toEqual(['nx-pex: writing 1/3']);
    live.progress.finish('done');
    expect(screen(live.chunks.join(''))).toEqual(['done']);

    const quiet = recorder('quiet');
    quiet.progress.say('nx-pex: rebuilding a (full build): no earlier build is recorded');
    quiet.progress.finish('done');
    expect(quiet.chunks).toEqual(['done\n']);
  });

  it('quiet: only warnings and the summary', () => {
    const { progress, chunks } = recorder('quiet');
    progress.update({ phase: 'downloading', done: 1, total: 1, bytes: 10 });
    progress.warn('w');
    progress.finish('summary');
    expect(chunks).toEqual(['w\n', 'summary\n']);
  });

  it('prints a warning once per build, however many interpreters repeat it, above the live line', () => {
    const { progress, chunks } = recorder('live');
    progress.update({ phase: 'downloading', done: 1, total: 2, current: 'a' });
    progress.warn('nx-pex: careful');
    progress.warn('nx-pex: careful');
    progress.finish('end');
    expect(screen(chunks.join(''))).toEqual(['nx-pex: careful', 'end']);
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});

describe('fetchProgress: the resolver walk on one line', () => {
  it('pages and metadata interleave in one resolving phase, the metadata count as its note; downloads follow', () => {
    const { progress, chunks, clock } = recorder('live');
    const on = fetchProgress(progress);
    on({ phase: 'index', project: 'boto3', done: 1, total: 2 });
    clock.t += 200;
    on({ phase: 'metadata', project: 'boto3 1.26.0', done: 1, total: 3 });
    expect(screen(chunks.join(''))).toEqual(['nx-pex: resolving 1/2 · metadata 1/3 · boto3 1.26.0']);
    clock.t += 200;
    on({ phase: 'index', project: 'botocore', done: 2, total: 2 });
    expect(screen(chunks.join(''))).toEqual(['nx-pex: resolving 2/2 · metadata 1/3 · botocore']);

    const lines = recorder('lines');
    const walk = fetchProgress(lines.progress);
    walk({ phase: 'index', project: 'a', done: 1, total: 1 });
    walk({ phase: 'metadata', project: 'a 1.0', done: 1, total: 2 });
    walk({ phase: 'metadata', project: 'a 0.9', done: 2, total: 2 });
    walk({ phase: 'download', project: 'a', done: 1, total: 1, bytes: 2048 });
    lines.progress.finish();
    expect(lines.chunks.join('')).toBe(
      'nx-pex: resolved 1 project (metadata 2/2)\nnx-pex: downloaded 1 distribution (2.0 KiB)\n',
    );
  });

  it("passes on whether a download was the artifact cache's", () => {
    const { progress, chunks } = recorder('lines');
    const on = fetchProgress(progress);
    on({ phase: 'download', project: 'a', done: 1, total: 2, bytes: 4096, cached: true });
    on({ phase: 'download', project: 'b', done: 2, total: 2, bytes: 2048, cached: false });
    progress.finish();
    expect(chunks).toEqual(['nx-pex: 2 distributions: 1 from the cache, 1 downloaded (2.0 KiB)\n']);
  });
});
