#!/usr/bin/env node
// phantom, vm-manager's command line; the implementation is src/node/cli.ts.
import { dropOutputAfterReaderCloses } from '@phantom/lang/node/closed-output.js';
import { main } from '../dist/node/cli.js';

dropOutputAfterReaderCloses(process.stdout, process.stderr);
process.exitCode = await main(process.argv.slice(2));
