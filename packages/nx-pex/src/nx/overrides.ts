/** What followed `--` on the Nx command line (Nx hands it over as `__overrides_unparsed__`). */
export function argsAfterDashes(options: object): string[] {
  const unparsed = (options as { __overrides_unparsed__?: unknown }).__overrides_unparsed__;
  return Array.isArray(unparsed) ? unparsed.filter((a): a is string => typeof a === 'string') : [];
}
