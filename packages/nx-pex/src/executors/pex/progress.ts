interface Logger {
  info(message: string): void;
}

/**
 * Progress lines for long work. Quiet unless stdout is a terminal outside CI, or NX_VERBOSE_LOGGING is set:
 * Nx keeps task output in its cache and CI logs want results, not counters.
 */
export function createProgress(logger: Logger, env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stdout.isTTY)) {
  const verbose = env['NX_VERBOSE_LOGGING'] === 'true';
  const enabled = verbose || (isTTY && !env['CI']);
  let last = '';
  return (what: string, done: number, total: number): void => {
    if (!enabled) return;
    const line = `nx-pex: ${what} (${done}/${total})`;
    if (line !== last) logger.info(line);
    last = line;
  };
}
