import { describe, expect, it } from 'vitest';
import { FaultState, pathMatches } from './faults.js';

describe('fault counters', () => {
  it('a global count fires for the first N requests of any path', () => {
    const f = new FaultState({ status5xx: 2 });
    expect([f.take('status5xx', '/a'), f.take('status5xx', '/b'), f.take('status5xx', '/a')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('true fires always, false and absent never', () => {
    const f = new FaultState({ resetConnection: true, status5xx: false });
    expect([1, 2, 3].map(() => f.take('resetConnection', '/x'))).toEqual([true, true, true]);
    expect(f.take('status5xx', '/x')).toBe(false);
    expect(f.take('wrongContentLength', '/x')).toBe(false);
  });

  it('per-path counts are separate and match by exact path or tail', () => {
    const f = new FaultState({ wrongContentLength: { '/simple/a/': 1, 'b-1.0-py3-none-any.whl': 2 } });
    expect(f.take('wrongContentLength', '/simple/b/')).toBe(false);
    expect(f.take('wrongContentLength', '/simple/a/')).toBe(true);
    expect(f.take('wrongContentLength', '/simple/a/')).toBe(false);
    expect(f.take('wrongContentLength', '/files/b-1.0-py3-none-any.whl')).toBe(true);
    expect(f.take('wrongContentLength', '/files/b-1.0-py3-none-any.whl')).toBe(true);
    expect(f.take('wrongContentLength', '/files/b-1.0-py3-none-any.whl')).toBe(false);
  });

  it('replace() resets the counters', () => {
    const f = new FaultState({ status5xx: 1 });
    f.take('status5xx', '/');
    f.replace({ status5xx: 1 });
    expect(f.take('status5xx', '/')).toBe(true);
  });

  it('answers the per-file knobs', () => {
    const f = new FaultState({
      wrongSha256: ['a.whl'],
      noMetadata: true,
      yanked: { 'a.whl': '' },
      slowBodyMs: { 'a.whl': 5 },
    });
    expect([f.wrongSha256('a.whl'), f.wrongSha256('b.whl')]).toEqual([true, false]);
    expect(f.noMetadata('b.whl')).toBe(true);
    expect([f.yankReason('a.whl'), f.yankReason('b.whl')]).toEqual(['', undefined]);
    expect([f.slowBodyMs('/files/a.whl'), f.slowBodyMs('/files/b.whl')]).toEqual([5, 0]);
  });

  it('rejects invalid options with INVALID_FAULT_OPTIONS', () => {
    expect(() => new FaultState({ status5xx: 1.5 })).toThrow(
      expect.objectContaining({ code: 'INVALID_FAULT_OPTIONS' }),
    );
    expect(() => new FaultState({ resetConnection: { '/a': -1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_FAULT_OPTIONS' }),
    );
    expect(() => new FaultState({ status5xxCode: 200 })).toThrow(
      expect.objectContaining({ code: 'INVALID_FAULT_OPTIONS' }),
    );
  });

  it('path keys match whole segments only', () => {
    expect(pathMatches('a.whl', '/files/a.whl')).toBe(true);
    expect(pathMatches('a.whl', '/files/ba.whl')).toBe(false);
    expect(pathMatches('/', '/files/a.whl')).toBe(false);
  });
});
