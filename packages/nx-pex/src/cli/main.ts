#!/usr/bin/env node
import '../utils/require-node.js';
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  errWrite: (text) => process.stderr.write(text),
  errIsTTY: Boolean(process.stderr.isTTY),
  cwd: process.cwd(),
});
process.exitCode = code;
