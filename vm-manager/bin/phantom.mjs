#!/usr/bin/env node
// phantom, vm-manager's command line; the implementation is src/node/cli.ts.
import { main } from '../dist/node/cli.js';

process.exitCode = await main(process.argv.slice(2));
