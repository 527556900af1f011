import { describe, expect, it } from 'vitest';
import { importedModules } from './imports.js';

describe('importedModules', () => {
  it('reads import and from-import forms, top-level names only', () => {
    const src = [
      'import os, sys as system',
      'import my_lib.util as u',
      'from requests.adapters import HTTPAdapter',
      'from shared import (',
      '    a,',
      '    b,',
      ')',
      'x = 1; import json',
      'if True:',
      '    import yaml',
      'from \\',
      '  urllib3 import PoolManager',
    ].join('\n');
    expect(importedModules(src)).toEqual(['json', 'my_lib', 'os', 'requests', 'shared', 'sys', 'urllib3', 'yaml']);
  });

  it('ignores relative imports, comments and strings', () => {
    const src = [
      'from . import sibling',
      'from .pkg import thing',
      '# import commented',
      's = "import fake"',
      'doc = """',
      'import also_fake',
      'from nothing import here',
      '"""',
      "t = 'from x import y'",
      'importlib_thing = 3',
      'fromage = 1',
    ].join('\n');
    expect(importedModules(src)).toEqual([]);
  });
});
