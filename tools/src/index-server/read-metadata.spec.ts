import { describe, expect, it } from 'vitest';
import { metadataField } from './read-metadata.js';

describe('core metadata fields', () => {
  const metadata = Buffer.from(
    'Metadata-Version: 2.1\r\nName: Foo\r\nrequires-python:  >=3.8 \r\n\r\nRequires-Python: in the body\n',
  );
  it('reads header fields case-insensitively, trimmed, and never from the body', () => {
    expect(metadataField(metadata, 'Name')).toBe('Foo');
    expect(metadataField(metadata, 'Requires-Python')).toBe('>=3.8');
    expect(metadataField(metadata, 'Summary')).toBeUndefined();
  });
});
