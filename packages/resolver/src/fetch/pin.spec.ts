import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { parsePin } from './pin.js';

describe('parsePin', () => {
  it('accepts name==version with non-normalised names and whitespace', () => {
    const pin = parsePin('  Flask_Login == 0.6.3 ');
    expect(pin.name).toBe('flask-login');
    expect(pin.specifier.toString()).toBe('==0.6.3');
  });

  it.each(['flask', 'flask>=2', 'flask==2.*', 'flask==2; python_version>"3"', 'flask[async]==2', '==1.0', 'flask==not a version'])(
    'rejects %j with INVALID_REQUIREMENT', (text) => {
      const err = (() => { try { parsePin(text); } catch (e) { return e; } })();
      expect(err).toBeInstanceOf(ResolverError);
      expect((err as ResolverError).code).toBe('INVALID_REQUIREMENT');
      expect((err as ResolverError).message).toContain(JSON.stringify(text));
      expect((err as ResolverError).message).toContain('exact pins');
    });
});
