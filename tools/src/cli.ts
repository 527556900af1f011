#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ToolsError } from './errors.js';
import { writeFileIndex } from './index-server/file-index.js';
import { startFixtureIndex } from './index-server/server.js';
import type { FaultOptions } from './index-server/faults.js';
import { buildWheel } from './wheel-factory/build-wheel.js';
import type { WheelSpec } from './wheel-factory/spec.js';

const USAGE = `usage:
  nx-pex-tools serve-index --dir D [--port P] [--faults faults.json]   serve D as a PEP 503/691 index until killed
  nx-pex-tools write-file-index --dir D --out O                        write a static PEP 503 tree (file:// index)
  nx-pex-tools make-wheel --spec spec.json --out D                     build the wheel(s) of a WheelSpec (or an array)`;

/** A running command: `stop` is set for long-running ones (serve-index). */
export interface CliRun {
  stop?: () => Promise<void>;
}

/** The CLI without process wiring, so tests can drive it. `print` receives each output line. */
export async function cli(argv: string[], print: (line: string) => void): Promise<CliRun> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: 'string' },
      port: { type: 'string' },
      faults: { type: 'string' },
      out: { type: 'string' },
      spec: { type: 'string' },
    },
    strict: true,
  });
  switch (command) {
    case 'serve-index': {
      const faults = values.faults === undefined ? undefined : await readJson<FaultOptions>(values.faults);
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw usage(`--port ${values.port} is not a port number`);
      const index = await startFixtureIndex({
        wheelsDir: required(values.dir, '--dir'),
        port,
        ...(faults ? { faults } : {}),
      });
      print(index.url);
      return { stop: () => index.close() };
    }
    case 'write-file-index': {
      const written = await writeFileIndex(required(values.dir, '--dir'), required(values.out, '--out'));
      print(written.url);
      return {};
    }
    case 'make-wheel': {
      const specs = await readJson<WheelSpec | WheelSpec[]>(required(values.spec, '--spec'));
      for (const spec of Array.isArray(specs) ? specs : [specs])
        print(JSON.stringify(await buildWheel(spec, required(values.out, '--out'))));
      return {};
    }
    default:
      throw usage(command === undefined ? 'no command given' : `unknown command "${command}"`);
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined) throw usage(`${flag} is required`);
  return value;
}

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    throw usage(`cannot read JSON from ${path} (${err instanceof Error ? err.message : String(err)})`);
  }
}

function usage(why: string): ToolsError {
  return new ToolsError('CLI_USAGE', `${why}.\n${USAGE}`);
}

async function main(): Promise<void> {
  try {
    const running = await cli(process.argv.slice(2), (line) => process.stdout.write(line + '\n'));
    const stop = running.stop;
    if (stop)
      for (const signal of ['SIGINT', 'SIGTERM'] as const)
        process.once(signal, () => void stop().then(() => process.exit(0)));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof ToolsError && err.code === 'CLI_USAGE' ? 2 : 1);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
