import { describe, expect, it } from 'vitest';
import { pythonProject } from '../graph/python-workspace.js';
import { firstPartyClosure, thirdPartyRequirements } from './workspace.js';

const app = pythonProject('svc', 'apps/svc', '[project]\nname = "svc"\ndependencies = ["my-lib[fast]", "requests==2.34.2"]\n[project.optional-dependencies]\ncli = ["click"]\n[tool.nx-pex]\nextras = ["cli"]\n', [])!;
const lib = pythonProject('my-lib', 'libs/my-lib', '[project]\nname = "my-lib"\ndependencies = ["attrs>=23", "base"]\n[project.optional-dependencies]\nfast = ["orjson"]\nslow = ["simplejson"]\n', [])!;
const base = pythonProject('base', 'libs/base', '[project]\nname = "base"\ndependencies = ["requests==2.34.2"]\n', [])!;
const other = pythonProject('other', 'apps/other', '[project]\nname = "other"\ndependencies = ["flask"]\n', [])!;

describe('first-party closure and its third-party requirements', () => {
  it('walks first-party requirements transitively, each project once', () => {
    expect(firstPartyClosure(app, [app, lib, base, other]).map((p) => p.project)).toEqual(['svc', 'my-lib', 'base']);
  });

  it('collects third-party requirements with chosen and requested extras, without duplicates', () => {
    const closure = firstPartyClosure(app, [app, lib, base, other]);
    expect(thirdPartyRequirements(closure)).toEqual(['requests==2.34.2', 'click', 'attrs>=23', 'orjson']);
  });
});
