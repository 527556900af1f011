/** The one error class of the plugin: a stable `code` and a message a user can act on. */
export class PluginError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PluginError';
    this.code = code;
  }
}

/** How nx-pex reports any failure, from the executors and the CLI alike: `nx-pex: [CODE] message`. */
export function describeError(e: unknown): string {
  const err = e as Error & { code?: string };
  return `nx-pex: ${err.code ? `[${err.code}] ` : ''}${err.message ?? String(e)}`;
}
