#!/usr/bin/env node
// Runs the compiled CLI (dist/bundle/, built by `npm install` through the `prepare` script).
import { main } from '../dist/bundle/cli.js';

process.exitCode = await main(process.argv.slice(2));
