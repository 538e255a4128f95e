#!/usr/bin/env node
// phc, the Phantom compiler's command line; the implementation is src/node/phc.ts.
import { main } from '../dist/node/phc.js';

process.exitCode = await main(process.argv.slice(2));
