/**
 * `@nx-pex/resolver/standards`: the PEP 440 / PEP 508 parsers and PEP 503 name normalisation alone,
 * without the index client, HTTP stack, cache or solver that the main entry loads. For callers that
 * must start fast and only read requirement strings (the nx-pex plugin's createNodes, the CLI's
 * startup); they are the same classes the main entry exports.
 */
export { ResolverError, type ResolverErrorCode } from './errors.js';
export { normalizeName } from './names.js';
export { Version } from './pep440/version.js';
export { Specifier, SpecifierSet } from './pep440/specifier.js';
export { Requirement } from './pep508/requirement.js';
export { Marker, type MarkerEnvironment } from './pep508/marker.js';
