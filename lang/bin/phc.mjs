#!/usr/bin/env node
// phc, the Phantom compiler's command line; the implementation is src/node/phc.ts.
import { dropOutputAfterReaderCloses } from '../dist/node/closed-output.js';
import { main } from '../dist/node/phc.js';

dropOutputAfterReaderCloses(process.stdout, process.stderr);
process.exitCode = await main(process.argv.slice(2));
