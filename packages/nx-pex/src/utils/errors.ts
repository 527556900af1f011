/** The one error class of the plugin: a stable `code` and a message a user can act on. */
export class PluginError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PluginError';
    this.code = code;
  }
}
