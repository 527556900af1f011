// Entry of `npm run bench` (scripts/bench.mjs runs the compiled tools/dist/bench/main.js).
import { runBench } from './harness.js';

process.exitCode = await runBench(process.argv.slice(2));
